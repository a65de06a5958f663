"""Bad input that meets what is already written: output folders of the user's own files, snapshots of
another scenario, resuming a run (path spelling, damaged chunk files), and rule changes that a diff
between git versions cannot see on its date. Nothing already written may be lost or left unmentioned."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT
from test_bad_input import DIVORCED, assert_bad_input, invoke, write


# ---- 14. output folders that are not run folders -------------------------------------------------

def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("restart", [[], ["--restart"]])
@pytest.mark.parametrize("own", [{"summary.json": "{\"mine\": 1}\n", "report.md": "# my notes\n"},
                                 {"report.md": "# my notes\n"}, {"run.json": "not json"},
                                 {"chunks/keep.txt": "mine\n"}])
def test_14_out_pointing_at_a_folder_of_the_users_own_files(tmp_path, own, restart):
    out = tmp_path / "mine"
    for name, text in own.items():
        write(out, name, text)
    before, entries = _files(out), sorted(out.rglob("*"))
    result = invoke("run", ROOT / "scenarios" / "divorced-working-men.yaml", "--size", "50", "--check-sample", "0",
                    "--out", out, *restart)
    assert_bad_input(result, f"{out}: --out: is not empty", "holds no regelgat run", "give a new or empty folder")
    assert _files(out) == before and sorted(out.rglob("*")) == entries  # nothing changed, nothing added


def test_14_an_empty_folder_and_a_run_folder_are_still_accepted(tmp_path):
    (tmp_path / "empty").mkdir()
    scenario = ROOT / "scenarios" / "divorced-working-men.yaml"
    for _ in range(2):  # the second time the folder holds the first run: resumed
        result = invoke("run", scenario, "--size", "50", "--check-sample", "0", "--out", tmp_path / "empty")
        assert result.exit_code == 0, result.output
    assert "resuming: 1 of 1 chunks were already done" in result.output


# ---- 15. snapshots of another scenario -------------------------------------------------------------

@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """A snapshot of the guard fixture's scenario in tests/snapshots/shared.json, and a second scenario."""
    from conftest import GUARD

    monkeypatch.chdir(tmp_path)
    text = (GUARD / "low-income.yaml").read_text(encoding="utf-8")
    write(tmp_path, "low-income.yaml", text)
    write(tmp_path, "other.yaml", text.replace("seed:", "seed: 1\n# was:", 1))
    first = invoke("snapshot", "low-income.yaml", "--rulesets", GUARD / "rulesets", "--size", "30",
                   "--file", "tests/snapshots/shared.json")
    assert first.exit_code == 0, first.output
    return tmp_path / "tests" / "snapshots" / "shared.json"


def test_15_recording_another_scenario_over_a_snapshot_is_refused(recorded):
    from conftest import GUARD

    before = recorded.read_bytes()
    result = invoke("snapshot", "other.yaml", "--rulesets", GUARD / "rulesets", "--size", "30", "--file", recorded)
    assert_bad_input(result, "shared.json: population: holds the snapshot of low-income.yaml, not of other.yaml",
                     "add --update to replace it")
    assert recorded.read_bytes() == before
    again = invoke("snapshot", "low-income.yaml", "--rulesets", GUARD / "rulesets", "--size", "30", "--file", recorded)
    assert again.exit_code == 0 and recorded.read_bytes() == before  # the same scenario: a plain re-record


def test_15_update_replaces_the_snapshot_of_another_scenario(recorded):
    from conftest import GUARD

    result = invoke("snapshot", "other.yaml", "--update", "--rulesets", GUARD / "rulesets", "--size", "30",
                    "--file", recorded)
    assert result.exit_code == 0, result.output
    assert "replaced" in result.output and json.loads(recorded.read_text())["population"] == "other.yaml"


def test_15_recording_over_a_file_that_is_no_snapshot_is_refused(tmp_path, monkeypatch):
    from conftest import GUARD

    monkeypatch.chdir(tmp_path)
    mine = write(tmp_path, "mine.json", "{\"my\": \"notes\"}\n")
    result = invoke("snapshot", GUARD / "low-income.yaml", "--rulesets", GUARD / "rulesets", "--size", "30",
                    "--file", mine)
    assert_bad_input(result, "mine.json", "not a regelgat snapshot", "give another --file")
    assert mine.read_text() == "{\"my\": \"notes\"}\n"


# ---- 16. path spelling on resume ------------------------------------------------------------------

def test_16_resume_with_a_relative_and_then_an_absolute_path(tmp_path, monkeypatch):
    write(tmp_path / "sc", "s.yaml", DIVORCED)
    monkeypatch.chdir(tmp_path)
    first = invoke("run", "sc/s.yaml", "--size", "50", "--check-sample", "0", "--out", "out")
    assert first.exit_code == 0, first.output
    summary = (tmp_path / "out" / "summary.json").read_bytes()
    for spelling in (tmp_path / "sc" / "s.yaml", "./sc/../sc/s.yaml"):
        again = invoke("run", spelling, "--size", "50", "--check-sample", "0", "--out", tmp_path / "out")
        assert again.exit_code == 0, again.output
        assert "resuming: 1 of 1 chunks were already done" in again.output and "different run" not in again.output
        assert (tmp_path / "out" / "summary.json").read_bytes() == summary


def test_16_an_edited_scenario_is_still_a_different_run(tmp_path):
    scenario = write(tmp_path, "s.yaml", DIVORCED)
    assert invoke("run", scenario, "--size", "50", "--check-sample", "0", "--out", tmp_path / "out").exit_code == 0
    scenario.write_text(DIVORCED.replace("addiction: {chance: 0.12}", "addiction: {chance: 0.5}"))
    assert_bad_input(invoke("run", scenario, "--size", "50", "--check-sample", "0", "--out", tmp_path / "out"),
                     "holds a different run")


# ---- 17. a damaged chunk file ----------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["chunks/00001.npz", "rows/part-00002.parquet", "chunks/00000.npz:empty"])
def test_17_a_damaged_chunk_file_is_redone_on_resume(tmp_path, damage):
    from regelgat.population.generate import BLOCK
    from conftest import EVERYTHING, FIXTURE_RULES

    args = [EVERYTHING, "--rulesets", FIXTURE_RULES, "--size", 2 * BLOCK + 1000, "--check-sample", "0"]
    assert invoke("run", *args, "--out", tmp_path / "full").exit_code == 0
    assert invoke("run", *args, "--out", tmp_path / "cut").exit_code == 0
    name, _, how = damage.partition(":")
    damaged = tmp_path / "cut" / name
    data = damaged.read_bytes()
    damaged.write_bytes(b"" if how == "empty" else data[: len(data) // 2])
    result = invoke("run", *args, "--out", tmp_path / "cut")
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "resuming: 2 of 3 chunks were already done" in result.output
    full, cut = _files(tmp_path / "full"), _files(tmp_path / "cut")
    assert full.keys() == cut.keys() and len(full) > 8
    for key in full:
        if key != "run.json":  # holds the seconds taken
            assert full[key] == cut[key], key


# ---- 18. rule changes at other dates ---------------------------------------------------------------

def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A git repository holding the guard rulesets, committed, and a one-profile population."""
    import shutil
    from conftest import GUARD

    shutil.copytree(GUARD / "rulesets", tmp_path / "repo" / "rulesets")
    _git(tmp_path / "repo", "init", "-q")
    _git(tmp_path / "repo", "add", "rulesets")
    _git(tmp_path / "repo", "commit", "-q", "-m", "rules")
    write(tmp_path, "p.yaml", "id: p\nage: 40\nincome_net_monthly: 1380\nneeds: [income]\n")
    return tmp_path / "repo" / "rulesets"


def _diff(tmp_path: Path, rules: Path, *extra):
    return invoke("diff", tmp_path / "p.yaml", "--base", "HEAD", "--date", "2025-08-01", "--rulesets", rules, *extra)


def test_18_a_change_on_another_date_is_listed_not_nothing(tmp_path, repo):
    bijstand = repo / "bijstand.yaml"
    bijstand.write_text(bijstand.read_text().replace("value: 1401.50", "value: 1300.00", 1))  # from 2026-01-01
    result = _diff(tmp_path, repo)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output  # on 2025-08-01 nobody moves
    assert "nothing" not in result.output
    assert "no change on 2025-08-01, the date simulated" in result.output
    assert "Changed on other dates, NOT simulated for this population (only 2025-08-01 was" in result.output
    assert "2026-01-01: bijstand/algemene_bijstand criterion income_below_norm:" in result.output
    assert "1,401.50 -> 1,300 (value from 2026-01-01" in result.output
    markdown = _diff(tmp_path, repo, "--format", "markdown").output
    assert "NOT simulated" in markdown and "2026-01-01: bijstand/algemene_bijstand" in markdown
    data = json.loads(_diff(tmp_path, repo, "--format", "json").output)
    assert data["rule_changes"] == [] and len(data["rule_changes_not_simulated"]) == 1
    # on the date of the change the population is decided and the change is simulated
    on_date = invoke("diff", tmp_path / "p.yaml", "--base", "HEAD", "--date", "2026-01-01", "--rulesets", repo)
    assert on_date.exit_code == 1 and "NOT simulated" not in on_date.output, on_date.output


def test_18_a_provision_that_ends_later_and_a_comment_only_edit(tmp_path, repo):
    bijstand = repo / "bijstand.yaml"
    text = bijstand.read_text()
    assert "  - id: algemene_bijstand\n" in text
    bijstand.write_text(text.replace("  - id: algemene_bijstand\n",
                                     "  - id: algemene_bijstand\n    valid_until: 2027-06-30\n", 1))
    result = _diff(tmp_path, repo)
    assert "2027-07-01: bijstand/algemene_bijstand: " in result.output and "nothing" not in result.output
    bijstand.write_text("# a comment\n" + text)
    comment = _diff(tmp_path, repo)
    assert comment.exit_code == 0 and "nothing" not in comment.output
    assert "bijstand.yaml: the file changed, but no rule, amount or text in force on any date differs" in comment.output


def test_18_no_change_at_all_still_says_nothing(tmp_path, repo):
    result = _diff(tmp_path, repo)
    assert result.exit_code == 0 and "What changed in the rules (whoever it affects):\n  nothing" in result.output

