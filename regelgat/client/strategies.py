"""Hypothesis strategies for client profiles: edge-case search, not population sampling.

Hypothesis leans towards boundaries (age 17/18, an income a cent around a norm), which is what
property tests want. For population statistics use the numpy scenario generator instead.
"""

from __future__ import annotations

from hypothesis import strategies as st

from regelgat.client.profile import NEEDS, Child, CoResident, Profile, SleepsElsewhere

_money = st.one_of(st.integers(0, 6000).map(float), st.floats(0, 6000, allow_nan=False).map(lambda x: round(x, 2)))


def _choice(field: str) -> st.SearchStrategy:
    """A Literal field's values with its default first, so shrinking leads back to the default."""
    values = Profile.model_fields[field].annotation.__args__
    default = Profile.model_fields[field].default
    return st.sampled_from((default, *(v for v in values if v != default)))


def _flag(field: str) -> st.SearchStrategy[bool]:
    """A yes/no field that shrinks to its default."""
    return st.booleans().map(lambda b: b != Profile.model_fields[field].default)


def profiles() -> st.SearchStrategy[Profile]:
    """Any valid profile, biased towards the thresholds the bundled rules use.

    Every field shrinks towards its default, so a shrunk example differs from a plain profile
    only where it must: that is what makes a found example the *simplest* one.
    """
    choice = _choice
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
        age=st.integers(18, 120) | st.integers(0, 17),
        gender=choice("gender"),
        residence_status=choice("residence_status"),
        relationship=choice("relationship"),
        years_since_separation=st.none() | st.floats(0, 10, allow_nan=False).map(lambda x: round(x, 1)),
        pregnancy_weeks=st.sampled_from((0, 0, 12, 34)),
        children=children,
        co_residents=co_residents,
        income_net_monthly=_money,
        income_gross_yearly=st.none() | st.integers(0, 90_000).map(float),
        income_source=choice("income_source"),
        assets=st.integers(-5000, 200_000).map(float),
        housing=choice("housing"),
        registered_address=choice("registered_address"),
        years_in_region=st.integers(0, 40).map(float),
        self_reliant=_flag("self_reliant"),
        addiction=_flag("addiction"),
        psychiatric_disorder=_flag("psychiatric_disorder"),
        domestic_violence=_flag("domestic_violence"),
        problematic_debts=_flag("problematic_debts"),
        in_debt_restructuring=_flag("in_debt_restructuring"),
        student_finance=_flag("student_finance"),
        in_detention=_flag("in_detention"),
        needs=st.lists(st.sampled_from(NEEDS), unique=True),
        rent_monthly=_money,
        rental_contract=_flag("rental_contract"),
        self_contained_home=_flag("self_contained_home"),
        weeks_since_reporting=st.integers(0, 10),
        parents_can_support=_flag("parents_can_support"),
        lives_in_institution=_flag("lives_in_institution"),
        youth_care_before_18=_flag("youth_care_before_18"),
        months_since_youth_care_ended=st.none() | st.integers(0, 24),
        detox_completed=_flag("detox_completed"),
        social_problems_resolved=_flag("social_problems_resolved"),
        freezing_weather=_flag("freezing_weather"),
        housing_problem_cause=choice("housing_problem_cause"),
        good_faith_years=st.integers(0, 8).map(float),
        amicable_route_tried=_flag("amicable_route_tried"),
        sleeps_elsewhere=sleeps,
        months_in_work=st.none() | st.integers(0, 48),
    )
