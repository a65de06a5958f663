"""A population's timelines week by week, over columns: what `simulate` does for one client, for all.

Evaluating the rules 52 times for every profile would repeat almost all of the work: the rules
change only on a few dates (1 Jan, 1 Jul, a parameter's `valid_from`), and the one fact a
procedure changes from week to week, the weeks since the melding, matters only where a
criterion compares it with a number (the under-27 search period). So the numpy engine runs
once per rules period and per class of that number (weeks whose rules and facts do not change
reuse the verdict columns). What a profile's weeks look like then depends only on its events,
its needs and those verdicts; profiles that agree on all three share one replay of the
procedure, done by `simulate`'s own cell functions, so the batch and `regelgat timeline` cannot
drift apart (tests/test_timeline_columns.py holds them equal on a sample).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from regelgat.client.profile import NEEDS
from regelgat.engines.vector import ELIGIBLE, VectorEngine
from regelgat.population.profile_columns import ProfileColumns
from regelgat.population.timeline_events import FACT_EVENTS, NONE, TimelinePlan
from regelgat.population.timeline_facts import state_columns
from regelgat.rules.at_date import rules_at
from regelgat.rules.columns import Columns
from regelgat.rules.expressions import And, Compare, Member, Not, Or
from regelgat.timeline import procedure_state as ps
from regelgat.timeline.entitlement import BIJSTAND, WEEKS_PER_MONTH
from regelgat.timeline.simulate import INCOME_PROVISIONS, _Context, _melding_weeks, _provision_cell, delayed, need_status
from regelgat.timeline.spec import Event

WSR = "weeks_since_reporting"
INCOME = INCOME_PROVISIONS[0]
YOUTH_TOP_UP = f"{BIJSTAND}/youth_top_up"
COVERED, WAITING, UNCOVERED = range(3)
_STATUS = {"covered": COVERED, "waiting": WAITING, "uncovered": UNCOVERED}
ABSENT = 2  # outcome code: the provision is not in force in that period (0 eligible, 1 not)


@dataclass
class WeekResults:
    """Per profile: weeks uncovered and waiting per need, and euros of bijstand missed, possibly paid
    back (a 'may', never counted as paid) and paid only later."""

    uncovered: np.ndarray  # (needs, n) int16, NEEDS order; 0 for a need the profile does not have
    waiting: np.ndarray  # (needs, n) int16
    missed: np.ndarray  # (n,) float64 euros
    possible_back_pay: np.ndarray  # (n,) float64
    delayed: np.ndarray  # (n,) float64
    held_back: np.ndarray  # (n,) float64: of `delayed`, what advances held back until the decision
    evaluations: int  # numpy engine runs: rules periods x classes of weeks since the melding
    replays: int  # distinct profiles-with-events whose weeks were replayed


@dataclass
class _Seen:
    """The part of a verdict a week's cells read: the outcome, and what the provision covers."""

    outcome: str
    provision: Any
    deciding: tuple = ()
    flags: tuple = ()


def week_dates(start: dt.date, weeks: int) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each week; a week is checked on its last day."""
    return [(start + dt.timedelta(weeks=w), start + dt.timedelta(weeks=w, days=6)) for w in range(weeks)]


def rule_periods(rulesets: list, days: list[dt.date]) -> list[int]:
    """A period number per day: days between the same two dates on which any rule, parameter or
    procedure step starts or ends (and 1 Jan) get the same rules."""
    edges: set[dt.date] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dt.date):
            edges.update((value, value + dt.timedelta(days=1)))
        elif isinstance(value, dict):  # dated values are keyed by their start
            for item in (*value.keys(), *value.values()):
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    for ruleset in rulesets:
        walk(ruleset.spec.model_dump())
    edges.update(dt.date(year, 1, 1) for year in range(days[0].year, days[-1].year + 2))
    ordered = sorted(edges)
    keys = [bisect.bisect_right(ordered, day) for day in days]
    first = {key: i for i, key in reversed(list(enumerate(keys)))}
    return [sorted(first).index(key) for key in keys]


def wsr_classes(compiled_list) -> list[int]:
    """Values of the weeks since the melding that stand for all others: between two of them every
    comparison any criterion makes comes out the same."""
    cuts = {0}

    def walk(node: Any) -> None:
        if isinstance(node, Compare) and node.fact == WSR and isinstance(node.value, (int, float)):
            # whole weeks: `>= t` and `< t` change at ceil(t), `> t` and `<= t` after floor(t), `==` at both
            if node.op in (">=", "<", "==", "!="):
                cuts.add(int(np.ceil(node.value)))
            if node.op in (">", "<=", "==", "!="):
                cuts.add(int(np.floor(node.value)) + 1)
        elif isinstance(node, Member) and node.fact == WSR:
            for value in node.values:
                cuts.update((int(value), int(value) + 1))
        elif isinstance(node, (And, Or)):
            for item in node.items:
                walk(item)
        elif isinstance(node, Not):
            walk(node.item)

    for compiled in compiled_list:
        for atom in compiled.atoms:
            walk(atom)
    top = max(cuts)
    return sorted(c for c in cuts if c >= 0) + ([1000] if top > 1000 else [])


def run_weeks(plan: TimelinePlan, event_weeks: np.ndarray, cols: Columns, needs: np.ndarray,
              rulesets: Path, start: dt.date, only: tuple[str, ...] | None = None,
              pop: ProfileColumns | None = None, practice: bool = False) -> WeekResults:
    """Every profile's timeline of PLAN.weeks weeks from START, with the events in EVENT_WEEKS.

    With fact events (change, birth, birthday) the rules run once more per combination of them,
    on POP (the profiles as columns) with those events applied; each profile reads, week by week,
    the combination its own events have reached. PRACTICE: reported practice applied as rules.
    """
    n = needs.shape[1]
    states = 2 ** len(plan.fact_events)
    if states > 1 and pop is None:
        raise ValueError("a timeline with fact events needs the profile columns (pop=)")
    state_cols = [cols] + [state_columns(pop, plan, s) for s in range(1, states)]
    dates = week_dates(start, plan.weeks)
    at_start = rules_at(rulesets, start, only, practice)
    period_of = rule_periods(at_start.rulesets, [last for _, last in dates])
    periods = sorted(set(period_of))
    compiled = [rules_at(rulesets, dates[period_of.index(p)][1], only, practice) for p in periods]
    classes = wsr_classes(compiled)
    wanted = [need for k, need in enumerate(NEEDS) if needs[k].any()]
    keys = _relevant(compiled, wanted)
    codes = np.full((len(periods), len(classes), states, len(keys), n), ABSENT, dtype=np.int8)
    entitled = np.zeros((len(periods), states, n))
    for p, rules in enumerate(compiled):
        engine = VectorEngine(rules)
        for s, facts in enumerate(state_cols):
            for c, value in enumerate(classes):
                outcome = engine.run(_with(facts, WSR, value), needs).outcome
                for k, key in enumerate(keys):
                    if key in engine.index:
                        codes[p, c, s, k] = outcome[engine.index[key]] != ELIGIBLE
                if c == len(classes) - 1:  # what bijstand would pay, once any search period is over
                    entitled[p, s] = _entitled(rules, engine, outcome, facts)
    rows = np.concatenate([event_weeks.astype(np.int16), needs.astype(np.int16),
                           codes.reshape(-1, n).astype(np.int16)]).T
    unique, inverse = unique_rows(rows)
    replay = _Replay(plan, start, dates, period_of, classes, keys, compiled, at_start)
    status = np.empty((len(unique), len(NEEDS), plan.weeks), dtype=np.int8)
    paid = np.empty((len(unique), plan.weeks), dtype=bool)
    back = np.empty((len(unique), plan.weeks), dtype=bool)
    later = np.empty((len(unique), plan.weeks))
    held = np.empty((len(unique), plan.weeks))
    for s, row in enumerate(unique):
        status[s], paid[s], back[s], later[s], held[s] = replay.run(row)
    week_state = _states(plan, event_weeks)
    everyone = np.arange(n)
    euros = [entitled[period_of[w], week_state[w], everyone] for w in range(plan.weeks)]
    return _totals(plan, status, paid, back, (later, held), inverse, euros, needs,
                   len(periods) * len(classes) * states, len(unique))


def _states(plan: TimelinePlan, event_weeks: np.ndarray) -> np.ndarray:
    """(weeks, n): the combination of fact events (bit i: the i-th) that has happened by each week."""
    out = np.zeros((plan.weeks, event_weeks.shape[1]), dtype=np.int64)
    for bit, index in enumerate(plan.fact_events):
        week = event_weeks[index].astype(np.int64)
        happened = (week != NONE)[None, :] & (week[None, :] <= np.arange(plan.weeks)[:, None])
        out |= happened.astype(np.int64) << bit
    return out


def _totals(plan, status, paid, back, later, inverse, euros_by_week, needs, evaluations, replays) -> WeekResults:
    """Per profile, the weeks and euros of its replay; euros added week by week in week order, as
    `simulate` adds them, so the sums are the same to the last bit."""
    n = len(inverse)
    uncovered = (status == UNCOVERED).sum(axis=2)[inverse].T.astype(np.int16) * needs
    waiting = (status == WAITING).sum(axis=2)[inverse].T.astype(np.int16) * needs
    later, held = later
    missed, possible, delayed_total, held_total = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for w in range(plan.weeks):
        euros = euros_by_week[w]
        unpaid = ~paid[inverse, w]
        missed += np.where(unpaid, euros, 0.0)
        possible += np.where(unpaid & back[inverse, w], euros, 0.0)
        delayed_total += euros * later[inverse, w]
        held_total += euros * held[inverse, w]
    return WeekResults(uncovered.astype(np.int16), waiting.astype(np.int16), missed, possible, delayed_total,
                       held_total, evaluations, replays)


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(rows, axis=0, return_inverse=True), by a 64-bit hash of each row: many times faster
    than sorting whole rows. Every row is compared with its hash's representative, so a collision
    falls back to the exact (slow) way instead of merging different rows."""
    weights = np.random.Generator(np.random.PCG64(20261206)).integers(1, 2**63, rows.shape[1], dtype=np.uint64) | 1
    with np.errstate(over="ignore"):
        hashes = (rows.astype(np.int64).view(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if not np.array_equal(rows[first][inverse], rows):
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        return unique, inverse.reshape(-1)
    order = np.argsort(first)  # representatives in the order they first appear
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rows[first[order]], rank[inverse]


def _with(cols: Columns, name: str, value: int) -> Columns:
    values = dict(cols.values)
    values[name] = np.full(cols.n, value, dtype=np.int64)
    present = {k: v for k, v in cols.present.items() if k != name}
    return Columns(cols.n, values, present, cols.vocab)


def _relevant(compiled, wanted: list[str]) -> list[str]:
    """The provisions a profile's weeks can depend on: those covering a need, and bijstand (income)."""
    keys: dict[str, None] = {}
    for rules in compiled:
        for provision in rules.provisions:
            if provision.key == INCOME or set(provision.spec.covers) & set(wanted):
                keys[provision.key] = None
    return list(keys)


def _entitled(rules, engine: VectorEngine, outcome: np.ndarray, cols: Columns) -> np.ndarray:
    """entitlement.weekly_amount for every profile, where bijstand admits them."""
    ruleset = next((r for r in rules.rulesets if r.id == BIJSTAND), None)
    if ruleset is None or INCOME not in engine.index:
        return np.zeros(cols.n)

    def value(name: str) -> float:
        found = ruleset.parameter_at(name, rules.date) if name in ruleset.spec.parameters else None
        return found.value if found is not None else 0.0

    age = cols.values["age"]
    couple = cols.values["treated_as_married"].astype(bool)
    if "treated_as_married" in cols.present:
        couple = couple & cols.present["treated_as_married"]
    sharers = cols.values["cost_sharers"]
    aow = value("aow_age") or 67
    people = np.minimum(1 + sharers, 6)
    monthly = np.select(
        [age >= aow, age < 21, couple, sharers >= 1],
        [np.where(couple, value("norm_couple_aow"), value("norm_single_aow")),
         np.where(couple, value("norm_youth_couple"), value("norm_youth_single")),
         np.full(cols.n, value("norm_couple")),
         (0.4 + people * 0.3) / people * value("norm_couple")],
        value("norm_single"))
    if rules.date.year >= 2026 and YOUTH_TOP_UP in engine.index:
        top_up = (outcome[engine.index[YOUTH_TOP_UP]] == ELIGIBLE) & (age < 21) & (age < aow)
        monthly = np.where(top_up, monthly + value("youth_supplement"), monthly)
    income = cols.values["income_net_monthly"].astype(np.float64)
    if "income_net_monthly" in cols.present:
        income = np.where(cols.present["income_net_monthly"], income, 0.0)
    monthly = np.maximum(0.0, monthly - income)
    distinct, back = np.unique(monthly, return_inverse=True)
    weekly = np.array([round(m / WEEKS_PER_MONTH, 2) for m in distinct.tolist()])[back.reshape(-1)]
    return np.where(outcome[engine.index[INCOME]] == ELIGIBLE, weekly, 0.0)


class _Replay:
    """One profile-with-events through the weeks, with simulate's cell functions."""

    def __init__(self, plan: TimelinePlan, start: dt.date, dates, period_of, classes, keys, compiled,
                 at_start) -> None:
        self.plan, self.start, self.dates, self.period_of = plan, start, dates, period_of
        self.classes, self.keys = classes, keys
        # as simulate: the procedures of the rules in force at the start (steps_at picks each week's version)
        self.procedures = {f"{r.id}/{p.id}": p.procedure for r in at_start.rulesets
                           for p in r.spec.provisions if p.procedure}
        # provision objects per period, in the compiled order (the order simulate's verdicts have)
        self.provisions = [[p for p in rules.provisions if p.key in set(keys)] for rules in compiled]
        self.slot = {key: k for k, key in enumerate(keys)}
        # A verdict as the cells read it, and the cell of a provision without procedure steps (which
        # depends on the outcome alone), made once per period, provision and outcome: replays ask
        # for them every week of every distinct profile.
        self.seen = [{(prov.key, code): _Seen("eligible" if code == 0 else "ineligible", prov)
                      for prov in provisions for code in (0, 1, ABSENT)} for provisions in self.provisions]
        self.fixed: dict[tuple[int, str, int], Any] = {}
        self.order = [[(prov.key, self.slot[prov.key]) for prov in provisions] for provisions in self.provisions]
        self.providers = [{need: [prov.key for prov in provisions if need in prov.spec.covers] for need in NEEDS}
                          for provisions in self.provisions]

    def _cell(self, p: int, key: str, code: int, verdict: _Seen, ctx: _Context):
        if key in self.procedures:
            return _provision_cell(key, verdict, ctx)
        cell = self.fixed.get((p, key, code))
        if cell is None:
            cell = self.fixed[(p, key, code)] = _provision_cell(key, verdict, ctx)
        return cell

    def events(self, weeks: np.ndarray) -> tuple[Event, ...]:
        """The procedural events of one profile (fact events act through the verdicts' states)."""
        out = []
        values = weeks.tolist()
        drawn = dict(zip(self.plan.drawn_since, values[len(self.plan.events):]))
        for index, (plan, week) in enumerate(zip(self.plan.events, values)):
            if week != NONE and plan.event not in FACT_EVENTS:
                since = self.start + dt.timedelta(weeks=drawn[index]) if index in drawn else plan.since
                out.append(Event(date=self.start + dt.timedelta(weeks=week), event=plan.event,
                                 provision=plan.provision, since=since))
        return tuple(sorted(out, key=lambda e: e.date))

    def run(self, row: np.ndarray):
        k = len(self.plan.events) + len(self.plan.drawn_since)
        events = self.events(row[:k])
        has_need = row[k:k + len(NEEDS)].astype(bool)
        states = 2 ** len(self.plan.fact_events)
        codes = row[k + len(NEEDS):].reshape(len(set(self.period_of)), len(self.classes), states, len(self.keys))
        state = _states(self.plan, row[:len(self.plan.events), None])[:, 0]
        parts = {key: ps.segments(events, key, steps) for key, steps in self.procedures.items()}
        eligible_since: dict[str, dt.date] = {}
        applied_on: dict = {}
        weeks = self.plan.weeks
        status = np.full((len(NEEDS), weeks), COVERED, dtype=np.int8)
        paid, back, later, held = np.zeros(weeks, bool), np.zeros(weeks, bool), np.zeros(weeks), np.zeros(weeks)
        for w, (start, last) in enumerate(self.dates):
            p = self.period_of[w]
            c = bisect.bisect_right(self.classes, _melding_weeks(parts, last)) - 1
            here = codes[p, c, state[w]].tolist()
            seen = {key: self.seen[p][(key, here[slot])] for key, slot in self.order[p]}
            for key, verdict in seen.items():
                if verdict.outcome == "eligible":
                    eligible_since.setdefault(key, dt.date.min if w == 0 else start)
                else:
                    eligible_since.pop(key, None)
            arrears = sum(1 for e in events if e.event == "rent_unpaid" and e.date <= last)
            ctx = _Context(start, last, parts, self.procedures, eligible_since, applied_on, arrears)
            cells = {key: self._cell(p, key, here[slot], seen[key], ctx) for key, slot in self.order[p]}
            for j, need in enumerate(NEEDS):
                if has_need[j]:  # as simulate's _need_cell, without wording the cause nobody reads here
                    cover, which = need_status(self.providers[p][need], cells)
                    status[j, w] = _STATUS[cover]
                    back[w] |= cover == "uncovered" and any(cells[k].back_pay for k in which)
            paid[w] = any(cells[key].status in ("covered", "waiting") for key in INCOME_PROVISIONS if key in cells)
            later[w] = delayed(cells, 1.0)
            income = cells.get(INCOME)
            held[w] = 1 - income.advance if income is not None and income.advance else 0.0
        return status, paid, back, later, held

