"""Amount formulas: the language, loading errors, and the amounts themselves.

The worked amounts with their sources are cases in tests/cases/amounts.yaml; here are the
properties that must hold for every profile, and the numpy engine's equality to the cent.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regelgat.check.household import household
from regelgat.check.single import check_profile, default_rulesets_dir
from regelgat.client.facts import FACT_TYPES, profile_facts
from regelgat.client.strategies import profiles
from regelgat.engines.vector import VectorEngine
from regelgat.engines.vector_amounts import cents_array
from regelgat.io.errors import InputError
from regelgat.population.generate import derive, generate_range
from regelgat.population.profile_columns import materialise, population_from_profiles
from regelgat.population.scenario import load_scenario
from regelgat.rules import formulas
from regelgat.rules.amounts import add_amounts
from regelgat.rules.compiled import compile_rules
from regelgat.rules.expressions import ExpressionError
from regelgat.rules.ruleset import load_ruleset, load_rulesets
from conftest import USUAL_GIVEN

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = {"cap": 285, "rate": 0.25}


def value(text, **facts):
    return formulas.evaluate(formulas.bind(formulas.parse(text, FACT_TYPES, PARAMETERS), PARAMETERS), facts)


def test_arithmetic_min_max_and_band():
    assert value("min(rate * income_net_monthly, cap)", income_net_monthly=800) == 200
    assert value("min(rate * income_net_monthly, cap)", income_net_monthly=2000) == 285
    assert value("max(0, 100 - income_net_monthly)", income_net_monthly=150) == 0
    # band(x, low, high): the part of x between low and high
    assert value("band(rent_monthly, 262.67, 498.20)", rent_monthly=700) == pytest.approx(235.53)
    assert value("band(rent_monthly, 262.67, 498.20)", rent_monthly=200) == 0
    assert value("band(rent_monthly, 600, 498.20)", rent_monthly=700) == 0  # low above high: nothing
    assert value("-age + 2 * (3 + 1)", age=1) == 7


def test_a_missing_fact_or_a_zero_divisor_makes_the_amount_unknown():
    assert value("income_net_monthly / age", income_net_monthly=100, age=0) is None
    assert value("partner_age * 2") is None


@pytest.mark.parametrize("text, message", [
    ("income * 2", "unknown name 'income'"),
    ("treated_as_married * 2", "is a bool, not a number"),
    ("band(age, 1)", "band takes 3 arguments"),
    ("sqrt(age)", "unknown function 'sqrt'"),
    ("age +", "expected a number"),
    ("age age", "unexpected 'age'"),
    ("10 / (cap - 285)", "division by zero"),
])
def test_bad_formulas_are_refused_with_a_reason(text, message):
    with pytest.raises(ExpressionError, match=message):
        formulas.bind(formulas.parse(text, FACT_TYPES, PARAMETERS), PARAMETERS)


def test_cents_round_half_up_the_same_way_in_python_and_numpy():
    values = [1001.065, 0.005, 38.472, 463.1275, 2.675, -0.0]
    assert [formulas.cents(v) for v in values] == cents_array(np.array(values)).tolist()
    assert formulas.cents(1001.065) == 1001.07  # 100106.49999999999 cents in binary


def test_a_bad_amount_in_a_ruleset_names_the_file_and_place(tmp_path):
    path = tmp_path / "amounts-bad.yaml"
    text = """id: amounts-bad
title: t
agency: a
jurisdiction: NL
legal_basis: [{title: law, url: "https://wetten.overheid.nl/x"}]
provisions:
  - id: p
    title: P
    criteria:
      - {id: c, text: adult, condition: age >= 18, kind: statute, source: {title: law, url: "https://wetten.overheid.nl/x"}}
amounts:
  - id: benefit
    provision: p
    text: A benefit.
    kind: statute
    source: {title: law, url: "https://wetten.overheid.nl/x"}
    cases:
      - formula: 100 - incom_net_monthly
"""
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_ruleset(path)
    message = str(caught.value)
    assert "amounts-bad.yaml" in message and "line 18" in message and "income_net_monthly" in message
    path.write_text(text.replace("incom_net", "income_net").replace("provision: p", "provision: q"))
    with pytest.raises(InputError, match="provision 'q' is not in this ruleset"):
        load_ruleset(path)


@pytest.fixture(scope="module")
def bundled():
    return load_rulesets(default_rulesets_dir())


@pytest.mark.parametrize("date", [dt.date(2025, 3, 1), dt.date(2025, 8, 1), dt.date(2026, 1, 15), dt.date(2026, 8, 1)])
def test_numpy_amounts_equal_the_profile_by_profile_amounts_to_the_cent(bundled, date):
    compiled = compile_rules(bundled, date)
    engine = VectorEngine(compiled)
    compared = 0
    for name in ("low-income-amsterdam", "pregnant-young-women", "divorced-working-men"):
        pop = generate_range(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), 0, 1500)
        cols = derive(pop)
        engine.atoms(cols)
        for i, profile in enumerate(materialise(pop)):
            facts = add_amounts(compiled, profile_facts(profile))
            for amount in compiled.amounts:
                known = bool(cols.present[amount.name][i])
                assert known == (amount.name in facts), (profile.id, amount.key)
                if known:
                    assert cols.values[amount.name][i] == facts[amount.name], (profile.id, amount.key)
                    compared += 1
    assert compared > 50_000


EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


_COMPILED: dict = {}


def _compiled(date):
    if date not in _COMPILED:
        _COMPILED[date] = compile_rules(load_rulesets(default_rulesets_dir()), date)
    return _COMPILED[date]


@EXAMPLES
@given(batch=st.lists(profiles(), min_size=1, max_size=6), date=st.sampled_from(
    [dt.date(2025, 3, 1), dt.date(2026, 1, 15), dt.date(2027, 2, 1)]))
def test_no_amount_is_negative_and_bijstand_tops_up_to_the_norm_at_most(batch, date):
    compiled = _compiled(date)
    engine = VectorEngine(compiled)
    cols = derive(population_from_profiles(batch))
    engine.atoms(cols)
    for i, profile in enumerate(batch):
        checked = check_profile(profile, compiled)
        facts = checked.facts
        for amount in compiled.amounts:
            if amount.name in facts:
                assert facts[amount.name] >= 0, amount.key
                assert cols.values[amount.name][i] == facts[amount.name], amount.key  # numpy: same cent
        bijstand = next(v for v in checked.result.verdicts if v.provision.key == "participatiewet-bijstand/algemene_bijstand")
        if bijstand.outcome == "eligible" and "bijstand" in facts:
            assert facts["bijstand"] + facts["bijstand_counted_income"] <= facts["bijstand_norm"] + 0.005
        summary = household(checked)
        if summary.shortfall is not None:
            assert 0 <= summary.shortfall <= summary.social_minimum


def test_a_wrong_amount_in_a_case_fails_it(tmp_path):
    from regelgat.guard.cases import load_case_file, run_case

    case = tmp_path / "wrong.yaml"
    case.write_text(USUAL_GIVEN + """
cases:
  - name: wrong
    date: 2026-01-15
    profile: {id: w, age: 30, income_net_monthly: 800, income_source: employment, months_in_work: 2}
    expect:
      amounts: {participatiewet-bijstand/algemene_bijstand: 801.49}
""")
    result = run_case(load_case_file(case)[0], default_rulesets_dir())
    assert not result.passed
    assert result.mismatches[0].actual == "801.50"
