"""Only what a question needs: --provisions and --needs give the full run's answer for the provisions
asked about (outcome, every reason, amount), leave the others out, and evaluate fewer atoms."""

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from regelgat.check.single import check_json, check_profile, load_profile
from regelgat.cli import main
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import ELIGIBLE, VectorEngine
from regelgat.io.errors import InputError
from regelgat.population.generate import derive, generate_range
from regelgat.population.scenario import load_scenario
from regelgat.rules.compiled import compile_rules
from regelgat.rules.selection import select
from regelgat.web.app import create_app
from conftest import ROOT

DATE = dt.date(2026, 1, 15)
BIJSTAND = "participatiewet-bijstand/algemene_bijstand"
BRIEFADRES = "amsterdam-briefadres/wpi_briefadres"
ZORG = "zorgtoeslag/zorgtoeslag"
QUESTIONS = [dict(provisions=[BIJSTAND, ZORG]), dict(provisions=["zorgtoeslag/zorgtoeslag"]),
             dict(needs=["housing"]), dict(needs=["income", "debt_help"]),
             dict(provisions=["amsterdam-shelter/mo_adult"], needs=["care"])]


@pytest.fixture(scope="module")
def full(rulesets):
    # Reported practice applied as rules: bijstand then waits for an address, which the WPI briefadres grants.
    return compile_rules(rulesets, DATE, practice=True)


@pytest.fixture(scope="module")
def population():
    pop = generate_range(load_scenario(ROOT / "scenarios" / "low-income-amsterdam.yaml").with_overrides(size=6000),
                         0, 6000)
    return pop, np.stack([pop.values[f"needs.{n}"] for n in NEEDS])


def _columns(pop):
    return derive(pop)  # fresh: the engine adds its amount columns


def test_a_selection_pulls_in_exactly_the_prerequisites(full):
    narrow = select(full, [BIJSTAND])
    assert [p.key for p in narrow.provisions] == [BRIEFADRES, BIJSTAND]  # the briefadres grants bijstand's address
    assert len(narrow.atoms) < len(full.atoms) and narrow.effects == []
    assert {a.name for a in narrow.amounts} < {a.name for a in full.amounts}
    assert narrow.answered == ()  # other doors cover income: no gap is decided
    by_need = select(full, needs=["housing"])
    assert by_need.answered == ("housing",)
    assert {p.key for p in by_need.provisions} >= {p.key for p in full.provisions if "housing" in p.spec.covers}
    assert select(full) is full


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: ",".join(q.get("provisions", []) + q.get("needs", [])))
def test_the_numpy_engine_gives_the_full_answer_for_the_selected_provisions(full, population, question):
    pop, needs = population
    narrow = select(full, **question)
    big, small = VectorEngine(full), VectorEngine(narrow)
    a_cols, b_cols = _columns(pop), _columns(pop)
    a, b = big.run(a_cols, needs), small.run(b_cols, needs)
    assert set(small.keys) < set(big.keys)
    for key in small.keys:
        p, q = big.index[key], small.index[key]
        assert np.array_equal(a.outcome[p], b.outcome[q]), key
        (s, _, e), (t, _, f) = big.spans[p], small.spans[q]
        assert np.array_equal(a.status[s:e], b.status[t:f]), key
        amount = full.amount_of(key)
        if amount is not None:
            assert np.array_equal(a_cols.values[amount.name], b_cols.values[amount.name]), key
    for k, need in enumerate(NEEDS):
        if narrow.answers(need):
            assert np.array_equal(a.gaps[k], b.gaps[k]) and np.array_equal(a.undecided[k], b.undecided[k]), need
        else:
            assert not b.gaps[k].any() and not b.undecided[k].any(), need
    assert b.effects.shape[0] == 0


@pytest.mark.parametrize("question", [{}, *QUESTIONS[:3]])
def test_two_valued_evaluation_is_the_eligible_outcome(full, population, question):
    pop, needs = population
    engine = VectorEngine(select(full, **question))
    decided = engine.run(_columns(pop), needs)
    assert np.array_equal(engine.eligible(_columns(pop)), decided.outcome == ELIGIBLE)


@pytest.mark.parametrize("persona", ["mr-k", "ex-spouses-one-address", "pregnant-19", "alcoholic-client"])
def test_a_check_of_some_provisions_equals_the_full_check_for_them(full, persona):
    profile = load_profile(ROOT / "scenarios" / "personas" / f"{persona}.yaml")
    whole = check_json(check_profile(profile, full))
    for question in QUESTIONS:
        part = check_json(check_profile(profile, select(full, **question)))
        shown = {v["provision"] for v in part["verdicts"]}
        expected = [v for v in whole["verdicts"] if v["provision"] in shown]
        assert part["verdicts"] == expected and len(shown) < len(whole["verdicts"])
        assert part["effects"] == [] and part["effects_if_staying"] == []
        answered = select(full, **question).answered
        assert part["gaps"] == [n for n in whole["gaps"] if n in answered]


def test_check_run_and_diff_take_provisions_and_needs(tmp_path, full):
    runner = CliRunner()
    out = runner.invoke(main, ["check", str(ROOT / "scenarios/personas/mr-k.yaml"), "--date", "2026-01-15",
                               "--provisions", f"{BIJSTAND},{ZORG}", "--format", "json", "--assume", "practice"])
    assert out.exit_code == 0, out.output
    assert {v["provision"] for v in json.loads(out.output)["verdicts"]} == {"wpi_briefadres", "algemene_bijstand",
                                                                           "zorgtoeslag"}
    out = runner.invoke(main, ["run", str(ROOT / "scenarios/divorced-working-men.yaml"), "--size", "3000",
                               "--workers", "1", "--out", str(tmp_path / "run"), "--needs", "income"])
    assert out.exit_code == 0, out.output
    import pyarrow.parquet as pq

    columns = pq.read_table(tmp_path / "run" / "rows" / "part-00000.parquet").column_names
    assert BIJSTAND in columns and "zorgtoeslag/zorgtoeslag" not in columns
    out = runner.invoke(main, ["diff", "--from", "2025-03-01", "--to", "2026-01-15", "--size", "500",
                               str(ROOT / "scenarios/low-income-adults.yaml"), "--needs", "income", "--format", "json"])
    assert out.exit_code in (0, 1), out.output
    findings = json.loads(out.output)["findings"]
    subjects = {f["subject"] for f in findings}
    assert BIJSTAND in subjects and subjects <= {p.key for p in select(full, needs=["income"]).provisions} | {"income"}


def test_unknown_provisions_and_needs_are_one_line_errors(full):
    with pytest.raises(InputError, match="did you mean zorgtoeslag/zorgtoeslag"):
        select(full, ["zorgtoeslag/zorgtoesla"])
    with pytest.raises(InputError, match="is not a need"):
        select(full, needs=["money"])
    out = CliRunner().invoke(main, ["check", str(ROOT / "scenarios/personas/mr-k.yaml"), "--provisions", "x/y"])
    assert out.exit_code == 2 and "names no provision" in out.output and "Traceback" not in out.output


def test_the_api_takes_provisions_and_needs(rulesets):
    profile = load_profile(ROOT / "scenarios" / "personas" / "mr-k.yaml").model_dump(mode="json", exclude_none=True)
    with TestClient(create_app(rulesets, DATE)) as client:
        whole = client.post("/api/v1/check", json={"profile": profile, "date": "2026-01-15"}).json()
        part = client.post("/api/v1/check", json={"profile": profile, "date": "2026-01-15", "needs": ["housing"]})
        assert part.status_code == 200
        shown = {v["provision"] for v in part.json()["verdicts"]}
        assert part.json()["verdicts"] == [v for v in whole["verdicts"] if v["provision"] in shown]
        assert part.json()["gaps"] == whole["gaps"] == ["housing"]
        bad = client.post("/api/v1/check", json={"profile": profile, "provisions": ["zorgtoeslag/zorg"]})
        assert bad.status_code == 422 and "names no provision" in bad.json()["error"]
