"""numpy generation: reproducible, faithful to each distribution, and its derived facts equal facts.py."""


import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regelgat.rules.columns import row_facts
from regelgat.client.facts import DERIVED_FACTS, profile_facts
from regelgat.population.generate import _VECTOR, BLOCK, derive, generate_block, generate_profiles, generate_range
from regelgat.population.profile_columns import materialise, population_from_profiles
from regelgat.client.profile import Profile
from regelgat.population.scenario import load_scenario
from regelgat.client.strategies import profiles
from conftest import EVERYTHING, ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _facts_equal(pop, rows):
    cols = derive(pop)
    names = [k for k in cols.values if "." not in k]
    for row, profile in zip(rows, materialise(pop, rows)):
        expected = profile_facts(profile)
        got = row_facts(cols, row, names)
        assert got == expected, {k: (got.get(k), expected.get(k)) for k in set(got) | set(expected)
                                 if got.get(k) != expected.get(k)}


@pytest.mark.parametrize("path", [EVERYTHING, *SCENARIOS], ids=lambda p: p.stem)
def test_column_facts_equal_facts_profile_facts(path):
    scenario = load_scenario(path)
    pop = generate_block(scenario, 0)
    _facts_equal(pop, np.arange(0, BLOCK, 37))  # about 1,800 profiles spread over the block


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(profiles(), min_size=1, max_size=6))
def test_column_facts_equal_facts_on_edge_case_profiles(batch):
    pop = population_from_profiles(batch)
    _facts_equal(pop, np.arange(len(batch)))


def test_every_derived_fact_has_a_column_form():
    assert set(DERIVED_FACTS) <= set(_VECTOR), "add the new derived fact to generate._VECTOR"


def test_same_seed_gives_identical_columns_and_another_seed_does_not():
    scenario = load_scenario(EVERYTHING)
    a, b = generate_block(scenario, 1), generate_block(scenario, 1)
    assert all(np.array_equal(a.values[k], b.values[k]) for k in a.values)
    other = generate_block(scenario.with_overrides(seed=scenario.seed + 1), 1)
    assert not np.array_equal(a.values["age"], other.values["age"])
    assert not np.array_equal(a.values["age"], generate_block(scenario, 2).values["age"])


def test_a_small_run_is_the_start_of_a_large_one():
    scenario = load_scenario(EVERYTHING)
    small = generate_range(scenario, 0, 500)
    large = generate_range(scenario, 0, BLOCK + 10)
    for key, values in small.values.items():
        assert np.array_equal(values, large.values[key][:500])
    middle = generate_range(scenario, BLOCK - 5, BLOCK + 5)
    assert np.array_equal(middle.values["age"], large.values["age"][BLOCK - 5:BLOCK + 5])


def test_generate_profiles_gives_valid_profiles_with_ids():
    scenario = load_scenario(EVERYTHING)
    people = generate_profiles(scenario, size=300)
    assert len(people) == 300 and all(isinstance(p, Profile) for p in people)
    assert people[7].id == "everything-7"
    assert [p.model_dump() for p in generate_profiles(scenario, size=300)] == [p.model_dump() for p in people]
    assert generate_profiles(scenario, size=300, seed=99)[0] != people[0]


def test_distributions_keep_their_bounds_and_weights():
    scenario = load_scenario(EVERYTHING)
    pop = generate_block(scenario, 0)
    age = pop.values["age"]
    assert age.min() == 16 and age.max() == 70  # integer: [16, 70], both ends included
    income = pop.values["income_net_monthly"]
    assert income.min() >= 0  # normal, clipped to the field's own range
    assert np.allclose(income, np.round(income, 2))
    housing = pop.values["housing"]
    vocab = pop.vocab["housing"]
    share = np.mean(housing == vocab.index("own_rental"))
    assert abs(share - 5 / 9) < 0.01  # choice weights 5:2:1:1 over 65,536 draws
    gross = pop.present["income_gross_yearly"]
    assert abs(gross.mean() - 0.5) < 0.01  # missing: 0.5
    female = pop.values["gender"] == pop.vocab["gender"].index("female")
    pregnant = pop.values["pregnancy_weeks"] > 0
    assert not (pregnant & ~female).any()  # when ... otherwise 0
    assert abs(pregnant[female & (age < 45)].mean() - 0.1) < 0.01


def test_children_only_where_the_condition_holds_and_younger_than_the_client():
    scenario = load_scenario(EVERYTHING)  # children: {when: "age > 25", ...}
    pop = generate_block(scenario, 0)
    count = pop.values["children.count"]
    assert (count[pop.values["age"] <= 25] == 0).all()
    assert (count[pop.values["age"] > 25] > 0).any()
    for j in range(3):
        has = count > j
        assert (pop.values[f"children.{j}.age"][has] <= pop.values["age"][has] - 15).all()


def test_years_since_separation_is_missing_unless_divorced():
    scenario = load_scenario(EVERYTHING)
    pop = generate_block(scenario, 0)
    divorced = pop.values["relationship"] == pop.vocab["relationship"].index("divorced")
    assert np.array_equal(pop.present["years_since_separation"], divorced)

