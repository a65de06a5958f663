"""Each region's share of a scenario population: how many generated profiles it holds.

The map says where the gaps are; a population says how many people live there. Profiles are
generated block by block as columns (regelgat/population) and run through the numpy engine; a
region's literals are then masks over those columns (a comparison evaluated column-wise, a
criterion's status, a provision's outcome), so a region's members are the AND of its masks.
Conditions are evaluated as data, never eval'd.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from regelgat.client.profile import NEEDS
from regelgat.engines.vector import ELIGIBLE, INELIGIBLE, NOT_APPLICABLE, PASS, Decisions, VectorEngine
from regelgat.map.literals import Literal
from regelgat.map.regions import GapMap, Region
from regelgat.population.generate import BLOCK, derive, sized_block
from regelgat.population.scenario_model import Scenario
from regelgat.rules.columns import Columns, evaluate
from regelgat.rules.compiled import CompiledRules


@dataclass(frozen=True)
class Shares:
    """Members per region (and per loop region) of a scenario population of `size` profiles."""

    scenario: str
    title: str
    size: int
    seed: int
    gaps: int  # profiles for whom nothing covers the need (the numpy engine's verdict)
    in_regions: int  # profiles in at least one region: equal to `gaps` when the map is complete
    regions: tuple[int, ...]
    loops: tuple[int, ...] | None = None

    def share(self, members: int) -> float:
        return members / self.size if self.size else 0.0


def region_shares(compiled: CompiledRules, gap_map: GapMap, scenario: Scenario) -> Shares:
    """Count, block by block so memory stays flat, every region's members in the scenario population;
    every profile is given the map's need, since a region is a gap for whoever has it."""
    engine = VectorEngine(compiled)
    need_row = NEEDS.index(gap_map.need)
    loops = gap_map.loops or []
    counts = np.zeros(len(gap_map.regions) + len(loops), dtype=np.int64)
    gaps = in_regions = 0
    for block in range(-(-scenario.size // BLOCK)):
        pop = sized_block(scenario, block)
        n = pop.n
        cols = derive(pop)
        needs = np.zeros((len(NEEDS), n), dtype=bool)
        needs[need_row] = True
        atoms = engine.atoms(cols)  # adds the computed amounts to cols
        decisions = engine.decide(atoms, needs)
        masks = _Masks(engine, cols, decisions)
        members = [masks.region(r) for r in gap_map.regions]
        counts += [int(np.count_nonzero(m)) for m in members + [masks.region(r) for r in loops]]
        gaps += int(np.count_nonzero(decisions.gaps[need_row]))
        in_regions += int(np.count_nonzero(np.logical_or.reduce(members, axis=0))) if members else 0
    split = len(gap_map.regions)
    return Shares(scenario.id, scenario.title, scenario.size, scenario.seed, gaps, in_regions,
                  tuple(int(c) for c in counts[:split]),
                  tuple(int(c) for c in counts[split:]) if gap_map.loops is not None else None)


class _Masks:
    """Where each literal holds, over one block of profiles: what `Literal.holds` says of one profile."""

    def __init__(self, engine: VectorEngine, cols: Columns, decisions: Decisions) -> None:
        self.engine, self.cols, self.decisions = engine, cols, decisions
        self.cache: dict = {}
        self.rows = {id(rule): r for r, rule in enumerate(engine.reasons)}

    def region(self, region: Region) -> np.ndarray:
        out = np.ones(self.cols.n, dtype=bool)
        for lit in region.literals:
            out &= self.literal(lit)
        return out

    def literal(self, lit: Literal) -> np.ndarray:
        if lit.provision is not None:
            outcome = self.decisions.outcome[self.engine.index[lit.provision.key]]
            holds = outcome != INELIGIBLE if lit.own else outcome == ELIGIBLE
            return holds if lit.present else ~holds
        if lit.rule is not None:
            status = self.decisions.status[self.rows[id(lit.rule)]]
            met = (status == PASS) | (status == NOT_APPLICABLE)
            return met if lit.present else ~met
        if lit.node is None:
            given = self.cols.present.get(lit.fact)
            given = np.ones(self.cols.n, dtype=bool) if given is None else given
            return given if lit.present else ~given
        return evaluate(lit.node, self.cols, self.cache).t
