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
        single = to_json(simulate(_one(scenario, profile, events[:, row]), RULES))
        for need, weeks in single["uncovered_weeks"].items():
            assert result.uncovered[NEEDS.index(need), row] == weeks, (profile.id, need)
        waiting = sum(w["needs"]["income"]["status"] == "waiting" for w in single["weeks"])
        assert result.waiting[NEEDS.index("income"), row] == waiting, profile.id
        assert round(float(result.missed[row]), 2) == single["income_missed"], profile.id
        assert round(float(result.possible_back_pay[row]), 2) == single["possible_back_pay"], profile.id
        assert round(float(result.delayed[row]), 2) == single["income_delayed"], profile.id
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
    (("events", 1, "event", "change"), "event"),
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
