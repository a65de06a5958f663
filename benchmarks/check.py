"""Time `regelgat check` on each bundled persona, as a social worker runs it: a fresh process each time.

Run: python benchmarks/check.py [--runs 5]. Prints the median wall time per persona and the time spent
before the first profile is decided (import, loading and compiling the rulesets, building durable_rules).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    command = [sys.executable, "-m", "regelgat", "check", "--date", "2026-01-15", "--format", "json"]
    print(f"regelgat check, median of {runs} fresh processes")
    for persona in sorted((ROOT / "scenarios" / "personas").glob("*.yaml")):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([*command, str(persona)], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        print(f"  {persona.stem:<18} {statistics.median(times):.3f} s")
    setup = [sys.executable, "-c", "import datetime as dt; from regelgat.check.single import default_rulesets_dir; "
             "from regelgat.rules.ruleset import load_rulesets; from regelgat.rules.compiled import compile_rules; "
             "from regelgat.engines.durable import DurableEngine; "
             "DurableEngine(compile_rules(load_rulesets(default_rulesets_dir()), dt.date(2026, 1, 15)))"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(setup, check=True)
        times.append(time.perf_counter() - start)
    print(f"  {'(set-up only)':<18} {statistics.median(times):.3f} s: import, load, compile, durable_rules handles")


if __name__ == "__main__":
    main()
