"""Case files: loading with line-numbered errors, running, the failure report, the CLI and the pytest plugin."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from regelgat.guard.cases import load_case_file, run_case
from regelgat.cli import main
from regelgat.io.errors import InputError
from conftest import GUARD, USUAL_GIVEN

CASES = GUARD / "case_files"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_cases_pass_and_report_their_place():
    cases = load_case_file(CASES / "fixture_cases.yaml")
    assert [c.line for c in cases] == [6, 14, 20]
    results = [run_case(c) for c in cases]
    assert all(r.passed for r in results), [r.mismatches for r in results]
    assert cases[0].author == "regelgat core"  # the file-level default
    assert cases[2].profile.id == "inline-profile-in-detention"  # an inline profile gets an id from the name


def test_a_failing_case_shows_expected_actual_and_every_criterion_with_its_source():
    from regelgat.guard.case_report import format_result

    [case] = load_case_file(CASES / "failing_case.yaml")
    result = run_case(case)
    assert not result.passed
    assert [m.expectation for m in result.mismatches] == [
        "eligible: bijstand/algemene_bijstand", "gaps", "effects"]
    report = format_result(result)
    assert "FAIL " in report and "failing_case.yaml:3: Wrong expectation on purpose" in report
    assert "expected: eligible" in report and "actual:   ineligible, refused by income_below_norm" in report
    assert "expected: [housing]" in report and "actual:   [income]" in report
    # every criterion of the provision concerned, with status and source; the override is used
    for line in ("pass     adult: 18 or older", "FAIL     income_below_norm", "pass     assets_below_limit",
                 "would need income_net_monthly < 1345.45 (now income_net_monthly = 1400.0)",
                 "statute: Pw art. 21 <https://wetten.overheid.nl/BWBR0015703/2025-07-01#a21>",
                 "author: test author, source: a test"):
        assert line in report
    assert "effect bijstand/host_cost_sharing: not shown; it shows when nights_elsewhere >= 4" in report


def test_ineligible_expectation_names_the_refusing_criterion(tmp_path):
    file = write(tmp_path / "c.yaml", f"""
rulesets: {GUARD / 'rulesets'}
{USUAL_GIVEN}
cases:
  - name: refused by the wrong criterion
    date: 2025-03-01
    profile: {{age: 40, income_net_monthly: 5000}}
    expect:
      ineligible: {{bijstand/algemene_bijstand: assets_below_limit}}
  - name: refused, any reason
    date: 2025-03-01
    profile: {{age: 40, income_net_monthly: 5000}}
    expect:
      ineligible: {{bijstand/algemene_bijstand: null}}
      loops: true
""")
    wrong, any_reason = (run_case(c) for c in load_case_file(file))
    assert wrong.mismatches[0].expected == "ineligible, refused by assets_below_limit"
    assert wrong.mismatches[0].actual == "ineligible, refused by income_below_norm"
    assert any_reason.passed


@pytest.mark.parametrize("body, place, problem", [
    ("cases:\n  - name: x\n    date: 2025-01-01\n    profile: {age: 30}\n    expct: {}\n",
     "line 5", "unknown field 'expct' (did you mean expect?)"),
    ("cases:\n  - name: x\n    date: someday\n    profile: {age: 30}\n    expect: {}\n",
     "line 3", "write a date as YYYY-MM-DD"),
    ("cases:\n  - name: x\n    date: 2025-01-01\n    profile: {age: 30, housing: shed}\n    expect: {}\n",
     "line 4", "'shed' is not allowed"),
    ("cases:\n  - name: x\n    date: 2025-01-01\n    expect: {}\n", "line 2", "needs a profile"),
    ("cases:\n  - name: x\n    date: 2025-01-01\n    profile: {age: 30}\n    expect: {eligible: [bijstand]}\n",
     "line 5", "not <ruleset id>/<provision id>"),
])
def test_bad_case_files_fail_on_one_line_with_the_place(tmp_path, body, place, problem):
    file = write(tmp_path / "bad.yaml", body)
    with pytest.raises(InputError) as error:
        load_case_file(file)
    message = str(error.value)
    assert message.startswith(str(file)) and place in message and problem in message, message


def test_a_missing_persona_and_an_unknown_provision_are_bad_input(tmp_path):
    file = write(tmp_path / "p.yaml", "cases:\n  - name: x\n    date: 2025-01-01\n    persona: nowhere.yaml\n"
                                      "    expect: {}\n")
    with pytest.raises(InputError, match="persona file 'nowhere.yaml' not found"):
        load_case_file(file)
    file = write(tmp_path / "u.yaml", f"rulesets: {GUARD / 'rulesets'}\ncases:\n  - name: x\n    date: 2025-01-01\n"
                                      "    profile: {age: 30}\n    expect: {eligible: [bijstand/algemene_bijstnd]}\n")
    result = run_case(load_case_file(file)[0])
    assert "no provision 'bijstand/algemene_bijstnd'" in str(result.error)
    assert "did you mean bijstand/algemene_bijstand?" in str(result.error)


def test_a_persona_error_points_into_the_persona_file(tmp_path):
    write(tmp_path / "personas" / "p.yaml", "id: p\nage: 30\nhousing: shed\n")
    file = write(tmp_path / "cases" / "c.yaml", "cases:\n  - name: x\n    date: 2025-01-01\n"
                                                "    persona: personas/p.yaml\n    expect: {}\n")
    with pytest.raises(InputError) as error:
        load_case_file(file)
    assert str(error.value).startswith(str(tmp_path / "personas" / "p.yaml") + ": line 3")


def test_regelgat_test_exit_codes():
    runner = CliRunner()
    passed = runner.invoke(main, ["test", str(CASES / "fixture_cases.yaml")])
    assert passed.exit_code == 0, passed.output
    assert "3 cases: 3 passed, 0 failed" in passed.output
    failed = runner.invoke(main, ["test", str(CASES)])
    assert failed.exit_code == 1
    assert "4 cases: 3 passed, 1 failed" in failed.output and "expected: eligible" in failed.output
    chosen = runner.invoke(main, ["test", str(CASES), "-k", "before the rise"])
    assert chosen.exit_code == 0 and "1 cases: 1 passed" in chosen.output
    missing = runner.invoke(main, ["test", "no/such/folder"])
    assert missing.exit_code == 2


def test_regelgat_test_json(tmp_path):
    import json

    result = CliRunner().invoke(main, ["test", str(CASES / "failing_case.yaml"), "--format", "json"])
    assert result.exit_code == 1
    [case] = json.loads(result.output)
    assert case["passed"] is False and case["line"] == 3
    assert case["mismatches"][0]["expected"] == "eligible"
    assert case["result"]["verdicts"][0]["provision"] == "algemene_bijstand"


def test_rulesets_option_overrides_the_case_files_key(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(GUARD / "rulesets", copy)
    text = (copy / "bijstand.yaml").read_text()
    (copy / "bijstand.yaml").write_text(text.replace("value: 1369.06", "value: 1300.00"))
    result = CliRunner().invoke(main, ["test", str(CASES / "fixture_cases.yaml"), "--rulesets", str(copy)])
    assert result.exit_code == 1
    assert "would need income_net_monthly < 1300 (now income_net_monthly = 1350.0)" in result.output


def test_plain_pytest_collects_case_files(tmp_path):
    """The pytest11 entry point: a cases/ folder is collected, one test per case, with the case report."""
    shutil.copytree(GUARD / "rulesets", tmp_path / "rulesets")
    shutil.copytree(GUARD / "profiles", tmp_path / "profiles")
    (tmp_path / "pytest.ini").write_text("[pytest]\nregelgat_rulesets = rulesets\n")
    for name in ("fixture_cases.yaml", "failing_case.yaml"):
        text = (CASES / name).read_text().replace("rulesets: ../rulesets\n", "")
        text = text.replace("tests/fixtures/guard/profiles/", "profiles/")
        write(tmp_path / "tests" / "cases" / name, text)
    write(tmp_path / "tests" / "other" / "not_a_case.yaml", "just: data\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rf"], cwd=tmp_path,
                         capture_output=True, text=True, env=env, timeout=120)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "1 failed, 3 passed" in out
    assert "FAIL tests/cases/failing_case.yaml:2: Wrong expectation on purpose" in out
    assert "expected: eligible" in out and "Pw art. 21 <https://wetten.overheid.nl/BWBR0015703/2025-07-01#a21>" in out
    # The option wins over the ini: an empty rulesets folder is bad input for every case.
    (tmp_path / "empty").mkdir()
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--regelgat-rulesets", "empty"],
                         cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert "4 failed" in run.stdout and "no *.yaml rulesets found" in run.stdout, run.stdout


def test_a_broken_case_file_is_a_collection_error(tmp_path):
    write(tmp_path / "tests" / "cases" / "bad.yaml", "cases:\n  - name: x\n    date: nope\n    profile: {age: 3}\n"
                                                      "    expect: {}\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=tmp_path,
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert "bad.yaml: line 3: cases[0].date" in run.stdout, run.stdout
