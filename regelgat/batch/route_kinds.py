"""The nearest route out of each gap, for a whole chunk at once: numpy over the rules' structure.

`check/routes.py` searches one client's routes exactly, re-deciding each candidate. For a
population the same structure is folded column-wise: a comparison that fails costs the kind of
the cheapest change that makes it hold (from the facts' definitions, fact_changes.yaml); a way a
criterion can hold costs the worst of its comparisons; a criterion the cheapest of its ways; a door
the worst of its refusing criteria and prerequisites (a prerequisite the cheapest of its waiver and
the doors that grant it, to a fixpoint); a need the cheapest of its doors. Unlike the exact search
it does not re-decide, so a change that would shut another door is not seen; the examples in the
summary are searched exactly, and tests/test_route_kinds.py holds the two equal on the personas.
"""

from __future__ import annotations

import numpy as np

from regelgat.check.routes import dnf, pass_node
from regelgat.client.facts import CHANGE_KINDS, FACT_TYPES
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import ELIGIBLE, Decisions, VectorEngine
from regelgat.rules.columns import Columns, evaluate
from regelgat.rules.expressions import Compare, Member, Node

KINDS = (*CHANGE_KINDS, "none")  # "none": no change of facts opens a door
NONE = len(CHANGE_KINDS) + 1  # ranks: 0 nothing to change, 1 attainable, 2 harmful, 3 impossible, 4 none


def _rank(fact: str, key: str) -> int:
    change = FACT_TYPES[fact].change(key)
    return NONE if change is None else CHANGE_KINDS.index(change.kind) + 1


def _fix_rank(lit: Node, cols: Columns) -> np.ndarray | int:
    """The rank of the cheapest change that makes one comparison hold (where it does not)."""
    ftype = FACT_TYPES.get(lit.fact)
    if ftype is None or not ftype.changes:
        return NONE
    if ftype.kind == "bool":
        wanted = (lit.value if lit.op == "==" else not lit.value) if isinstance(lit, Compare) else True
        return _rank(lit.fact, "true" if wanted else "false")
    if ftype.kind == "number":
        up, down = _rank(lit.fact, "up"), _rank(lit.fact, "down")
        zero = ftype.change("up_from_zero")
        if zero is not None and lit.fact in cols.values:  # rising from 0 (becoming pregnant) costs more
            up = np.where(cols.values[lit.fact] == 0, _rank(lit.fact, "up_from_zero"), up)
        op = lit.op if isinstance(lit, Compare) else "!="
        if op in ("<", "<="):
            return down
        if op in (">", ">="):
            return up
        if op == "==" and lit.fact in cols.values:
            return np.where(cols.values[lit.fact] < lit.value, up, down)
        return np.minimum(up, down)
    if isinstance(lit, Member):
        named = set(lit.values)
        allowed = [v for v in ftype.values if (v in named) != lit.negated] if ftype.values else ["x"]
    else:
        allowed = [lit.value] if lit.op == "==" else [v for v in ftype.values if v != lit.value] or ["x"]
    return min((_rank(lit.fact, str(v)) for v in allowed), default=NONE)


class RouteKinds:
    """Per gap, the kind of its nearest route: attainable, harmful, impossible or none."""

    def __init__(self, engine: VectorEngine) -> None:
        self.engine = engine
        compiled = engine.compiled
        self.literals: list[Node] = []
        index: dict[Node, int] = {}

        def ways(node: Node) -> list[list[int]]:
            out = []
            for conj in dnf(node):
                out.append([index.setdefault(lit, len(index)) for lit in conj])
            return out

        self.own: list[list[list[list[int]]]] = []  # provision -> refusing rule -> ways -> literals
        self.requires: list[list[tuple[list[list[int]], list[int]]]] = []  # provision -> (unless ways, granters)
        for provision in engine.provisions:
            self.own.append([ways(pass_node(r, compiled)) for r in (*provision.criteria, *provision.exclusions)])
            self.requires.append([(ways(compiled.atoms[r.unless]) if r.unless is not None else [],
                                   [engine.index[g] for g in r.rule.granters if g in engine.index])
                                  for r in provision.requires])
        self.literals = list(index)
        self.facts = {lit.fact for lit in self.literals}  # the columns `nearest` reads

    def nearest(self, cols: Columns, decisions: Decisions) -> np.ndarray:
        """(needs, n) ranks into KINDS + 1 (0 where the need is no gap). It reads the columns of
        `self.facts` and the decisions' outcomes and gaps only."""
        n = decisions.n
        cost = []
        for lit in self.literals:
            holds = evaluate(lit, cols).t if lit.fact in cols.values else np.zeros(n, bool)
            cost.append(np.where(holds, 0, _fix_rank(lit, cols)).astype(np.int8))

        def cheapest(ways: list[list[int]]) -> np.ndarray:
            best = np.full(n, NONE, np.int8)
            for way in ways:
                np.minimum(best, np.maximum.reduce([cost[i] for i in way]) if way else 0, out=best)
            return best

        own = np.zeros((len(self.own), n), np.int8)
        for p, rules in enumerate(self.own):
            for ways in rules:
                np.maximum(own[p], cheapest(ways), out=own[p])
        waived = [[cheapest(unless) for unless, _ in reqs] for reqs in self.requires]
        door = np.where(decisions.outcome == ELIGIBLE, 0, NONE).astype(np.int8)
        for _ in range(len(self.own) + 1):  # the least fixpoint: a door is as near as what it waits for
            before = door.copy()
            for p, reqs in enumerate(self.requires):
                need = own[p].copy()
                for (_, granters), unless in zip(reqs, waived[p]):
                    got = unless.copy()
                    for g in granters:
                        np.minimum(got, door[g], out=got)
                    np.maximum(need, got, out=need)
                np.minimum(door[p], need, out=door[p])
            if np.array_equal(before, door):
                break
        out = np.zeros((len(NEEDS), n), np.int8)
        for k in range(len(NEEDS)):
            covering = np.flatnonzero(self.engine.covers[k])
            best = door[covering].min(axis=0) if len(covering) else np.full(n, NONE, np.int8)
            out[k] = np.where(decisions.gaps[k], best, 0)
        return out
