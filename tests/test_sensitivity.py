"""regelgat run --sensitivity: the headline figures with each flagged assumption turned off."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from regelgat.batch.sensitivity import _alternative, flags_of, sensitivity
from regelgat.population.scenario import load_scenario
from regelgat.rules.compiled import compile_rules
from regelgat.rules.ruleset import load_rulesets

SCENARIO = ROOT / "scenarios" / "divorced-working-men.yaml"


@pytest.fixture(scope="module")
def result():
    scenario = load_scenario(SCENARIO).with_overrides(size=4000)
    # The pessimistic reading, where reported practice refuses as a rule and so can be turned off.
    return sensitivity(scenario, compile_rules(load_rulesets(ROOT / "rulesets"), scenario.date, practice=True))


def test_a_flag_that_decides_no_verdict_does_not_move_any_figure(result):
    base = {f["figure"]: f["value"] for f in result["figures"]}
    quiet = [f for f in result["by_flag"] if not f["decides_verdicts"] and "alternative_value" not in f]
    assert any(f["item"] == "age_18_or_over" for f in quiet)  # every man here is 45-65
    for flag in quiet:
        assert flag["figures"] == base, flag["item"]


def test_the_range_spans_the_flags_that_decide_verdicts(result):
    deciding = [f for f in result["by_flag"] if f["decides_verdicts"]]
    assert result["flags_deciding"] == len(deciding) > 0
    for figure in result["figures"]:
        values = [f["figures"][figure["figure"]] for f in deciding] + [figure["value"]]
        assert (figure["low"], figure["high"]) == (min(values), max(values))
        for most in figure["most_sensitive"]:
            assert most["value"] != figure["value"]
    housing = next(f for f in result["figures"] if f["figure"] == "gap_housing")
    # Adult MO's reported addiction-or-psychiatric gate shuts the door on men the screening finds not
    # self-reliant; turning it off lets them in, so the housing gap falls.
    gate = next(f for f in result["by_flag"] if f["item"] == "addiction_or_psychiatric_problem"
                and f["ruleset"] == "amsterdam-shelter")
    assert gate["decides_verdicts"] and gate["figures"]["gap_housing"] < housing["value"]


def test_a_flagged_parameter_value_takes_its_neighbouring_value():
    rulesets = load_rulesets(ROOT / "rulesets")
    urgency = next(r for r in rulesets if r.id == "amsterdam-urgency")
    assert _alternative(urgency, "min_registration_years", dt.date(2026, 1, 15)) == 2  # the 2020 value
    assert _alternative(urgency, "min_registration_years", dt.date(2020, 6, 1)) == 4  # the one after
    assert _alternative(urgency, "income_limit_single", dt.date(2026, 1, 15)) is None  # one value only
    flags, _ = flags_of(compile_rules(rulesets, dt.date(2026, 1, 15)))
    years = next(f for f in flags if f.item == "min_registration_years")
    assert years.alternative == 2 and years.own


def test_run_sensitivity_writes_the_range_beside_the_run_and_states_the_reading(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "regelgat", "run", str(SCENARIO), "--size", "3000", "--out", str(out),
                           "--sensitivity", "--check-sample", "0"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    overall = summary["by_group"]["all"]["all"]
    figures = {f["figure"]: f for f in summary["sensitivity"]["figures"]}
    # The figures as run are the run's own headline figures.
    assert figures["gap_housing"]["value"] == round(overall["gap_housing"] / overall["need_housing"], 6)
    assert figures["any_gap"]["value"] == overall["any_gap_share"]
    report = (out / "report.md").read_text()
    assert "## How robust the figures are" in report and "Reading: each flagged assumption" in report
    assert "flags that decide verdicts" in (out / "report.html").read_text()
    line = next(l for l in report.splitlines() if l.startswith("- housing gap"))
    assert f"of the {overall['need_housing']:,} profiles who need it" in line
    assert figures["gap_housing"]["profiles"] == overall["need_housing"]


def test_a_run_without_sensitivity_has_no_such_key(tmp_path):
    out = tmp_path / "run"
    subprocess.run([sys.executable, "-m", "regelgat", "run", str(SCENARIO), "--size", "500", "--out", str(out),
                    "--check-sample", "0"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "sensitivity" not in json.loads((out / "summary.json").read_text())
