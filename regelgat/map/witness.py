"""From fact values back to a profile: the witness a social worker can run through `regelgat check`.

The solver reasons over facts; derived facts such as `cost_sharers` or `youngest_child_age` stand
for lists in the profile. This module builds the plainest lists that produce those values.
"""

from __future__ import annotations

from typing import Any

from regelgat.client.facts import FACT_TYPES, PROFILE_FACTS
from regelgat.client.profile import USUAL, Child, CoResident, Profile, SleepsElsewhere

SIMPLEST_AGE = 18  # age has no default; 18 is where a search for the simplest profile shrinks to

# The derived facts whose defaults describe a profile with no children, co-residents or nights away.
_LIST_DEFAULTS = {"children_at_home": 0, "minor_children_at_home": 0, "youngest_child_age": None,
                  "partner_at_home": False, "ex_partner_at_home": False, "cost_sharers": 0,
                  "cost_sharers_before_2023": 0, "host_age": None, "partner_age": None}


def defaults() -> dict[str, Any]:
    """What the simplest profile has: every field at its default, no lists."""
    out: dict[str, Any] = {}
    for name in PROFILE_FACTS:
        field = Profile.model_fields[name]
        out[name] = SIMPLEST_AGE if field.is_required() else USUAL.get(name, field.default)
    return {**out, **_LIST_DEFAULTS}


def profile_from_facts(values: dict[str, Any], need: str, label: str, named: dict[str, list[str]]) -> Profile:
    """The plainest profile whose facts are `values` (a missing optional fact is absent from it);
    `named` lists the text values the rules name, for a text fact the solver left as 'any other'."""
    fields: dict[str, Any] = {"id": label, "needs": [need]}
    for name in PROFILE_FACTS:
        value = values.get(name)
        # A text the rules compare: 'any other' where the solver gave one no rule names, unknown where
        # it gave none. A text no rule reads is always 'any other'.
        if FACT_TYPES[name].kind == "text" and value is None and (name in values or not named[name]):
            value = _other_text(named[name])
        if value is None and not FACT_TYPES[name].optional:
            continue
        annotation = Profile.model_fields[name].annotation
        fields[name] = int(value) if annotation is int and value is not None else value
    fields["children"] = _children(values)
    fields["co_residents"] = _co_residents(values)
    if "host_age" in values:
        fields["sleeps_elsewhere"] = SleepsElsewhere(
            host="ex_partner" if values["host_is_ex_partner"] else "friend",
            nights_per_week=values["nights_elsewhere"], host_on_bijstand=values["host_on_bijstand"],
            host_age=values["host_age"])
    return Profile(**fields)


def _other_text(named: list[str]) -> str:
    """A municipality (the one text fact) that none of the rules names: the solver's 'anything else'."""
    return next(town for town in ("Utrecht", "Zwolle", "Groningen", "Maastricht") if town not in named)


def _children(values: dict[str, Any]) -> list[Child]:
    count, minors = values.get("children_at_home", 0), values.get("minor_children_at_home", 0)
    if not count:
        return []
    youngest = values["youngest_child_age"]
    adult_age = max(youngest, 18)
    return [Child(age=youngest)] + [Child(age=youngest if i < minors - 1 else adult_age) for i in range(count - 1)]


def _co_residents(values: dict[str, Any]) -> list[CoResident]:
    """A partner and an ex-partner who do not count as cost-sharers, then the cost-sharers: aged 27
    (count now and before 2023) and aged 21 (counted only before 2023)."""
    people = []
    if values.get("partner_at_home"):
        people.append(CoResident(age=values["partner_age"], relation="partner"))
    if values.get("ex_partner_at_home"):
        people.append(CoResident(age=30, relation="ex_partner", student_finance=True))
    now, before = values.get("cost_sharers", 0), values.get("cost_sharers_before_2023", 0)
    people += [CoResident(age=27, relation="friend") for _ in range(now)]
    people += [CoResident(age=21, relation="friend") for _ in range(before - now)]
    return people
