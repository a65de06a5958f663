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
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from regelgat import __version__
from regelgat.batch.chunk import CHECK_EDGES, CHECK_MAX, ChunkOutput, Job, chunk_count, run_chunk
from regelgat.batch.chunk_stats import ChunkStats, Layout
from regelgat.batch.executors import run_dask, run_pool
from regelgat.batch.merge import Merger
from regelgat.batch.rows import row_suffix, rows_ok
from regelgat.batch.summary import finish
from regelgat.batch.summary_model import Summary
from regelgat.batch.weeks import describe
from regelgat.engines.vector import VectorEngine
from regelgat.io.atomic import write_atomic
from regelgat.io.errors import CrossCheckError, InputError
from regelgat.population.generate import BLOCK
from regelgat.population.scenario_model import Scenario
from regelgat.population.timeline_events import check_provisions
from regelgat.rules.at_date import content_digest
from regelgat.rules.compiled import CompiledRules


ENGINES = ("vector", "durable")


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
    check_max: int | None = CHECK_MAX  # None: the uncapped share (for the benchmark's comparison)
    check_edges: int = CHECK_EDGES


@dataclass
class RunResult:
    summary: Summary
    out: Path
    seconds: float
    resumed_chunks: int
    checked: int


def fingerprint(scenario: Scenario, compiled: CompiledRules, options: RunOptions) -> dict[str, Any]:
    """What makes two runs the same run (and a half-finished one resumable)."""
    # The scenario by its id and content, not by the path's spelling: `runs/x.yaml` and `/home/me/runs/x.yaml`
    # are the same run (the id makes the profile ids; the digest sees every edit).
    return {"scenario": scenario.id, "size": scenario.size, "seed": scenario.seed,
            "date": scenario.date.isoformat(), "reading": compiled.reading, "engine": options.engine, "rows": options.rows,
            "block": BLOCK, "version": __version__,
            "inputs_sha256": content_digest([scenario.path, *(r.path for r in compiled.rulesets)]),
            **({"provisions": [p.key for p in compiled.provisions]} if compiled.answered is not None else {})}


def prepare_out(out: Path, print_fn: Callable[[str], None], wanted: dict[str, Any], restart: bool) -> set[int]:
    """Create or reuse the output folder; return the chunks already done (still to be checked as intact)."""
    run_file = out / "run.json"
    if out.exists() and not out.is_dir():
        raise InputError(str(out), "", "exists and is not a folder", "give a folder for the output", setting="out",
                         code="out-not-folder")
    previous = _previous_run(out)
    done: set[int] = set()
    if previous is not None and not restart:
        if previous != wanted:
            raise InputError(str(out), "run.json", "holds a different run (scenario, size, seed, date, engine, "
                             "rules or version differ)", "give another output folder, or restart to discard it",
                             setting="out", code="other-run")
        for path in (out / "chunks").glob("*.npz"):
            if path.stem.isdigit():
                done.add(int(path.stem))
    elif previous is not None:  # --restart: only a run's own files go
        for sub in ("chunks", "rows"):
            for path in (out / sub).glob("*"):
                path.unlink()
        for name in ("summary.json", "report.md", "report.html", "run.json"):
            (out / name).unlink(missing_ok=True)
        for path in (out / "tables").glob("*.csv"):
            path.unlink()
    (out / "chunks").mkdir(parents=True, exist_ok=True)
    (out / "rows").mkdir(parents=True, exist_ok=True)
    for stray in [*out.glob("*/*.tmp"), *out.glob("*.tmp")]:
        stray.unlink()
    write_atomic(run_file, json.dumps({"run": wanted, "complete": False}, indent=1, sort_keys=True).encode())
    return done


def _previous_run(out: Path) -> dict[str, Any] | None:
    """The run recorded in OUT/run.json; None for a new or empty folder. A folder that holds anything
    else (the user's own summary.json or report.md, a damaged run.json) is refused: never overwrite it."""
    if not out.is_dir():
        return None
    try:
        previous = json.loads((out / "run.json").read_text(encoding="utf-8"))["run"]
        if isinstance(previous, dict):
            return previous
    except (OSError, ValueError, KeyError, TypeError):
        pass
    # no run here: allowed only when empty, or holding the empty chunks/ and rows/ of a run cut short
    # before it wrote run.json
    foreign = sorted(e.name for e in out.iterdir()
                     if not (e.name in ("chunks", "rows") and e.is_dir() and not any(e.iterdir())))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise InputError(str(out), "", f"is not empty ({shown}) and holds no regelgat run (no readable run.json)",
                         "give a new or empty folder for the output; nothing was written", setting="out",
                         code="not-a-run")
    return None


def intact_chunks(out: Path, done: set[int], size: int, suffix: str) -> set[int]:
    """The finished chunks whose files read back whole; a damaged one (a truncated .npz, rows cut short)
    is deleted so that it is redone, and the result stays byte-identical to an uninterrupted run."""
    intact = set()
    for index in sorted(done):
        stats, rows = out / "chunks" / f"{index:05d}.npz", out / "rows" / f"part-{index:05d}{suffix}"
        expected = min(BLOCK, size - index * BLOCK)
        if _stats_ok(stats, expected) and (not suffix or rows_ok(rows, expected)):
            intact.add(index)
        else:
            stats.unlink(missing_ok=True)
            if suffix:
                rows.unlink(missing_ok=True)
    return intact


def _stats_ok(path: Path, expected: int) -> bool:
    try:
        return ChunkStats.from_bytes(path.read_bytes()).n == expected
    except Exception:  # any damage at all (zip, npy, json, a missing key) means: redo the chunk
        return False


def _check_options(options: RunOptions) -> None:
    """Options that no type can rule out: a known engine, a sample share between 0 and 1."""
    if options.engine not in ENGINES:
        raise InputError("", "", f"unknown engine {options.engine!r}", f"use one of {', '.join(ENGINES)}",
                         setting="engine")
    if not 0 <= options.check_rate <= 1:
        raise InputError("", "", f"{options.check_rate} is not a share between 0 and 1", "e.g. 0.001",
                         setting="check_rate", code="check-rate")


def run_batch(scenario: Scenario, compiled: CompiledRules, options: RunOptions,
              progress: Callable[[int, int], None] | None = None,
              print_fn: Callable[[str], None] = lambda s: None) -> RunResult:
    """Run the whole population; returns the summary (also written to OUT/summary.json)."""
    _check_options(options)
    if scenario.timeline is not None:
        check_provisions(scenario.timeline, {f"{r.id}/{p.id}" for r in compiled.rulesets for p in r.spec.provisions})
    started = time.perf_counter()
    out = options.out
    wanted = fingerprint(scenario, compiled, options)
    done = prepare_out(out, print_fn, wanted, options.restart)
    total = chunk_count(scenario.size)
    suffix = row_suffix(options.rows)
    done = intact_chunks(out, done & set(range(total)), scenario.size, suffix)
    if done:
        print_fn(f"resuming: {len(done)} of {total} chunks were already done")
    todo = [i for i in range(total) if i not in done]
    job = Job(scenario, compiled, options.engine, options.check_rate, options.rows, options.check_max,
              options.check_edges)
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
        write_atomic(out / "chunks" / f"{output.index:05d}.npz", output.stats.to_bytes())
        merging.arrived(output.index, output.stats.as_read_back())
        profiles_done += output.n
        checked += output.checked
        if progress:
            progress(profiles_done, scenario.size)

    workers = options.workers or os.cpu_count() or 1
    try:
        if options.executor == "dask":
            run_dask(job, todo, options.scheduler, store)
        elif workers <= 1 or len(todo) <= 1:
            for index in todo:
                store(run_chunk(job, index))
        else:
            run_pool(job, todo, workers, store)
    except CrossCheckError as exc:
        bad = out / "mismatch-profile.json"
        write_atomic(bad, json.dumps(exc.profile, indent=1, sort_keys=True))
        raise CrossCheckError(f"{exc} (profile written to {bad})", exc.profile) from None

    summary = merging.summary()
    write_atomic(out / "summary.json", summary.to_json().encode())
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
        self.waiting: dict[int, ChunkStats] = {}

    def arrived(self, index: int, stats: ChunkStats) -> None:
        """A chunk's stats have arrived: merge every chunk that is now due, in order."""
        self.waiting[index] = stats
        self._advance()

    def _advance(self) -> None:
        while self.next < self.total:
            stats = self.waiting.pop(self.next, None)
            if stats is None:
                path = self.out / "chunks" / f"{self.next:05d}.npz"
                if not path.exists():
                    return
                stats = ChunkStats.from_bytes(path.read_bytes())
            self.merger.add(stats)
            self.next += 1

    def summary(self) -> Summary:
        """The run's summary once every chunk is merged (those already on disk are read when due)."""
        self._advance()
        if self.next < self.total:
            raise RuntimeError(f"chunk {self.next} is missing from {self.out / 'chunks'}")
        return Summary.model_validate(_finish(self.job, self.layout, self.merger))


def _finish(job: Job, layout: Layout, merger: Merger) -> dict[str, Any]:
    check = {"engine": job.engine, "sample_share": job.check_rate, "mismatches": 0,
             "cross_checked_with_durable_rules": merger.checked if job.engine == "vector" else None}
    scenario = job.scenario
    meta = {"scenario": {"id": scenario.id, "title": scenario.title,
                         "description": " ".join((scenario.spec.description or "").split()),
                         "size": scenario.size, "seed": scenario.seed, "date": scenario.date.isoformat(),
                         "reading": job.compiled.reading,
                         "fixed": {k: v for k, v in sorted(scenario.spec.fixed.items())},
                         "varying": sorted(scenario.spec.vary)},
            "rulesets": [{"id": r.id, "title": r.spec.title, "agency": r.spec.agency} for r in job.compiled.rulesets],
            "rows": {"format": job.rows, "files": f"rows/part-*{row_suffix(job.rows)}" if job.rows != "none" else None,
                     "profile_id": f"{scenario.id}-<index>"}}
    out = {**finish(layout, merger, meta), "check": check}
    if scenario.timeline is not None:
        out["timeline"] = describe(scenario.timeline, scenario.date, merger.counts, layout.group_labels)
    return out
