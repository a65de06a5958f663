"""The numpy engine: every atom of a CompiledRules as a column of answers, and verdicts for a
whole population at once.

It reads the same compiled atoms as the durable_rules engine and reproduces `verdicts.decide`
column-wise: reason statuses, outcomes with the least fixpoint over `requires`, deciding
reasons, gaps, effects and referral loops. tests/test_engine_vector.py proves, profile by
profile, that the verdicts equal those of durable_rules plus `verdicts.decide`; every batch
run re-checks a random sample the same way. Atoms are evaluated in three-valued logic by
`rules.columns.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from regelgat.rules import formulas
from regelgat.rules.compiled import BoundRule, CompiledRules
from regelgat.rules.columns import Columns, Tri, evaluate
from regelgat.rules.expressions import facts_read
from regelgat.client.profile import NEEDS
from regelgat.rules.verdicts import Reason, Result, Verdict, referral_loops

STATUSES = ("pass", "fail", "not_applicable", "unknown")
PASS, FAIL, NOT_APPLICABLE, UNKNOWN = range(4)
OUTCOMES = ("eligible", "ineligible", "blocked", "undetermined")
ELIGIBLE, INELIGIBLE, BLOCKED, UNDETERMINED = range(4)


def _codes(tri: Tri, true: int, false: int, unknown: int, out: np.ndarray) -> np.ndarray:
    """`out` (uint8) set to `true` where `tri` holds, `false` where it fails, `unknown` elsewhere.

    By arithmetic, much faster than masked writes: the default plus, where a mask is set, the
    step from it (the masks are disjoint; uint8 wraps around, so steps may be negative).
    """
    if tri.f is None:
        np.multiply(tri.t.view(np.uint8), np.uint8((true - false) % 256), out=out)
        out += np.uint8(false)
    else:
        np.multiply(tri.t.view(np.uint8), np.uint8((true - unknown) % 256), out=out)
        out += tri.f.view(np.uint8) * np.uint8((false - unknown) % 256)
        out += np.uint8(unknown)
    return out


@dataclass
class Decisions:
    """Verdicts for n profiles: one row per reason, provision, need or effect; one column per profile."""

    status: np.ndarray  # (reasons, n) uint8, STATUSES codes
    outcome: np.ndarray  # (provisions, n) uint8, OUTCOMES codes
    gaps: np.ndarray  # (4, n) bool, in NEEDS order: every door definitely shut
    effects: np.ndarray  # (effects, n) bool
    needs: np.ndarray  # (4, n) bool
    undecided: np.ndarray | None = None  # (4, n) bool: not covered, but a door is undetermined
    loop_blocked: np.ndarray | None = None  # (provisions, n) bool: blocked and definitely meets its own criteria

    @property
    def n(self) -> int:
        """Number of profiles (columns)."""
        return self.outcome.shape[1]

    def take(self, rows: np.ndarray) -> "Decisions":
        """The decisions of the given profiles only (a sample to re-check)."""
        return Decisions(self.status[:, rows], self.outcome[:, rows], self.gaps[:, rows],
                         self.effects[:, rows], self.needs[:, rows], self.undecided_or_none()[:, rows],
                         self.blocked_for_loops()[:, rows])

    def undecided_or_none(self) -> np.ndarray:
        """The undecided needs (none when not recorded)."""
        return self.undecided if self.undecided is not None else np.zeros_like(self.gaps)

    def blocked_for_loops(self) -> np.ndarray:
        """Blocked provisions that count for a referral loop (as recorded, else every blocked one)."""
        return self.loop_blocked if self.loop_blocked is not None else self.outcome == BLOCKED


class VectorEngine:
    """Compiled rules as numpy operations. Build once per CompiledRules; run per chunk of columns."""

    def __init__(self, compiled: CompiledRules) -> None:
        self.compiled = compiled
        self.provisions = compiled.provisions
        self.keys = [p.key for p in self.provisions]
        self.index = {key: i for i, key in enumerate(self.keys)}
        # Reasons in the order verdicts.decide lists them: criteria, exclusions, then requires.
        self.reasons: list[BoundRule] = []
        self.reason_group: list[str] = []
        self.spans: list[tuple[int, int, int]] = []  # per provision: start, end of own reasons, end of requires
        for provision in self.provisions:
            start = len(self.reasons)
            for rule in provision.criteria:
                self.reasons.append(rule)
                self.reason_group.append("criterion")
            for rule in provision.exclusions:
                self.reasons.append(rule)
                self.reason_group.append("exclusion")
            own_end = len(self.reasons)
            for rule in provision.requires:
                self.reasons.append(rule)
                self.reason_group.append("requirement")
            self.spans.append((start, own_end, len(self.reasons)))
        self.reason_provision = np.array([i for i, (s, _, e) in enumerate(self.spans) for _ in range(s, e)],
                                         dtype=np.int64)
        self.requirement_rows = [r for r, g in enumerate(self.reason_group) if g == "requirement"]
        self.own_rows = [r for r, g in enumerate(self.reason_group) if g != "requirement"]
        self.granters = {r: [self.index[g] for g in self.reasons[r].rule.granters if g in self.index]
                         for r in self.requirement_rows}
        self.fixpoint_groups = self._fixpoint_groups()
        amount_names = {a.name for a in compiled.amounts}
        read = set().union(set(), *(facts_read(a) for a in compiled.atoms),
                           *(formulas.facts_read(f) | (facts_read(w) if w else set())
                             for a in compiled.amounts for w, f in a.cases))
        self.facts = sorted(read - amount_names)  # the profile facts the rules read (amounts are computed)
        self.covers = np.array([[need in p.spec.covers for p in self.provisions] for need in NEEDS], dtype=bool)
        self.cover_rows = [np.flatnonzero(row) for row in self.covers]
        self.answered = np.array([compiled.answers(need) for need in NEEDS], dtype=bool)[:, None]

    def _fixpoint_groups(self) -> list[tuple[list[int], bool]]:
        """The provisions with prerequisites as strongly connected groups, each after the groups it
        waits for, and whether it waits for itself (a cycle).

        In this order one pass settles every group that is not a cycle; only cycles iterate.
        """
        with_requires = [p for p, (_, own_end, end) in enumerate(self.spans) if end > own_end]
        waits_for = {p: {q for r in range(self.spans[p][1], self.spans[p][2]) for q in self.granters[r]
                         if q in with_requires} for p in with_requires}  # the others are settled by own_ok
        reach = {}
        for p in with_requires:
            seen, todo = set(), [p]
            while todo:
                for q in waits_for[todo.pop()] - seen:
                    seen.add(q)
                    todo.append(q)
            reach[p] = seen
        reached = {}
        for p in with_requires:
            reached[tuple(sorted({p} | {q for q in reach[p] if p in reach[q]}))] = len(reach[p] | {p})
        # A group reaches all that the groups it waits for reach, and itself besides: fewer first.
        return [(list(group), group[0] in reach[group[0]]) for group in sorted(reached, key=reached.get)]

    # ---- atoms ----
    def atoms(self, cols: Columns) -> list[Tri]:
        """Every atom as a column; the amounts are computed first and added to `cols`, since
        conditions may read them."""
        from regelgat.engines.vector_amounts import add_amount_columns  # it builds on this module

        cache: dict = {}
        add_amount_columns(self.compiled, cols, cache)
        return [evaluate(atom, cols, cache) for atom in self.compiled.atoms]

    # ---- verdicts ----
    def decide(self, atoms: list[Tri], needs: np.ndarray) -> Decisions:
        """Verdicts for every profile at once, from the atoms' answers: what `verdicts.decide` does for
        one profile, column-wise, so that a million profiles take a fraction of a second.

        Reason statuses, then outcomes with the least fixpoint over `requires` (alternative routes
        included), then gaps and effects. Kept as one function (over 60 lines) on purpose: it is the
        hot path, each step reuses the previous step's arrays in place, and the steps only make
        sense together; tests/test_engine_vector.py holds it equal to `verdicts.decide`.
        """
        n = needs.shape[1]
        status = np.empty((len(self.reasons), n), dtype=np.uint8)
        bases: dict[int, np.ndarray] = {}  # per `when` atom, shared by the reasons it guards
        for r in self.own_rows:
            self._status(self.reasons[r], self.reason_group[r] == "exclusion", atoms, status[r], bases)
        # A reason that did not pass is FAIL (1) or UNKNOWN (3): its status is odd. Definitely refused
        # where some reason is FAIL; definitely ok where none is odd.
        own_ok = np.ones((len(self.provisions), n), dtype=bool)
        own_fail = np.zeros((len(self.provisions), n), dtype=bool)
        for p, (start, own_end, _) in enumerate(self.spans):
            if own_end > start:
                own = status[start:own_end]
                own_ok[p] = (np.bitwise_or.reduce(own, axis=0) & 1) == 0
                own_fail[p] = (own == FAIL).any(axis=0)
        own_possible = ~own_fail

        # Least fixpoints: definitely eligible, and possibly eligible (whatever the unknowns turn out).
        waived = {r: atoms[self.reasons[r].unless] for r in self.requirement_rows
                  if self.reasons[r].unless is not None}
        eligible = self._fixpoint(own_ok, lambda r: waived[r].t if r in waived else None)
        possible = self._fixpoint(own_possible, lambda r: ~waived[r].false() if r in waived else None)
        for r in self.requirement_rows:
            sure, maybe = self._met(r, eligible, waived[r].t if r in waived else None), \
                self._met(r, possible, ~waived[r].false() if r in waived else None)
            # PASS (0) where met, UNKNOWN (3) where it could be, FAIL (1) where it cannot;
            # NOT_APPLICABLE (2) where the client already has what it gives
            row = status[r]
            row[:] = np.where(sure, PASS, np.where(maybe, UNKNOWN, FAIL))
            if r in waived:
                row[waived[r].t] = NOT_APPLICABLE

        outcome = np.full((len(self.provisions), n), BLOCKED, dtype=np.uint8)
        outcome[possible] = UNDETERMINED
        outcome[own_fail] = INELIGIBLE
        outcome[eligible] = ELIGIBLE
        covered = np.zeros((len(NEEDS), n), dtype=bool)
        could = np.zeros((len(NEEDS), n), dtype=bool)
        for k, rows in enumerate(self.cover_rows):
            if len(rows):
                np.logical_or.reduce(eligible[rows], axis=0, out=covered[k])
                np.logical_or.reduce(possible[rows], axis=0, out=could[k])
        if not self.answered.all():  # a selection answers only the needs whose doors it holds
            needs = needs & self.answered
        gaps = needs & ~could
        undecided = needs & ~covered & could
        effects = np.array([atoms[e.condition].t for e in self.compiled.effects], dtype=bool).reshape(-1, n)
        return Decisions(status, outcome, gaps, effects, needs, undecided, (outcome == BLOCKED) & own_ok)

    def _met(self, r: int, inside: np.ndarray, waiver: np.ndarray | None) -> np.ndarray:
        """Where prerequisite r is met: any one provision that grants it is `inside`, or it is waived."""
        targets = self.granters[r]
        n = inside.shape[1]
        if not targets:
            granted = np.zeros(n, dtype=bool)
        elif len(targets) == 1:
            granted = inside[targets[0]]
        else:
            granted = np.logical_or.reduce(inside[targets], axis=0)
        return granted | waiver if waiver is not None else granted

    def _fixpoint(self, own: np.ndarray, waiver) -> np.ndarray:
        """The least fixpoint over prerequisites: a provision is in once its own reasons allow it and
        every prerequisite is met. Groups in dependency order, so only cycles iterate."""
        inside = own.copy()
        for group, cyclic in self.fixpoint_groups:
            inside[group] = False
            grew = True
            while grew:
                grew = False
                for p in group:
                    _, own_end, end = self.spans[p]
                    new = own[p].copy()
                    for r in range(own_end, end):
                        new &= self._met(r, inside, waiver(r))
                    # Each pass only adds profiles, so an equal count means nothing changed.
                    if np.count_nonzero(new) != np.count_nonzero(inside[p]):
                        inside[p] = new
                        grew = cyclic  # outside a cycle, one pass in this order is final
        return inside

    @staticmethod
    def _status(rule: BoundRule, exclusion: bool, atoms: list[Tri], status: np.ndarray,
                bases: dict[int, np.ndarray]) -> None:
        """Write one reason's STATUSES codes, as verdicts.reason_status decides them.

        In uint8 arithmetic on `status`: masked writes (np.copyto with where=) are many times
        slower.
        """
        holds = atoms[rule.condition]
        if exclusion and holds.f is None:  # refuses (FAIL, 1) where it holds
            np.copyto(status.view(bool), holds.t)
        elif exclusion:  # fail (1) where it holds, pass (0) where it does not, unknown (3) elsewhere
            _codes(holds, FAIL, PASS, UNKNOWN, out=status)
        elif holds.f is None:  # pass (0) where it holds, fail (1) elsewhere
            np.logical_not(holds.t, out=status.view(bool))
        else:  # pass (0) where it holds, fail (1) where it fails, unknown (3) where a fact is missing
            _codes(holds, PASS, FAIL, UNKNOWN, out=status)
        if rule.when is not None:
            applies = atoms[rule.when]
            base = bases.get(rule.when)
            if base is None:
                base = bases[rule.when] = _codes(applies, 0, NOT_APPLICABLE, UNKNOWN, out=np.empty_like(status))
            # where it applies, the status above; elsewhere NOT_APPLICABLE or UNKNOWN (base is 0 where it applies)
            status *= applies.t.view(np.uint8)
            status += base

    def eligible(self, cols: Columns) -> np.ndarray:
        """Two-valued evaluation, for a batch that only counts who gets what: (provisions, n) bool,
        True where a provision is definitely eligible (exactly `run(...).outcome == ELIGIBLE`).

        It drops what a person reads: reason statuses, the difference between ineligible, blocked
        and undetermined (all three are False here), gaps, undecided needs, effects and loops.
        """
        atoms = self.atoms(cols)
        ok = np.ones((len(self.provisions), cols.n), dtype=bool)
        for r in self.own_rows:
            rule = self.reasons[r]
            holds = atoms[rule.condition]
            passed = holds.false() if self.reason_group[r] == "exclusion" else holds.t
            if rule.when is not None:  # passes where it does not apply; undecided where that is unknown
                applies = atoms[rule.when]
                passed = (applies.t & passed) | applies.false()
            ok[self.reason_provision[r]] &= passed
        waived = {r: atoms[self.reasons[r].unless].t for r in self.requirement_rows
                  if self.reasons[r].unless is not None}
        return self._fixpoint(ok, waived.get)

    def run(self, cols: Columns, needs: np.ndarray) -> Decisions:
        """Atoms then verdicts: the whole engine for columns of facts and a (needs, profiles) matrix."""
        return self.decide(self.atoms(cols), needs)

    # ---- reading decisions back ----
    def deciding(self, decisions: Decisions) -> np.ndarray:
        """(reasons, n) bool: the reasons that refused (ineligible: own reasons that FAIL), held up
        (blocked: prerequisites that FAIL) or leave open (undetermined: every UNKNOWN reason) their provision."""
        fail = decisions.status == FAIL
        unknown = decisions.status == UNKNOWN
        out = np.empty_like(fail)
        for p, (start, own_end, end) in enumerate(self.spans):
            outcome = decisions.outcome[p]
            open_ = outcome == UNDETERMINED
            if own_end > start:
                out[start:own_end] = (fail[start:own_end] & (outcome == INELIGIBLE)) | (unknown[start:own_end] & open_)
            if end > own_end:
                out[own_end:end] = (fail[own_end:end] & (outcome == BLOCKED)) | (unknown[own_end:end] & open_)
        return out

    def first_deciding(self, deciding: np.ndarray) -> np.ndarray:
        """Only the first deciding reason of each provision, in the ruleset's order."""
        out = deciding.copy()
        for start, _, end in self.spans:
            if end - start > 1:
                seen = deciding[start].copy()
                for r in range(start + 1, end):
                    out[r] &= ~seen
                    seen |= deciding[r]
        return out

    def unmet(self, decisions: Decisions) -> np.ndarray:
        """(requirements, n) bool: unmet prerequisites, the edges of the referral graph."""
        return decisions.status[self.requirement_rows] == FAIL

    def loops_for(self, unmet_row: Iterable[bool], blocked_row: Iterable[bool]) -> tuple[tuple[str, ...], ...]:
        """The referral loops of one pattern of unmet prerequisites and blocked provisions.

        As verdicts.decide: verdicts' own cycle finder, keeping a cycle only if a provision in it
        is blocked (it would accept the client on its own criteria, but waits).
        """
        edges: dict[str, set[str]] = {}
        for flag, r in zip(unmet_row, self.requirement_rows):
            if flag:
                rule = self.reasons[r]
                edges.setdefault(self.keys[self.reason_provision[r]], set()).update(rule.rule.granters)
        for targets in list(edges.values()):
            for target in targets:
                edges.setdefault(target, set())
        blocked = {key for key, flag in zip(self.keys, blocked_row) if flag}
        return referral_loops({k: sorted(v) for k, v in edges.items()}, blocked)

    def result(self, decisions: Decisions, i: int) -> Result:
        """Profile i's decisions as the verdicts.Result that `verdicts.decide` builds."""
        status = decisions.status[:, i]
        outcome = decisions.outcome[:, i]
        verdicts = []
        for p, provision in enumerate(self.provisions):
            start, own_end, end = self.spans[p]
            reasons = tuple(Reason(self.reasons[r], STATUSES[status[r]]) for r in range(start, end))
            own, requirement = reasons[:own_end - start], reasons[own_end - start:]
            code = outcome[p]
            if code == ELIGIBLE:
                deciding = ()
            elif code == INELIGIBLE:
                deciding = tuple(r for r in own if r.status == "fail")
            elif code == UNDETERMINED:
                deciding = tuple(r for r in reasons if r.status == "unknown")
            else:
                deciding = tuple(r for r in requirement if r.status == "fail")
            blocked_by = tuple(sorted({g for r in deciding if r.rule.group == "requirement"
                                       for g in r.rule.rule.granters})) if code in (BLOCKED, UNDETERMINED) else ()
            verdicts.append(Verdict(provision, OUTCOMES[code], reasons, deciding, blocked_by))
        gaps = tuple(need for k, need in enumerate(NEEDS) if decisions.gaps[k, i])
        undecided = tuple(need for k, need in enumerate(NEEDS) if decisions.undecided_or_none()[k, i])
        effects = tuple(e for k, e in enumerate(self.compiled.effects) if decisions.effects[k, i])
        loops = self.loops_for(self.unmet(decisions)[:, i], decisions.blocked_for_loops()[:, i])
        return Result(self.compiled.date, tuple(verdicts), gaps, loops, effects, undecided)


def encode(engine: VectorEngine, results: list[Result], needs: np.ndarray) -> Decisions:
    """verdicts.Result objects (from durable_rules) as Decisions, for the same aggregation."""
    n = len(results)
    status = np.empty((len(engine.reasons), n), dtype=np.uint8)
    outcome = np.empty((len(engine.provisions), n), dtype=np.uint8)
    gaps = np.zeros((len(NEEDS), n), dtype=bool)
    undecided = np.zeros((len(NEEDS), n), dtype=bool)
    loop_blocked = np.zeros((len(engine.provisions), n), dtype=bool)
    effects = np.zeros((len(engine.compiled.effects), n), dtype=bool)
    code = {s: i for i, s in enumerate(STATUSES)}
    effect_index = {id(e): k for k, e in enumerate(engine.compiled.effects)}
    for i, result in enumerate(results):
        row = 0
        for p, verdict in enumerate(result.verdicts):
            outcome[p, i] = OUTCOMES.index(verdict.outcome)
            loop_blocked[p, i] = verdict.outcome == "blocked" and all(
                r.passed for r in verdict.reasons if r.rule.group != "requirement")
            for reason in verdict.reasons:
                status[row, i] = code[reason.status]
                row += 1
        for need in result.gaps:
            gaps[NEEDS.index(need), i] = True
        for need in result.undecided:
            undecided[NEEDS.index(need), i] = True
        for effect in result.effects:
            effects[effect_index[id(effect)], i] = True
    return Decisions(status, outcome, gaps, effects, needs, undecided, loop_blocked)
