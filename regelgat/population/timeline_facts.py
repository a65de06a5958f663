"""A population as it is after some of its timeline's fact events (a change, a child born, a birthday).

The week engine evaluates the rules once per combination of fact events that has happened (a
state), for the whole chunk at once: state 0b101 is everyone with the first and third fact events
applied. Each profile then reads, week by week, the state its own events put it in. Applying an
event is column work: a fact set to one value for all rows, a child added in the next free slot,
the age plus one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regelgat.io.limits import MAX_LIST_ITEMS
from regelgat.population.profile_columns import ProfileColumns, slots_of
from regelgat.population.scenario_model import SCALARS, SLOT_FIELDS
from regelgat.population.timeline_events import EventPlan, TimelinePlan
from regelgat.rules.columns import Columns


def state_columns(pop: ProfileColumns, plan: TimelinePlan, state: int) -> Columns:
    """The facts the rules read when the fact events of bits STATE have happened to everyone."""
    from regelgat.population.generate import derive

    if state == 0:
        return derive(pop)
    events = [plan.events[i] for bit, i in enumerate(plan.fact_events) if state >> bit & 1]
    return derive(applied(pop, events))


def applied(pop: ProfileColumns, events: list[EventPlan]) -> ProfileColumns:
    out = ProfileColumns(pop.n, dict(pop.values), dict(pop.present), dict(pop.vocab), pop.start, pop.scenario_id)
    for event in events:
        if event.event == "birthday":
            out.values["age"] = out.values["age"] + 1
        elif event.event == "birth":
            _born(out)
        for name, value in event.set:
            _set(out, name, value)
    return out


def _set(pop: ProfileColumns, name: str, value: Any) -> None:
    info = SCALARS[name]
    if info.optional:
        pop.present[name] = np.full(pop.n, value is not None)
    if value is None:
        return
    vocab = pop.vocab.get(name)
    if vocab is not None:
        if value not in vocab:  # a text the generator never made: the vocabulary grows
            pop.vocab[name] = vocab = (*vocab, value)
        value = vocab.index(value)
    pop.values[name] = np.full(pop.n, value, dtype=pop.values[name].dtype)


def _born(pop: ProfileColumns) -> None:
    """A child of 0 in the next free slot (where the list is full, none is added); no longer pregnant."""
    count = pop.values["children.count"]
    slots = slots_of(pop, "children")
    if (count >= slots).any() and slots < MAX_LIST_ITEMS:
        for key, info in SLOT_FIELDS["children"].items():
            sample = pop.values[f"children.0.{key}"] if slots else None
            dtype = sample.dtype if sample is not None else {"bool": bool, "int": np.int64}.get(info.kind, np.float64)
            pop.values[f"children.{slots}.{key}"] = np.full(pop.n, info.default, dtype=dtype)
        slots += 1
    for j in range(slots):
        here = count == j
        for key, info in SLOT_FIELDS["children"].items():  # a newborn: age 0, the rest as a child's default
            column = f"children.{j}.{key}"
            pop.values[column] = np.where(here, 0 if key == "age" else info.default, pop.values[column])
    pop.values["children.count"] = np.minimum(count + 1, slots)
    _set(pop, "pregnancy_weeks", 0)
