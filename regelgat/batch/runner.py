"""Batch runs: a scenario's population through the rules, chunk by chunk, into an output folder.

Layout of the output folder:

    run.json              what was run (scenario, size, seed, date, rulesets, engine) and progress
    rows/part-00000.parquet   profile-level results, one file per chunk (or .jsonl)
    chunks/00000.npz      the chunk's condensed counts; its presence marks the chunk done
    summary.json          the merged results (sorted keys; the same bytes for the same run)
    report.md, report.html

Each chunk is one generation block. Workers (a local process pool, or a Dask cluster) generate,
evaluate and condense a chunk and return bytes; only this process writes files, each through a
temporary name and a rename, rows first and the chunk's counts last. A run that is interrupted
is resumed by running the same command again: finished chunks are kept, the rest are redone,
so no row is lost or written twice.

Every chunk also sends a random sample of its profiles (default 0.1%, at least one) through
durable_rules and `verdicts.decide`, profile by profile; any difference stops the run.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import io
import json
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from regelgat import __version__
from regelgat.io.atomic import write_atomic
from regelgat.rules.compiled import CompiledRules
from regelgat.engines.vector import BLOCKED, OUTCOMES, Decisions, VectorEngine, encode, row_facts
from regelgat.io.errors import InputError
from regelgat.population.generate import BLOCK, Population, derive, generate_block, materialise, profile_dicts
from regelgat.client.profile import NEEDS
from regelgat.population.scenario import Scenario
from regelgat.batch.summary import ChunkStats, Derived, Layout, Merger, chunk_stats, derive_results, finish

ENGINES = ("vector", "durable")


class CrossCheckError(RuntimeError):
    """The numpy engine and durable_rules disagree on a profile: a bug, never a result."""

    def __init__(self, message: str, profile: dict[str, Any]) -> None:
        super().__init__(message)
        self.profile = profile


@dataclass(frozen=True)
class Job:
    """Everything a worker needs; sent once per worker (process pool) or scattered (Dask)."""

    scenario: Scenario
    compiled: CompiledRules
    engine: str = "vector"
    check_rate: float = 0.001
    rows: str = "parquet"


@dataclass
class ChunkOutput:
    index: int
    n: int
    stats: bytes
    rows: bytes
    checked: int
    seconds: float


# ---- one chunk (runs in a worker) ---------------------------------------------------------------

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


def chunk_count(size: int) -> int:
    return -(-size // BLOCK)


def run_chunk(job: Job, index: int) -> ChunkOutput:
    """Generate, evaluate and condense chunk `index` (profiles index*BLOCK ...)."""
    started = time.perf_counter()
    engine, layout = _prepared(job)
    scenario = job.scenario
    pop = generate_block(scenario, index)
    n = min(BLOCK, scenario.size - index * BLOCK)
    if n < BLOCK:
        pop = pop.take(np.arange(n))
    cols = derive(pop)
    needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
    if job.engine == "durable":
        decisions = _durable_decisions(job, engine, pop, needs)
        checked = 0
    else:
        decisions = engine.run(cols, needs)
        checked = cross_check(job, engine, pop, cols, decisions)
    derived = derive_results(layout, pop, cols, decisions)
    stats = chunk_stats(layout, pop, cols, decisions, derived)
    stats.checked = checked
    rows = encode_rows(job, layout, pop, decisions, derived)
    return ChunkOutput(index, n, stats.to_bytes(), rows, checked, time.perf_counter() - started)


def _durable_decisions(job: Job, engine: VectorEngine, pop: Population, needs: np.ndarray) -> Decisions:
    from regelgat.client.facts import profile_facts
    from regelgat.rules.verdicts import decide

    results = []
    with _durable_lock:
        durable = _durable(job)
        for profile in materialise(pop):
            results.append(decide(job.compiled, durable.evaluate(profile_facts(profile)), profile.needs))
    return encode(engine, results, needs)


def sample_rows(job: Job, pop: Population) -> np.ndarray:
    """The rows of a chunk to re-check with durable_rules: a fixed share by profile key, at least one."""
    from regelgat.batch.summary import profile_keys

    keys = profile_keys(job.scenario.seed, pop.start + np.arange(pop.n))
    limit = np.uint64(min(int(job.check_rate * 2.0**64), 2**64 - 1))
    rows = np.flatnonzero(keys < limit)
    return rows if len(rows) or job.check_rate <= 0 else np.array([int(np.argmin(keys))])


def cross_check(job: Job, engine: VectorEngine, pop: Population, cols, decisions: Decisions) -> int:
    """Re-decide a sample profile by profile with durable_rules; raise CrossCheckError on a difference."""
    from regelgat.client.facts import profile_facts
    from regelgat.rules.verdicts import decide, to_json

    rows = sample_rows(job, pop)
    if not len(rows):
        return 0
    dicts = profile_dicts(pop, rows)
    profiles = materialise(pop, rows)
    with _durable_lock:
        durable = _durable(job)
        for row, profile, data in zip(rows.tolist(), profiles, dicts):
            facts = profile_facts(profile)
            mine = row_facts(cols, row, [name for name in engine.facts])
            theirs = {name: facts[name] for name in engine.facts if name in facts}
            if mine != theirs:
                diff = {k: (mine.get(k), theirs.get(k)) for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)}
                raise CrossCheckError(f"profile {profile.id}: column facts differ from facts.profile_facts: {diff}", data)
            reference = decide(job.compiled, durable.evaluate(facts), profile.needs)
            if not _same(engine, decisions, row, reference):
                vector = engine.result(decisions, row)
                a = to_json(reference, profile.id, facts, job.compiled)
                b = to_json(vector, profile.id, facts, job.compiled)
                where = [v["provision"] for v, w in zip(a["verdicts"], b["verdicts"]) if v != w]
                extra = [k for k in ("gaps", "loops", "effects") if a[k] != b[k]]
                raise CrossCheckError(f"profile {profile.id}: numpy and durable_rules verdicts differ "
                                      f"({', '.join(where + extra)})", data)
    return len(rows)


def _same(engine: VectorEngine, decisions: Decisions, row: int, reference) -> bool:
    """Whether column `row` of decisions says exactly what a verdicts.Result says (all reasons too)."""
    mine = decisions.take(np.array([row]))
    theirs = encode(engine, [reference], mine.needs)
    return (np.array_equal(mine.status, theirs.status) and np.array_equal(mine.outcome, theirs.outcome)
            and np.array_equal(mine.gaps, theirs.gaps) and np.array_equal(mine.effects, theirs.effects)
            and engine.loops_for(engine.unmet(mine)[:, 0], mine.outcome[:, 0] == BLOCKED) == reference.loops)


# ---- profile-level rows ----------------------------------------------------------------------------

def _labels_from_bits(codes: np.ndarray, names: tuple[str, ...]) -> list[str]:
    return [",".join(n for k, n in enumerate(names) if code >> k & 1) for code in range(1 << len(names))]


def row_table(job: Job, layout: Layout, pop: Population, decisions: Decisions, derived: Derived):
    """The chunk's profile-level results as a pyarrow Table (dictionary-encoded where it repeats)."""
    import pyarrow as pa

    scenario = job.scenario
    columns: dict[str, Any] = {"index": pa.array(pop.start + np.arange(pop.n), pa.int64())}

    def coded(codes: np.ndarray, labels: list[str]) -> Any:
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(labels, pa.string()))

    for name, codes, labels in derived.groups[1:]:
        columns[f"group:{name}"] = coded(codes, list(labels))
    for name in scenario.varying():
        values = pop.values[name]
        present = pop.present.get(name)
        mask = None if present is None else ~present
        if name in pop.vocab:
            columns[name] = pa.DictionaryArray.from_arrays(pa.array(values.astype(np.int32), mask=mask),
                                                           pa.array(list(pop.vocab[name]), pa.string()))
        else:
            columns[name] = pa.array(values, mask=mask)
    for name in ("children", "co_residents"):
        if scenario.slots[name].count.dist is not None:
            columns[f"{name}_count"] = pa.array(pop.values[f"{name}.count"])
    if scenario.sleeps["present"].dist is not None:
        columns["sleeps_elsewhere"] = pa.array(pop.values["sleeps_elsewhere.present"])
    need_code = np.zeros(pop.n, dtype=np.int64)
    for k, need in enumerate(NEEDS):
        need_code |= pop.values[f"needs.{need}"].astype(np.int64) << k
    bit_labels = _labels_from_bits(need_code, NEEDS)
    columns["needs"] = coded(need_code, bit_labels)
    columns["gaps"] = coded(derived.gap_code, bit_labels)
    pattern_ids = [hashlib.blake2b(bytes.fromhex(s), digest_size=6).hexdigest() for s in derived.pattern_sigs]
    # "" where there is no pattern or loop. Loops are plain strings: pyarrow writes a dictionary page
    # of long strings with stray bytes that differ between processes, breaking byte-identical files.
    columns["pattern"] = coded(derived.pattern_local + 1, ["", *pattern_ids])
    loop_labels = [" | ".join(" -> ".join((*loop, loop[0])) for loop in loops) for loops in derived.loop_keys]
    columns["loops"] = pa.array(np.array(["", *loop_labels], dtype=object)[derived.loop_local + 1], pa.string())
    outcome_labels = pa.array(list(OUTCOMES), pa.string())
    for p, key in enumerate(layout.engine.keys):
        columns[key] = pa.DictionaryArray.from_arrays(pa.array(decisions.outcome[p].astype(np.int32)), outcome_labels)
    return pa.table(columns)


def encode_rows(job: Job, layout: Layout, pop: Population, decisions: Decisions, derived: Derived) -> bytes:
    if job.rows == "none":
        return b""
    table = row_table(job, layout, pop, decisions, derived)
    if job.rows == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = io.BytesIO()
        coded = [f.name for f in table.schema if not (pa.types.is_integer(f.type) or pa.types.is_floating(f.type))]
        pq.write_table(table, sink, compression="snappy", write_statistics=False, use_dictionary=coded)
        return sink.getvalue()
    lines = [json.dumps(row, sort_keys=True, ensure_ascii=False) for row in table.to_pylist()]
    return ("\n".join(lines) + "\n").encode()


# ---- the run (this process) -------------------------------------------------------------------------

@dataclass
class RunOptions:
    out: Path
    engine: str = "vector"
    workers: int = 0  # 0: one per core
    executor: str = "local"
    scheduler: str | None = None
    check_rate: float = 0.001
    rows: str = "parquet"
    restart: bool = False


@dataclass
class RunResult:
    summary: dict[str, Any]
    out: Path
    seconds: float
    resumed_chunks: int
    checked: int


def fingerprint(scenario: Scenario, compiled: CompiledRules, options: RunOptions) -> dict[str, Any]:
    """What makes two runs the same run (and a half-finished one resumable)."""
    digest = hashlib.sha256(scenario.path.read_bytes())
    for ruleset in compiled.rulesets:
        digest.update(ruleset.path.read_bytes())
    return {"scenario": str(scenario.path), "size": scenario.size, "seed": scenario.seed,
            "date": scenario.date.isoformat(), "engine": options.engine, "rows": options.rows,
            "block": BLOCK, "version": __version__, "inputs_sha256": digest.hexdigest()}


def prepare_out(out: Path, print_fn: Callable[[str], None], wanted: dict[str, Any], restart: bool) -> set[int]:
    """Create or reuse the output folder; return the chunks already done."""
    run_file = out / "run.json"
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "", "exists and is not a folder", "give --out a folder")
    done: set[int] = set()
    if run_file.exists() and not restart:
        try:
            previous = json.loads(run_file.read_text())["run"]
        except (ValueError, KeyError):
            previous = None
        if previous != wanted:
            raise InputError(str(out), "run.json", "holds a different run (scenario, size, seed, date, engine, "
                             "rules or version differ)", "give another --out, or --restart to discard it")
        for path in (out / "chunks").glob("*.npz"):
            done.add(int(path.stem))
    elif restart and out.exists():
        for sub in ("chunks", "rows"):
            for path in (out / sub).glob("*"):
                path.unlink()
        for name in ("summary.json", "report.md", "report.html", "run.json"):
            (out / name).unlink(missing_ok=True)
    (out / "chunks").mkdir(parents=True, exist_ok=True)
    (out / "rows").mkdir(parents=True, exist_ok=True)
    for stray in [*out.glob("*/*.tmp"), *out.glob("*.tmp")]:
        stray.unlink()
    write_atomic(run_file, json.dumps({"run": wanted, "complete": False}, indent=1, sort_keys=True).encode())
    return done


def _row_suffix(rows: str) -> str:
    return {"parquet": ".parquet", "jsonl": ".jsonl"}.get(rows, "")


def run_batch(scenario: Scenario, compiled: CompiledRules, options: RunOptions,
              progress: Callable[[int, int], None] | None = None,
              print_fn: Callable[[str], None] = lambda s: None) -> RunResult:
    """Run the whole population; returns the summary (also written to OUT/summary.json)."""
    if options.engine not in ENGINES:
        raise InputError("--engine", "", f"unknown engine {options.engine!r}", f"use one of {', '.join(ENGINES)}")
    if not 0 <= options.check_rate <= 1:
        raise InputError("--check-sample", "", f"{options.check_rate} is not a share between 0 and 1",
                         "e.g. --check-sample 0.001")
    started = time.perf_counter()
    out = options.out
    wanted = fingerprint(scenario, compiled, options)
    done = prepare_out(out, print_fn, wanted, options.restart)
    total = chunk_count(scenario.size)
    done &= set(range(total))
    if done:
        print_fn(f"resuming: {len(done)} of {total} chunks were already done")
    todo = [i for i in range(total) if i not in done]
    job = Job(scenario, compiled, options.engine, options.check_rate, options.rows)
    suffix = _row_suffix(options.rows)
    profiles_done = sum(min(BLOCK, scenario.size - i * BLOCK) for i in done)
    checked = 0
    if progress:
        progress(profiles_done, scenario.size)

    # Chunk counts are merged in chunk order while the workers go on (out-of-order ones wait),
    # so the merged sums are the same whatever the order in which chunks finish.
    merging = StreamingMerge(job, out, total)

    def store(output: ChunkOutput) -> None:
        nonlocal profiles_done, checked
        if suffix:
            write_atomic(out / "rows" / f"part-{output.index:05d}{suffix}", output.rows)
        write_atomic(out / "chunks" / f"{output.index:05d}.npz", output.stats)
        merging.arrived(output.index, output.stats)
        profiles_done += output.n
        checked += output.checked
        if progress:
            progress(profiles_done, scenario.size)

    workers = options.workers or os.cpu_count() or 1
    try:
        if options.executor == "dask":
            _run_dask(job, todo, options.scheduler, store)
        elif workers <= 1 or len(todo) <= 1:
            for index in todo:
                store(run_chunk(job, index))
        else:
            _run_pool(job, todo, workers, store)
    except CrossCheckError as exc:
        bad = out / "mismatch-profile.json"
        write_atomic(bad, json.dumps(exc.profile, indent=1, sort_keys=True))
        raise CrossCheckError(f"{exc} (profile written to {bad})", exc.profile) from None

    summary = merging.summary()
    text = json.dumps(summary, indent=1, sort_keys=True, ensure_ascii=False)
    write_atomic(out / "summary.json", text.encode())
    seconds = time.perf_counter() - started
    write_atomic(out / "run.json", json.dumps({"run": wanted, "complete": True, "seconds": round(seconds, 3),
                                         "resumed_chunks": len(done)}, indent=1, sort_keys=True).encode())
    return RunResult(summary, out, seconds, len(done), checked)


class StreamingMerge:
    """Adds chunk counts in chunk order as they arrive; chunks already on disk are read when due."""

    def __init__(self, job: Job, out: Path, total: int) -> None:
        self.job, self.out, self.total = job, out, total
        self.layout = Layout(VectorEngine(job.compiled), job.scenario)
        self.merger = Merger(self.layout)
        self.next = 0
        self.waiting: dict[int, bytes] = {}

    def arrived(self, index: int, stats: bytes) -> None:
        self.waiting[index] = stats
        self._advance()

    def _advance(self) -> None:
        while self.next < self.total:
            data = self.waiting.pop(self.next, None)
            if data is None:
                path = self.out / "chunks" / f"{self.next:05d}.npz"
                if not path.exists():
                    return
                data = path.read_bytes()
            self.merger.add(ChunkStats.from_bytes(data))
            self.next += 1

    def summary(self) -> dict[str, Any]:
        self._advance()
        if self.next < self.total:
            raise RuntimeError(f"chunk {self.next} is missing from {self.out / 'chunks'}")
        return _finish(self.job, self.layout, self.merger)


def _finish(job: Job, layout: Layout, merger: Merger) -> dict[str, Any]:
    check = {"engine": job.engine, "sample_share": job.check_rate, "mismatches": 0,
             "cross_checked_with_durable_rules": merger.checked if job.engine == "vector" else None}
    scenario = job.scenario
    meta = {"scenario": {"id": scenario.id, "title": scenario.title,
                         "description": " ".join((scenario.spec.description or "").split()),
                         "size": scenario.size, "seed": scenario.seed, "date": scenario.date.isoformat(),
                         "fixed": {k: v for k, v in sorted(scenario.spec.fixed.items())},
                         "varying": sorted(scenario.spec.vary)},
            "rulesets": [{"id": r.id, "title": r.spec.title, "agency": r.spec.agency} for r in job.compiled.rulesets],
            "rows": {"format": job.rows, "files": f"rows/part-*{_row_suffix(job.rows)}" if job.rows != "none" else None,
                     "profile_id": f"{scenario.id}-<index>"}}
    return {**finish(layout, merger, meta), "check": check}


def _worker_init(job: Job) -> None:
    _state["pool_job"] = job


def _pool_chunk(index: int) -> ChunkOutput:
    return run_chunk(_state["pool_job"], index)


def _run_pool(job: Job, todo: list[int], workers: int, store: Callable[[ChunkOutput], None]) -> None:
    if job.rows == "parquet":
        import pyarrow.parquet  # noqa: F401  imported once here, so that forked workers inherit it
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                                initargs=(job,)) as pool:
        pending: set[cf.Future] = set()
        queue = list(todo)
        window = workers * 2  # bounded, so finished chunks never pile up in memory
        try:
            while queue or pending:
                while queue and len(pending) < window:
                    pending.add(pool.submit(_pool_chunk, queue.pop(0)))
                finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    store(future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _run_dask(job: Job, todo: list[int], scheduler: str | None, store: Callable[[ChunkOutput], None]) -> None:
    if not scheduler:
        raise InputError("--scheduler", "", "--executor dask needs a scheduler address",
                         "e.g. --scheduler tcp://10.0.0.5:8786")
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("--executor", "", "dask.distributed is not installed",
                         "pip install 'dask[distributed]'") from None
    client = scheduler if not isinstance(scheduler, str) else None
    owned = client is None
    if owned:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError("--scheduler", "", f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                             "check the address and that the scheduler runs") from None
    try:
        shared = client.scatter(job, broadcast=True)
        queue = list(todo)
        window = max(2 * sum(client.nthreads().values()), 2)
        futures = as_completed()
        for _ in range(min(window, len(queue))):
            futures.add(client.submit(run_chunk, shared, queue.pop(0), pure=False))
        for future in futures:
            store(future.result())
            future.release()
            if queue:
                futures.add(client.submit(run_chunk, shared, queue.pop(0), pure=False))
    finally:
        if owned:
            client.close()

