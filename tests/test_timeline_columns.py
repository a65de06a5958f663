"""A population's timelines over columns agree with `regelgat timeline`, profile by profile.

The same profiles and events go through the numpy week engine (timeline/columns.py) and through
`simulate`, one client at a time: the uncovered and waiting weeks per need, the bijstand missed,
possibly paid back and paid later must be the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from regelgat.client.profile import NEEDS
from regelgat.io.errors import InputError
from regelgat.population.generate import derive, generate_range
from regelgat.population.profile_columns import materialise
from regelgat.population.scenario import load_scenario
from regelgat.population.timeline_events import NONE, draw_events
from regelgat.timeline.columns import run_weeks, unique_rows
from regelgat.timeline.render import to_json
from regelgat.timeline.simulate import simulate
from regelgat.timeline.spec import Event, Timeline, TimelineFile

RULES = ROOT / "rulesets"
SCENARIO = ROOT / "scenarios" / "late-paperwork.yaml"


def _timelines(scenario, size: int):
    pop = generate_range(scenario, 0, size)
    cols = derive(pop)
    needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
    events = draw_events(scenario.timeline, scenario.seed, 0, size)
    return pop, cols, needs, events


def _one(scenario, profile, weeks: np.ndarray) -> Timeline:
    """The profile and its drawn events as a timeline file would give them."""
    start = scenario.date
    events = [Event(date=start + dt.timedelta(weeks=int(w)), event=plan.event, provision=plan.provision)
              for plan, w in zip(scenario.timeline.events, weeks) if w != NONE]
    spec = TimelineFile(id=profile.id, profile=profile.model_dump(), start=start, weeks=scenario.timeline.weeks,
                        events=events)
    return Timeline(spec, SCENARIO, profile, tuple(sorted(events, key=lambda e: e.date)))


def _sample(events: np.ndarray, size: int) -> list[int]:
    """One profile of each distinct event pattern (at most 12), and a few more at random."""
    _, inverse = unique_rows(events.T.astype(np.int16))
    firsts = sorted({int(np.flatnonzero(inverse == s)[0]) for s in range(min(inverse.max() + 1, 12))})
    extra = np.random.default_rng(3).choice(size, 6, replace=False).tolist()
    return sorted(set(firsts + extra))


@pytest.mark.parametrize("date", [dt.date(2025, 3, 3), dt.date(2025, 11, 3)])
def test_columns_agree_with_single_client_timelines(date):
    scenario = load_scenario(SCENARIO).with_overrides(date=date)
    size = 400
    pop, cols, needs, events = _timelines(scenario, size)
    result = run_weeks(scenario.timeline, events, cols, needs, RULES, scenario.date)  # all rulesets, as simulate
    rows = _sample(events, size)
    profiles = materialise(pop, np.array(rows))
    for row, profile in zip(rows, profiles):
        sim = simulate(_one(scenario, profile, events[:, row]), RULES)
        single = to_json(sim)
        for need, weeks in single["uncovered_weeks"].items():
            assert result.uncovered[NEEDS.index(need), row] == weeks, (profile.id, need)
        waiting = sum(w["needs"]["income"]["status"] == "waiting" for w in single["weeks"])
        assert result.waiting[NEEDS.index("income"), row] == waiting, profile.id
        assert round(float(result.missed[row]), 2) == single["income_missed"], profile.id
        assert round(float(result.possible_back_pay[row]), 2) == single["possible_back_pay"], profile.id
        assert round(float(result.delayed[row]), 2) == single["income_delayed"], profile.id
        income = [w.provisions.get("participatiewet-bijstand/algemene_bijstand") for w in sim.weeks]
        held = sum(w.entitled * (1 - c.advance) for w, c in zip(sim.weeks, income) if c is not None and c.advance)
        assert round(float(result.held_back[row]), 2) == round(held, 2), profile.id
    # the sample is worth something: someone lost weeks, and the rules changed during the second one
    assert result.uncovered[NEEDS.index("income"), rows].max() >= 4


def test_weeks_reuse_verdicts():
    """The engine runs once per rules period and class of weeks since the melding, not once a week."""
    scenario = load_scenario(SCENARIO)
    _, cols, needs, events = _timelines(scenario, 300)
    result = run_weeks(scenario.timeline, events, cols, needs, RULES, scenario.date)
    assert result.evaluations < scenario.timeline.weeks / 4
    assert result.replays < 300


def test_events_are_reproducible_and_follow_their_event():
    scenario = load_scenario(SCENARIO)
    a = draw_events(scenario.timeline, scenario.seed, 0, 5000)
    b = draw_events(scenario.timeline, scenario.seed, 0, 5000)
    assert np.array_equal(a, b)
    ids = [e.id for e in scenario.timeline.events]
    missed, again = a[ids.index("missed")], a[ids.index("reported_again")]
    assert 0.2 < (missed != NONE).mean() < 0.3
    assert np.all(again[missed == NONE] == NONE)
    assert np.all(again[again != NONE] > missed[again != NONE])


@pytest.mark.parametrize("edit, message", [
    (("weeks", 0), "weeks"),
    (("events", 1, "share", 1.5), "share must be between 0 and 1"),
    (("events", 1, "week", {"integer": [2, 40]}), "weeks is outside 1 to 26"),
    (("events", 2, "after", "mised"), "names no earlier event"),
    (("events", 2, "delay", None), "after: needs delay:"),
    (("events", 1, "event", "change"), "change concerns no provision"),
    (("events", 1, "provision", None), "needs the provision"),
])
def test_bad_timeline_blocks_are_one_line(tmp_path, edit, message):
    import yaml

    data = yaml.safe_load(SCENARIO.read_text())
    target = data["timeline"]
    *path, value = edit
    for key in path[:-1]:
        target = target[key]
    if value is None:
        target.pop(path[-1])
    else:
        target[path[-1]] = value
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as caught:
        load_scenario(bad)
    text = str(caught.value)
    assert message in text and "\n" not in text and str(bad) in text


def test_diff_moves_the_weeks_with_the_2026_procedure():
    """2025 -> 2026: the same timelines; art. 44 lid 5 'may' pay back, advances hold back 5% instead of 10%."""
    import json

    from click.testing import CliRunner

    from regelgat.cli import main

    result = CliRunner().invoke(main, ["diff", "--from", "2025-03-03", "--to", "2026-03-02", str(SCENARIO),
                                       "--size", "600", "--format", "json"])
    assert result.exit_code == 1, result.output
    weeks = json.loads(result.output)["weeks"]
    before, after = weeks["before"], weeks["after"]
    assert before["uncovered_weeks"]["income"] > 0
    assert before["possible_back_pay"] == 0 < after["possible_back_pay"] <= after["income_missed"]
    # 10% held back by 90% advances, 5% by 95% ones (norms rise a little in between)
    assert 0.4 < after["advance_held_back"] / before["advance_held_back"] < 0.6
    steps = "\n".join(weeks["procedure_changes"])
    assert "advance_90" in steps and "advance_95" in steps and "back_pay_may_3_months" in steps
    text = CliRunner().invoke(main, ["diff", "--from", "2025-03-03", "--to", "2026-03-02", str(SCENARIO),
                                     "--size", "600"]).output
    assert "Weeks without cover" in text and "may repay" in text


def test_run_reports_weeks_and_is_deterministic(tmp_path):
    from regelgat.batch.report import write_reports
    from regelgat.batch.runner import RunOptions, run_batch
    from regelgat.rules.at_date import rules_at

    scenario = load_scenario(SCENARIO).with_overrides(size=3000)
    compiled = rules_at(RULES, scenario.date, tuple(scenario.spec.rulesets))
    outputs = []
    for name, workers in (("a", 1), ("b", 2)):
        out = tmp_path / name
        result = run_batch(scenario, compiled, RunOptions(out=out, workers=workers))
        write_reports(result.summary, out)
        outputs.append(out)
        weeks = result.summary.timeline.by_group["all"]["all"]
        income = weeks.needs["income"]
        assert income.profiles == 3000 and 0 < income.four_or_more <= income.any_uncovered < 3000
        assert weeks.missed_total > 0 and weeks.missed_median_when_any > 0
        assert sum(result.summary.timeline.uncovered_histogram["income"]) == 3000
        assert "## Weeks without cover" in (out / "report.md").read_text()
        assert "Weeks without cover" in (out / "report.html").read_text()
    for file in ("summary.json", "report.md", "report.html"):
        assert (outputs[0] / file).read_bytes() == (outputs[1] / file).read_bytes(), file


def test_run_refuses_an_unknown_provision(tmp_path):
    import yaml

    from regelgat.batch.runner import RunOptions, run_batch
    from regelgat.rules.at_date import rules_at

    data = yaml.safe_load(SCENARIO.read_text())
    data["timeline"]["events"][1]["provision"] = "participatiewet-bijstand/algemene_bijstnd"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    scenario = load_scenario(bad)
    with pytest.raises(InputError) as caught:
        run_batch(scenario, rules_at(RULES, scenario.date, ("participatiewet-bijstand",)),
                  RunOptions(out=tmp_path / "out"))
    assert "algemene_bijstand" in str(caught.value) and "line" in str(caught.value)
    assert not (tmp_path / "out").exists()
