"""Time a reform comparison and a sensitivity pass in process, on the bundled scenarios.

Run: python benchmarks/reform.py [--size 100000]. Prints seconds for `regelgat reform`'s work (both
sides decided by the numpy engine, examples traced) and for `run --sensitivity`'s extra pass (one
decision per flag on the same columns), with the load average at the start.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from regelgat.batch.sensitivity import sensitivity
from regelgat.population.scenario import load_scenario
from regelgat.reform.apply import apply_reform, load_reform
from regelgat.reform.compare import compare, reform_sides
from regelgat.reform.people import load_people
from regelgat.rules.compiled import compile_rules
from regelgat.rules.ruleset import load_rulesets

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    size = parser.parse_args().size
    print(f"load average at start: {os.getloadavg()[0]:.1f}; {size:,} profiles")
    rulesets = load_rulesets(ROOT / "rulesets")
    scenario_path = ROOT / "scenarios" / "divorced-working-men.yaml"
    for path in sorted((ROOT / "scenarios" / "reforms").glob("*.yaml")):
        reform = load_reform(path)
        people = load_people(scenario_path, size)
        started = time.perf_counter()
        before, after = reform_sides(ROOT / "rulesets", compile_rules(rulesets, people.date),
                                     compile_rules(apply_reform(rulesets, reform), people.date), reform.id)
        result = compare(people, before, after)
        closed = result.sections["closed_gaps"].get("housing")
        print(f"reform {reform.id}: {time.perf_counter() - started:.2f} s"
              + (f"; housing gaps closed {closed.count:,} of {closed.base:,}" if closed else ""))
    scenario = load_scenario(scenario_path).with_overrides(size=size)
    started = time.perf_counter()
    result = sensitivity(scenario, compile_rules(rulesets, scenario.date))
    print(f"sensitivity: {time.perf_counter() - started:.2f} s for {result['flags']} flags "
          f"({result['flags_deciding']} decide verdicts)")


if __name__ == "__main__":
    main()
