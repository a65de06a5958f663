"""Routes over a population: how fast the numpy estimate of each gap's nearest route is, and how often
it agrees with the exact search (check/routes.py, which re-decides every candidate) on a sample.

Run: python benchmarks/routes.py [SCENARIO] [--sample 100]. Prints the seconds for one chunk of
65,536 profiles, the share of gap cases per kind of nearest route, and the agreement per need.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "divorced-working-men.yaml"))
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from regelgat.batch.route_kinds import KINDS, RouteKinds
    from regelgat.check.single import check_profile
    from regelgat.client.profile import NEEDS
    from regelgat.engines.vector import VectorEngine
    from regelgat.population.generate import derive, generate_block
    from regelgat.population.profile_columns import materialise
    from regelgat.population.scenario import load_scenario
    from regelgat.rules.compiled import compile_rules
    from regelgat.rules.ruleset import load_rulesets

    scenario = load_scenario(args.scenario)
    compiled = compile_rules(load_rulesets(ROOT / "rulesets"), scenario.date)
    engine = VectorEngine(compiled)
    kinds = RouteKinds(engine)
    pop = generate_block(scenario, 0)
    cols = derive(pop)
    decisions = engine.run(cols, np.stack([pop.values[f"needs.{n}"] for n in NEEDS]))
    start = time.process_time()
    ranks = kinds.nearest(cols, decisions)
    print(f"{scenario.id}: nearest route of {pop.n:,} profiles in {time.process_time() - start:.2f} s cpu "
          f"(load average {open('/proc/loadavg').read().split()[0]})")
    for k, need in enumerate(NEEDS):
        gaps = decisions.gaps[k]
        if gaps.any():
            shares = {KINDS[r - 1]: f"{((ranks[k] == r) & gaps).sum() / gaps.sum():.1%}" for r in range(1, len(KINDS) + 1)}
            print(f"  {need}: {int(gaps.sum()):,} gap cases, nearest route {shares}")
    rows = np.flatnonzero(decisions.gaps.any(axis=0))[:args.sample]
    agree: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    start = time.process_time()
    for row, profile in zip(rows, materialise(pop, rows)):
        for need, routes in check_profile(profile, compiled).routes.by_need.items():
            exact = routes[0].kind if routes else "none"
            agree[need][exact == KINDS[ranks[NEEDS.index(need), row] - 1]] += 1
    spent = (time.process_time() - start) / max(len(rows), 1)
    print(f"exact search on {len(rows)} gapped profiles ({spent:.2f} s cpu each): agreement with numpy")
    for need, counts in agree.items():
        print(f"  {need}: {counts[True]} of {sum(counts.values())}")


if __name__ == "__main__":
    main()
