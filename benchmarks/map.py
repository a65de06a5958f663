"""Time `regelgat map` for each need, with and without --loops, and `regelgat lint --deep` over the bundled
rulesets (goal: < 30 s each), then `map --scenario` and `search --from-map`.

Run: python benchmarks/map.py [--date 2026-01-15]. Each command runs in a fresh process, as a user runs it;
prints wall seconds, the number of regions and whether the solver proved the map complete. CPU seconds
(the process's user + system time) are printed beside them: on a shared machine they say more than wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

NEEDS = ("housing", "income", "care", "debt_help")


def timed(args: list[str]) -> tuple[str, subprocess.CompletedProcess]:
    """'12.3 s (cpu 4.5 s)' and the finished process."""
    start, cpu = time.perf_counter(), os.times()
    done = subprocess.run([sys.executable, "-m", "regelgat", *args], capture_output=True, text=True)
    after = os.times()
    used = after.children_user + after.children_system - cpu.children_user - cpu.children_system
    return f"{time.perf_counter() - start:6.1f} s (cpu {used:5.1f} s)", done


def report(label: str, args: list[str]) -> dict:
    seconds, done = timed(args + ["--format", "json"])
    if done.returncode not in (0, 3):
        sys.exit(done.stderr)
    result = json.loads(done.stdout)
    loops = f"  {len(result['loops']):3d} loop regions" if "loops" in result else ""
    print(f"{label:<26} {seconds}  {len(result['regions']):3d} regions{loops}  "
          f"{'complete (proven)' if result['complete'] else 'NOT complete: solver timeout'}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--date", default="2026-01-15")
    date = parser.parse_args().date
    print(f"regelgat map / lint --deep at {date}; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    for need in NEEDS:
        report(f"map {need}", ["map", need, "--date", date])
        report(f"map {need} --loops", ["map", need, "--date", date, "--loops"])
    seconds, done = timed(["lint", "--deep", "--date", date])
    print(f"{'lint --deep':<26} {seconds}  {done.stdout.strip()}")
    report("map income --scenario", ["map", "income", "--date", date, "--scenario",
                                     "scenarios/divorced-working-men.yaml"])
    where = 'income_source == "employment" and age >= 45'
    seconds, done = timed(["map", "housing", "--date", date, "--where", where, "--format", "json"])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        out.write(done.stdout)
    for label, extra in (("search (from scratch)", []), ("search --from-map", ["--from-map", out.name])):
        seconds, done = timed(["search", "housing", "--date", date, "--where", where, *extra])
        print(f"{label:<26} {seconds}  exit {done.returncode}")
    os.unlink(out.name)


if __name__ == "__main__":
    main()
