"""Time `regelgat map` for each need and `regelgat lint --deep` over the bundled rulesets (goal: < 30 s each).

Run: python benchmarks/map.py [--date 2026-01-15]. Each command runs in a fresh process, as a user runs it;
prints wall seconds, the number of regions and whether the solver proved the map complete.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

NEEDS = ("housing", "income", "care", "debt_help")


def timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "regelgat", *args], capture_output=True, text=True)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--date", default="2026-01-15")
    date = parser.parse_args().date
    print(f"regelgat map / lint --deep at {date}; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    for need in NEEDS:
        seconds, done = timed(["map", need, "--date", date, "--format", "json"])
        if done.returncode not in (0, 3):
            sys.exit(done.stderr)
        result = json.loads(done.stdout)
        print(f"map {need:<10} {seconds:6.1f} s  {len(result['regions']):3d} regions  "
              f"{'complete (proven)' if result['complete'] else 'NOT complete: solver timeout'}")
    seconds, done = timed(["lint", "--deep", "--date", date])
    print(f"lint --deep     {seconds:6.1f} s  {done.stdout.strip()}")


if __name__ == "__main__":
    main()
