"""Batch throughput: profiles/s and peak memory for each engine, and the tracked ratio.

    python benchmarks/batch.py [--scenario scenarios/divorced-working-men.yaml] [--workers 2]
                               [--durable-measured 20000] [--sizes 100000 1000000] [--cross-check-size 1000000]
    python benchmarks/batch.py --flat          # only the peak memory at 1M and at 10M profiles
    python benchmarks/batch.py --amounts-only  # only the cost of amounts

For each size it runs `regelgat run` end to end in-process (generation, evaluation, the
durable_rules cross-check, aggregation, Parquet rows, summary.json and reports) and reports wall
time, profiles/s and the peak resident memory of this process and its workers together (sampled
every 20 ms).

The cross-check, before and after its cost was bounded, in the same run at --cross-check-size
profiles: the old one re-decided 0.1% of all profiles with durable_rules (1,000 of a million); the
new one (the default) 0.1% capped at a fixed number per run, plus a profile of each of the rarest
outcome patterns of every chunk. Each is also compared with the same run without a cross-check.

durable_rules does about 1,000 profiles/s per core on all bundled rulesets, so its runs are
measured at --durable-measured profiles and extrapolated linearly to the sizes asked for; the
output says so.

Evaluation alone: on the same generated columns, the numpy engine (atoms in three-valued logic,
then verdicts.decide reproduced: every reason's status, the requires fixpoint, gaps, effects)
against a bare numpy evaluation of the same criteria (each atom as a plain two-valued mask,
each provision the AND of its criteria and NOT of its exclusions). The ratio of the two times
is the figure we track (target: at most 2). Amounts: the same evaluation with the amount formulas
computed as columns against without them, in the same run (goal: at most 1.5 times).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regelgat.batch.chunk import keep_freed_memory  # noqa: E402
from regelgat.batch.runner import RunOptions, run_batch  # noqa: E402
from regelgat.rules.compiled import compile_rules  # noqa: E402
from regelgat.engines.vector import VectorEngine  # noqa: E402
from regelgat.rules.expressions import And, Compare, Member  # noqa: E402
from regelgat.population.generate import BLOCK, derive, generate_block  # noqa: E402
from regelgat.client.profile import NEEDS  # noqa: E402
from regelgat.batch.report import write_reports  # noqa: E402
from regelgat.rules.ruleset import load_rulesets  # noqa: E402
from regelgat.population.scenario import load_scenario  # noqa: E402


class PeakMemory:
    """Peak RSS of this process plus its children, sampled in a thread."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.02)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def end_to_end(scenario, compiled, size: int, engine: str, workers: int, **check) -> tuple[float, int]:
    seconds, peak, _ = checked_run(scenario, compiled, size, engine, workers, **check)
    return seconds, peak


def checked_run(scenario, compiled, size: int, engine: str, workers: int, **check) -> tuple[float, int, int]:
    """Seconds, peak memory and the number of profiles cross-checked, of one run end to end."""
    out = Path(tempfile.mkdtemp(prefix="regelgat-bench-"))
    try:
        run_scenario = scenario.with_overrides(size=size)
        with PeakMemory() as memory:
            started = time.perf_counter()
            result = run_batch(run_scenario, compiled, RunOptions(out=out, engine=engine, workers=workers, **check))
            write_reports(result.summary, out)
            seconds = time.perf_counter() - started
        return seconds, memory.peak, result.checked
    finally:
        shutil.rmtree(out, ignore_errors=True)


def cross_check_cost(scenario, compiled, size: int, workers: int, rounds: int = 3) -> None:
    """The old and the new cross-check at one size, against no cross-check; median of `rounds`,
    interleaved so that a change in the machine's load falls on all three alike."""
    kinds = {"none": {"check_rate": 0.0}, "old": {"check_max": None, "check_edges": 0}, "new": {}}
    times: dict[str, list[float]] = {k: [] for k in kinds}
    checked: dict[str, int] = {}
    for _ in range(rounds):
        for kind, options in kinds.items():
            seconds, _, checked[kind] = checked_run(scenario, compiled, size, "vector", workers, **options)
            times[kind].append(seconds)
    median = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    print(f"cross-check at {size:,} profiles, end to end, median of {rounds} interleaved runs:")
    print(f"  no cross-check                       {median['none']:>7.2f} s")
    for kind, words in (("old", "old: 0.1% of all profiles"), ("new", "new: 0.1% capped + edges (default)")):
        extra = median[kind] - median["none"]
        print(f"  {words:<36} {median[kind]:>7.2f} s  {checked[kind]:>6,} profiles re-decided, "
              f"+{extra:.2f} s = {extra / median[kind]:.0%} of the run")


# ---- evaluation alone --------------------------------------------------------------------------

def _bare(node, cols, cache):
    """Two-valued numpy evaluation of a bound condition: what a hand-written numpy script would do."""
    if isinstance(node, (Compare, Member)):
        found = cache.get(node)
        if found is not None:
            return found
        values, vocab = cols.values[node.fact], cols.vocab.get(node.fact)
        if isinstance(node, Member):
            if vocab is not None:
                mask = np.isin(values, [vocab.index(v) for v in node.values if v in vocab])
            else:
                mask = np.isin(values, node.values)
            mask = ~mask if node.negated else mask
        else:
            value = node.value
            if vocab is not None:
                value = vocab.index(value) if value in vocab else -1
            op = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
                  ">=": np.greater_equal}[node.op]
            mask = op(values, value)
        cache[node] = mask
        return mask
    parts = [_bare(item, cols, cache) for item in node.items]
    return np.logical_and.reduce(parts) if isinstance(node, And) else np.logical_or.reduce(parts)


def bare_numpy(compiled, cols) -> list[np.ndarray]:
    cache: dict = {}
    atoms = [_bare(a, cols, cache) for a in compiled.atoms]
    out = []
    for provision in compiled.provisions:
        ok = np.ones(cols.n, dtype=bool)
        for rule in provision.criteria:
            ok &= atoms[rule.condition]
        for rule in provision.exclusions:
            ok &= ~atoms[rule.condition]
        out.append(ok)
    return out


def evaluation_ratio(scenario, compiled, size: int) -> tuple[float, float]:
    """(numpy engine seconds, bare numpy seconds) over `size` profiles, best of 3, same columns.

    Both run after batch.keep_freed_memory(), as batch workers do.
    """
    keep_freed_memory()
    engine = VectorEngine(compiled)
    blocks = []
    for b in range(-(-size // BLOCK)):
        pop = generate_block(scenario, b)
        blocks.append((derive(pop), np.stack([pop.values[f"needs.{n}"] for n in NEEDS])))
    best_engine = best_bare = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for cols, needs in blocks:
            engine.run(cols, needs)
        best_engine = min(best_engine, time.perf_counter() - started)
        started = time.perf_counter()
        for cols, _ in blocks:
            bare_numpy(compiled, cols)
        best_bare = min(best_bare, time.perf_counter() - started)
    return best_engine, best_bare


def amounts_ratio(scenario, compiled, size: int) -> tuple[float, float, float]:
    """(with amounts, without, amounts alone) CPU seconds over `size` profiles, best of 5, same columns.

    With: the numpy engine as a batch run uses it (amount formulas as columns, then atoms and
    verdicts). Without: the same atoms and verdicts on columns whose amounts were computed before
    the clock started, so only the amount formulas are left out. Goal: with / without <= 1.5.
    CPU seconds of this process, best of 5: wall time swings with other jobs on a shared machine.
    """
    from regelgat.engines.vector import evaluate
    from regelgat.engines.vector_amounts import add_amount_columns

    keep_freed_memory()
    engine = VectorEngine(compiled)
    blocks = []
    for b in range(-(-size // BLOCK)):
        pop = generate_block(scenario, b)
        blocks.append((pop, np.stack([pop.values[f"needs.{n}"] for n in NEEDS])))
    fresh = [derive(pop) for pop, _ in blocks]
    ready = [derive(pop) for pop, _ in blocks]
    for cols in ready:
        add_amount_columns(compiled, cols)
    best = [float("inf")] * 3
    for _ in range(5):
        started = time.process_time()
        for cols, (_, needs) in zip(fresh, blocks):
            engine.run(cols, needs)
        best[0] = min(best[0], time.process_time() - started)
        started = time.process_time()
        for cols, (_, needs) in zip(ready, blocks):
            cache: dict = {}
            engine.decide([evaluate(atom, cols, cache) for atom in compiled.atoms], needs)
        best[1] = min(best[1], time.process_time() - started)
        started = time.process_time()
        for cols in fresh:
            add_amount_columns(compiled, cols, {})
        best[2] = min(best[2], time.process_time() - started)
    return best[0], best[1], best[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "divorced-working-men.yaml"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--durable-measured", type=int, default=20_000)
    parser.add_argument("--amounts-only", action="store_true", help="Only the with/without amounts figure.")
    parser.add_argument("--cross-check-size", type=int, default=1_000_000)
    parser.add_argument("--flat", action="store_true",
                        help="Only the memory figure: peak RSS of a run end to end at 1M and at 10M profiles.")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    rulesets = load_rulesets(ROOT / "rulesets")
    compiled = compile_rules(rulesets, scenario.date)
    print(f"scenario {scenario.id}, {len(rulesets)} rulesets, {len(compiled.provisions)} provisions, "
          f"{len(compiled.atoms)} atoms; {os.cpu_count()} cores, {args.workers} workers; load average "
          f"{os.getloadavg()[0]:.2f} at start")
    if args.flat:
        end_to_end(scenario, compiled, 2000, "vector", 1)  # warm-up: imports, page cache
        peaks = {}
        for size in (1_000_000, 10_000_000):
            seconds, peaks[size] = end_to_end(scenario, compiled, size, "vector", args.workers)
            print(f"{size:>10,} profiles end to end: {seconds:.2f} s, peak RSS {peaks[size] / 2**20:,.0f} MB "
                  f"(this process and its {args.workers} workers together)")
        print(f"peak RSS at 10M / at 1M: {peaks[10_000_000] / peaks[1_000_000]:.2f}")
        return
    if args.amounts_only:
        size = max(args.sizes)
        with_amounts, without, alone = amounts_ratio(scenario, compiled, size)
        print(f"amounts, {size:,} profiles (CPU seconds, best of 5): with {with_amounts:.3f} s, without {without:.3f} s, alone {alone:.3f} s: "
              f"ratio {with_amounts / without:.2f} (goal <= 1.5)")
        return
    print(f"{'engine':<8} {'profiles':>10} {'seconds':>9} {'profiles/s':>12} {'peak MB':>9}  note")
    end_to_end(scenario, compiled, 2000, "vector", 1)  # warm-up: imports, page cache
    for size in args.sizes:
        seconds, peak = end_to_end(scenario, compiled, size, "vector", args.workers)
        print(f"{'vector':<8} {size:>10,} {seconds:>9.2f} {size / seconds:>12,.0f} {peak / 2**20:>9.0f}  "
              "generation to written summary and reports")
    cross_check_cost(scenario, compiled, args.cross_check_size, args.workers)
    measured = args.durable_measured
    seconds, peak = end_to_end(scenario, compiled, measured, "durable", args.workers)
    rate = measured / seconds
    print(f"{'durable':<8} {measured:>10,} {seconds:>9.2f} {rate:>12,.0f} {peak / 2**20:>9.0f}  measured")
    for size in args.sizes:
        print(f"{'durable':<8} {size:>10,} {size / rate:>9.1f} {rate:>12,.0f} {'':>9}  "
              f"extrapolated from the {measured:,} measured (memory stays per-chunk, as above)")
    size = max(args.sizes)
    vector, bare = evaluation_ratio(scenario, compiled, size)
    print(f"evaluation alone, {size:,} profiles (same columns, best of 3): numpy engine {vector:.3f} s "
          f"({size / vector:,.0f}/s), bare numpy {bare:.3f} s ({size / bare:,.0f}/s), "
          f"ratio {vector / bare:.2f} (target <= 2)")
    with_amounts, without, alone = amounts_ratio(scenario, compiled, size)
    print(f"amounts, {size:,} profiles (same columns, CPU seconds, best of 5): evaluation with amounts {with_amounts:.3f} s "
          f"({size / with_amounts:,.0f}/s), without {without:.3f} s ({size / without:,.0f}/s), the "
          f"{len(compiled.amounts)} amount formulas alone {alone:.3f} s: ratio {with_amounts / without:.2f} "
          f"(goal <= 1.5)")


if __name__ == "__main__":
    main()
