"""Hypothesis strategies for client profiles: edge-case search, not population sampling.

Hypothesis leans towards boundaries (age 17/18, an income a cent around a norm), which is what
property tests want. For population statistics use the numpy scenario generator instead.
"""

from __future__ import annotations

import typing

from hypothesis import strategies as st

from regelgat.client.profile import NEEDS, USUAL, Child, CoResident, Profile, SleepsElsewhere

_money = st.one_of(st.integers(0, 6000).map(float), st.floats(0, 6000, allow_nan=False).map(lambda x: round(x, 2)))


def _usual(field: str):
    return USUAL.get(field, Profile.model_fields[field].default)


def _known(field: str, values: st.SearchStrategy, unknowns: bool = True) -> st.SearchStrategy:
    """A fact the profile may leave out (unknown): its values first, so shrinking leads back to a given fact."""
    return values | st.none() if unknowns and field in USUAL else values


def _choice(field: str, unknowns: bool = True) -> st.SearchStrategy:
    """A Literal field's values with its usual value first, so shrinking leads back to it."""
    annotation = Profile.model_fields[field].annotation
    values = next(a for a in typing.get_args(annotation) if a is not type(None)).__args__ \
        if type(None) in typing.get_args(annotation) else annotation.__args__
    usual = _usual(field)
    return _known(field, st.sampled_from((usual, *(v for v in values if v != usual))), unknowns)


def _flag(field: str, unknowns: bool = True) -> st.SearchStrategy[bool]:
    """A yes/no field that shrinks to its usual value."""
    return _known(field, st.booleans().map(lambda b: b != _usual(field)), unknowns)


def profiles(unknowns: bool = True) -> st.SearchStrategy[Profile]:
    """Any valid profile, biased towards the thresholds the bundled rules use.

    Every field shrinks towards its default, so a shrunk example differs from a plain profile
    only where it must: that is what makes a found example the *simplest* one. With `unknowns`, a
    fact the profile may leave out is sometimes left out, so the engines are compared on unknowns too.
    """
    def choice(field: str) -> st.SearchStrategy:
        return _choice(field, unknowns)

    def flag(field: str) -> st.SearchStrategy[bool]:
        return _flag(field, unknowns)

    def number(field: str, values: st.SearchStrategy) -> st.SearchStrategy:
        return _known(field, values, unknowns)

    children = st.lists(st.builds(Child, age=st.integers(0, 25), lives_with_client=st.booleans()), max_size=3)
    co_residents = st.lists(st.builds(
        CoResident, age=st.integers(16, 90), relation=st.sampled_from(
            CoResident.model_fields["relation"].annotation.__args__),
        student_finance=st.booleans()), max_size=3)
    sleeps = st.none() | st.builds(SleepsElsewhere, host=st.sampled_from(("ex_partner", "partner", "family", "friend")),
                                   nights_per_week=st.integers(0, 7), host_on_bijstand=st.booleans(),
                                   host_age=st.integers(18, 90))
    return st.builds(
        Profile,
        id=st.just("generated"),
        municipality=number("municipality", st.sampled_from(("Amsterdam", "Utrecht"))),
        age=st.integers(18, 120) | st.integers(0, 17),
        gender=choice("gender"),
        residence_status=choice("residence_status"),
        relationship=choice("relationship"),
        years_since_separation=st.none() | st.floats(0, 10, allow_nan=False).map(lambda x: round(x, 1)),
        pregnancy_weeks=st.sampled_from((0, 0, 12, 34)),
        children=children,
        co_residents=co_residents,
        income_net_monthly=number("income_net_monthly", _money),
        income_gross_yearly=st.none() | st.integers(0, 90_000).map(float),
        income_source=choice("income_source"),
        assets=number("assets", st.integers(-5000, 200_000).map(float)),
        housing=choice("housing"),
        registered_address=choice("registered_address"),
        years_in_region=number("years_in_region", st.integers(0, 40).map(float)),
        self_reliant=flag("self_reliant"),
        addiction=flag("addiction"),
        psychiatric_disorder=flag("psychiatric_disorder"),
        domestic_violence=flag("domestic_violence"),
        problematic_debts=flag("problematic_debts"),
        in_debt_restructuring=flag("in_debt_restructuring"),
        student_finance=flag("student_finance"),
        in_detention=flag("in_detention"),
        needs=st.lists(st.sampled_from(NEEDS), unique=True),
        rent_monthly=number("rent_monthly", _money),
        rental_contract=flag("rental_contract"),
        self_contained_home=flag("self_contained_home"),
        health_insured=flag("health_insured"),
        search_period_waived=flag("search_period_waived"),
        weeks_since_reporting=number("weeks_since_reporting", st.integers(0, 10)),
        parents_can_support=flag("parents_can_support"),
        lives_in_institution=flag("lives_in_institution"),
        youth_care_before_18=flag("youth_care_before_18"),
        months_since_youth_care_ended=st.none() | st.integers(0, 24),
        detox_completed=flag("detox_completed"),
        social_problems_resolved=flag("social_problems_resolved"),
        freezing_weather=flag("freezing_weather"),
        housing_problem_cause=choice("housing_problem_cause"),
        good_faith_years=number("good_faith_years", st.integers(0, 8).map(float)),
        amicable_route_tried=flag("amicable_route_tried"),
        sleeps_elsewhere=sleeps,
        months_in_work=st.none() | st.integers(0, 48),
    )
