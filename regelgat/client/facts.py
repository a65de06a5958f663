"""Flatten a profile into the facts that rule conditions read.

Rule conditions see one flat namespace: every scalar profile field plus a few derived facts
(counts over lists, and legal definitions that belong to statute rather than to a single
ruleset, such as who counts as a cost-sharer). Keeping the namespace flat is what lets the
same condition run in durable_rules (one fact per profile) and in numpy (one column per fact).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Literal, get_args, get_origin

from regelgat.client.profile import Profile
from regelgat.io import datafiles

CHANGE_KINDS = ("attainable", "harmful", "impossible")  # nearest first: the order routes rank in


@dataclass(frozen=True)
class FactChange:
    """What a change of a fact would take from the client (fact_changes.yaml), in words."""

    kind: Literal["attainable", "harmful", "impossible"]
    en: str
    nl: str


@dataclass(frozen=True)
class FactType:
    """The type a condition may compare a fact with."""

    kind: Literal["number", "bool", "enum", "text"]
    description: str = ""
    values: tuple[str, ...] = ()
    optional: bool = False  # may be missing, which makes a criterion that reads it UNKNOWN
    changes: tuple[tuple[str, FactChange], ...] = ()  # true/false, up/down, or a value: what it costs

    def change(self, key: str) -> FactChange | None:
        """What becoming `key` takes: `true`/`false`, `up`/`down`/`up_from_zero`, an enum value or `any`."""
        found = dict(self.changes)
        return found.get(key) or found.get("any")


def scalar_annotation(annotation: Any) -> tuple[Any, bool] | None:
    """(the type, whether it may be None) of `X` or `X | None`; None for any other union."""
    if get_origin(annotation) not in (typing.Union, types.UnionType):
        return annotation, False
    args = [a for a in get_args(annotation) if a is not type(None)]
    return (args[0], len(args) < len(get_args(annotation))) if len(args) == 1 else None


def _profile_fact_types() -> dict[str, FactType]:
    out: dict[str, FactType] = {}
    for name, field in Profile.model_fields.items():
        if name == "id":  # a label, not a fact a rule may read
            continue
        scalar = scalar_annotation(field.annotation)
        if scalar is None:
            continue
        annotation, optional = scalar
        description = field.description or ""
        if annotation is bool:
            out[name] = FactType("bool", description, optional=optional)
        elif annotation in (int, float):
            out[name] = FactType("number", description, optional=optional)
        elif get_origin(annotation) is Literal:
            out[name] = FactType("enum", description, tuple(get_args(annotation)), optional)
        elif annotation is str:
            out[name] = FactType("text", description, optional=optional)
    return out


DERIVED_FACTS: dict[str, tuple[FactType, Callable[[Profile], Any]]] = {}


def _derived(kind: Literal["number", "bool"], description: str, optional: bool = False):
    def register(func: Callable[[Profile], Any]) -> Callable[[Profile], Any]:
        DERIVED_FACTS[func.__name__] = (FactType(kind, description, optional=optional), func)
        return func
    return register


@_derived("bool", "pregnancy_weeks > 0.")
def pregnant(p: Profile) -> bool:
    return p.pregnancy_weeks > 0


@_derived("number", "Number of born children who live with the client.")
def children_at_home(p: Profile) -> int:
    return sum(1 for c in p.children if c.lives_with_client)


@_derived("number", "Number of children under 18 who live with the client.")
def minor_children_at_home(p: Profile) -> int:
    return sum(1 for c in p.children if c.lives_with_client and c.age < 18)


@_derived("number", "Age of the youngest child living with the client; missing if none.", optional=True)
def youngest_child_age(p: Profile) -> int | None:
    ages = [c.age for c in p.children if c.lives_with_client]
    return min(ages) if ages else None


def _minor_children_aged(p: Profile, low: int, high: int) -> int:
    return sum(1 for c in p.children if c.lives_with_client and low <= c.age <= high)


@_derived("number", "Children aged 0-5 who live with the client (kinderbijslag age band).")
def children_aged_0_5(p: Profile) -> int:
    return _minor_children_aged(p, 0, 5)


@_derived("number", "Children aged 6-11 who live with the client (kinderbijslag age band).")
def children_aged_6_11(p: Profile) -> int:
    return _minor_children_aged(p, 6, 11)


@_derived("number", "Children aged 12-15 who live with the client (kindgebonden budget supplement).")
def children_aged_12_15(p: Profile) -> int:
    return _minor_children_aged(p, 12, 15)


@_derived("number", "Children aged 16-17 who live with the client (kindgebonden budget supplement).")
def children_aged_16_17(p: Profile) -> int:
    return _minor_children_aged(p, 16, 17)


@_derived("number", "Everyone whose main residence is the home: the client, the co-residents and the "
                    "children at home (the huurtoeslag household).")
def residents(p: Profile) -> int:
    return 1 + len(p.co_residents) + children_at_home(p)


@_derived("bool", "months_in_work is given: the client works and says since when (earnings disregard).")
def months_in_work_known(p: Profile) -> bool:
    return p.months_in_work is not None


@_derived("bool", "A partner shares the client's main residence.")
def partner_at_home(p: Profile) -> bool:
    return any(r.relation == "partner" for r in p.co_residents)


@_derived("bool", "A former spouse or partner shares the client's main residence.")
def ex_partner_at_home(p: Profile) -> bool:
    return any(r.relation == "ex_partner" for r in p.co_residents)


@_derived("bool", "A former spouse shares the client's main residence: an ex-partner at home while the client "
                  "is separated (still married) or divorced.")
def ex_spouse_at_home(p: Profile) -> bool:
    return ex_partner_at_home(p) and p.relationship in ("separated", "divorced")


@_derived("bool", "The joint-household presumption of art. 3 lid 4 a Pw as worded from 1 Jan 2026: an ex-partner "
                  "shares the client's main residence, and the two are still married (separated) or their "
                  "marriage or joint household ended less than two years ago (years_since_separation). Missing "
                  "when years_since_separation is needed and not given.", optional=True)
def joint_household_presumed(p: Profile) -> bool | None:
    if not ex_partner_at_home(p) or p.relationship == "separated":
        return ex_partner_at_home(p)
    return None if p.years_since_separation is None else p.years_since_separation < 2


@_derived("bool", "Married or registered and not living apart for good, cohabiting, or a partner at home: "
                  "the bijstand household is a couple (art. 3 Pw).")
def treated_as_married(p: Profile) -> bool:
    return p.relationship in ("married", "registered_partner", "cohabiting") or partner_at_home(p)


@_derived("number", "Co-residents who count for the kostendelersnorm since 1 Jan 2023 (art. 19a Pw): "
                    "aged 27+, not the partner, no student finance, no commercial lodger.")
def cost_sharers(p: Profile) -> int:
    return _count_cost_sharers(p, 27)


@_derived("number", "Co-residents who counted for the kostendelersnorm before 2023: as cost_sharers, "
                    "but aged 21+.")
def cost_sharers_before_2023(p: Profile) -> int:
    return _count_cost_sharers(p, 21)


@_derived("number", "Cost-sharers of a couple: as cost_sharers, but an ex-partner at home is not one, because a "
                    "couple by the joint-household presumption counts the ex-partner as the spouse (art. 19a Pw: "
                    "not the spouse).")
def cost_sharers_in_couple(p: Profile) -> int:
    return _count_cost_sharers(p, 27, also_excluded=("ex_partner",))


def _count_cost_sharers(p: Profile, min_age: int, also_excluded: tuple[str, ...] = ()) -> int:
    excluded = ("partner", "lodger", *also_excluded)
    return sum(1 for r in p.co_residents
               if r.age >= min_age and r.relation not in excluded and not r.student_finance)


@_derived("number", "People in the household: the client, a partner at home and children at home.")
def household_size(p: Profile) -> int:
    return 1 + int(partner_at_home(p)) + children_at_home(p)


@_derived("bool", "The client has no home of their own: sofa surfing, shelter, street or an unsuitable place. "
                  "Missing when housing is not given.", optional=True)
def homeless(p: Profile) -> bool | None:
    return None if p.housing is None else p.housing in ("sofa_surfing", "shelter", "street", "unsuitable")


@_derived("number", "Gross yearly income used for income limits: income_gross_yearly, or else "
                    "12 x income_net_monthly (a lower bound; rules that use it flag this). Missing when "
                    "neither is given.", optional=True)
def yearly_income(p: Profile) -> float | None:
    if p.income_gross_yearly is not None:
        return p.income_gross_yearly
    return None if p.income_net_monthly is None else round(p.income_net_monthly * 12, 2)


@_derived("number", "Nights per week the client sleeps in another household (0 if none).")
def nights_elsewhere(p: Profile) -> int:
    return p.sleeps_elsewhere.nights_per_week if p.sleeps_elsewhere else 0


@_derived("bool", "The client sleeps in a household that receives bijstand (see sleeps_elsewhere).")
def host_on_bijstand(p: Profile) -> bool:
    return bool(p.sleeps_elsewhere and p.sleeps_elsewhere.host_on_bijstand)


@_derived("bool", "The household the client sleeps in is that of a former spouse or partner.")
def host_is_ex_partner(p: Profile) -> bool:
    return bool(p.sleeps_elsewhere and p.sleeps_elsewhere.host == "ex_partner")


@_derived("number", "Age of the host of sleeps_elsewhere; missing if none.", optional=True)
def host_age(p: Profile) -> int | None:
    return p.sleeps_elsewhere.host_age if p.sleeps_elsewhere else None


@_derived("number", "Age of the partner who shares the client's main residence (the oldest, if the "
                    "profile lists more than one); missing if no partner at home. Selects the couple "
                    "norm (art. 20-22 Pw); guard it with partner_at_home.", optional=True)
def partner_age(p: Profile) -> int | None:
    ages = [r.age for r in p.co_residents if r.relation == "partner"]
    return max(ages) if ages else None


@_derived("bool", "Youth care that started before 18 is still running: youth_care_before_18 and no "
                  "months_since_youth_care_ended (Jeugdwet route for verlengde jeugdhulp). Missing when "
                  "youth_care_before_18 is not given.", optional=True)
def youth_care_ongoing(p: Profile) -> bool | None:
    if p.youth_care_before_18 is None:
        return None
    return p.youth_care_before_18 and p.months_since_youth_care_ended is None


FACT_CHANGES_FILE = Path(__file__).with_name("fact_changes.yaml")


def _read_changes(path: Path = FACT_CHANGES_FILE) -> dict[str, tuple[tuple[str, FactChange], ...]]:
    """fact -> (key, change) pairs, read from the data file that says what each change costs."""
    data, _ = datafiles.read(path)
    out = {}
    for fact, entries in data.items():
        out[fact] = tuple((str(key).lower(), FactChange(**value)) for key, value in entries.items())
        unknown = [c.kind for _, c in out[fact] if c.kind not in CHANGE_KINDS]
        if unknown:
            raise ValueError(f"{path}: {fact}: kind {unknown[0]!r} is not one of {', '.join(CHANGE_KINDS)}")
    return out


def _with_changes(types_: dict[str, FactType], changes: dict[str, tuple]) -> dict[str, FactType]:
    return {name: replace(t, changes=changes.get(name, ())) for name, t in types_.items()}


_CHANGES = _read_changes()
PROFILE_FACTS: dict[str, FactType] = _with_changes(_profile_fact_types(), _CHANGES)
FACT_TYPES: dict[str, FactType] = {**PROFILE_FACTS,
                                   **_with_changes({n: t for n, (t, _) in DERIVED_FACTS.items()}, _CHANGES)}


def profile_facts(profile: Profile) -> dict[str, Any]:
    """All facts of one profile; a missing optional fact is left out of the dict.

    Decimals are rounded to 6 places, the precision every engine writes and compares with.
    """
    values = [(name, getattr(profile, name)) for name in PROFILE_FACTS]
    values += [(name, derive(profile)) for name, (_, derive) in DERIVED_FACTS.items()]
    return {name: round(value, 6) if isinstance(value, float) else value
            for name, value in values if value is not None}
