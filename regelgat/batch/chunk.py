"""One chunk of a batch run, as a worker runs it: generate, decide, cross-check, condense.

Every chunk also sends some of its profiles through durable_rules and `verdicts.decide`, profile by
profile; any difference stops the run. Which: a random share (default 0.1%) capped at CHECK_MAX
profiles per run, so that the check costs the same whatever the size (one by one, durable_rules
decides about 1,000 profiles a second: 0.1% of a million took 40% of the run), plus the edges of
each chunk: a profile of each of its CHECK_EDGES rarest outcome patterns (every reason's status,
outcome, gap and effect), where a difference between the engines is likeliest to hide.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from regelgat.batch.chunk_stats import ChunkStats, Layout, chunk_stats, derive_results
from regelgat.batch.rows import encode_rows
from regelgat.batch.tally import profile_keys
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import Decisions, VectorEngine, encode
from regelgat.io.errors import CrossCheckError
from regelgat.population.generate import BLOCK, derive, sized_block
from regelgat.population.profile_columns import ProfileColumns, materialise, profile_dicts
from regelgat.population.scenario_model import Scenario
from regelgat.rules.columns import row_facts
from regelgat.rules.compiled import CompiledRules


CHECK_MAX = 200  # random profiles re-decided by durable_rules per run, whatever its size
CHECK_EDGES = 4  # and per chunk, a profile of each of its rarest outcome patterns


@dataclass(frozen=True)
class Job:
    """Everything a worker needs; sent once per worker (process pool) or scattered (Dask)."""

    scenario: Scenario
    compiled: CompiledRules
    engine: str = "vector"
    check_rate: float = 0.001
    rows: str = "parquet"
    check_max: int | None = CHECK_MAX  # None: the whole share, however large (the check before the cap)
    check_edges: int = CHECK_EDGES


@dataclass
class ChunkOutput:
    index: int
    n: int
    stats: ChunkStats  # as objects: the main process writes their bytes and merges them without reading them back
    rows: bytes
    checked: int
    seconds: float


_state: dict[str, Any] = {}


_durable_lock = threading.Lock()


def keep_freed_memory() -> None:
    """Let glibc reuse freed memory instead of returning large blocks to the kernel.

    numpy's chunk-sized temporaries are above glibc's mmap threshold, so by default every one
    is a fresh mapping whose pages fault in one by one; for the numpy engine that doubles the
    time. Reusing the heap keeps memory at one chunk's working set, so it stays flat. A no-op
    where there is no glibc.
    """
    if _state.get("malloc_tuned"):
        return
    _state["malloc_tuned"] = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: serve blocks up to 1 GiB from the heap
        libc.mallopt(-1, (1 << 31) - 1)  # M_TRIM_THRESHOLD: keep freed heap memory for reuse
    except (OSError, AttributeError):
        pass


def _prepared(job: Job) -> tuple[VectorEngine, Layout]:
    keep_freed_memory()
    key = id(job)
    if _state.get("key") != key:
        engine = VectorEngine(job.compiled)
        _state.update(key=key, job=job, engine=engine, layout=Layout(engine, job.scenario), durable=None)
    return _state["engine"], _state["layout"]


def _durable(job: Job):
    from regelgat.engines.durable import DurableEngine

    if _state.get("durable") is None:
        _state["durable"] = DurableEngine(job.compiled)
    return _state["durable"]


def rules_folder(compiled: CompiledRules):
    """The folder the run's rulesets come from (a timeline reads the rules of every week there)."""
    return compiled.rulesets[0].path.parent


def chunk_count(size: int) -> int:
    """How many generation blocks (chunks) a population of `size` takes."""
    return -(-size // BLOCK)


def run_chunk(job: Job, index: int) -> ChunkOutput:
    """Generate, evaluate and condense chunk `index` (profiles index*BLOCK ...)."""
    started = time.perf_counter()
    engine, layout = _prepared(job)
    scenario = job.scenario
    pop = sized_block(scenario, index)
    n = pop.n
    cols = derive(pop)
    needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
    if job.engine == "durable":
        decisions = _durable_decisions(job, engine, pop, needs, cols)
        checked = 0
    else:
        decisions = engine.run(cols, needs)
        checked = cross_check(job, engine, pop, cols, decisions)
    derived = derive_results(layout, pop, cols, decisions)
    stats = chunk_stats(layout, pop, cols, decisions, derived)
    stats.checked = checked
    if scenario.timeline is not None:  # weeks without cover: extra count tables, merged like the rest
        from regelgat.batch.weeks import chunk_tables

        stats.counts.update(chunk_tables(scenario.timeline, scenario.seed, index, cols, needs, derived.groups,
                                         rules_folder(job.compiled), scenario.date, scenario.spec.rulesets, pop,
                                         practice=job.compiled.practice))
    rows = encode_rows(job, layout, pop, decisions, derived, cols)
    return ChunkOutput(index, n, stats, rows, checked, time.perf_counter() - started)


def _durable_decisions(job: Job, engine: VectorEngine, pop: ProfileColumns, needs: np.ndarray, cols) -> Decisions:
    """durable_rules profile by profile; the amounts, computed profile by profile too, join `cols`
    as columns for the row files and the shortfall."""
    from regelgat.client.facts import profile_facts
    from regelgat.rules.amounts import add_amounts
    from regelgat.rules.verdicts import decide

    results = []
    amounts = {a.name: (np.zeros(pop.n), np.zeros(pop.n, dtype=bool)) for a in job.compiled.amounts}
    with _durable_lock:
        durable = _durable(job)
        for i, profile in enumerate(materialise(pop)):
            facts = profile_facts(profile)
            for name, value in add_amounts(job.compiled, facts).items():
                if name in amounts:
                    amounts[name][0][i], amounts[name][1][i] = value, True
            results.append(decide(job.compiled, durable.evaluate(facts), profile.needs))
    for name, (values, known) in amounts.items():
        cols.values[name], cols.present[name] = values, known
    return encode(engine, results, needs)


def sample_rows(job: Job, pop: ProfileColumns, decisions: Decisions | None = None) -> np.ndarray:
    """The rows of a chunk to re-check with durable_rules: a share by profile key (capped per run),
    and the chunk's edges; at least one. Chosen from the data and the seed alone: whatever the workers."""
    if job.check_rate <= 0:
        return np.array([], dtype=np.int64)
    keys = profile_keys(job.scenario.seed, pop.start + np.arange(pop.n))
    rate = job.check_rate if job.check_max is None else min(job.check_rate, job.check_max / job.scenario.size)
    limit = np.uint64(min(int(rate * 2.0**64), 2**64 - 1))
    rows = np.flatnonzero(keys < limit)
    if job.check_edges and decisions is not None:
        rows = np.union1d(rows, edge_rows(decisions, keys, job.check_edges))
    return rows if len(rows) else np.array([int(np.argmin(keys))])


def edge_rows(decisions: Decisions, keys: np.ndarray, count: int) -> np.ndarray:
    """For the `count` rarest outcome patterns of a chunk (every status, outcome, gap and effect), the
    profile with the smallest key: the unusual cases a random sample of a few hundred would miss."""
    inverse, counts = outcome_patterns(decisions)
    order = np.lexsort((keys, inverse))  # by pattern, then key: the first row of each pattern leads
    firsts = order[np.r_[0, np.flatnonzero(np.diff(inverse[order])) + 1]]
    rarest = np.lexsort((keys[firsts], counts[inverse[firsts]]))[:count]
    return np.sort(firsts[rarest])


def _mixed(index: int) -> np.uint64:
    """A well-mixed odd 64-bit weight per row (splitmix64). Weights in arithmetic progression, as
    (i + 1) * constant, made different patterns sum alike (rows a + b = c + d) and merged them."""
    z = (index + 1) * 0x9E3779B97F4A7C15 % 2**64
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 % 2**64
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB % 2**64
    return np.uint64((z ^ (z >> 31)) | 1)


_WEIGHTS = [_mixed(i) for i in range(4096)]


def outcome_patterns(decisions: Decisions) -> tuple[np.ndarray, np.ndarray]:
    """Each profile's outcome pattern (every status, outcome, gap and effect) as an index, and the number
    of profiles per pattern."""
    signature = np.zeros(decisions.n, dtype=np.uint64)
    rows = [*decisions.status, *decisions.outcome, *decisions.gaps, *decisions.effects]
    for index, row in enumerate(rows):  # a row at a time: the whole matrix as uint64 would be 100+ MB
        signature += row.astype(np.uint64) * _WEIGHTS[index % len(_WEIGHTS)]
    _, inverse, counts = np.unique(signature, return_inverse=True, return_counts=True)
    return inverse.reshape(-1), counts


def cross_check(job: Job, engine: VectorEngine, pop: ProfileColumns, cols, decisions: Decisions) -> int:
    """Re-decide a sample profile by profile with durable_rules; raise CrossCheckError on a difference."""
    from regelgat.client.facts import profile_facts
    from regelgat.rules.verdicts import decide, to_json

    rows = sample_rows(job, pop, decisions)
    if not len(rows):
        return 0
    dicts = profile_dicts(pop, rows)
    profiles = materialise(pop, rows)
    sampled = decisions.take(rows)  # once: taking one column at a time copies the whole status matrix each time
    with _durable_lock:
        durable = _durable(job)
        for j, (row, profile, data) in enumerate(zip(rows.tolist(), profiles, dicts)):
            facts = profile_facts(profile)
            mine = row_facts(cols, row, [name for name in engine.facts])
            theirs = {name: facts[name] for name in engine.facts if name in facts}
            if mine != theirs:
                diff = {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
                raise CrossCheckError(f"profile {profile.id}: column facts differ from facts.profile_facts: {diff}", data)
            reference = decide(job.compiled, durable.evaluate(facts), profile.needs)
            _same_amounts(job, cols, row, facts, data)
            if not _same(engine, sampled, j, reference):
                vector = engine.result(decisions, row)
                a = to_json(reference, profile.id, facts, job.compiled)
                b = to_json(vector, profile.id, facts, job.compiled)
                where = [v["provision"] for v, w in zip(a["verdicts"], b["verdicts"]) if v != w]
                extra = [k for k in ("gaps", "loops", "effects") if a[k] != b[k]]
                raise CrossCheckError(f"profile {profile.id}: numpy and durable_rules verdicts differ "
                                      f"({', '.join(where + extra)})", data)
    return len(rows)


def _same_amounts(job: Job, cols, row: int, facts: dict, data: dict) -> None:
    """Every amount of the numpy columns equals the profile-by-profile amount to the cent (or both unknown)."""
    from regelgat.rules.amounts import add_amounts

    theirs = add_amounts(job.compiled, facts)
    for amount in job.compiled.amounts:
        mine = float(cols.values[amount.name][row]) if cols.present[amount.name][row] else None
        if mine != theirs.get(amount.name):
            raise CrossCheckError(f"profile {data.get('id')}: amount {amount.key} is {mine} in numpy and "
                                  f"{theirs.get(amount.name)} profile by profile", data)


def _same(engine: VectorEngine, decisions: Decisions, row: int, reference) -> bool:
    """Whether column `row` of decisions says exactly what a verdicts.Result says (all reasons too)."""
    mine = decisions.take(np.array([row]))
    theirs = encode(engine, [reference], mine.needs)
    return (np.array_equal(mine.status, theirs.status) and np.array_equal(mine.outcome, theirs.outcome)
            and np.array_equal(mine.gaps, theirs.gaps) and np.array_equal(mine.effects, theirs.effects)
            and engine.loops_for(engine.unmet(mine)[:, 0], mine.blocked_for_loops()[:, 0]) == reference.loops)
