"""Routes out of a gap: the smallest sets of fact changes that would open a door for a need.

A route is a minimal hitting set over the criteria that refuse: every refusing criterion of a door
(and of what the door waits for) must be passed, each by one of its own ways to hold (its condition
in disjunctive form), and no smaller set of changes does it. Each change moves one fact just across
the threshold the rule names. Candidates are found from the rules, not by sampling, and every route
is then re-decided on the changed profile, so a change that shuts another door is caught.

What a change costs the client (attainable, harmful, impossible) is data in
`regelgat/client/fact_changes.yaml`. A need whose nearest route is harmful (no attainable one, a
harmful one) is a perverse incentive: the rules reward getting worse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import product
from typing import Any, Callable, Iterable

from regelgat.client.facts import CHANGE_KINDS, DERIVED_FACTS, FACT_TYPES, FactChange, profile_facts, scalar_annotation
from regelgat.client.profile import Profile
from regelgat.rules.amounts import add_amounts
from regelgat.rules.compiled import BoundRule, CompiledRules
from regelgat.rules.expressions import Compare, Member, Node, Or, evaluate, negate
from regelgat.rules.verdicts import Result

MAX_CONJUNCTS = 64  # ways one condition can hold; the bundled rules need at most a dozen
MAX_CANDIDATES = 64  # change sets kept per door while combining; the nearest are kept
RANK = {kind: rank for rank, kind in enumerate(CHANGE_KINDS)}
Changes = frozenset  # of (fact, value) pairs


@dataclass(frozen=True)
class Change:
    fact: str
    to: Any
    kind: str
    words: FactChange


@dataclass(frozen=True)
class Route:
    changes: tuple[Change, ...]
    kind: str  # the worst of its changes
    opens: tuple[str, ...]  # provisions covering the need that the changes open
    clauses: tuple[BoundRule, ...]  # the refusing criteria the changes pass


@dataclass
class Routes:
    """Per uncovered need, its routes (nearest first), and the needs whose nearest route is harmful."""

    by_need: dict[str, list[Route]] = field(default_factory=dict)
    perverse: list[str] = field(default_factory=list)
    perverse_rules: dict[str, list[BoundRule]] = field(default_factory=dict)


Decide = Callable[[Profile, dict[str, Any]], Result]


def _step(fact: str) -> float:
    """The smallest move of a number fact: 1 for counts, ages and weeks; a cent for euros."""
    from regelgat.client.profile import Profile as P

    if fact in P.model_fields:
        scalar = scalar_annotation(P.model_fields[fact].annotation)
        return 1 if scalar and scalar[0] is int else 0.01
    derived = DERIVED_FACTS.get(fact)
    return 0.01 if derived and "float" in str(derived[1].__annotations__.get("return")) else 1


def change_words(fact: str, before: Any, to: Any) -> FactChange | None:
    """What moving `fact` from `before` to `to` takes, from the fact's definition; None if no one can."""
    ftype = FACT_TYPES.get(fact)
    if ftype is None or not ftype.changes:
        return None  # an amount a ruleset computes: it moves only with the facts it reads
    if ftype.kind == "bool":
        return ftype.change("true" if to else "false")
    if ftype.kind == "number":
        if to > (before or 0):
            return (ftype.change("up_from_zero") if not before else None) or ftype.change("up")
        return ftype.change("down")
    return ftype.change(str(to))


def dnf(node: Node) -> list[tuple[Node, ...]]:
    """The ways a bound condition holds: conjunctions of single comparisons."""
    if isinstance(node, (Compare, Member)):
        return [(node,)]
    if isinstance(node, Or):
        return [conj for item in node.items for conj in dnf(item)][:MAX_CONJUNCTS]
    out: list[tuple[Node, ...]] = [()]
    for item in node.items:
        out = [a + b for a in out for b in dnf(item)][:MAX_CONJUNCTS]
    return out


def candidate_values(fact: str, literals: Iterable[Node]) -> list[Any]:
    """Values worth trying for a fact: each threshold the literals name, and just across it."""
    ftype = FACT_TYPES[fact]
    if ftype.kind == "bool":
        return [True, False]
    if ftype.kind == "enum":
        return list(ftype.values)
    named = [v for lit in literals for v in ((lit.value,) if isinstance(lit, Compare) else lit.values)]
    if ftype.kind == "text":
        return list(dict.fromkeys(named))
    step = _step(fact)
    out = set()
    for v in named:
        out |= {v, round(v - step, 2), round(v + step, 2), math.floor(v), math.ceil(v)}
    return sorted(x if step < 1 else int(x) for x in out if x >= 0)


def _targets(fact: str, literals: tuple[Node, ...], before: Any) -> list[Any]:
    """Values of `fact` that meet every literal: the nearest number, or the first value of each kind."""
    ok = [c for c in candidate_values(fact, literals) if all(evaluate(lit, {fact: c}) is True for lit in literals)]
    ok = [c for c in ok if c != before and change_words(fact, before, c) is not None]
    if FACT_TYPES[fact].kind == "number":
        return sorted(ok, key=lambda c: (abs(c - (before or 0)), c))[:1]
    by_kind: dict[str, Any] = {}
    for c in ok:
        by_kind.setdefault(change_words(fact, before, c).kind, c)
    return [by_kind[k] for k in CHANGE_KINDS if k in by_kind]


def ways_to_hold(node: Node, facts: dict[str, Any]) -> list[Changes]:
    """The minimal change sets that make a condition hold (empty set: it holds already)."""
    out = []
    for conj in dnf(node):
        by_fact: dict[str, list[Node]] = {}
        for lit in conj:
            by_fact.setdefault(lit.fact, []).append(lit)
        options = []
        for fact, lits in by_fact.items():
            if all(evaluate(lit, facts) is True for lit in lits):
                continue
            if fact not in FACT_TYPES:
                break
            targets = _targets(fact, tuple(lits), facts.get(fact))
            if not targets:
                break
            options.append([(fact, t) for t in targets])
        else:
            out += [frozenset(combo) for combo in product(*options)]
    return out


def pass_node(rule: BoundRule, compiled: CompiledRules) -> Node:
    """The condition under which a criterion or exclusion lets the client through."""
    node = compiled.atoms[rule.condition]
    if rule.group == "exclusion":
        node = negate(node)
    if rule.when is not None:
        node = Or((negate(compiled.atoms[rule.when]), node))
    return node


class RouteSearch:
    """Routes for one client: candidate change sets from the rules, then re-decided on the profile."""

    def __init__(self, profile: Profile, facts: dict[str, Any], result: Result, compiled: CompiledRules,
                 decide: Decide) -> None:
        self.profile, self.facts, self.result, self.compiled, self.decide = profile, facts, result, compiled, decide
        self.memo: dict[tuple, list[Changes]] = {}

    def rank(self, changes: Changes) -> tuple:
        kinds = [change_words(f, self.facts.get(f), t).kind for f, t in changes]
        return max((RANK[k] for k in kinds), default=0), len(changes), sorted(map(repr, changes))

    def minimal(self, sets: Iterable[Changes]) -> list[Changes]:
        kept: list[Changes] = []
        for s in sorted(set(sets), key=lambda s: (len(s), sorted(map(repr, s)))):
            if not any(k <= s for k in kept):
                kept.append(s)
        return sorted(kept, key=self.rank)[:MAX_CANDIDATES]

    def combine(self, groups: list[list[Changes]]) -> list[Changes]:
        acc = [frozenset()]
        for alternatives in groups:
            merged = []
            for a, b in product(acc, alternatives):
                both = a | b
                if len({f for f, _ in both}) == len(both):  # one value per fact, or the two conflict
                    merged.append(both)
            acc = self.minimal(merged)
        return acc

    def door(self, result: Result, facts: dict[str, Any], key: str, visited: frozenset = frozenset()) -> list[Changes]:
        """Change sets that open provision `key`: every refusing reason passed, prerequisites got."""
        memo_key = (key, visited)
        if result is self.result and memo_key in self.memo:  # the changed worlds are each met once
            return self.memo[memo_key]
        verdict = next(v for v in result.verdicts if v.provision.key == key)
        groups = []
        for reason in ([] if verdict.outcome == "eligible" else verdict.reasons):
            if reason.passed:
                continue
            rule = reason.rule
            if rule.group == "requirement":
                ways = self.door_ways(result, facts, rule, visited | {key})
            else:
                ways = ways_to_hold(pass_node(rule, self.compiled), facts)
            if not ways:
                groups = [[]]
                break
            groups.append(ways)
        found = self.combine(groups)
        if result is self.result:
            self.memo[memo_key] = found
        return found

    def door_ways(self, result: Result, facts: dict[str, Any], rule: BoundRule, visited: frozenset) -> list[Changes]:
        ways = ways_to_hold(self.compiled.atoms[rule.unless], facts) if rule.unless is not None else []
        for granter in rule.rule.granters:
            if granter not in visited and any(v.provision.key == granter for v in result.verdicts):
                ways += self.door(result, facts, granter, visited)
        return self.minimal(ways)

    def world(self, changes: Changes) -> tuple[dict[str, Any], Result]:
        """The facts and verdicts of the client with these changes made."""
        fields = {f: t for f, t in changes if f in Profile.model_fields}
        profile = self.profile.model_copy(update=fields)
        facts = profile_facts(profile)
        derived = {f: t for f, t in changes if f not in Profile.model_fields}
        if any(facts.get(f) != self.facts.get(f) and facts.get(f) != t for f, t in derived.items()):
            # The changed fields already moved this derived fact elsewhere (housing and homeless,
            # say): no client is both, so the changes open nothing.
            return self.facts, self.result
        facts = add_amounts(self.compiled, {**facts, **derived})
        return facts, self.decide(profile, facts)

    def need(self, need: str) -> list[Route]:
        covering = [v.provision.key for v in self.result.verdicts if need in v.provision.spec.covers]
        candidates = self.minimal(c for key in covering for c in self.door(self.result, self.facts, key))
        found: dict[Changes, Result] = {}
        for changes in candidates:
            facts, result = self.world(changes)
            if not _covered(need, result):  # a change shut another door: pass what it shut, once
                repaired = [changes | more for key in covering for more in self.door(result, facts, key)
                            if len({f for f, _ in changes | more}) == len(changes | more)]
                for bigger in self.minimal(repaired)[:8]:
                    _, again = self.world(bigger)
                    if _covered(need, again):
                        found[bigger] = again
                continue
            found[changes] = result
        reduced: dict[frozenset, tuple[Changes, Result]] = {}
        for changes, result in found.items():
            changes, result = self.reduce(changes, result, need)
            facts = frozenset(f for f, _ in changes)  # of routes that change the same facts, the nearest
            if facts not in reduced or self.distance(changes) < self.distance(reduced[facts][0]):
                reduced[facts] = (changes, result)
        reduced = dict(reduced.values())
        return [self.route(changes, reduced[changes], need) for changes in self.minimal(reduced)]

    def distance(self, changes: Changes) -> float:
        """How far the numbers move, relative to where they are: just across a threshold is nearest."""
        return sum(abs(t - (self.facts.get(f) or 0)) / max(abs(self.facts.get(f) or 0), 1) for f, t in changes
                   if FACT_TYPES[f].kind == "number")

    def reduce(self, changes: Changes, result: Result, need: str) -> tuple[Changes, Result]:
        """Leave out every change the need does not need: two thresholds can make one change redundant."""
        for change in sorted(changes, key=repr):
            fewer = changes - {change}
            _, without = self.world(fewer)
            if _covered(need, without):
                changes, result = fewer, without
        return changes, result

    def perverse_rules(self, routes: list[Route]) -> list[BoundRule]:
        """The criteria that only the harmful changes of a route pass: the rules that reward getting worse."""
        rules: list[BoundRule] = []
        for route in routes:
            if route.kind != "harmful":
                continue
            _, without = self.world(frozenset((c.fact, c.to) for c in route.changes if c.kind != "harmful"))
            still = {r.rule for v in without.verdicts for r in v.reasons if not r.passed}
            rules += [rule for rule in route.clauses if rule in still and rule not in rules]
        return rules

    def route(self, changes: Changes, result: Result, need: str) -> Route:
        made = tuple(Change(f, t, (w := change_words(f, self.facts.get(f), t)).kind, w)
                     for f, t in sorted(changes, key=lambda c: c[0]))
        kind = CHANGE_KINDS[max(RANK[c.kind] for c in made)]
        before = {v.provision.key: v for v in self.result.verdicts}
        opened = [v for v in result.verdicts if v.outcome == "eligible" and before[v.provision.key].outcome != "eligible"]
        opens = tuple(v.provision.key for v in opened if need in v.provision.spec.covers)
        # The doors for the need and what they waited for, not others the changes happen to open.
        chain, todo = set(), list(opens)
        while todo:
            key = todo.pop()
            if key not in chain and key in before:
                chain.add(key)
                todo += [g for r in before[key].provision.requires for g in r.rule.granters]
        clauses = tuple(dict.fromkeys(r.rule for v in opened if v.provision.key in chain
                                      for r, after in zip(before[v.provision.key].reasons, v.reasons)
                                      if not r.passed and after.passed and r.rule.group != "requirement"))
        return Route(made, kind, opens, clauses)


def find_routes(search: RouteSearch) -> Routes:
    """Routes for every uncovered need of the client the search was made for."""
    result = search.result
    out = Routes()
    for need in result.gaps:
        routes = search.need(need)
        out.by_need[need] = routes
        if routes and routes[0].kind == "harmful":
            out.perverse.append(need)
            out.perverse_rules[need] = search.perverse_rules(routes)
    return out


def _covered(need: str, result: Result) -> bool:
    """An eligible door covers the need: a route must open one for sure, not leave it undetermined."""
    return any(v.outcome == "eligible" and need in v.provision.spec.covers for v in result.verdicts)
