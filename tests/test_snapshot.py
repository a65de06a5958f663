"""The snapshot gate: a rule change that alters any access outcome cannot pass unnoticed."""

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from regelgat.cli import main
from conftest import GUARD, ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"


def snapshot(*args):
    return CliRunner().invoke(main, ["snapshot", *map(str, args)])


def change_amount(ruleset: Path, parameter: str, date: str, new: str) -> str:
    """Change one dated amount in a ruleset file, as a person would: one line. Returns the old text."""
    text = ruleset.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    starts = sorted(str(d) for d in data["parameters"][parameter]["values"] if str(d) <= date)
    start = starts[-1]
    lines = text.splitlines(keepends=True)
    inside = False
    for index, line in enumerate(lines):
        if re.match(rf"\s+{re.escape(parameter)}:\s*$", line):
            inside = True
        elif inside and re.match(rf"\s+{start}:", line):
            for offset in range(index, min(index + 4, len(lines))):  # `START: {value: X` or `START:\n  value: X`
                if re.search(r"value:\s*[-0-9.]+", lines[offset]):
                    lines[offset] = re.sub(r"value:\s*[-0-9.]+", f"value: {new}", lines[offset], count=1)
                    ruleset.write_text("".join(lines), encoding="utf-8")
                    return text
    raise AssertionError(f"{parameter} on {date} not found in {ruleset}")


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A scratch copy of the fixture rulesets and a snapshot of the fixture scenario recorded against it."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(GUARD / "rulesets", tmp_path / "rulesets")
    shutil.copy(GUARD / "low-income.yaml", tmp_path / "low-income.yaml")
    recorded = snapshot("low-income.yaml", "--rulesets", "rulesets")
    assert recorded.exit_code == 0, recorded.output
    assert "recorded 400 profiles of low-income.yaml on 2025-08-01 to tests/snapshots/low-income.json" in recorded.output
    return tmp_path


def test_changing_one_amount_fails_the_check_and_reverting_passes(scratch):
    assert snapshot("--check").exit_code == 0
    original = change_amount(scratch / "rulesets" / "bijstand.yaml", "norm_single", "2025-08-01", "1300.00")
    result = snapshot("--check")
    assert result.exit_code == 1, result.output
    text = result.output
    assert "OUTCOMES CHANGED" in text
    assert "ruleset files changed since the recording: changed bijstand.yaml" in text
    assert re.search(r"- \d+ profiles lose bijstand/algemene_bijstand \(Algemene bijstand\)", text)
    assert ("because bijstand/algemene_bijstand criterion income_below_norm: income_net_monthly < 1369.06; when not "
            "treated_as_married  ->  income_net_monthly < 1300; when not treated_as_married "
            "(parameter bijstand.norm_single 1,369.06 -> 1,300)") in text
    assert re.search(r"- \d+ profiles newly in a gap for income\n.*\n      because loses bijstand/algemene_bijstand", text)
    assert "by group: age: " in text and "e.g. low-income-" in text
    assert "regelgat snapshot --update --file tests/snapshots/low-income.json" in text
    (scratch / "rulesets" / "bijstand.yaml").write_text(original, encoding="utf-8")
    reverted = snapshot("--check")
    assert reverted.exit_code == 0, reverted.output
    assert "no outcome changed" in reverted.output


def test_update_accepts_a_change(scratch):
    change_amount(scratch / "rulesets" / "bijstand.yaml", "norm_single", "2025-08-01", "1300.00")
    assert snapshot("--check").exit_code == 1
    updated = snapshot("--update")
    assert updated.exit_code == 0 and "re-recorded tests/snapshots/low-income.json" in updated.output
    assert snapshot("--check").exit_code == 0


def test_an_amount_no_one_is_near_changes_hashes_but_no_outcome(scratch):
    change_amount(scratch / "rulesets" / "bijstand.yaml", "asset_limit_single", "2025-08-01", "7771")
    result = snapshot("--check")
    assert result.exit_code == 0, result.output
    assert "ruleset files differ from the recording: changed bijstand.yaml; no recorded outcome moved" in result.output


def test_recording_is_deterministic_and_small(scratch):
    file = scratch / "tests" / "snapshots" / "low-income.json"
    first = file.read_bytes()
    assert snapshot("low-income.yaml", "--rulesets", "rulesets").exit_code == 0
    assert file.read_bytes() == first
    data = json.loads(first)
    assert data["size"] == 400 and data["seed"] == 11 and data["date"] == "2025-08-01"
    assert data["ruleset_files"].keys() == {"bijstand.yaml", "care.yaml", "huurtoeslag.yaml"}
    assert data["parameters"]["bijstand.norm_single"] == 1369.06
    assert len(first) < 60_000
    assert all(re.fullmatch(r"[0-9a-f]{8} [EIB.]{6} [a-z_,]+|- [0-9>;]+|-", code) or len(code.split()) == 4
               for code in data["profiles"].values())


def test_a_changed_population_is_reported_as_such(scratch):
    scenario = scratch / "low-income.yaml"
    scenario.write_text(scenario.read_text().replace("mean: 1300", "mean: 1250"))  # the seed is pinned in the snapshot
    result = snapshot("--check")
    assert result.exit_code == 1
    assert "profiles differ from the recorded ones (the scenario, its generator or the profile files changed)" in result.output


@pytest.mark.parametrize("content, message", [
    (None, "no snapshot file"),
    ("not json", "not a snapshot file"),
    ('{"a": 1}', "not a regelgat snapshot"),
])
def test_bad_snapshot_files_exit_2(tmp_path, content, message):
    file = tmp_path / "s.json"
    if content is not None:
        file.write_text(content)
    result = snapshot("--check", "--file", file)
    assert result.exit_code == 2 and message in result.output


def test_check_without_snapshots_is_bad_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = snapshot("--check")
    assert result.exit_code == 2 and "record one: regelgat snapshot SCENARIO" in result.output


# ---- the project's own snapshots: the bundled rulesets against bundled scenarios ----------------

BUNDLED = sorted(SNAPSHOTS.glob("*.json"))
assert BUNDLED, "the project keeps at least one snapshot of a bundled scenario"


@pytest.mark.parametrize("file", BUNDLED, ids=[f.stem for f in BUNDLED])
def test_bundled_snapshot_matches_the_rulesets(file, monkeypatch):
    """Fails when a ruleset change moves an outcome. If intended: regelgat snapshot --update, then commit."""
    monkeypatch.chdir(ROOT)
    result = snapshot("--check", "--file", file.relative_to(ROOT))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("file", BUNDLED[:1], ids=[f.stem for f in BUNDLED[:1]])
def test_bundled_snapshot_catches_a_change_on_a_scratch_copy(file, tmp_path, monkeypatch):
    """The acceptance test on the real rules: lower the bijstand norm on a copy; the check fails; revert; it passes."""
    monkeypatch.chdir(ROOT)
    data = json.loads(file.read_text())
    copy = tmp_path / "rulesets"
    shutil.copytree(ROOT / data["rulesets"], copy)
    ruleset = copy / "participatiewet-bijstand.yaml"
    norm = data["parameters"]["participatiewet-bijstand.norm_single"]
    original = change_amount(ruleset, "norm_single", data["date"], f"{norm - 300:.2f}")
    failed = snapshot("--check", "--file", file.relative_to(ROOT), "--rulesets", copy)
    assert failed.exit_code == 1, failed.output
    assert "lose participatiewet-bijstand/algemene_bijstand" in failed.output
    assert "parameter participatiewet-bijstand.norm_single" in failed.output
    assert f"--rulesets {copy}" in failed.output  # the accept command keeps the chosen folder
    ruleset.write_text(original, encoding="utf-8")
    passed = snapshot("--check", "--file", file.relative_to(ROOT), "--rulesets", copy)
    assert passed.exit_code == 0, passed.output
