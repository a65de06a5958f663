"""The numpy engine gives the verdicts durable_rules + verdicts.decide give, reasons included.

Every bundled ruleset (compiled together, as `regelgat run` does) is checked on 10,000 profiles
generated from the bundled scenarios, profile by profile; hypothesis adds edge cases around the
thresholds. The comparison is of whole verdicts.Result objects: outcome, every reason's status,
the deciding reasons, blocked_by, gaps, loops and effects.
"""

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regelgat.check.single import default_rulesets_dir
from regelgat.rules.compiled import compile_rules
from regelgat.engines.durable import DurableEngine
from regelgat.engines.vector import VectorEngine
from regelgat.rules.columns import evaluate
from regelgat.rules.expressions import Compare
from regelgat.client.facts import profile_facts
from regelgat.population.generate import derive, generate_range
from regelgat.population.profile_columns import materialise, population_from_profiles
from regelgat.client.profile import NEEDS
from regelgat.rules.ruleset import load_rulesets
from regelgat.population.scenario import load_scenario
from regelgat.client.strategies import profiles
from regelgat.rules.verdicts import decide
from conftest import EVERYTHING, FIXTURE_RULES, ROOT

SCENARIOS = ["divorced-working-men", "pregnant-young-women", "young-adults-leaving-home", "economically-homeless",
             "low-income-amsterdam"]


def _compare(compiled, pop) -> tuple[int, set[int]]:
    """Profile by profile: durable_rules + decide against the numpy engine. Returns (count, atoms seen both ways)."""
    engine = VectorEngine(compiled)
    cols = derive(pop)
    needs = np.stack([pop.values[f"needs.{n}"] for n in NEEDS])
    atoms = engine.atoms(cols)
    decisions = engine.decide(atoms, needs)
    checked = 0
    with DurableEngine(compiled) as durable:
        for i, profile in enumerate(materialise(pop)):
            answers = durable.evaluate(profile_facts(profile))
            expected = decide(compiled, answers, profile.needs)
            got = engine.result(decisions, i)
            assert got == expected, f"{profile.id}: {got} != {expected}"
            vector_answers = [bool(a.t[i]) if a.t[i] or a.f is None or a.f[i] else None for a in atoms]
            assert vector_answers == answers, profile.id
            checked += 1
    both = {k for k, a in enumerate(atoms) if a.t.any() and a.false().any()}
    return checked, both


@pytest.fixture(scope="module")
def bundled():
    return load_rulesets(default_rulesets_dir())


def test_bundled_rulesets_on_10000_generated_profiles(bundled):
    compiled = compile_rules(bundled, dt.date(2026, 1, 15))
    total, both = 0, set()
    for name in SCENARIOS:
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        checked, seen = _compare(compiled, generate_range(scenario, 0, 2000))
        total += checked
        both |= seen
    assert total >= 10_000
    # The profiles must exercise the rules: most atoms come out both true and false.
    assert len(both) / len(compiled.atoms) > 0.8, f"only {len(both)} of {len(compiled.atoms)} atoms vary"
    assert {r.id for r in compiled.rulesets} == {r.id for r in bundled}


def test_bundled_rulesets_at_the_2025_rules_date(bundled):
    compiled = compile_rules(bundled, dt.date(2025, 8, 1))
    scenario = load_scenario(ROOT / "scenarios" / "low-income-amsterdam.yaml")
    checked, _ = _compare(compiled, generate_range(scenario, 5000, 7000))
    assert checked == 2000


def test_fixture_rules_on_10000_profiles_with_every_distribution():
    compiled = compile_rules(load_rulesets(FIXTURE_RULES), dt.date(2026, 1, 15))
    checked, both = _compare(compiled, generate_range(load_scenario(EVERYTHING), 0, 10_000))
    assert checked == 10_000
    assert both == set(range(len(compiled.atoms)))


EDGE = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


@EDGE
@given(batch=st.lists(profiles(), min_size=1, max_size=8))
def test_edge_case_profiles_on_the_bundled_rules(bundled, batch):
    compiled = compile_rules(bundled, dt.date(2026, 1, 15))
    _compare(compiled, population_from_profiles(batch))


@EDGE
@given(batch=st.lists(profiles(), min_size=1, max_size=8))
def test_edge_case_profiles_on_the_fixture_rules(batch):
    compiled = compile_rules(load_rulesets(FIXTURE_RULES), dt.date(2025, 8, 1))
    _compare(compiled, population_from_profiles(batch))


def test_the_comparison_catches_a_changed_threshold():
    """A numpy engine that reads `<` as `<=` is caught (the test is not vacuous)."""
    compiled = compile_rules(load_rulesets(FIXTURE_RULES), dt.date(2026, 1, 15))
    pop = generate_range(load_scenario(EVERYTHING), 0, 3000)
    engine = VectorEngine(compiled)
    broken = [Compare(a.fact, "<=", a.value) if isinstance(a, Compare) and a.op == "<" else a for a in compiled.atoms]
    cols = derive(pop)
    atoms = [evaluate(a, cols) for a in broken]
    pop.values["income_net_monthly"][:50] = 1401.5  # exactly the norm, where < and <= differ
    cols = derive(pop)
    atoms = [evaluate(a, cols) for a in broken]
    decisions = engine.decide(atoms, np.stack([pop.values[f"needs.{n}"] for n in NEEDS]))
    with DurableEngine(compiled) as durable:
        differs = sum(engine.result(decisions, i) != decide(compiled, durable.evaluate(profile_facts(p)), p.needs)
                      for i, p in enumerate(materialise(pop, np.arange(50))))
    assert differs > 0
