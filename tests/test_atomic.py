"""Files are written whole or not at all."""

import pytest

from regelgat.io.atomic import write_atomic


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_failed_write_keeps_what_was_there(tmp_path):
    target = tmp_path / "snapshot.json"
    target.write_text("recorded")
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # not text or bytes: fails before anything is renamed
    assert target.read_text() == "recorded"
