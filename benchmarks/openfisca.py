"""regelgat against OpenFisca, side by side on the same generated population.

    pip install -e '.[bench]'        # openfisca-core 46: a benchmark extra, never a runtime dependency
    python benchmarks/openfisca.py [--scenario scenarios/low-income-amsterdam.yaml] [--size 1000000]

benchmarks/openfisca_system/ encodes algemene bijstand and zorgtoeslag eligibility the way an
OpenFisca country package would (entities, Variable classes, dated YAML parameters copied from the
rulesets). One population comes from regelgat's own generator; both engines read the same
derived columns (OpenFisca through set_input, its enums mapped from regelgat's codes by name).

Agreement: person by person, eligible or not, for each provision. regelgat's `blocked` (own
criteria met, a prerequisite not) counts as not eligible, as does an `unknown` reason. Every
difference is counted by its cause as regelgat's reasons show it.

Timing (best of --repeat, interleaved so both see the same machine load; population and
compiled rules or tax-benefit system built beforehand, outside the timing):
  - regelgat, all provisions: the numpy engine as `regelgat run` uses it, every provision of
    every bundled ruleset with every reason's three-valued status, the requires fixpoint, gaps
    and effects, chunk by chunk (65,536 profiles, as a run evaluates them).
  - regelgat, same provisions: `select(compiled, provisions)` (what `--provisions` does): the
    two provisions (algemene_bijstand, zorgtoeslag) and exactly the provision that grants their
    prerequisite (amsterdam-briefadres/wpi_briefadres), the atoms and amounts they read, no
    effects; evaluated two-valued (`VectorEngine.eligible`: definitely eligible or not, no
    reasons), chunk by chunk.
  - OpenFisca: a fresh simulation (build_default_simulation, set_input of every input) and
    calculate() of both eligibility variables over the whole population: two-valued, no reasons.
Ratios: X = regelgat same provisions / OpenFisca; Y = regelgat's time per provision with all
provisions / OpenFisca's time per provision (2).

Peak memory: each engine in a fresh child process of this script, tracemalloc around the whole
1M run (numpy reports its buffers to tracemalloc). regelgat as `regelgat run` does it: the
population generated chunk by chunk, never whole, each chunk derived and evaluated and only the
outcomes kept, so the peak includes generating the population. OpenFisca as its users run it:
the population is built first (outside the measurement, which favours OpenFisca), then one
simulation of everyone, including its copies of the inputs. The child's maximum RSS (the whole
process: interpreter, imports, population) is printed beside it. Z = regelgat same provisions /
OpenFisca, by tracemalloc.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openfisca_core.simulation_builder import SimulationBuilder  # noqa: E402

from openfisca_system import build_system  # noqa: E402
from openfisca_system.variables import INPUTS  # noqa: E402
from regelgat.client.profile import NEEDS  # noqa: E402
from regelgat.engines.vector import BLOCKED, ELIGIBLE, STATUSES, VectorEngine  # noqa: E402
from regelgat.population.generate import BLOCK, derive, generate_range, sized_block  # noqa: E402
from regelgat.population.scenario import load_scenario  # noqa: E402
from regelgat.rules.columns import Columns  # noqa: E402
from regelgat.rules.compiled import compile_rules  # noqa: E402
from regelgat.rules.ruleset import load_rulesets  # noqa: E402
from regelgat.rules.selection import select  # noqa: E402

PROVISIONS = {"participatiewet-bijstand/algemene_bijstand": "algemene_bijstand_eligible",
              "zorgtoeslag/zorgtoeslag": "zorgtoeslag_eligible"}
PREREQUISITES = {"amsterdam-briefadres/wpi_briefadres"}  # grants algemene_bijstand's address requirement


def population(scenario, size: int) -> tuple[Columns, np.ndarray]:
    """The generated columns with derived facts, and the (needs, profiles) matrix."""
    pop = generate_range(scenario.with_overrides(size=size), 0, size)
    return derive(pop), np.stack([pop.values[f"needs.{n}"] for n in NEEDS])


def engines(scenario):
    """(all provisions, same provisions) numpy engines at the scenario's date."""
    compiled = compile_rules(load_rulesets(ROOT / "rulesets"), scenario.date)
    return VectorEngine(compiled), VectorEngine(select(compiled, list(PROVISIONS)))


def chunks(cols: Columns, needs: np.ndarray):
    """The population in chunks of BLOCK profiles (views, no copies), as a batch run walks it."""
    for start in range(0, cols.n, BLOCK):
        stop = min(start + BLOCK, cols.n)
        yield (Columns(stop - start, {k: v[start:stop] for k, v in cols.values.items()},
                       {k: v[start:stop] for k, v in cols.present.items()}, dict(cols.vocab)), needs[:, start:stop])


def run_regelgat(engine: VectorEngine, cols: Columns, needs: np.ndarray):
    """Every provision with reasons, chunk by chunk; the outcomes of the whole population."""
    return np.concatenate([engine.run(part, part_needs).outcome for part, part_needs in chunks(cols, needs)], axis=1)


def two_valued(engine: VectorEngine, cols: Columns, needs: np.ndarray) -> np.ndarray:
    """Definitely eligible or not, chunk by chunk."""
    return np.concatenate([engine.eligible(part) for part, _ in chunks(cols, needs)], axis=1)


def run_openfisca(system, cols: Columns, period: str) -> dict[str, np.ndarray]:
    """A fresh simulation fed every input column, then both eligibility variables."""
    simulation = SimulationBuilder().build_default_simulation(system, cols.n)
    for variable in INPUTS:
        name = variable.__name__
        values = cols.values[name]
        if name in cols.vocab:  # regelgat's codes -> the OpenFisca enum's indices, by name
            members = [m.name for m in variable.possible_values]
            other = members.index("other") if "other" in members else 0
            lookup = np.array([members.index(v.lower()) if v.lower() in members else other
                               for v in cols.vocab[name]], dtype=np.int16)
            values = lookup[values]
        simulation.set_input(name, period, values)
    return {name: simulation.calculate(name, period) for name in PROVISIONS.values()}


def best_times(full, subset, system, cols, needs, period, repeat: int) -> dict[str, float]:
    best = {"full": float("inf"), "subset": float("inf"), "openfisca": float("inf")}
    for _ in range(repeat):  # interleaved: each round runs all three
        for name, run in (("full", lambda: run_regelgat(full, cols, needs)),
                          ("subset", lambda: two_valued(subset, cols, needs)),
                          ("openfisca", lambda: run_openfisca(system, cols, period))):
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def agreement(engine: VectorEngine, decisions, theirs: dict[str, np.ndarray]) -> list[str]:
    """Per provision: how many agree, and each kind of difference with its count, from regelgat's reasons."""
    lines = []
    for key, variable in PROVISIONS.items():
        p = engine.index[key]
        ours = decisions.outcome[p] == ELIGIBLE
        other = np.asarray(theirs[variable], dtype=bool)
        differ = np.flatnonzero(ours != other)
        lines.append(f"{key}: agree on {decisions.n - len(differ):,} of {decisions.n:,} "
                     f"({(decisions.n - len(differ)) / decisions.n:.4%}); regelgat eligible {ours.sum():,}, "
                     f"OpenFisca eligible {other.sum():,}")
        start, _, end = engine.spans[p]
        causes = Counter()
        for i in differ:
            refusing = tuple(f"{engine.reasons[r].rule.id}={STATUSES[decisions.status[r, i]]}"
                             for r in range(start, end) if decisions.status[r, i] in (1, 3))
            side = "OpenFisca only" if other[i] else "regelgat only"
            outcome = "blocked" if decisions.outcome[p, i] == BLOCKED else "ineligible"
            causes[(side, outcome if other[i] else "eligible", refusing)] += 1
        for (side, outcome, refusing), count in causes.most_common():
            lines.append(f"  {count:>9,}  eligible in {side}; regelgat {outcome}: {', '.join(refusing) or '-'}")
    return lines


def child(which: str, scenario, size: int) -> None:
    """Peak memory of one 1M run (see the module docstring); prints JSON for the parent."""
    if which == "openfisca":
        cols, _ = population(scenario, size)
        system = build_system()
        run = lambda: run_openfisca(system, cols, scenario.date.strftime("%Y-%m"))  # noqa: E731
    else:
        engine = dict(zip(("full", "subset"), engines(scenario)))[which]
        run = lambda: generated_run(engine, scenario.with_overrides(size=size), which == "subset")  # noqa: E731
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({"peak": peak, "maxrss": high_water_mark()}))


def high_water_mark() -> int:
    """This process's peak RSS in bytes. VmHWM belongs to the process's own memory; getrusage's
    ru_maxrss is kept across exec, so a child would report its parent's peak (the parent holds the
    whole population)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def generated_run(engine: VectorEngine, scenario, two: bool) -> np.ndarray:
    """regelgat as a run does it: each chunk generated, derived and evaluated; only outcomes kept."""
    out = np.empty((len(engine.provisions), scenario.size), dtype=np.uint8)
    for block in range(-(-scenario.size // BLOCK)):
        pop = sized_block(scenario, block)
        cols = derive(pop)
        start = block * BLOCK
        if two:
            out[:, start:start + pop.n] = engine.eligible(cols)
        else:
            out[:, start:start + pop.n] = engine.run(cols, np.stack([pop.values[f"needs.{n}"] for n in NEEDS])).outcome
        del pop, cols
    return out


def peak_memory(which: str, args) -> dict[str, int]:
    out = subprocess.run([sys.executable, __file__, "--scenario", args.scenario, "--size", str(args.size),
                          "--child", which], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "low-income-amsterdam.yaml"))
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=("full", "subset", "openfisca"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    if args.child:
        child(args.child, scenario, args.size)
        return
    full, subset = engines(scenario)
    system, period = build_system(), scenario.date.strftime("%Y-%m")
    print(f"scenario {scenario.id}, {args.size:,} profiles, rules date {scenario.date}, OpenFisca period {period}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    print(f"regelgat all provisions: {len(full.provisions)} provisions, {len(full.compiled.atoms)} atoms, "
          f"{len(full.compiled.amounts)} amounts; same provisions: {', '.join(subset.keys)} "
          f"({len(subset.compiled.atoms)} atoms, {len(subset.compiled.amounts)} amounts, two-valued)")
    cols, needs = population(scenario, args.size)

    decisions = full.run(Columns(cols.n, dict(cols.values), dict(cols.present), dict(cols.vocab)), needs)
    narrow = two_valued(subset, cols, needs)
    for key in PROVISIONS:
        same = np.array_equal(decisions.outcome[full.index[key]] == ELIGIBLE, narrow[subset.index[key]])
        print(f"{key}: same-provisions two-valued engine gives the all-provisions eligible outcomes: "
              f"{'yes' if same else 'NO'}")
    print("agreement (blocked and unknown count as not eligible in regelgat):")
    print("\n".join(agreement(full, decisions, run_openfisca(system, cols, period))))

    best = best_times(full, subset, system, cols, needs, period, args.repeat)
    per_ours, per_theirs = best["full"] / len(full.provisions), best["openfisca"] / len(PROVISIONS)
    print(f"best of {args.repeat}, interleaved: regelgat all {len(full.provisions)} provisions {best['full']:.3f} s "
          f"({per_ours * 1000:.1f} ms a provision); regelgat same provisions {best['subset']:.3f} s; "
          f"OpenFisca {best['openfisca']:.3f} s ({per_theirs * 1000:.1f} ms a provision)")
    memory = {which: peak_memory(which, args) for which in ("full", "subset", "openfisca")}
    for which, label in (("full", "regelgat all provisions"), ("subset", "regelgat same provisions"),
                         ("openfisca", "OpenFisca")):
        print(f"peak memory, {label}: {memory[which]['peak'] / 2**20:,.0f} MB in the run (tracemalloc), "
              f"{memory[which]['maxrss'] / 2**20:,.0f} MB max RSS of the child process")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print(f"ratio regelgat/openfisca (same provisions, two-valued): {best['subset'] / best['openfisca']:.2f}; "
          f"per provision with reasons: {per_ours / per_theirs:.2f}; "
          f"peak memory ratio: {memory['subset']['peak'] / memory['openfisca']['peak']:.2f}")


if __name__ == "__main__":
    main()
