"""The gap map: every witness is a real gap by durable_rules, the regions hold exactly the gap profiles
hypothesis draws, the personas' situations are on the map, and the solver stays behind one module."""

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from regelgat.check.single import check_profile, load_profile
from regelgat.engines.durable import DurableEngine
from regelgat.cli import main
from regelgat.client.profile import Profile
from regelgat.client.strategies import profiles
from regelgat.map import regions as regions_module
from regelgat.map.regions import gap_map
from regelgat.rules.compiled import compile_rules
from regelgat.rules.expressions import evaluate
from regelgat.rules.ruleset import load_rulesets

DATE = dt.date(2026, 1, 15)
PERSONAS = Path(__file__).parents[1] / "scenarios" / "personas"
CORE = Path(__file__).parent / "fixtures" / "core"
# A narrower housing map keeps the tests fast; the full maps are timed in benchmarks/map.py.
WORKING_45_PLUS = 'age >= 45 and income_source == "employment"'


@pytest.fixture(scope="module")
def compiled(rulesets):
    # The pessimistic reading, with reported practice applied as rules: the reading that has the
    # referral loops (by default reported practice refuses no one, and the bundled rules loop nowhere).
    return compile_rules(rulesets, DATE, practice=True)


@pytest.fixture(scope="module")
def maps(compiled):
    return {"care": gap_map(compiled, "care", loops=True), "debt_help": gap_map(compiled, "debt_help"),
            "housing": gap_map(compiled, "housing", WORKING_45_PLUS)}


def eligible_keys(result):
    return {v.provision.key for v in result.verdicts if v.outcome == "eligible"}


def test_z3_is_imported_only_by_the_solver_module():
    package = Path(regions_module.__file__).parents[1]
    importers = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py")
                       if "import z3" in p.read_text())
    assert importers == ["map/solver.py"]


def test_every_map_is_proven_complete(maps):
    for need, result in maps.items():
        assert result.complete, need
        assert result.regions, need


@pytest.mark.parametrize("need", ["care", "debt_help", "housing"])
def test_every_witness_is_a_gap_by_durable_rules_and_its_clauses_shut_the_doors(maps, compiled, need):
    with DurableEngine(compiled) as engine:
        checked_witnesses = [(r, check_profile(r.witness, compiled, engine)) for r in maps[need].regions]
    for region, checked in checked_witnesses:
        assert need in checked.result.gaps, region.conditions
        assert region.contains(checked.facts, eligible_keys(checked.result)), region.conditions
        deciding = {(v.provision.key, r.rule.rule.id) for v in checked.result.verdicts for r in v.deciding}
        for clause in region.clauses:
            assert (clause.provision, clause.criterion) in deciding, clause


def _in_map(result, checked) -> bool:
    return any(r.contains(checked.facts, eligible_keys(checked.result)) for r in result.regions)


@settings(max_examples=1000, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(profile=profiles())
def test_a_profile_is_in_a_region_exactly_when_check_finds_the_gap(maps, compiled, profile):
    checked = check_profile(profile.model_copy(update={"needs": list(maps)}), compiled)
    for need, result in maps.items():
        gap = need in checked.result.gaps
        if profile.municipality not in (None, "Amsterdam"):  # the map is of the municipality whose rules it has
            assert not _in_map(result, checked), need
            continue
        if result.where and evaluate(regions_module.parse_where(result.where), checked.facts) is not True:
            assert gap or not _in_map(result, checked), need  # outside --where: a region still holds only gaps
            continue
        assert _in_map(result, checked) == gap, (need, profile)
        if result.loops is not None:
            inside = [r for r in result.loops if r.contains(checked.facts, eligible_keys(checked.result))]
            assert bool(inside) == (gap and bool(checked.result.loops)), (need, profile)
            assert all(r.cycle in checked.result.loops for r in inside), (need, profile)


def test_the_bundled_loop_map_is_complete_and_each_loop_witness_is_trapped_by_its_cycle(maps, compiled):
    care = maps["care"]
    assert care.complete and care.loops
    with DurableEngine(compiled) as engine:
        for region in care.loops:
            checked = check_profile(region.witness, compiled, engine)
            assert "care" in checked.result.gaps and region.cycle in checked.result.loops, region.conditions
            assert region.contains(checked.facts, eligible_keys(checked.result)), region.conditions


def test_mr_k_is_in_the_housing_map(maps, compiled):
    checked = check_profile(load_profile(PERSONAS / "mr-k.yaml"), compiled)
    assert "housing" in checked.result.gaps
    assert _in_map(maps["housing"], checked)


@pytest.mark.parametrize("date", [dt.date(2025, 8, 1), DATE])
def test_the_pregnant_19_year_old_is_in_the_map_of_each_of_her_gaps(rulesets, date):
    compiled = compile_rules(rulesets, date, practice=True)  # her housing gap rests on reported practice
    checked = check_profile(load_profile(PERSONAS / "pregnant-19.yaml"), compiled)
    assert checked.result.gaps
    for need in checked.result.gaps:
        result = gap_map(compiled, need, "age < 21 and pregnant")
        assert result.complete and _in_map(result, checked), need


def test_map_json_follows_the_contract_and_its_witnesses_check():
    result = CliRunner().invoke(main, ["map", "care", "--rulesets", str(CORE), "--date", "2025-03-01",
                                       "--format", "json", "--loops"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"need", "date", "complete", "regions", "loops"}
    assert out["need"] == "care" and out["date"] == "2025-03-01" and out["complete"] is True
    for region in out["regions"] + out["loops"]:
        assert set(region) >= {"conditions", "facts", "clauses", "witness"}
        assert all(set(c) == {"provision", "criterion", "source"} for c in region["clauses"])
        assert region["witness"]["needs"] == ["care"]
    assert {tuple(loop["cycle"]) for loop in out["loops"]} == {("mini/clinic", "mini/social")}


def test_bad_where_is_one_line_and_exit_2():
    result = CliRunner().invoke(main, ["map", "housing", "--where", "age >>= 3"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: --where:") and len(result.output.strip().splitlines()) == 1


def test_a_solver_timeout_says_the_map_is_not_complete_and_exits_3():
    result = CliRunner().invoke(main, ["map", "housing", "--timeout", "1", "--format", "json"])
    assert result.exit_code == 3
    assert "NOT complete" in result.stderr
    assert json.loads(result.stdout)["complete"] is False


HYGIENE = """
id: hygiene
title: Rules with provable flaws
agency: Test agency
jurisdiction: NL
legal_basis: [{title: Participatiewet, url: "https://wetten.overheid.nl/BWBR0015703/2025-07-01"}]
provisions:
  - id: lodging
    title: Lodging
    covers: [housing]
    criteria:
      - {id: adult, text: 18 or older, condition: age >= 18, kind: statute, source: {title: Pw, url: "https://wetten.overheid.nl/BWBR0015703"}}
      - {id: over_16, text: 16 or older, condition: age >= 16, kind: statute, source: {title: Pw, url: "https://wetten.overheid.nl/BWBR0015703"}}
    exclusions:
      - {id: child, text: Under 10, condition: age < 10, kind: statute, source: {title: Pw, url: "https://wetten.overheid.nl/BWBR0015703"}}
  - id: nobody
    title: Nobody
    covers: [housing]
    criteria:
      - {id: minor, text: Under 18, condition: age < 18, kind: statute, source: {title: Pw, url: "https://wetten.overheid.nl/BWBR0015703"}}
      - {id: adult, text: 18 or older, condition: age >= 18, kind: statute, source: {title: Pw, url: "https://wetten.overheid.nl/BWBR0015703"}}
"""


def test_lint_deep_proves_dead_provisions_idle_criteria_and_shadowed_exclusions(tmp_path):
    (tmp_path / "hygiene.yaml").write_text(HYGIENE, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(tmp_path), "--deep", "--date", "2025-03-01"])
    assert result.exit_code == 1, result.output
    findings = sorted(line for line in result.stderr.splitlines() if line)
    assert findings == [
        "hygiene: provision lodging, criterion over_16: refuses no one the provision's other rules accept on "
        "2025-03-01 (never fails given the others)",
        "hygiene: provision lodging, exclusion child: refuses no one the criteria accept on 2025-03-01 "
        "(shadowed by the criteria)",
        "hygiene: provision nobody: no client can get it on 2025-03-01 (dead provision)",
    ]


@pytest.fixture(scope="module")
def mini_loops():
    compiled = compile_rules(load_rulesets(CORE), dt.date(2025, 3, 1))
    return compiled, gap_map(compiled, "care", loops=True)


@settings(max_examples=500, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(profile=profiles())
def test_a_profile_is_in_a_loop_region_exactly_when_check_finds_gap_and_loop(mini_loops, profile):
    compiled, result = mini_loops
    checked = check_profile(profile.model_copy(update={"needs": ["care"]}), compiled)
    trapped = "care" in checked.result.gaps and bool(checked.result.loops)
    inside = [r for r in result.loops if r.contains(checked.facts, eligible_keys(checked.result))]
    assert bool(inside) == trapped, profile
    assert all(r.cycle in checked.result.loops for r in inside)


@pytest.mark.parametrize("fmt, proof", [("text", "Complete: the solver proved"),
                                        ("markdown", "# Gap map: care"), ("html", "<!doctype html>")])
def test_every_format_says_whether_the_map_is_proven_complete(fmt, proof):
    result = CliRunner().invoke(main, ["map", "care", "--rulesets", str(CORE), "--date", "2025-03-01",
                                       "--format", fmt, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert proof in result.output and "proved" in result.output
    assert "witness" in result.output.lower()


def test_the_income_map_follows_the_earnings_disregard(compiled):
    """Bijstand counts income after the disregard (Pw art. 31 lid 2 n): the solver reads the amount's
    formula, so a worker in the first months is on the map only above norm + disregard."""
    result = gap_map(compiled, "income", 'age == 30 and income_source == "employment" and months_in_work_known')
    assert result.complete
    base = {"id": "w", "age": 30, "income_source": "employment", "months_in_work": 2, "needs": ["income"]}
    for income, gap in ((1600, False), (1686.49, False), (1686.50, True), (1700, True)):
        checked = check_profile(Profile(**base, income_net_monthly=income), compiled)
        assert ("income" in checked.result.gaps) == gap and _in_map(result, checked) == gap, income
    with DurableEngine(compiled) as engine:
        for region in result.regions:
            assert "income" in check_profile(region.witness, compiled, engine).result.gaps, region.conditions


SCENARIOS = Path(__file__).parents[1] / "scenarios"


@pytest.mark.parametrize("need", ["care", "debt_help"])
def test_region_shares_count_exactly_the_profiles_check_puts_in_each_region(maps, compiled, need):
    from regelgat.map.shares import region_shares
    from regelgat.population.generate import generate_block
    from regelgat.population.profile_columns import materialise
    from regelgat.population.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "low-income-amsterdam.yaml").with_overrides(size=1500)
    shares = region_shares(compiled, maps[need], scenario)
    expected = [0] * len(maps[need].regions)
    expected_loops = [0] * len(maps[need].loops or [])
    gaps = 0
    for profile in materialise(generate_block(scenario, 0))[:1500]:
        checked = check_profile(profile.model_copy(update={"needs": [need]}), compiled)
        gaps += need in checked.result.gaps
        for counts, regions in ((expected, maps[need].regions), (expected_loops, maps[need].loops or [])):
            for i, region in enumerate(regions):
                counts[i] += region.contains(checked.facts, eligible_keys(checked.result))
    assert list(shares.regions) == expected and list(shares.loops or []) == expected_loops
    assert shares.gaps == gaps == shares.in_regions and shares.size == 1500
    assert sum(expected) >= gaps > 0


def test_map_with_a_scenario_shows_each_regions_share_in_every_format():
    args = ["map", "care", "--rulesets", str(CORE), "--date", "2025-03-01",
            "--scenario", str(SCENARIOS / "low-income-amsterdam.yaml"), "--size", "500", "--lang", "en"]
    out = json.loads(CliRunner().invoke(main, args + ["--format", "json"]).output)
    assert out["population"]["size"] == 500 and out["population"]["scenario"] == "low-income-amsterdam"
    assert out["population"]["gaps"] == out["population"]["in_regions"]
    assert all(r["share"] == round(r["members"] / 500, 6) for r in out["regions"])
    for fmt in ("text", "markdown", "html"):
        result = CliRunner().invoke(main, args + ["--format", fmt])
        assert result.exit_code == 0, result.output
        assert "of 500 profiles)" in result.output and "Population: " in result.output


def test_a_bad_scenario_for_the_map_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "bad.yaml").write_text("size: -3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["map", "care", "--scenario", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output


@pytest.fixture(scope="module")
def mini_change():
    from regelgat.map.change import change_map
    from regelgat.rules.at_date import RulesAt

    before, after = (RulesAt.at(label, CORE, date) for label, date in
                     (("before", dt.date(2025, 3, 1)), ("after", dt.date(2025, 8, 1))))
    return before, after, change_map(before, after, "income")


def test_a_rule_change_map_traces_each_region_to_the_changed_parameter(mini_change):
    before, after, change = mini_change
    # The raised norm closes the gap just above the old norm; where the residence status is not
    # given, the door is undetermined after the change (not yet decided), no longer surely shut.
    assert change.complete and not change.opened and 1 <= len(change.closed) <= 2
    assert any(c.startswith("mini/bijstand criterion means: parameter norm_single 1,345.45 -> 1,369.06")
               for region in change.closed for c in region.causes), [r.causes for r in change.closed]
    for region in change.closed:
        assert "income" in check_profile(region.witness, before.compiled).result.gaps
        assert "income" not in check_profile(region.witness, after.compiled).result.gaps


def _in_change_regions(regions, checked_now) -> bool:
    return any(r.contains(checked_now.facts, eligible_keys(checked_now.result)) for r in regions)


@settings(max_examples=300, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(profile=profiles())
def test_a_profile_is_in_an_opened_or_closed_region_exactly_when_its_gap_changed(mini_change, profile):
    before, after, change = mini_change
    profile = profile.model_copy(update={"needs": ["income"]})
    old, new = check_profile(profile, before.compiled), check_profile(profile, after.compiled)
    gap_before, gap_after = "income" in old.result.gaps, "income" in new.result.gaps
    assert _in_change_regions(change.closed, old) == (gap_before and not gap_after), profile
    assert _in_change_regions(change.opened, new) == (gap_after and not gap_before), profile


def test_map_from_to_json_and_bad_combinations():
    args = ["map", "income", "--rulesets", str(CORE), "--from", "2025-03-01", "--to", "2025-08-01", "--lang", "en"]
    result = CliRunner().invoke(main, args + ["--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"need", "from", "to", "complete", "opened", "closed"} and out["complete"] is True
    assert all(set(r) >= {"conditions", "facts", "clauses", "witness", "causes"} for r in out["closed"])
    for fmt in ("text", "markdown", "html"):
        shown = CliRunner().invoke(main, args + ["--format", fmt]).output
        assert "norm_single 1,345.45 -&gt; 1,369.06" in shown if fmt == "html" else "norm_single 1,345.45 -> 1,369.06" in shown
    for bad in (["map", "income", "--from", "2025-03-01"], args + ["--loops"], args + ["--date", "2025-03-01"]):
        result = CliRunner().invoke(main, bad)
        assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
