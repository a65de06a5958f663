"""The gap map of one need: every region of client situations that no provision covers, proven complete.

Regions are found one at a time. The solver picks a gap situation outside every region so far,
and the literals that hold there are cut down to a smallest set that still leaves the need
uncovered for everyone, keeping wide literals (a whole criterion, "no bijstand") over narrow ones
by preference. That set is the region. When no gap situation is left outside the regions, the
map is complete, and the solver has proved it ("gap and in no region" is unsatisfiable).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from regelgat.check.single import check_profile
from regelgat.client.profile import Profile
from regelgat.map import literals as lits
from regelgat.map.literals import Literal, fact_type
from regelgat.map.solver import Formula, SolverTimeout, Space, conjunction, disjunction, negation
from regelgat.map.witness import defaults, profile_from_facts
from regelgat.check.search import parse_where
from regelgat.rules.expressions import Member
from regelgat.rules.compiled import BoundProvision, BoundRule, CompiledRules


@dataclass(frozen=True)
class Clause:
    provision: str
    criterion: str
    source: str
    text: str


@dataclass(frozen=True)
class Region:
    literals: tuple[Literal, ...]
    clauses: tuple[Clause, ...]
    witness: Profile | None  # None only in a map the solver could not finish
    cycle: tuple[str, ...] = ()  # for a loop region: the referral loop that traps the client
    causes: tuple[str, ...] = ()  # for a region a rule change opened or closed: the changes that did it
    municipalities: tuple[str, ...] = ()  # the map covers clients of these (local rules encoded) or of an unknown one

    def contains(self, facts: dict[str, Any], eligible: set[str] = frozenset()) -> bool:
        elsewhere = self.municipalities and facts.get("municipality") not in (None, *self.municipalities)
        return not elsewhere and all(lit.holds(facts, eligible) for lit in self.literals)

    @property
    def conditions(self) -> list[str]:
        return lits.conditions(self.literals)


@dataclass
class GapMap:
    need: str
    date: dt.date
    where: str | None
    regions: list[Region] = field(default_factory=list)
    complete: bool = False
    loops: list[Region] | None = None
    dead: list[str] = field(default_factory=list)
    population: Any = None  # map.shares.Shares, with --scenario: members per region in a population


def gap_map(compiled: CompiledRules, need: str, where: str | None = None, timeout_s: float = 120.0,
            loops: bool = False) -> GapMap:
    """The complete gap map; on a solver timeout, the regions found so far with complete=False."""
    condition = parse_where(where)
    space = Space(compiled, timeout_s)
    result = GapMap(need, compiled.date, where)
    inside = space.tri(condition)[0] if condition is not None else conjunction([])
    nodes = list(compiled.atoms) + ([condition] if condition is not None else [])
    covering = [p for p in compiled.provisions if need in p.spec.covers]
    reached = with_granters(compiled, covering)
    granters = [p for p in reached if p not in covering]
    leaves = lits.candidates(nodes)
    mapper = Mapper(space, need, inside, leaves + lits.rule_literals(compiled, reached)
                     + lits.provision_literals(granters))
    try:
        result.dead = [p.key for p in covering if not space.satisfiable(space.eligible[p.key])]
        result.regions = mapper.cover(space.gap(need))
        result.complete = True
        if loops:
            result.loops = []
            mapper = Mapper(space, need, inside, leaves + _loop_literals(compiled, space, reached))
            result.loops = mapper.cover(conjunction([space.gap(need), _any_loop(space)]), trap=True)
    except SolverTimeout:
        if result.loops is None:
            result.regions = mapper.found
        else:
            result.loops = mapper.found
        result.complete = False
    # The solver finds regions in an order its learned state decides; readers get a fixed one.
    result.regions = sorted(result.regions, key=_order)
    result.loops = sorted(result.loops, key=_order) if result.loops is not None else None
    return result


def _order(region: Region) -> tuple:
    return region.cycle, tuple(region.conditions)


def _loop_literals(compiled: CompiledRules, space: Space, reached: list[BoundProvision]) -> list[Literal]:
    """The wide literals of loop regions: met / not met per compound rule and gets / does not get for
    every provision in a referral loop or waited for, then accepted or not on its own criteria per
    provision in a loop (last, so kept by preference: one condition instead of all its criteria)."""
    in_loops = [space.provision(k) for k in sorted({k for cycle, _ in _cycles(space) for k in cycle})]
    waited = with_granters(compiled, reached + [p for p in in_loops if p not in reached])
    return lits.rule_literals(compiled, waited) + lits.provision_literals(waited) + lits.own_literals(compiled, in_loops)


class Mapper:
    """Finds, minimises and proves complete the regions of one goal (a gap, a loop, a gap opened by a
    rule change) from candidate literals; shared by the gap map and the change map."""

    def __init__(self, space: Space, need: str, inside: Formula, candidates: list[Literal],
                 formulas: list[Formula] | None = None) -> None:
        """`formulas`: the candidates' formulas when some belong to another Space (a rule change)."""
        self.space, self.need, self.inside = space, need, inside
        formulas = [formula_of(space, lit) for lit in candidates] if formulas is None else formulas
        self.candidates = list(zip(candidates, formulas))
        self.covering = [p for p in space.compiled.provisions if need in p.spec.covers]
        self.found: list[Region] = []
        self.nearby = _nearby(candidates, space.whole)
        self.cycles = _cycles(space)

    def cover(self, goal: Formula, trap: bool = False) -> list[Region]:
        """Regions until every goal situation within --where lies in one; then drop any region the
        others already cover, prove the rest still cover everything, and give each its clauses and
        witness. With `trap`, each region keeps one referral loop throughout."""
        self.found = []
        formulas: list[Formula] = []
        while (seed := self.space.seed(goal, self.inside, negation(disjunction(formulas)))) is not None:
            cube = [self.candidates[i] for i in seed.which([f for _, f in self.candidates])]
            cycle, target = next(((c, conjunction([goal, f])) for c, f in self.cycles if seed.holds(f)),
                                 ((), goal)) if trap else ((), goal)
            literals = [f for _, f in cube]
            keep = self.space.smallest_core(literals, target, [i for i, (lit, _) in enumerate(cube)
                                                               if lit.rule or lit.provision])
            formulas.append(conjunction(literals[i] for i in keep))
            self.found.append(Region(tuple(cube[i][0] for i in keep), (), None, cycle))
        keep_index = list(range(len(formulas)))
        for i in reversed(range(len(formulas))):
            others = [formulas[j] for j in keep_index if j != i]
            if not self.space.satisfiable(formulas[i], self.inside, negation(disjunction(others))):
                keep_index.remove(i)
        if self.space.satisfiable(goal, self.inside, negation(disjunction(formulas[j] for j in keep_index))):
            raise RuntimeError("the regions do not cover the gap space")  # cannot happen: the loop ran dry
        return [self._finished(self.found[j], formulas[j], goal) for j in keep_index]

    def _shut_by(self, provision: BoundProvision, region: Formula) -> list[BoundRule]:
        """The rules of a provision that refuse everyone in the region (none, when different rules
        refuse in different parts of it: regions stay wide rather than split per reason)."""
        return [r for r in rules_of(provision)
                if not self.space.satisfiable(region, negation(self.space.refuses(provision.key, r)))]

    def _finished(self, region: Region, formula: Formula, goal: Formula) -> Region:
        """The region with every clause that shuts a door (or holds the loop) throughout it, and its
        simplest member."""
        provisions = [self.space.provision(k) for k in region.cycle] if region.cycle else self.covering
        clauses = [_clause(p, r) for p in provisions for r in self._shut_by(p, formula)]
        return Region(region.literals, tuple(clauses), self._witness(formula, goal), region.cycle,
                      municipalities=self.space.municipalities)

    def _witness(self, region: Formula, goal: Formula) -> Profile:
        values = self.space.simplest([region, goal, self.inside], defaults(), self.nearby)
        profile = profile_from_facts(values, self.need, "witness", self.space.texts)
        checked = check_profile(profile, self.space.compiled).result
        if self.need not in checked.gaps:  # the translation and decide() disagree: an engine bug
            raise RuntimeError(f"witness for {self.need} is covered: {profile.model_dump()}")
        return profile


def formula_of(space: Space, lit: Literal) -> Formula:
    if lit.own:
        accepted = space.own_ok(lit.provision.key)
        return accepted if lit.present else negation(accepted)
    if lit.provision is not None:
        gets = space.eligible[lit.provision.key]
        return gets if lit.present else negation(gets)
    if lit.rule is None:
        return space.literal(lit.fact, lit.node, lit.present)
    passes = space.passes(lit.rule)
    return passes if lit.present else negation(passes)


def with_granters(compiled: CompiledRules, provisions: list[BoundProvision]) -> list[BoundProvision]:
    """The provisions and, transitively, every provision they wait for."""
    by_key = {p.key: p for p in compiled.provisions}
    found = {p.key: p for p in provisions}
    todo = list(provisions)
    while todo:
        for rule in todo.pop().requires:
            for key in rule.rule.granters:
                if key in by_key and key not in found:
                    found[key] = by_key[key]
                    todo.append(by_key[key])
    return list(found.values())


def _nearby(candidates: list[Literal], whole) -> dict[str, list[Any]]:
    """For each number the rules compare, the thresholds and the values just beside them (whole
    numbers for counts and ages, cents for amounts): where the simplest witness sits."""
    out: dict[str, set[Any]] = {}
    for lit in candidates:
        if lit.node is None or fact_type(lit.fact).kind != "number":
            continue
        values = lit.node.values if isinstance(lit.node, Member) else (lit.node.value,)
        for value in values:
            beside = (math.floor(value) - 1, math.floor(value), math.ceil(value), math.ceil(value) + 1) \
                if whole(lit.fact) else (round(value - 0.01, 2), value, round(value + 0.01, 2))
            out.setdefault(lit.fact, set()).update(beside)
    return {name: sorted(v for v in values if v >= 0) for name, values in out.items()}


def rules_of(provision: BoundProvision) -> tuple[BoundRule, ...]:
    return (*provision.criteria, *provision.exclusions, *provision.requires)


def _clause(provision: BoundProvision, rule: BoundRule) -> Clause:
    return Clause(provision.key, rule.rule.id, str(rule.rule.source), rule.text)


def _cycles(space: Space) -> list[tuple[tuple[str, ...], Formula]]:
    """Every cycle of prerequisites in the rules, with the formula for 'this loop traps the client':
    each provision waits for the next, and at least one accepts the client on its own criteria."""
    graph = {p.key: sorted({g for r in p.requires for g in r.rule.granters}) for p in space.compiled.provisions}
    cycles: list[tuple[str, ...]] = []

    def walk(path: list[str]) -> None:
        for nxt in graph.get(path[-1], []):
            if nxt == path[0]:
                cycles.append(tuple(path))
            elif nxt not in path and nxt > path[0]:
                walk(path + [nxt])

    for start in sorted(graph):
        walk([start])
    return [(c, conjunction([*(space.edge(a, b) for a, b in zip(c, c[1:] + c[:1])),
                             disjunction(space.blocked(k) for k in c)])) for c in cycles]


def _any_loop(space: Space) -> Formula:
    return disjunction(formula for _, formula in _cycles(space))
