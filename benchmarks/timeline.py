"""Timelines in batch: 100,000 timelines of 52 weeks against a single-date run of the same population.

    python benchmarks/timeline.py [--scenario scenarios/late-paperwork.yaml] [--size 100000]
                                  [--weeks 52] [--workers 2] [--all-rulesets] [--repeat 2]

Both sides are `regelgat run` end to end in this process (generation, evaluation, the 0.1%
durable_rules cross-check, aggregation, Parquet rows, summary.json and reports), on the same
scenario, size and seed: once as the scenario says (its `timeline:` block, stretched to --weeks
weeks), once without the block (a single date). The figure we track is the ratio of the two times
(goal: at most 20). The best of --repeat runs counts for each side, so a busy machine
disturbs the figures less; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regelgat.batch.report import write_reports  # noqa: E402
from regelgat.batch.runner import RunOptions, run_batch  # noqa: E402
from regelgat.population.scenario import load_scenario  # noqa: E402
from regelgat.rules.at_date import rules_at  # noqa: E402


def run_once(scenario, compiled, workers: int) -> float:
    out = Path(tempfile.mkdtemp(prefix="regelgat-bench-"))
    try:
        started = time.perf_counter()
        result = run_batch(scenario, compiled, RunOptions(out=out, workers=workers))
        write_reports(result.summary, out)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "late-paperwork.yaml"))
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--all-rulesets", action="store_true", help="All bundled rulesets, not the scenario's.")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    timed = load_scenario(args.scenario).with_overrides(size=args.size)
    if timed.timeline is None:
        sys.exit(f"{args.scenario} has no timeline: block")
    timed.timeline = dataclasses.replace(timed.timeline, weeks=args.weeks)
    single = copy.copy(timed)
    single.timeline = None
    only = None if args.all_rulesets else timed.spec.rulesets
    if args.all_rulesets:
        timed.spec = single.spec = timed.spec.model_copy(update={"rulesets": None})
    compiled = rules_at(ROOT / "rulesets", timed.date, tuple(only) if only else None)
    print(f"scenario {Path(args.scenario).name}: {args.size:,} profiles, {len(compiled.provisions)} provisions, "
          f"{args.workers} workers, load average {os.getloadavg()[0]:.1f}")
    run_once(single.with_overrides(size=min(args.size, 2000)), compiled, 1)  # warm the caches and imports
    times = {"single date": [], f"{args.weeks} weeks": []}
    for _ in range(args.repeat):
        times["single date"].append(run_once(single, compiled, args.workers))
        times[f"{args.weeks} weeks"].append(run_once(timed, compiled, args.workers))
    best = {name: min(values) for name, values in times.items()}
    for name, seconds in best.items():
        print(f"  {name:>12}: {seconds:6.2f} s  ({args.size / seconds:,.0f} profiles/s; runs "
              + ", ".join(f"{s:.2f}" for s in times[name]) + ")")
    ratio = best[f"{args.weeks} weeks"] / best["single date"]
    print(f"  ratio: {ratio:.1f}x the single-date cost (goal: at most 20x); "
          f"per week: {ratio / args.weeks:.2f}x; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
