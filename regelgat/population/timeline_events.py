"""Event distributions in a scenario: what happens to a population week by week.

A timeline file follows one client; a scenario's `timeline:` block says how often and in which
week the same events happen across a population: a share that misses a paperwork deadline in a
given week, a reporting delay in weeks as a distribution, a share with rent unpaid. The timeline
starts on the scenario's rules date (so `--date` and `regelgat diff --from/--to` move it), and
each profile's events are drawn from their own random streams, so the same seed gives the same
events. The weekly evaluation lives in regelgat/timeline/columns.py.

    timeline:
      weeks: 26
      events:
        - {event: receiving, provision: participatiewet-bijstand/algemene_bijstand, week: 1}
        - {id: missed, event: information_not_supplied, provision: ..., share: 0.3, week: {integer: [2, 6]}}
        - {event: information_supplied, provision: ..., after: missed, share: 0.4, delay: {choice: {1: 2, 2: 1}}}
        - {event: reported, provision: ..., after: missed, share: 0.9, delay: {integer: [1, 8]}}
        - {event: change, set: {income_net_monthly: 0, income_source: none}, share: 0.1, week: 10}
        - {event: birth, share: 0.5, week: {integer: [1, 20]}}      # a child born
        - {event: birthday, week: {integer: [1, 52]}}               # a year older
        - {event: receiving, provision: wsnp/wsnp_toelating, week: 1, since: {integer: [-70, -40]}}

Events that change facts (change, birth, birthday) are at most MAX_FACT_EVENTS, so that the rules
can be evaluated once for each combination of them that has happened (2^k states), not per week.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from regelgat.io.errors import ScenarioError

BatchEvent = Literal["receiving", "reported", "information_not_supplied", "information_supplied", "rent_unpaid",
                     "change", "birth", "birthday"]
NEEDS_PROVISION = ("receiving", "reported", "information_not_supplied", "information_supplied")
FACT_EVENTS = ("change", "birth", "birthday")  # they change the profile's facts from their week on
MAX_FACT_EVENTS = 4
FACTS_TOUCHED = {"birth": ("children", "pregnancy_weeks"), "birthday": ("age",)}
UNSETTABLE = ("id", "needs", "children", "co_residents", "sleeps_elsewhere")
WEEK_KINDS = ("value", "choice", "integer")
MAX_EVENTS = 24
NONE = -1  # the event does not happen to this profile


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventDist(_Model):
    """One event of the scenario's timeline, for a share of the population."""

    id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)
    event: BatchEvent
    provision: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$")
    share: float = Field(1.0, description="Of the population (or of those the `after:` event happened to).")
    week: int | dict[str, Any] | None = Field(None, description="Week number from 1, or a distribution.")
    after: str | None = Field(None, description="The id of an earlier event: this one follows it by `delay` weeks.")
    delay: int | dict[str, Any] | None = None
    set: dict[str, Any] | None = Field(None, description="change: the profile facts that hold from its week.")
    since: dt.date | int | dict[str, Any] | None = Field(
        None, description="receiving: when the provision began: a date, or a week (1 is the first week, 0 and "
                          "below before the start) or a distribution of weeks.")


class TimelineBlock(_Model):
    weeks: int = Field(ge=1, le=520)
    events: list[EventDist] = Field(min_length=1, max_length=MAX_EVENTS)


@dataclass(frozen=True)
class WeekDraw:
    """A whole number of weeks: always one, one of a few with weights, or uniform in a range."""

    values: tuple[int, ...]
    weights: tuple[float, ...] | None = None  # None: uniform over `values` (integer: [lo, hi])


@dataclass(frozen=True)
class EventPlan:
    id: str
    event: str
    provision: str | None
    share: float
    week: WeekDraw | None
    after: int | None  # index of the event it follows
    delay: WeekDraw | None
    place: str  # where the entry is in the file, for errors found later (an unknown provision)
    set: tuple[tuple[str, Any], ...] = ()  # change: the facts it sets
    since: dt.date | WeekDraw | None = None  # receiving: when it began (a draw: a week, drawn per profile)


@dataclass(frozen=True)
class TimelinePlan:
    weeks: int
    events: tuple[EventPlan, ...]
    file: str

    @property
    def drawn_since(self) -> tuple[int, ...]:
        """Indexes of the events whose `since` is drawn per profile (a row each after the events' rows)."""
        return tuple(i for i, e in enumerate(self.events) if isinstance(e.since, WeekDraw))

    @property
    def fact_events(self) -> tuple[int, ...]:
        """Indexes of the events that change facts, in file order (bit i of a state is the i-th of them)."""
        return tuple(i for i, e in enumerate(self.events) if e.event in FACT_EVENTS)


def check_timeline(block: TimelineBlock, file: str, where) -> TimelinePlan:
    """The block's meaning: ids once, `after:` an earlier id, a week or an after+delay, draws in range.

    WHERE(loc) names the place of a key inside the block, for the one-line error.
    """
    ids: dict[str, int] = {}
    touched: dict[str, str] = {}  # fact -> the event that changes it
    plans = []
    for index, entry in enumerate(block.events):
        loc = ("timeline", "events", index)

        def fail(key: str | None, problem: str, fix: str = "") -> ScenarioError:
            return ScenarioError(file, where((*loc, key) if key else loc), problem, fix)

        name = entry.id or entry.event
        if name in ids:
            raise fail("id", f"two events are called {name!r}", "give one of them its own id:")
        if entry.event in NEEDS_PROVISION and entry.provision is None:
            raise fail("event", f"{entry.event} needs the provision it concerns",
                       "add provision: <ruleset>/<provision>")
        if entry.event not in NEEDS_PROVISION and entry.provision is not None:
            raise fail("provision", f"{entry.event} concerns no provision", "remove provision:")
        if not 0 <= entry.share <= 1:
            raise fail("share", f"share must be between 0 and 1 (got {entry.share})")
        if (entry.week is None) == (entry.after is None):
            raise fail("week" if entry.week is not None else None, "give either week: or after: with delay:",
                       "e.g. week: {integer: [2, 8]}, or after: <earlier id> with delay: 4")
        after = None
        if entry.after is not None:
            if entry.after not in ids:
                raise fail("after", f"after: {entry.after!r} names no earlier event",
                           f"use one of {', '.join(ids) or '(none yet)'}; an event follows one listed above it")
            if entry.delay is None:
                raise fail("after", "after: needs delay: (weeks after that event)", "add delay: 4 or {integer: [1, 8]}")
            after = ids[entry.after]
        elif entry.delay is not None:
            raise fail("delay", "delay: without after:", "add after: <earlier id>, or give week: instead")
        week = _draw(entry.week, 1, block.weeks, lambda p, f="": fail("week", p, f)) if entry.week is not None else None
        delay = _draw(entry.delay, 0, block.weeks, lambda p, f="": fail("delay", p, f)) if entry.delay is not None else None
        facts, since = _facts_and_since(entry, name, block.weeks, touched, fail)
        ids[name] = index
        plans.append(EventPlan(name, entry.event, entry.provision, entry.share, week, after, delay, where(loc),
                               facts, since))
    if sum(e.event in FACT_EVENTS for e in plans) > MAX_FACT_EVENTS:
        raise ScenarioError(file, where(("timeline", "events")),
                            f"at most {MAX_FACT_EVENTS} events may change facts (change, birth, birthday)",
                            "merge changes that happen together into one change with several facts")
    return TimelinePlan(block.weeks, tuple(plans), file)


def _facts_and_since(entry: EventDist, name: str, weeks: int, touched: dict[str, str], fail):
    """A change's facts, checked against the profile's fields, and a receiving's start.

    Two events may not change the same fact (their order could differ between profiles), except
    that births and birthdays add up.
    """
    facts: tuple[tuple[str, Any], ...] = ()
    if entry.event == "change":
        if not entry.set:
            raise fail("event", "a change needs the facts it sets", "add set: {fact: value}")
        facts = tuple((fact, _fact_value(fact, value, fail)) for fact, value in entry.set.items())
    elif entry.set is not None:
        raise fail("set", f"only a change sets facts (this is {entry.event})", "remove set:")
    for fact in [f for f, _ in facts] + list(FACTS_TOUCHED.get(entry.event, ())):
        other = touched.get(fact)
        if other is not None and not (other == entry.event and entry.event in ("birth", "birthday")):
            raise fail("set" if facts else "event", f"{fact} is changed by two events ({other} and {name})",
                       "let one event change it, or give the change its own scenario")
        touched[fact] = entry.event if entry.event != "change" else name
    if entry.since is None:
        return facts, None
    if entry.event != "receiving":
        raise fail("since", f"only receiving has a since: (this is {entry.event})", "remove since:")
    if isinstance(entry.since, dt.date):
        return facts, entry.since
    return facts, _draw(entry.since, -520, weeks, lambda p, f="": fail("since", p, f))


def _fact_value(fact: str, value: Any, fail) -> Any:
    """VALUE checked as the profile's field FACT would check it (type, range, choices)."""
    from typing import Annotated

    from pydantic import TypeAdapter, ValidationError

    from regelgat.client.profile import Profile
    from regelgat.io.errors import did_you_mean

    fields = [f for f in Profile.model_fields if f not in UNSETTABLE]
    if fact not in fields:
        fix = ("a birth is event: birth" if fact == "children" else
               did_you_mean(fact, fields) or "regelgat schema lists the facts")
        raise fail("set", f"a change cannot set {fact!r}", fix)
    info = Profile.model_fields[fact]
    try:
        kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        return TypeAdapter(kind, config=ConfigDict(strict=True)).validate_python(value)
    except ValidationError as exc:
        raise fail("set", f"set gives a bad value for {fact}: {exc.errors()[0]['msg']}",
                   "see regelgat schema for the allowed values") from None


def _draw(raw: int | dict, lo: int, hi: int, fail) -> WeekDraw:
    """A week number or a delay: a whole number in [lo, hi], or a value/choice/integer distribution of them."""
    if isinstance(raw, bool):
        raise fail(f"{raw!r} is not a number of weeks", "give a whole number")
    if isinstance(raw, int):
        raw = {"value": raw}
    kinds = [k for k in raw if k in WEEK_KINDS]
    unknown = [k for k in raw if k not in WEEK_KINDS]
    if unknown or len(kinds) != 1:
        raise fail(f"a number of weeks is a whole number or one of {', '.join(WEEK_KINDS)} "
                   f"(found {', '.join(map(str, raw)) or 'nothing'})", "e.g. {integer: [2, 8]} or {choice: {1: 3, 4: 1}}")
    kind, value = kinds[0], raw[kinds[0]]
    if kind == "value":
        values, weights = [value], None
    elif kind == "integer":
        if not (isinstance(value, list) and len(value) == 2):
            raise fail("integer: needs [min, max]", "e.g. integer: [2, 8]")
        if _whole(value[0]) and _whole(value[1]) and value[0] > value[1]:
            raise fail(f"the range is empty: min {value[0]} is above max {value[1]}", "swap the bounds")
        values, weights = list(range(value[0], value[1] + 1)) if all(map(_whole, value)) else value, None
    else:
        if not isinstance(value, dict) or not value:
            raise fail("choice: needs weeks with weights", "e.g. choice: {1: 3, 4: 1}")
        values = [int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k for k in value]
        weights = list(value.values())
        if any(not isinstance(w, (int, float)) or isinstance(w, bool) or w < 0 for w in weights) or sum(weights) <= 0:
            raise fail("choice weights must be numbers >= 0, not all zero", "e.g. choice: {1: 3, 4: 1}")
    for v in values:
        if not _whole(v) or not lo <= v <= hi:
            raise fail(f"{v!r} weeks is outside {lo} to {hi}", f"give whole weeks from {lo} to {hi} (the timeline's weeks)")
    return WeekDraw(tuple(values), tuple(float(w) for w in weights) if weights is not None else None)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_block(block: TimelineBlock | None, path, data: Any, locate) -> TimelinePlan | None:
    """The scenario's `timeline:` block checked into a plan (None when the scenario has none)."""
    from regelgat.io import datafiles

    if block is None:
        return None
    return check_timeline(block, str(path), lambda loc: datafiles.where(loc, data, locate))


def check_provisions(plan: TimelinePlan, known: set[str]) -> None:
    """Every provision an event names exists in the rules the run uses (known once the rules are loaded)."""
    from regelgat.io.errors import did_you_mean

    for event in plan.events:
        if event.provision is not None and event.provision not in known:
            raise ScenarioError(plan.file, event.place, f"provision {event.provision!r} does not exist",
                                did_you_mean(event.provision, known) or "write <ruleset id>/<provision id>")


def _stream(seed: int, block: int, name: str) -> np.random.Generator:
    sequence = np.random.SeedSequence(seed, spawn_key=(block, zlib.crc32(f"timeline.{name}".encode())))
    return np.random.Generator(np.random.PCG64(sequence))


def _sample(draw: WeekDraw, rng: np.random.Generator, n: int) -> np.ndarray:
    values = np.array(draw.values, dtype=np.int64)
    if len(values) == 1:
        return np.full(n, values[0], dtype=np.int64)
    if draw.weights is None:
        return rng.integers(values[0], values[-1] + 1, n, dtype=np.int64)
    p = np.array(draw.weights) / sum(draw.weights)
    return rng.choice(values, size=n, p=p)


def draw_events(plan: TimelinePlan, seed: int, block: int, n: int) -> np.ndarray:
    """(events + drawn since, n) int16: the week (0-based) each event happens to each profile, NONE
    where it does not; then, for each receiving with a drawn `since:`, the week (0-based, negative
    before the start) it began.

    An event after another happens only where that one did, and not past the last week.
    """
    out = np.full((len(plan.events) + len(plan.drawn_since), n), NONE, dtype=np.int16)
    for row, index in enumerate(plan.drawn_since, start=len(plan.events)):
        out[row] = _sample(plan.events[index].since, _stream(seed, block, plan.events[index].id + ".since"), n) - 1
    for index, event in enumerate(plan.events):
        rng = _stream(seed, block, event.id)
        happens = rng.random(n) < event.share
        if event.after is None:
            week = _sample(event.week, rng, n) - 1
        else:
            base = out[event.after].astype(np.int64)
            happens &= base != NONE
            week = base + _sample(event.delay, rng, n)
        happens &= week < plan.weeks
        out[index] = np.where(happens, week, NONE)
    return out
