"""Scenario files: the bundled ones load, and every mistake is one line with a place and a fix."""

import datetime as dt
import subprocess
import sys

import pytest

from regelgat.io.errors import InputError
from regelgat.population.scenario import bundled_scenarios, load_scenario
from conftest import EVERYTHING, ROOT

MINE = ["divorced-working-men", "pregnant-young-women", "young-adults-leaving-home", "economically-homeless",
        "low-income-amsterdam"]


@pytest.mark.parametrize("name", MINE)
def test_bundled_scenario_loads_with_size_seed_date_and_groups(name):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    assert scenario.size > 0 and scenario.seed >= 0
    assert isinstance(scenario.date, dt.date)
    assert scenario.groups, "a bundled scenario names the groups to break results down by"
    assert scenario.varying()
    header = (ROOT / "scenarios" / f"{name}.yaml").read_text().splitlines()[0]
    assert header.startswith("# "), "each bundled scenario starts with a comment explaining it"


def test_every_bundled_scenario_is_found():
    names = {p.stem for p in bundled_scenarios()}
    assert set(MINE) <= names


def test_overrides_replace_size_seed_and_date():
    scenario = load_scenario(EVERYTHING).with_overrides(size=10, seed=3, date=dt.date(2025, 8, 1))
    assert (scenario.size, scenario.seed, scenario.date) == (10, 3, dt.date(2025, 8, 1))


def _bad(tmp_path, text: str) -> InputError:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


BASE = "title: A test\nsize: 100\nseed: 1\ndate: 2026-01-15\n"


def test_unknown_field_names_the_line_and_suggests_the_name(tmp_path):
    error = _bad(tmp_path, BASE + "vary:\n  agee: {integer: [18, 30]}\n")
    assert "line 6" in str(error) and "unknown field 'agee'" in str(error)
    assert error.fix == "did you mean age?"


@pytest.mark.parametrize("vary, problem", [
    ("age: {integer: [30, 18]}", "min 30 is above max 18"),
    ("age: {integer: [18, 130]}", "outside the range of age"),
    ("housing: {choice: {own_rental: 1, castle: 2}}", "'castle' is not a value of housing"),
    ("housing: {choice: {own_rental: -1, street: 2}}", "is negative"),
    ("housing: {choice: {own_rental: 0}}", "all weights are zero"),
    ("addiction: {chance: 1.5}", "between 0 and 1"),
    ("income_net_monthly: {normal: {mean: 1000, sd: -5}}", "sd must be 0 or more"),
    ("age: {float: [18, 30]}", "takes whole numbers"),
    ("housing: {integer: [1, 3]}", "makes numbers"),
    ("age: {integer: [18, 30], choice: {18: 1}}", "exactly one of"),
    ("age: {when: 'gender == \"male\"', integer: [18, 30]}", "needs `otherwise:`"),
    ("age: {when: 'agee > 3', integer: [18, 30], otherwise: 20}", "unknown fact 'agee'"),
    ("age: {integer: [18, 30], missing: 0.1}", "never missing"),
])
def test_impossible_distribution_is_refused(tmp_path, vary, problem):
    error = _bad(tmp_path, BASE + "vary:\n  " + vary + "\n")
    assert problem in str(error)
    assert "line 6" in str(error)


@pytest.mark.parametrize("size", ["-5", "0", "1.5", "many"])
def test_bad_size_is_refused(tmp_path, size):
    error = _bad(tmp_path, BASE.replace("size: 100", f"size: {size}"))
    assert "size" in str(error) and "line 2" in str(error)


def test_conditions_that_depend_on_each_other_are_refused(tmp_path):
    error = _bad(tmp_path, BASE + "vary:\n  age: {when: addiction, integer: [18, 30], otherwise: 40}\n"
                                  "  addiction: {when: age > 20, chance: 0.5, otherwise: false}\n")
    assert "depend on each other" in str(error)


def test_fixed_and_varied_at_once_is_refused(tmp_path):
    error = _bad(tmp_path, BASE + "fixed:\n  age: 30\nvary:\n  age: {integer: [18, 30]}\n")
    assert "both fixed and varied" in str(error)


def test_group_by_unknown_fact_or_number_without_bands(tmp_path):
    assert "unknown fact 'agge'" in str(_bad(tmp_path, BASE + "groups:\n  a: {fact: agge}\n"))
    assert "give bands" in str(_bad(tmp_path, BASE + "groups:\n  a: {fact: age}\n"))


def test_list_field_needs_a_count(tmp_path):
    error = _bad(tmp_path, BASE + "vary:\n  children: {age: {integer: [0, 5]}}\n")
    assert "children needs count:" in str(error)


@pytest.mark.parametrize("text, problem", [
    (BASE + "vary:\n  agee: {integer: [18, 30]}\n", "unknown field 'agee'"),
    (BASE + "vary:\n  age: {integer: [30, 18]}\n", "min 30 is above max 18"),
    (BASE.replace("size: 100", "size: -3"), "size must be a whole number of at least 1"),
])
def test_cli_prints_one_line_and_exits_2(tmp_path, text, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    run = subprocess.run([sys.executable, "-m", "regelgat", "run", str(path), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0] and str(path) in lines[0]
    assert "Traceback" not in run.stderr


def test_cli_refuses_a_negative_size_option(tmp_path):
    run = subprocess.run([sys.executable, "-m", "regelgat", "run", str(EVERYTHING), "--size", "-1",
                          "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and "--size" in run.stderr


@pytest.mark.parametrize("name", MINE)
def test_every_bundled_scenario_has_its_words_in_dutch(name):
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    dutch = scenario.texts("nl")
    assert dutch[scenario.title] != scenario.title
    assert scenario.texts("en") == {}


GROUPED = BASE + "groups:\n  age_band: {fact: age, bands: [30], labels: [young, older]}\n"


@pytest.mark.parametrize("nl, problem", [
    ("nl:\n  title: Een test\n  labels:\n    age_bands: [jong, ouder]\n", "no group 'age_bands'"),
    ("nl:\n  title: Een test\n  labels:\n    age_band: [jong]\n", "1 Dutch labels for 2 groups"),
    ("nl:\n  titel: Een test\n", "unknown field 'titel'"),
])
def test_dutch_words_that_do_not_fit_the_scenario_are_refused(tmp_path, nl, problem):
    error = _bad(tmp_path, GROUPED + nl)
    assert problem in str(error), str(error)


def test_dutch_labels_replace_the_scenarios_own(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(GROUPED + "nl:\n  title: Een test\n  labels:\n    age_band: [jong, ouder]\n")
    assert load_scenario(path).texts("nl") == {"A test": "Een test", "young": "jong", "older": "ouder"}
