"""Bad input, case by case: one line per problem naming the file, the place and a fix, exit code 2,
no traceback, and nothing already written lost. Each test is named after the input that used to break."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from regelgat.cli import main
from regelgat.io import limits
from conftest import CORE, ROOT

MINI = (CORE / "mini.yaml").read_text(encoding="utf-8")
GOOD_PROFILE = "id: a\nage: 40\nincome_net_monthly: 900\nneeds: [income]\n"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_bad_input(result, *expected: str, lines: int = 1) -> None:
    """Exit 2, `lines` lines on stderr each starting with 'error:', no traceback, every expected text shown."""
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    shown = result.output.strip().splitlines()
    assert len(shown) == lines and all(line.startswith("error: ") for line in shown), result.output
    for text in expected:
        assert text in result.output, result.output


def ruleset_with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in MINI
    write(tmp_path / "rules", "mini.yaml", MINI.replace(old, new, 1))
    return tmp_path / "rules"


# ---- 1. deep nesting in a condition -------------------------------------------------------------

@pytest.mark.parametrize("condition, problem", [
    ("(" * 300 + "age >= 18" + ")" * 300, f"nests more than {limits.MAX_CONDITION_DEPTH} levels"),
    ("not " * 10_000 + "in_detention", "over the limit of 2,000"),
    ("not " * 300 + "in_detention", f"nests more than {limits.MAX_CONDITION_DEPTH} levels"),
    ("age >= " + "(" * 300 + "1" + ")" * 300, f"nests more than {limits.MAX_CONDITION_DEPTH} levels"),
    ("age >= " + " + ".join(["1"] * 400), f"nests more than {limits.MAX_CONDITION_DEPTH} levels"),
    ("age >= " + "-" * 500 + "1", f"nests more than {limits.MAX_CONDITION_DEPTH} levels"),
])
def test_01_deep_nesting_in_a_condition(tmp_path, condition, problem):
    rules = ruleset_with(tmp_path, "condition: age >= 18", f"condition: '{condition}'")
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    result = invoke("check", profile, "--rulesets", rules, "--date", "2025-03-01")
    assert_bad_input(result, "mini.yaml: line 26: provisions[0] (bijstand).criteria[0] (adult).condition", problem)
    assert len(result.output) < 600  # the condition is quoted cut short, not in full
    lint = invoke("lint", rules)
    assert lint.exit_code == 1 and problem in lint.output and "Traceback" not in lint.output


def test_01_deep_nesting_in_a_scenario_when(tmp_path):
    text = (ROOT / "scenarios" / "divorced-working-men.yaml").read_text()
    assert "{when: problematic_debts," in text
    deep = "(" * 300 + "problematic_debts" + ")" * 300
    scenario = write(tmp_path, "deep.yaml", text.replace("{when: problematic_debts,", f"{{when: '{deep}',", 1))
    result = invoke("run", scenario, "--size", "50", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "deep.yaml: line" in result.output and "nests more than" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_01_a_search_where_that_nests_too_deep(tmp_path):
    result = invoke("search", "housing", "--where", "(" * 300 + "age >= 18" + ")" * 300, "--rulesets", CORE,
                    "--date", "2025-03-01")
    assert result.exit_code == 2 and "nests more than" in result.output and "Traceback" not in result.output


# ---- 2. division by zero ------------------------------------------------------------------------

def test_02_division_by_zero_in_a_condition(tmp_path):
    rules = ruleset_with(tmp_path, "condition: age >= 18", "condition: 'income_net_monthly < 1 / 0'")
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    assert_bad_input(invoke("check", profile, "--rulesets", rules, "--date", "2025-03-01"),
                     "criteria[0] (adult).condition: division by zero", "divide by a number or parameter that is not 0")


def test_02_division_by_a_parameter_that_is_zero_on_the_date(tmp_path):
    rules = ruleset_with(tmp_path, "condition: age >= 18", "condition: 'income_net_monthly < 100 / norm_single'")
    text = (rules / "mini.yaml").read_text().replace("value: 1345.45", "value: 0", 1)
    (rules / "mini.yaml").write_text(text)
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    assert_bad_input(invoke("check", profile, "--rulesets", rules, "--date", "2025-03-01"),
                     "mini.yaml: provision bijstand, criterion adult: division by zero on 2025-03-01")


@pytest.mark.parametrize("condition, problem", [
    ('income_net_monthly < "a" * 1000000000000', "arithmetic works on numbers"),
    ("income_net_monthly < 1" + "0" * 30, "is too large"),
    ("income_net_monthly < 999999999999999 * 999999999999999", "beyond the limit"),
])
def test_02_arithmetic_that_gives_no_usable_number(tmp_path, condition, problem):
    rules = ruleset_with(tmp_path, "condition: age >= 18", f"condition: '{condition}'")
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    assert_bad_input(invoke("check", profile, "--rulesets", rules, "--date", "2025-03-01"), problem)


# ---- 3. NaN or infinite parameter values --------------------------------------------------------

@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e300"])
def test_03_nan_or_infinite_parameter_value(tmp_path, value):
    rules = ruleset_with(tmp_path, "value: 1345.45", f"value: {value}")
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    assert_bad_input(invoke("check", profile, "--rulesets", rules, "--date", "2025-03-01"),
                     "mini.yaml: line 14: parameters.norm_single.values.2025-01-01.value")


# ---- 4. null distributions ----------------------------------------------------------------------

DIVORCED = (ROOT / "scenarios" / "divorced-working-men.yaml").read_text(encoding="utf-8")


def line_of(start: str) -> int:
    """The line of the bundled scenario that starts with this text (so that an edited comment moves no test)."""
    return next(n for n, line in enumerate(DIVORCED.splitlines(), 1) if line.lstrip().startswith(start))


def scenario_with(tmp_path: Path, old: str, new: str, name: str = "s.yaml") -> Path:
    assert old in DIVORCED
    return write(tmp_path, name, DIVORCED.replace(old, new, 1))


def run_scenario(tmp_path: Path, scenario: Path, *extra):
    return invoke("run", scenario, "--size", "50", "--check-sample", "0", "--out", tmp_path / "out", *extra)


@pytest.mark.parametrize("old, new, place", [
    ("assets: {normal: {mean: 2000, sd: 7000, min: -25000, max: 60000}}", "assets: {float: null}",
     "vary.assets.float: float: is empty (null)"),
    ("addiction: {chance: 0.12}", "addiction: {chance: null}", "vary.addiction.chance: chance: is empty (null)"),
    ("addiction: {chance: 0.12}", "addiction: {cases: null}", "vary.addiction.cases: cases: is empty (null)"),
    ("years_in_region: {normal: {mean: 18, sd: 12, min: 0, max: 65}, round: 1}", "years_in_region: {normal: null}",
     "vary.years_in_region.normal: normal: is empty (null)"),
])
def test_04_null_distributions(tmp_path, old, new, place):
    result = run_scenario(tmp_path, scenario_with(tmp_path, old, new))
    assert_bad_input(result, "s.yaml: line ", place, "give it a value")
    assert not (tmp_path / "out").exists()


# ---- 5. a NaN mean ------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, place", [
    ("{normal: {mean: 2000, sd: 550,", "{normal: {mean: .nan, sd: 550,", "vary.income_net_monthly.normal.mean"),
    ("{normal: {mean: 2000, sd: 550,", "{normal: {mean: 2000, sd: .nan,", "vary.income_net_monthly.normal.sd"),
    ("{normal: {mean: 2000, sd: 550, min: 1100,", "{normal: {mean: 2000, sd: 550, min: .nan,",
     "vary.income_net_monthly.normal.min"),
    ("otherwise: 0}", "otherwise: .nan}", "vary.rent_monthly.otherwise"),
    ("  municipality: Amsterdam\n", "  municipality: Amsterdam\n  income_gross_yearly: .nan\n",
     "fixed.income_gross_yearly"),
])
def test_05_a_nan_mean_or_other_nan_number(tmp_path, old, new, place):
    result = run_scenario(tmp_path, scenario_with(tmp_path, old, new))
    assert_bad_input(result, place, "NaN is not a number", "give a finite number")
    assert "ValidationError" not in result.output and "pydantic" not in result.output


# ---- 6. a huge seed -----------------------------------------------------------------------------

HUGE = "1180591620717411303424"


def test_06_a_huge_seed_on_the_command_line(tmp_path):
    result = run_scenario(tmp_path, ROOT / "scenarios" / "divorced-working-men.yaml", "--seed", HUGE)
    assert_bad_input(result, "--seed: seed must be a whole number from 0 to 9,223,372,036,854,775,807 (2^63 - 1)",
                     f"(got {HUGE})")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", [HUGE, "-1", str(limits.MAX_SEED + 1)])
def test_06_a_huge_seed_in_the_scenario(tmp_path, seed):
    result = run_scenario(tmp_path, scenario_with(tmp_path, "seed: 45", f"seed: {seed}"))
    assert_bad_input(result, f"s.yaml: line {line_of('seed:')}: seed: seed must be a whole number from 0 to "
                             "9,223,372,036,854,775,807")


def test_06_the_largest_seed_runs(tmp_path):
    result = run_scenario(tmp_path, scenario_with(tmp_path, "seed: 45", f"seed: {limits.MAX_SEED}"))
    assert result.exit_code == 0, result.output


def test_06_a_population_over_the_limit(tmp_path):
    over = str(limits.MAX_POPULATION + 1)
    assert_bad_input(invoke("run", ROOT / "scenarios" / "divorced-working-men.yaml", "--size", over, "--out",
                            tmp_path / "out"), "--size: size 1,000,000,001 is more than the limit of 1,000,000,000")
    scenario = scenario_with(tmp_path, "size: 100000", f"size: {over}")
    assert_bad_input(invoke("run", scenario, "--out", tmp_path / "out"),
                     f"s.yaml: line {line_of('size:')}: size: size 1,000,000,001 is more than the limit")
    assert not (tmp_path / "out").exists()


# ---- the limits, written down once ----------------------------------------------------------------

def test_every_limit_is_documented_with_its_value():
    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    shown = {"MAX_FILE_BYTES": f"| {limits.MAX_FILE_BYTES // 2**20} MB |",
             "MAX_SNAPSHOT_BYTES": f"| {limits.MAX_SNAPSHOT_BYTES // 2**20} MB |",
             "MAX_CONDITION_CHARS": f"| {limits.MAX_CONDITION_CHARS:,} characters |",
             "MAX_CONDITION_DEPTH": f"| {limits.MAX_CONDITION_DEPTH} levels |",
             "MAX_NUMBER": f"| 10^{len(str(int(limits.MAX_NUMBER))) - 1} |",
             "MAX_ID_CHARS": f"| profile `id` | {limits.MAX_ID_CHARS} characters |",
             "MAX_SHORT_TEXT_CHARS": f"| short profile text | {limits.MAX_SHORT_TEXT_CHARS} characters |",
             "MAX_LIST_ITEMS": f"| {limits.MAX_LIST_ITEMS} items |",
             "MAX_POPULATION": f"| {limits.MAX_POPULATION:,} |",
             "MAX_GENERATED_ITEMS": f"| generated list items | {limits.MAX_GENERATED_ITEMS} |",
             "MAX_BODY_BYTES": f"| {limits.MAX_BODY_BYTES // 1024} KB |",
             "MAX_SEED": "| 0 to 2^63 - 1 |" if limits.MAX_SEED == 2**63 - 1 else "?",
             "MAX_ERRORS_SHOWN": f"| {limits.MAX_ERRORS_SHOWN} per file |",
             "MAX_CLIFF_POINTS": f"| cliff steps | {limits.MAX_CLIFF_POINTS:,} |"}
    assert sorted(n for n in dir(limits) if n.startswith("MAX_")) == sorted(shown)
    for name, text in shown.items():
        assert text in doc, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[docs/limits.md](docs/limits.md)" in readme


# ---- 7. unusable output paths -------------------------------------------------------------------

def test_07_run_out_inside_a_file_or_proc(tmp_path):
    scenario = ROOT / "scenarios" / "divorced-working-men.yaml"
    blocker = write(tmp_path, "file.txt", "mine\n")
    for out in (blocker / "sub", Path("/proc/regelgat-x")):
        assert_bad_input(invoke("run", scenario, "--size", "50", "--out", out, "--check-sample", "0"),
                         str(out), "--out")
    assert blocker.read_text() == "mine\n"


def test_07_diff_output_pointing_at_a_folder(tmp_path):
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    assert_bad_input(invoke("diff", profile, "--from", "2025-03-01", "--to", "2025-08-01", "--rulesets", CORE,
                            "--output", tmp_path), f"{tmp_path}: --output: is a folder", "give a file name")


def test_07_rules_markdown_into_a_file_as_folder(tmp_path):
    blocker = write(tmp_path, "file.txt", "mine\n")
    assert_bad_input(invoke("rules", "--rulesets", CORE, "--markdown", blocker / "rules.md"), "--markdown")
    assert blocker.read_text() == "mine\n"


# ---- 8. a long file name ------------------------------------------------------------------------

def test_08_case_naming_a_persona_with_a_300_character_name(tmp_path):
    cases = write(tmp_path, "cases.yaml", "cases:\n  - name: long\n    date: 2025-03-01\n"
                                          f"    persona: {'p' * 300}.yaml\n    expect: {{loops: false}}\n")
    assert_bad_input(invoke("test", cases, "--rulesets", CORE),
                     "cases.yaml: line 4: cases[0].persona: persona file name", "is too long")


@pytest.mark.parametrize("command", [["check"], ["test"], ["run"], ["snapshot"],
                                     ["diff", "--from", "2025-03-01", "--to", "2025-08-01"]])
def test_08_a_300_character_path_on_the_command_line(tmp_path, command):
    result = invoke(*command, tmp_path / ("x" * 300 + ".yaml"))
    assert_bad_input(result, "name too long", "255 characters")


# ---- 9. /dev/zero and other files that are not regular, or too large -----------------------------

@pytest.mark.parametrize("path, problem", [("/dev/zero", "not a regular file"), ("/tmp", "is a folder")])
def test_09_check_dev_zero_or_a_folder(path, problem):
    assert_bad_input(invoke("check", path), f"{path}: {problem}")


def test_09_a_file_over_the_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"id: a\nage: 40\n#" + b"x" * limits.MAX_FILE_BYTES)
    started = time.perf_counter()
    assert_bad_input(invoke("check", big), "larger than the limit of 2 MB")
    assert time.perf_counter() - started < 30  # refused before parsing, not after


# ---- 10. a long id ------------------------------------------------------------------------------

def test_10_a_20000_character_id(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: " + "x" * 20_000 + "\nage: 40\n")
    result = invoke("check", profile, "--rulesets", CORE)
    assert_bad_input(result, "line 1: id: String should have at most 200 characters")
    assert len(result.output) < 400


# ---- 11. a huge list, and duplicate needs -------------------------------------------------------

def test_11_a_profile_with_a_huge_needs_list(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: a\nage: 40\nneeds: [" + "housing, " * 100_000 + "care]\n")
    assert_bad_input(invoke("check", profile, "--rulesets", CORE), "line 3: needs: List should have at most 4 items")


def test_11_too_many_children(tmp_path):
    children = "".join(f"  - {{age: {i % 18}}}\n" for i in range(limits.MAX_LIST_ITEMS + 1))
    profile = write(tmp_path, "p.yaml", f"id: a\nage: 40\nchildren:\n{children}")
    assert_bad_input(invoke("check", profile, "--rulesets", CORE), f"children: List should have at most "
                                                                   f"{limits.MAX_LIST_ITEMS} items")


def test_11_a_need_given_twice(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: a\nage: 40\nneeds: [housing, care, housing]\n")
    assert_bad_input(invoke("check", profile, "--rulesets", CORE), "line 3: needs:", "'housing' is given twice")


# ---- 12. silent accepts: yes/no ------------------------------------------------------------------

@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes"])
def test_12_self_reliant_yes_is_not_true(tmp_path, word):
    profile = write(tmp_path, "p.yaml", f"id: a\nage: 40\nself_reliant: {word}\n")
    assert_bad_input(invoke("check", profile, "--rulesets", CORE),
                     f"line 3: self_reliant: Input should be a valid boolean (got '{word}')", "not yes or no")


def test_12_true_and_false_still_read_as_booleans(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: a\nage: 40\nself_reliant: false\naddiction: True\n")
    assert invoke("check", profile, "--rulesets", CORE, "--date", "2025-03-01").exit_code == 0


# ---- 12. silent accepts: an infinite or NaN weight ----------------------------------------------

@pytest.mark.parametrize("weight, problem", [(".inf", "infinity is not a finite number"),
                                             ("-.inf", "infinity is not a finite number"),
                                             (".nan", "NaN is not a number")])
def test_12_an_infinite_or_nan_weight(tmp_path, weight, problem):
    scenario = scenario_with(tmp_path, "sofa_surfing: 30, with_parents", f"sofa_surfing: {weight}, with_parents")
    result = run_scenario(tmp_path, scenario)
    assert_bad_input(result, f"line {line_of('housing: {choice:')}: vary.housing.choice.sofa_surfing: " + problem)
    assert "negative" not in result.output


@pytest.mark.parametrize("old, new", [("addiction: {chance: 0.12}", "addiction: {chance: .nan}"),
                                      ("years_since_separation: {float: [0, 6]", "years_since_separation: {float: [0, .inf]"),
                                      ("{when: problematic_debts, chance: 0.25, otherwise: false}",
                                       "{when: problematic_debts, chance: 0.25, otherwise: false, missing: .nan}")])
def test_12_nan_and_infinity_anywhere_in_a_distribution(tmp_path, old, new):
    assert_bad_input(run_scenario(tmp_path, scenario_with(tmp_path, old, new)), "s.yaml: line ", "finite")


# ---- 13. both diff modes at once ----------------------------------------------------------------

@pytest.mark.parametrize("dates", [["--from", "2025-03-01", "--to", "2025-08-01"], ["--from", "2025-03-01"],
                                   ["--to", "2025-08-01"]])
def test_13_diff_with_dates_and_base(tmp_path, dates):
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    assert_bad_input(invoke("diff", profile, *dates, "--base", "HEAD", "--rulesets", CORE),
                     "--base:", "not both")


def test_13_diff_head_without_base(tmp_path):
    profile = write(tmp_path, "p.yaml", GOOD_PROFILE)
    assert_bad_input(invoke("diff", profile, "--head", "HEAD", "--rulesets", CORE), "--head needs --base")


# ---- 19. the browser test on a machine without Chromium ----------------------------------------

def _pytest_without_browser(require: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    env.pop("REGELGAT_REQUIRE_BROWSER", None)
    if require:
        env["REGELGAT_REQUIRE_BROWSER"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           str(ROOT / "tests" / "test_report.py"), "-k", "chromium"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_19_browser_tests_skip_with_the_install_line_when_no_browser_is_found():
    run = _pytest_without_browser(require=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SKIPPED [1]" in run.stdout and "apt-get install -y chromium chromium-driver" in run.stdout


def test_19_ci_makes_a_missing_browser_a_failure():
    run = _pytest_without_browser(require=True)
    assert run.returncode != 0 and "REGELGAT_REQUIRE_BROWSER=1" in run.stdout
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install -y -qq chromium chromium-driver" in ci and "export REGELGAT_REQUIRE_BROWSER=1" in ci


# ---- 20. every error in a file at once ----------------------------------------------------------

def test_20_three_mistakes_are_reported_in_one_run(tmp_path):
    profile = write(tmp_path, "p.yaml", "id: a\nagee: 40\nself_reliant: yes\nincome_net_monthly: 'x'\n")
    result = invoke("check", profile, "--rulesets", CORE)
    assert_bad_input(result, "line 2: agee: unknown field 'agee' (did you mean age?)",
                     "line 3: self_reliant:", "line 4: income_net_monthly:", lines=3)
    assert "age' is missing" not in result.output  # the misspelling is one mistake, not two


def test_20_at_most_a_limited_number_of_lines(tmp_path):
    fields = "".join(f"unknown_{i}: 1\n" for i in range(limits.MAX_ERRORS_SHOWN + 15))
    profile = write(tmp_path, "p.yaml", "id: a\nage: 40\n" + fields)
    result = invoke("check", profile, "--rulesets", CORE)
    assert_bad_input(result, "15 more problem(s) not shown", lines=limits.MAX_ERRORS_SHOWN + 1)
