"""Batch runs: reproducible whatever the workers, resumable without lost or doubled rows, loud on
an engine difference, the same through durable_rules and through Dask."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from regelgat.engines import vector as engine_vector
from regelgat.batch.runner import RunOptions, run_batch
from regelgat.io.errors import CrossCheckError
from regelgat.check.single import default_rulesets_dir
from regelgat.rules.compiled import compile_rules
from regelgat.io.errors import InputError
from regelgat.population.generate import BLOCK
from regelgat.rules.ruleset import load_rulesets
from regelgat.population.scenario import load_scenario
from conftest import EVERYTHING, FIXTURE_RULES, ROOT

THREE_CHUNKS = 2 * BLOCK + 1000


@pytest.fixture(scope="module")
def compiled():
    scenario = load_scenario(EVERYTHING)
    return compile_rules(load_rulesets(FIXTURE_RULES), scenario.date)


def _run(compiled, out: Path, size: int, **options):
    scenario = load_scenario(EVERYTHING).with_overrides(size=size)
    progress = options.pop("progress", None)
    return run_batch(scenario, compiled, RunOptions(out=out, **options), progress=progress)


def _rows(out: Path):
    return [pq.read_table(p) for p in sorted(out.glob("rows/*.parquet"))]


def _indices(out: Path) -> np.ndarray:
    return np.concatenate([t.column("index").to_numpy() for t in _rows(out)])


def test_same_results_byte_for_byte_whatever_the_workers(compiled, tmp_path):
    one = _run(compiled, tmp_path / "one", THREE_CHUNKS, workers=1)
    two = _run(compiled, tmp_path / "two", THREE_CHUNKS, workers=2)
    assert (tmp_path / "one" / "summary.json").read_bytes() == (tmp_path / "two" / "summary.json").read_bytes()
    rows_one, rows_two = sorted((tmp_path / "one" / "rows").iterdir()), sorted((tmp_path / "two" / "rows").iterdir())
    assert len(rows_one) == len(rows_two) == 3
    for a, b in zip(rows_one, rows_two):
        assert a.read_bytes() == b.read_bytes()
    assert one.summary.profiles == two.summary.profiles == THREE_CHUNKS
    assert np.array_equal(_indices(tmp_path / "one"), np.arange(THREE_CHUNKS))
    assert one.checked >= 3  # at least one profile per chunk went through durable_rules


def test_an_interrupted_run_resumes_without_lost_or_doubled_rows(compiled, tmp_path):
    full = _run(compiled, tmp_path / "full", THREE_CHUNKS, workers=1)

    class Stop(Exception):
        pass

    calls = []

    def stop_after_first_chunk(done, total):
        calls.append(done)
        if done > 0:
            raise Stop

    with pytest.raises(Stop):
        _run(compiled, tmp_path / "cut", THREE_CHUNKS, workers=1, progress=stop_after_first_chunk)
    assert len(list((tmp_path / "cut" / "chunks").glob("*.npz"))) == 1
    assert not (tmp_path / "cut" / "summary.json").exists()
    # A crash between writing a chunk's rows and its counts leaves rows without counts: redone.
    (tmp_path / "cut" / "rows" / "part-00001.parquet").write_bytes(b"half-written")
    (tmp_path / "cut" / "rows" / "part-00002.parquet.tmp").write_bytes(b"half-written")
    resumed = _run(compiled, tmp_path / "cut", THREE_CHUNKS, workers=2)
    assert resumed.resumed_chunks == 1
    assert (tmp_path / "cut" / "summary.json").read_bytes() == (tmp_path / "full" / "summary.json").read_bytes()
    assert np.array_equal(_indices(tmp_path / "cut"), np.arange(THREE_CHUNKS))
    assert not list((tmp_path / "cut").glob("**/*.tmp"))
    assert full.summary.as_data() == json.loads((tmp_path / "cut" / "summary.json").read_text())


def test_a_different_run_in_the_same_folder_is_refused_unless_restarted(compiled, tmp_path):
    _run(compiled, tmp_path / "out", 2000, workers=1)
    with pytest.raises(InputError, match="holds a different run"):
        _run(compiled, tmp_path / "out", 3000, workers=1)
    again = _run(compiled, tmp_path / "out", 3000, workers=1, restart=True)
    assert again.summary.profiles == 3000 and again.resumed_chunks == 0


def test_a_difference_with_durable_rules_stops_the_run(compiled, tmp_path, monkeypatch):
    decide = engine_vector.VectorEngine.decide

    def wrong(self, atoms, needs):
        decisions = decide(self, atoms, needs)
        decisions.outcome[0] = engine_vector.ELIGIBLE  # the first provision accepts everyone
        return decisions

    monkeypatch.setattr(engine_vector.VectorEngine, "decide", wrong)
    with pytest.raises(CrossCheckError, match="numpy and durable_rules verdicts differ"):
        _run(compiled, tmp_path / "out", 5000, workers=1, check_rate=0.01)
    bad = json.loads((tmp_path / "out" / "mismatch-profile.json").read_text())
    assert bad["id"].startswith("everything-")


def _corrupt_the_rarest_patterns(monkeypatch):
    """The numpy engine goes wrong only on the profiles of a chunk's rarest outcome patterns."""
    from regelgat.batch.chunk import outcome_patterns

    decide = engine_vector.VectorEngine.decide

    def wrong(self, atoms, needs):
        decisions = decide(self, atoms, needs)
        inverse, counts = outcome_patterns(decisions)
        rare = np.flatnonzero(counts[inverse] == counts.min())
        first = decisions.outcome[0, rare]
        decisions.outcome[0, rare] = np.where(first == engine_vector.ELIGIBLE, engine_vector.OUTCOMES.index(
            "ineligible"), engine_vector.ELIGIBLE)
        return decisions

    monkeypatch.setattr(engine_vector.VectorEngine, "decide", wrong)


def test_the_cross_check_costs_the_same_whatever_the_size(compiled, tmp_path):
    from regelgat.batch.chunk import CHECK_EDGES, CHECK_MAX

    small = _run(compiled, tmp_path / "s", 20_000, workers=1, check_rate=0.001)
    large = _run(compiled, tmp_path / "l", THREE_CHUNKS, workers=2, check_rate=0.01)  # uncapped: 1,320
    assert 10 <= small.checked <= 35 + CHECK_EDGES  # 0.1% of 20,000, drawn by profile key
    assert CHECK_MAX * 0.7 <= large.checked <= CHECK_MAX * 1.3 + 3 * CHECK_EDGES
    old = _run(compiled, tmp_path / "o", THREE_CHUNKS, workers=1, check_rate=0.01, check_max=None, check_edges=0)
    assert old.checked > 1000


def test_the_cross_check_sees_a_difference_on_the_rarest_profiles_only(compiled, tmp_path, monkeypatch):
    _corrupt_the_rarest_patterns(monkeypatch)
    for name, cap in (("default", None), ("edges-only", 0)):  # edges-only: no random sample at all
        options = {} if cap is None else {"check_max": cap}
        with pytest.raises(CrossCheckError, match="numpy and durable_rules verdicts differ"):
            _run(compiled, tmp_path / name, 5000, workers=1, **options)


def test_durable_engine_gives_the_same_summary(compiled, tmp_path):
    vector = _run(compiled, tmp_path / "v", 1500, workers=1).summary.as_data()
    durable = _run(compiled, tmp_path / "d", 1500, workers=1, engine="durable").summary.as_data()
    vector.pop("check"), durable.pop("check")
    assert vector == durable


def test_dask_executor_on_a_local_cluster(compiled, tmp_path):
    from distributed import LocalCluster

    local = _run(compiled, tmp_path / "local", BLOCK + 500, workers=1)
    with LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as cluster:
        dask = _run(compiled, tmp_path / "dask", BLOCK + 500, executor="dask", scheduler=cluster.scheduler_address)
    assert dask.summary == local.summary
    assert (tmp_path / "dask" / "summary.json").read_bytes() == (tmp_path / "local" / "summary.json").read_bytes()


def test_jsonl_rows(compiled, tmp_path):
    _run(compiled, tmp_path / "out", 700, workers=1, rows="jsonl")
    lines = (tmp_path / "out" / "rows" / "part-00000.jsonl").read_text().splitlines()
    assert len(lines) == 700
    first = json.loads(lines[0])
    assert first["index"] == 0 and "income/bijstand" in first and "gaps" in first


def test_summary_counts_add_up(compiled, tmp_path):
    summary = _run(compiled, tmp_path / "out", 20_000, workers=1).summary.as_data()
    overall = summary["by_group"]["all"]["all"]
    assert overall["profiles"] == 20_000
    for group in summary["groups"]:
        entries = summary["by_group"][group["name"]].values()
        assert sum(e["profiles"] for e in entries) == 20_000
        assert sum(e["any_gap"] for e in entries) == overall["any_gap"]
    assert sum(p["count"] for p in summary["patterns"]) == overall["any_gap"]
    for pattern in summary["patterns"][:5]:
        assert "typical" in pattern and "simplest" in pattern
        assert set(pattern["gaps"]) <= set(pattern["typical"]["needs"])
    loops = {tuple(l["loop"]) for l in summary["loops"]}
    assert ("care/clinic", "care/social") in loops and ("income/bijstand", "income/briefadres") in loops
    rows = _rows(tmp_path / "out")[0]
    assert rows.num_rows == 20_000
    gaps = rows.column("gaps").to_pylist()
    assert sum(1 for g in gaps if "housing" in g) == overall["gap_housing"]


def test_regelgat_run_on_the_divorced_men_shows_mr_k_pattern(tmp_path):
    """Acceptance: a housing gap with income above the bijstand norm is among the top gaps."""
    env = {**os.environ, "CI": "true"}
    run = subprocess.run([sys.executable, "-m", "regelgat", "run", str(ROOT / "scenarios" / "divorced-working-men.yaml"),
                          "--size", "20000", "--out", str(tmp_path / "out"), "--lang", "en"],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    for name in ("summary.json", "report.md", "report.html", "run.json"):
        assert (tmp_path / "out" / name).exists()
    assert "\r" not in run.stderr and "ETA" not in run.stderr  # no progress bar outside a terminal
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    top = summary["patterns"][:5]

    def mr_k(pattern):
        # Self-reliant, so the shelter refuses him; earning above the bijstand norm, like most of the pattern.
        shelter = [r for r in pattern["refusals"] if r["provision"] == "amsterdam-shelter/mo_adult"]
        by_income = pattern["by_group"]["income_band"]
        above_norm = pattern["count"] - by_income["below the bijstand norm"]
        return "housing" in pattern["gaps"] and above_norm > pattern["count"] / 2 and any(
            d["criterion"] == "limited_self_reliance" for r in shelter for d in r["deciding"])

    assert any(mr_k(p) for p in top), [p["label"] for p in top]
    assert "Gaps by age band" in run.stdout and "profiles/s" in run.stderr
    assert {r["id"] for r in summary["rulesets"]} == {r.id for r in load_rulesets(default_rulesets_dir())}


def test_regelgat_run_reports_in_dutch_from_the_locale(tmp_path):
    env = {**os.environ, "CI": "true", "LANG": "nl_NL.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    run = subprocess.run([sys.executable, "-m", "regelgat", "run", str(ROOT / "scenarios" / "divorced-working-men.yaml"),
                          "--size", "2000", "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert "Gaten per leeftijdsgroep" in run.stdout and "Gaps by" not in run.stdout
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "## In het kort" in report and "van de 2.000 profielen" in report
    assert "## In short" not in report


def _bundled_run(out: Path, size: int, **options):
    scenario = load_scenario(ROOT / "scenarios" / "low-income-amsterdam.yaml").with_overrides(size=size)
    compiled = compile_rules(load_rulesets(default_rulesets_dir()), scenario.date)
    return run_batch(scenario, compiled, RunOptions(out=out, **options))


def test_amounts_and_the_shortfall_are_columns_and_the_summary_gives_their_distribution(tmp_path):
    result = _bundled_run(tmp_path / "out", 6000, workers=1, check_rate=0.02)
    table = pq.read_table(sorted((tmp_path / "out").glob("rows/*.parquet"))[0])
    rows = table.to_pydict()
    bijstand = rows["amount:participatiewet-bijstand/algemene_bijstand"]
    outcome = rows["participatiewet-bijstand/algemene_bijstand"]
    assert any(a and a > 0 for a in bijstand)
    assert all(a == 0 for a, o in zip(bijstand, outcome) if o != "eligible")  # paid only when eligible
    shortfall = rows["shortfall"]
    assert all((s is not None) == ("income" in g.split(",")) for s, g in zip(shortfall, rows["gaps"]))
    summary = result.summary
    group = next(g for g in summary.groups if g.name != "all")
    for label in group.labels:
        mine = sorted(s for s, l in zip(shortfall, rows[f"group:{group.name}"]) if l == label and s is not None)
        entry = summary.by_group[group.name][label]
        assert entry.shortfall_profiles == len(mine)
        assert entry.shortfall_over_100 == sum(s > 100 for s in mine)
        assert entry.shortfall_over_500 == sum(s > 500 for s in mine)
        if mine:
            assert entry.shortfall_median == float(np.ceil(mine[(len(mine) - 1) // 2]))
    from regelgat.batch.report_html import render_html
    from regelgat.batch.report_markdown import render_markdown

    from regelgat.batch.wording import Words

    assert "Below the social minimum" in render_markdown(summary) and "Below the social minimum" in render_html(summary)
    assert "Onder het sociaal minimum" in render_markdown(summary, Words("nl"))


def test_an_amount_a_cent_off_stops_the_run(tmp_path, monkeypatch):
    from regelgat.engines import vector_amounts

    column = vector_amounts.amount_column

    def off_by_a_cent(amount, cols, cache=None):
        values, known = column(amount, cols, cache)
        return (values + 0.01 if amount.name == "bijstand" else values), known

    monkeypatch.setattr(vector_amounts, "amount_column", off_by_a_cent)
    with pytest.raises(CrossCheckError, match="amount participatiewet-bijstand/bijstand"):
        _bundled_run(tmp_path / "out", 3000, workers=1, check_rate=0.05)
