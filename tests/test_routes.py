"""Routes out of a gap: minimal fact changes that open a door, what they cost, and perverse incentives."""

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner

from regelgat.check.routes import change_words
from regelgat.check.single import check_profile, default_rulesets_dir, load_profile, routes_json
from regelgat.cli import main
from regelgat.client.facts import CHANGE_KINDS, FACT_TYPES, _read_changes
from regelgat.rules.compiled import compile_rules
from regelgat.rules.ruleset import load_rulesets
from tests.conftest import ROOT

PERSONAS = ROOT / "scenarios" / "personas"
DATE = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def compiled():
    return compile_rules(load_rulesets(default_rulesets_dir()), DATE)


def checked(compiled, name, **changes):
    return check_profile(load_profile(PERSONAS / f"{name}.yaml", changes or None), compiled)


def test_every_fact_says_what_each_change_of_it_costs():
    for name, fact in FACT_TYPES.items():
        keys = {"bool": ("true", "false"), "number": ("up", "down"), "enum": fact.values, "text": ("x",)}[fact.kind]
        for key in keys:
            change = fact.change(key)
            assert change is not None, f"fact_changes.yaml: {name} has no entry for {key!r}"
            assert change.kind in CHANGE_KINDS and change.en and change.nl
            assert ("{to}" in change.en) == ("{to}" in change.nl), f"{name} {key}: en and nl differ in {{to}}"
    assert set(_read_changes()) <= set(FACT_TYPES), "fact_changes.yaml names a fact that does not exist"


def test_the_kinds_follow_the_direction_of_the_change():
    assert change_words("self_reliant", True, False).kind == "harmful"
    assert change_words("addiction", False, True).kind == "harmful"
    assert change_words("income_net_monthly", 1550, 1401.49).kind == "harmful"  # losing income
    assert change_words("registered_address", "none", "postal").kind == "attainable"
    assert change_words("age", 58, 22).kind == "impossible"
    assert change_words("pregnancy_weeks", 0, 20).kind == "harmful"  # becoming pregnant
    assert change_words("pregnancy_weeks", 19, 20).kind == "attainable"  # waiting a week
    assert change_words("huurtoeslag_amount", 0, 1) is None  # an amount moves only with its facts


def test_mr_k_can_reach_shelter_only_by_getting_worse(compiled):
    mr_k = checked(compiled, "mr-k")
    routes = mr_k.routes.by_need["housing"]
    assert routes, "Mr K. has routes out of his housing gap"
    shelter = [r for r in routes if any(k.startswith("amsterdam-shelter/") for k in r.opens)]
    assert shelter and all(r.kind in ("harmful", "impossible") for r in shelter)
    assert not any(r.kind == "attainable" for r in routes)
    mo = [r for r in routes if "amsterdam-shelter/mo_adult" in r.opens]
    assert mo and all(("self_reliant", False) in {(c.fact, c.to) for c in r.changes} for r in mo)
    assert mr_k.routes.perverse == ["housing"]
    named = {(f"{r.ruleset}/{r.provision}", r.rule.id) for r in mr_k.routes.perverse_rules["housing"]}
    assert ("amsterdam-shelter/mo_adult", "limited_self_reliance") in named
    # Attainable changes (a postal address) are never named as the rule that rewards getting worse.
    assert ("amsterdam-urgency/urgentieverklaring", "minimum_registration") not in named


def test_a_client_with_a_way_within_reach_has_no_perverse_need(compiled):
    control = checked(compiled, "control")
    assert control.result.gaps == () and control.routes.perverse == []
    jobseeker = checked(compiled, "eu-jobseeker-frost")
    assert jobseeker.routes.by_need["income"][0].kind == "attainable"
    assert jobseeker.routes.perverse == []


@pytest.mark.parametrize("name", ["mr-k", "address-loop", "pregnant-19", "care-leaver-18", "eu-jobseeker-frost"])
def test_every_route_opens_a_door_and_none_of_its_changes_can_be_left_out(compiled, name):
    client = checked(compiled, name)
    for need, routes in client.routes.by_need.items():
        for route in routes:
            changes = {c.fact: c.to for c in route.changes}
            opened = client.routes_search().world(frozenset(changes.items()))[1]
            assert need not in (*opened.gaps, *opened.undecided) and route.opens  # covered for sure
            for fact in changes:
                fewer = client.routes_search().world(frozenset((f, t) for f, t in changes.items() if f != fact))[1]
                # without it the need is not covered for sure: a gap, or undecided where the fact stays unknown
                assert need in (*fewer.gaps, *fewer.undecided), f"{name}: {fact} is not needed"


def test_a_threshold_is_crossed_by_the_smallest_step(compiled):
    # Lose income down to just below the bijstand norm that lets the address loop's debt help open.
    client = checked(compiled, "address-loop")
    search = client.routes_search()
    numeric = [(route, c) for routes in client.routes.by_need.values() for route in routes for c in route.changes
               if FACT_TYPES[c.fact].kind == "number" and client.facts.get(c.fact) is not None]
    assert numeric
    for route, change in numeric:
        before = client.facts[change.fact]
        step = 1 if isinstance(change.to, int) else 0.01
        back = round(change.to + (step if change.to < before else -step), 2)
        others = {(c.fact, c.to) for c in route.changes if c is not change}
        need = next(n for n, rs in client.routes.by_need.items() if route in rs)
        assert need in search.world(frozenset(others | {(change.fact, back)}))[1].gaps


def test_the_json_contract_and_the_story_carry_the_routes(compiled):
    data = routes_json(checked(compiled, "mr-k"))
    assert data["perverse"] == ["housing"]
    first = data["routes"]["housing"][0]
    assert set(first) >= {"changes", "kind", "opens"} and set(first["changes"][0]) >= {"fact", "to"}
    json.dumps(data)  # plain data
    runner = CliRunner(env={"LANG": "en_GB.UTF-8"})
    mr_k = str(PERSONAS / "mr-k.yaml")
    english = " ".join(runner.invoke(main, ["check", mr_k, "--date", "2026-01-15"]).output.split())
    assert "Perverse incentive (Housing)" in english  # the routes themselves are in --full
    dutch = " ".join(runner.invoke(main, ["check", mr_k, "--date", "2026-01-15", "--lang", "nl"]).output.split())
    assert "Perverse prikkel (Wonen)" in dutch
    full = " ".join(runner.invoke(main, ["check", mr_k, "--date", "2026-01-15", "--full"]).output.replace("│", " ").split())
    # by the rules (the addiction gate is reported practice, a risk): judged not self-reliant is enough
    assert "harmful: Maatschappelijke opvang for adults (23+) would open if the client was judged " \
           "not self-reliant (zelfredzaam) by the GGD screening." in full
    assert "Maatschappelijke opvang for adults (23+): You cannot manage on your own" in full  # a rule behind it
    reply = json.loads(runner.invoke(main, ["check", mr_k, "--date", "2026-01-15", "--format", "json"]).output)
    assert reply["perverse"] == ["housing"] and reply["routes"]["housing"]
