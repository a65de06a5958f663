"""Time `regelgat search` on the README's examples: the whole command in a fresh process, and the search
alone (rules compiled once), with the steps it took.

Run: python benchmarks/search.py [--runs 3] [--hypothesis]. Prints the median wall time of each and the
load average at the start (the machine is shared: a busy one slows every figure). --hypothesis also times
the old way, hypothesis alone (one profile at a time, with its shrinking), once per example: minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [(["care"], "age >= 40", True), (["housing"], 'income_source == "employment" and age >= 45', False)]
DATE = dt.date(2026, 1, 15)


def _command(needs, where, loop) -> list[str]:
    return [sys.executable, "-m", "regelgat", "search", *needs, "--where", where, "--date", DATE.isoformat(),
            "--lang", "en", *(["--loop"] if loop else [])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hypothesis", action="store_true")
    options = parser.parse_args()
    from regelgat.check import search
    from regelgat.check.single import default_rulesets_dir
    from regelgat.rules.compiled import compile_rules
    from regelgat.rules.ruleset import load_rulesets

    print(f"load average at the start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    baseline = []
    for _ in range(options.runs):  # what starting regelgat costs on this machine now: import, load, compile
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "regelgat", "check", "scenarios/personas/mr-k.yaml", "--date",
                        DATE.isoformat()], check=True, capture_output=True, cwd=ROOT)
        baseline.append(time.perf_counter() - start)
    print(f"baseline, `regelgat check` of Mr K. in a fresh process: median {statistics.median(baseline):.2f} s")
    compiled = compile_rules(load_rulesets(default_rulesets_dir()), DATE)
    for needs, where, loop in EXAMPLES:
        name = f"{' '.join(needs)}{' --loop' if loop else ''} --where '{where}'"
        cold, warm, steps = [], [], []
        for _ in range(options.runs):
            start = time.perf_counter()
            subprocess.run(_command(needs, where, loop), check=True, capture_output=True, cwd=ROOT)
            cold.append(time.perf_counter() - start)
            steps.clear()
            start = time.perf_counter()
            found = search.simplest_gap_profile(compiled, needs, where, loop,
                                                progress=lambda message, **figures: steps.append(message.format(**figures)))
            warm.append(time.perf_counter() - start)
        print(f"{name}\n  command, fresh process: median {statistics.median(cold):.2f} s (max {max(cold):.2f})"
              f"\n  search alone: median {statistics.median(warm):.3f} s; " + "; ".join(steps)
              + f"\n  found: age {found.age}, " + ", ".join(f"{k}={v}" for k, v in sorted(_special(found).items())))
        if options.hypothesis:
            start = time.perf_counter()
            falls = search._falls_through(compiled, needs, where, loop)
            old = search._hypothesis(falls, needs, 2000, lambda message, **figures: None)
            print(f"  hypothesis alone: {time.perf_counter() - start:.1f} s, found age {old.age if old else None}")


def _special(profile) -> dict:
    from regelgat.check.screen import usual
    from regelgat.population.scenario_model import SCALARS

    return {k: getattr(profile, k) for k in SCALARS if k != "age" and getattr(profile, k) != usual(k)}


if __name__ == "__main__":
    main()
