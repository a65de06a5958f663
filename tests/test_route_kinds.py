"""Routes over a population: the numpy estimate of each gap's nearest route, and its place in the summary."""

import datetime as dt

import numpy as np
import pytest

from regelgat.batch.report_html import render_html
from regelgat.batch.report_markdown import render_markdown
from regelgat.batch.route_kinds import KINDS, RouteKinds
from regelgat.batch.wording import Words
from regelgat.batch.runner import RunOptions, run_batch
from regelgat.check.single import check_profile, default_rulesets_dir, load_profile
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import VectorEngine
from regelgat.population.generate import derive
from regelgat.population.profile_columns import population_from_profiles
from regelgat.population.scenario import load_scenario
from regelgat.rules.compiled import compile_rules
from regelgat.rules.ruleset import load_rulesets
from conftest import ROOT


def test_numpy_nearest_route_equals_the_exact_search_on_the_personas():
    compiled = compile_rules(load_rulesets(default_rulesets_dir()), dt.date(2026, 1, 15))
    profiles = [load_profile(p) for p in sorted((ROOT / "scenarios" / "personas").glob("*.yaml"))]
    cols = derive(population_from_profiles(profiles))
    engine = VectorEngine(compiled)
    decisions = engine.run(cols, np.stack([cols.values[f"needs.{n}"] for n in NEEDS]))
    ranks = RouteKinds(engine).nearest(cols, decisions)
    seen = set()
    for i, profile in enumerate(profiles):
        exact = {need: routes[0].kind if routes else "none"
                 for need, routes in check_profile(profile, compiled).routes.by_need.items()}
        estimate = {NEEDS[k]: KINDS[ranks[k, i] - 1] for k in range(len(NEEDS)) if ranks[k, i]}
        assert estimate == exact, profile.id
        seen |= set(exact.values())
    assert {"attainable", "harmful"} <= seen  # the personas exercise more than one kind


@pytest.fixture(scope="module")
def divorced_men(tmp_path_factory):
    scenario = load_scenario(ROOT / "scenarios" / "divorced-working-men.yaml").with_overrides(size=3000)
    compiled = compile_rules(load_rulesets(default_rulesets_dir()), scenario.date)
    out = tmp_path_factory.mktemp("dwm")
    return run_batch(scenario, compiled, RunOptions(out=out, workers=1)).summary, out


def test_the_summary_counts_each_gap_case_once_by_its_nearest_route(divorced_men):
    summary, _ = divorced_men
    routes = {r.need: r for r in summary.routes}
    for need, r in routes.items():
        assert r.gap_cases == summary.overall.gap(need) == sum(r.nearest.values())
        assert r.harmful_share == round(r.nearest["harmful"] / r.gap_cases, 6)
        for group, labels in r.by_group.items():
            assert sum(cell["gap_cases"] for cell in labels.values()) == r.gap_cases, group
    housing = routes["housing"]
    assert housing.harmful_share > 0.9  # self-reliant working men: shelter only by getting worse
    example = housing.examples[0]
    assert example.kind == "harmful" and example.routes[0].kind == "harmful"
    named = {(rule.provision, rule.criterion) for e in housing.examples for rule in e.rules}
    assert ("amsterdam-shelter/mo_adult", "limited_self_reliance") in named


def test_the_reports_give_the_share_with_its_base(divorced_men):
    summary, _ = divorced_men
    housing = next(r for r in summary.routes if r.need == "housing")
    markdown = render_markdown(summary)
    assert "## Routes out of the gaps" in markdown
    assert f"{housing.nearest['harmful']:,} of the {housing.gap_cases:,} gap cases" in markdown
    html = render_html(summary)
    assert "<h2>Routes out of the gaps</h2>" in html and "rule behind it" in html
    dutch = render_markdown(summary, Words("nl"))
    assert "## Wegen uit de gaten" in dutch and "dichtstbijzijnde weg is schadelijk" in dutch
