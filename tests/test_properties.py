"""Properties of every verdict, over generated profiles and the bundled rulesets at several dates."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings

from regelgat.check.single import check_profile, default_rulesets_dir
from regelgat.rules.compiled import compile_rules
from regelgat.engines.durable import DurableEngine
from regelgat.rules.ruleset import load_rulesets
from regelgat.client.strategies import profiles
from regelgat.rules.verdicts import to_json
from conftest import CORE

DATES = [dt.date(2025, 3, 1), dt.date(2025, 8, 1), dt.date(2026, 1, 15), dt.date(2026, 8, 1)]
FOLDERS = [default_rulesets_dir(), CORE]
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", params=[(f, d) for f in FOLDERS for d in DATES],
                ids=lambda p: f"{p[0].name}-{p[1]}")
def engines(request):
    folder, date = request.param
    compiled = compile_rules(load_rulesets(folder), date)
    with DurableEngine(compiled) as engine:
        yield compiled, engine


@EXAMPLES
@given(profile=profiles())
def test_every_provision_gets_exactly_one_outcome(engines, profile):
    compiled, engine = engines
    result = check_profile(profile, compiled, engine).result
    assert [v.provision.key for v in result.verdicts] == [p.key for p in compiled.provisions]
    for verdict in result.verdicts:
        assert verdict.outcome in ("eligible", "ineligible", "blocked", "undetermined")
        # An outcome always has its reason: a refusal names what refused, eligibility refuses nothing.
        assert bool(verdict.deciding) == (verdict.outcome != "eligible")
    assert set(result.gaps) <= set(profile.needs)


@EXAMPLES
@given(profile=profiles())
def test_durable_rules_matches_the_direct_evaluation(engines, profile):
    compiled, engine = engines
    durable = check_profile(profile, compiled, engine)
    direct = check_profile(profile, compiled)
    assert durable.atoms == direct.atoms
    assert to_json(durable.result, "p", durable.facts, compiled) == to_json(direct.result, "p", direct.facts, compiled)


@EXAMPLES
@given(profile=profiles())
def test_the_verdict_is_deterministic(engines, profile):
    compiled, engine = engines
    first = to_json(check_profile(profile, compiled, engine).result, "p", {}, compiled)
    again = to_json(check_profile(profile, compiled, engine).result, "p", {}, compiled)
    assert first == again
