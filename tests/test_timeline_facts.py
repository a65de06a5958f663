"""Scenario timelines that change facts (a change, a child born, a birthday) or start a provision
before the timeline (receiving since): the numpy week engine agrees with `regelgat timeline`,
profile by profile, and the events do what they say."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml

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
BIJSTAND = "participatiewet-bijstand/algemene_bijstand"
WSNP = "wsnp/wsnp_toelating"
FACTS = [  # pregnant young women: a child born opens family noodopvang; a job ends bijstand
    {"event": "reported", "provision": BIJSTAND, "week": 1},
    {"id": "born", "event": "birth", "share": 0.6, "week": {"integer": [2, 12]}},
    {"id": "job", "event": "change", "set": {"income_net_monthly": 1900, "income_source": "employment"},
     "share": 0.3, "week": {"integer": [4, 16]}},
    {"event": "birthday", "week": {"integer": [1, 20]}},
]
SINCE = [{"event": "receiving", "provision": WSNP, "week": 1, "since": {"integer": [-80, -60]}}]


def _scenario(tmp_path, events, weeks=20, **fixed):
    data = yaml.safe_load((ROOT / "scenarios" / "pregnant-young-women.yaml").read_text())
    data["fixed"].update(fixed)
    for name in fixed:
        data["vary"].pop(name, None)
    data["timeline"] = {"weeks": weeks, "events": events}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_scenario(path)


def _one(scenario, profile, row: np.ndarray) -> Timeline:
    """The profile and its drawn events as a timeline file gives them: fact events as changes."""
    start, plan = scenario.date, scenario.timeline
    drawn = dict(zip(plan.drawn_since, row[len(plan.events):].tolist()))
    children, age, events = [c.model_dump() for c in profile.children], profile.age, []
    for index, (event, week) in sorted(enumerate(zip(plan.events, row.tolist())), key=lambda x: x[1][1]):
        if index >= len(plan.events) or week == NONE:
            continue
        date = start + dt.timedelta(weeks=week)
        if event.event == "birth":
            children = [*children, {"age": 0, "lives_with_client": True}]
            events.append(Event(date=date, event="change", set={"children": children, "pregnancy_weeks": 0}))
        elif event.event == "birthday":
            age += 1
            events.append(Event(date=date, event="change", set={"age": age}))
        elif event.event == "change":
            events.append(Event(date=date, event="change", set=dict(event.set)))
        else:
            since = start + dt.timedelta(weeks=drawn[index]) if index in drawn else event.since
            events.append(Event(date=date, event=event.event, provision=event.provision, since=since))
    spec = TimelineFile(id=profile.id, profile=profile.model_dump(), start=start, weeks=plan.weeks, events=events)
    return Timeline(spec, ROOT, profile, tuple(sorted(events, key=lambda e: e.date)))


def _weeks(scenario, size, practice: bool = False):
    pop = generate_range(scenario, 0, size)
    needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
    events = draw_events(scenario.timeline, scenario.seed, 0, size)
    return pop, events, run_weeks(scenario.timeline, events, derive(pop), needs, RULES, scenario.date, pop=pop,
                                  practice=practice)


def _agree(scenario, pop, events, result, size):
    _, inverse = unique_rows(events.T.astype(np.int16))
    rows = sorted({int(np.flatnonzero(inverse == s)[0]) for s in range(min(inverse.max() + 1, 10))}
                  | set(np.random.default_rng(5).choice(size, 5, replace=False).tolist()))
    for row, profile in zip(rows, materialise(pop, np.array(rows))):
        single = to_json(simulate(_one(scenario, profile, events[:, row]), RULES))
        for need, weeks in single["uncovered_weeks"].items():
            assert result.uncovered[NEEDS.index(need), row] == weeks, (profile.id, need)
        assert round(float(result.missed[row]), 2) == single["income_missed"], profile.id
    return rows


def test_births_changes_and_birthdays_agree_with_single_timelines(tmp_path):
    scenario = _scenario(tmp_path, FACTS)
    pop, events, result = _weeks(scenario, 300)
    _agree(scenario, pop, events, result, 300)
    assert result.evaluations % 16 == 0  # 4 fact events: 16 states per rules period and class


def test_a_child_born_shortens_the_housing_gap(tmp_path):
    """Where family noodopvang waits for the birth (reported practice applied as rules), a housing gap
    can close from the birth week."""
    births = _weeks(_scenario(tmp_path, FACTS[:2]), 400, practice=True)[2]
    none = _weeks(_scenario(tmp_path, FACTS[:1]), 400, practice=True)[2]
    housing = NEEDS.index("housing")
    assert births.uncovered[housing].sum() < none.uncovered[housing].sum()
    assert (births.uncovered[housing] <= none.uncovered[housing]).all()


def test_a_change_of_facts_and_a_birthday_move_the_bijstand(tmp_path):
    job = _weeks(_scenario(tmp_path, FACTS[:1] + FACTS[2:3]), 400)[2]
    none = _weeks(_scenario(tmp_path, FACTS[:1]), 400)[2]
    assert job.missed.sum() < none.missed.sum()  # a job: no bijstand from that week, so less to miss
    older = _weeks(_scenario(tmp_path, FACTS[:1] + FACTS[3:], age=20), 400)[2]
    young = _weeks(_scenario(tmp_path, FACTS[:1], age=20), 400)[2]
    assert older.missed.sum() > young.missed.sum()  # turning 21: the adult norm


def test_receiving_since_ends_a_wsnp_within_the_timeline(tmp_path):
    scenario = _scenario(tmp_path, SINCE, weeks=30, problematic_debts=True, needs=["debt_help"])
    pop, events, result = _weeks(scenario, 200)
    assert events.shape[0] == 2 and -80 <= events[1].min() + 1 and events[1].max() + 1 <= -60
    _agree(scenario, pop, events, result, 200)
    longer = _weeks(_scenario(tmp_path, SINCE, weeks=30, problematic_debts=True, needs=["debt_help"]), 200)[2]
    fixed = [{**SINCE[0], "since": "2025-12-01"}]
    recent = _weeks(_scenario(tmp_path, fixed, weeks=30, problematic_debts=True, needs=["debt_help"]), 200)[2]
    debt = NEEDS.index("debt_help")
    assert longer.uncovered[debt].sum() > 0 == recent.uncovered[debt].sum()  # a Wsnp begun lately runs on


@pytest.mark.parametrize("event, message", [
    ({"event": "change", "week": 2}, "a change needs the facts it sets"),
    ({"event": "change", "set": {"incme": 3}, "week": 2}, "a change cannot set 'incme'"),
    ({"event": "change", "set": {"children": []}, "week": 2}, "a birth is event: birth"),
    ({"event": "change", "set": {"age": -4}, "week": 2}, "bad value for age"),
    ({"event": "change", "set": {"pregnancy_weeks": 0}, "week": 2}, "pregnancy_weeks is changed by two events"),
    ({"event": "birth", "provision": BIJSTAND, "week": 2}, "birth concerns no provision"),
    ({"event": "reported", "provision": BIJSTAND, "week": 2, "since": 0}, "only receiving has a since"),
    ({"event": "birth", "set": {"age": 3}, "week": 2}, "only a change sets facts"),
])
def test_bad_fact_events_are_one_line(tmp_path, event, message):
    with pytest.raises(InputError) as caught:
        _scenario(tmp_path, [FACTS[1], event])
    text = str(caught.value)
    assert message in text and "\n" not in text and "line" in text
