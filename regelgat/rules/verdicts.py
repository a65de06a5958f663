"""From atom answers to verdicts: outcomes, deciding reasons, gaps and referral loops.

This is the one place where regelgat's meaning of "eligible", "blocked", "gap" and "loop" lives.
Engines only answer atoms; whichever engine answered, the same code assembles the verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from regelgat.rules.compiled import BoundProvision, BoundRule, CompiledRules
from regelgat.rules.expressions import describe, negate
from regelgat.client.profile import NEEDS

Outcome = Literal["eligible", "ineligible", "blocked", "undetermined"]
Status = Literal["pass", "fail", "not_applicable", "unknown"]


@dataclass(frozen=True)
class Reason:
    rule: BoundRule
    status: Status

    @property
    def passed(self) -> bool:
        """Whether this reason lets the client through (not applicable counts as passed; unknown does not)."""
        return self.status in ("pass", "not_applicable")


@dataclass(frozen=True)
class Verdict:
    provision: BoundProvision
    outcome: Outcome
    reasons: tuple[Reason, ...]
    # what refused it (ineligible), what holds it up (blocked), what is not known yet (undetermined), or ()
    deciding: tuple[Reason, ...]
    blocked_by: tuple[str, ...]  # provisions it waits for, when blocked or undetermined on a prerequisite
    # reported practice (not applied as a rule) that would refuse or hold it up, or might: "may be
    # refused in practice". What a reader is told, not part of the decision: the numpy engine leaves it
    # out, and engines are compared on decisions alone.
    risks: tuple[Reason, ...] = field(default=(), compare=False)

    @property
    def flags(self) -> tuple[str, ...]:
        """The unconfirmed assumptions this outcome rests on: what refused or holds it up, or, when
        eligible, every rule that applied (any of them could turn out otherwise)."""
        basis = self.deciding or [r for r in self.reasons if r.status != "not_applicable"]
        return tuple(dict.fromkeys(f for r in basis for f in r.rule.flags))


@dataclass(frozen=True)
class Result:
    date: Any
    verdicts: tuple[Verdict, ...]
    gaps: tuple[str, ...]  # needs whose every door is definitely shut
    loops: tuple[tuple[str, ...], ...]
    effects: tuple[BoundRule, ...]
    undecided: tuple[str, ...] = ()  # needs not covered yet, with a door still undetermined


def reason_status(rule: BoundRule, atoms: Sequence[bool | None], exclusion: bool = False) -> Status:
    """A criterion or exclusion's status from its atoms' answers: shared by decide() and the gap map's
    rule literals, so both read "met" the same way."""
    if rule.when is not None:
        applies = atoms[rule.when]
        if applies is False:
            return "not_applicable"
        if applies is None:
            return "unknown"
    holds = atoms[rule.condition]
    if holds is None:  # not known: neither met nor refused; the verdict waits for the answer
        return "unknown"
    return "pass" if holds != exclusion else "fail"


def _fixpoint(compiled: CompiledRules, own: dict[str, bool], met) -> set[str]:
    """The least fixpoint: a provision is in once its own reasons allow it and every prerequisite is met."""
    inside: set[str] = set()
    changed = True
    while changed:
        changed = False
        for provision in compiled.provisions:
            if provision.key not in inside and own[provision.key] and all(
                    met(r, inside) for r in provision.requires):
                inside.add(provision.key)
                changed = True
    return inside


def decide(compiled: CompiledRules, atoms: Sequence[bool | None], needs: Sequence[str],
           unknowable: frozenset[BoundRule] = frozenset()) -> Result:
    """The verdicts for one profile from its atoms' answers (True, False or None for unknown): the heart of regelgat.

    Three-valued throughout. A provision is eligible if it is so whatever the unknown facts turn
    out to be (the least fixpoint over prerequisites of definite answers), ineligible if one of its
    own reasons definitely refuses, blocked if it could not become eligible because a prerequisite
    is definitely out of reach, and undetermined otherwise: an answer to a question could open it.
    A need is a gap only when no door could open; referral loops are only those with a member
    that definitely meets its own criteria. The numpy engine reproduces this column-wise
    (VectorEngine.decide) and is held equal to it. UNKNOWABLE rules count as unknown whatever the
    facts (the local rules of a municipality the client does not live in: check/municipality.py).
    """
    def status(rule: BoundRule, exclusion: bool = False) -> Status:
        found = reason_status(rule, atoms, exclusion)
        return "unknown" if rule in unknowable and found != "not_applicable" else found

    own: dict[str, list[Reason]] = {}
    for provision in compiled.provisions:
        own[provision.key] = [Reason(r, status(r)) for r in provision.criteria] + \
            [Reason(r, status(r, exclusion=True)) for r in provision.exclusions]
    own_fail = {key: any(r.status == "fail" for r in reasons) for key, reasons in own.items()}
    own_ok = {key: all(r.passed for r in reasons) for key, reasons in own.items()}

    def waiver(rule: BoundRule) -> bool | None:
        return None if rule.unless is None or rule in unknowable else atoms[rule.unless]

    eligible = _fixpoint(compiled, own_ok, lambda r, inside: waiver(r) is True or any(
        g in inside for g in r.rule.granters))
    possible = _fixpoint(compiled, {k: not v for k, v in own_fail.items()}, lambda r, inside: r in unknowable or (
        r.unless is not None and waiver(r) is not False) or any(g in inside for g in r.rule.granters))

    verdicts, edges = [], {}
    for provision in compiled.provisions:
        requirement_reasons = [Reason(r, "not_applicable" if waiver(r) is True else
                                      "pass" if any(g in eligible for g in r.rule.granters) else
                                      "unknown" if r in unknowable or (r.unless is not None and waiver(r) is None) or any(
                                          g in possible for g in r.rule.granters) else "fail")
                               for r in provision.requires]
        reasons = tuple(own[provision.key] + requirement_reasons)
        key = provision.key
        if key not in eligible:
            edges[key] = sorted({g for r in requirement_reasons if r.status == "fail" for g in r.rule.rule.granters})
        if key in eligible:
            outcome, deciding = "eligible", ()
        elif own_fail[key]:
            outcome, deciding = "ineligible", tuple(r for r in own[key] if r.status == "fail")
        elif key in possible:
            outcome, deciding = "undetermined", tuple(r for r in reasons if r.status == "unknown")
        else:
            outcome, deciding = "blocked", tuple(r for r in requirement_reasons if r.status == "fail")
        blocked_by = tuple(sorted({g for r in deciding if r.rule.group == "requirement"
                                   for g in r.rule.rule.granters})) if outcome in ("blocked", "undetermined") else ()
        verdicts.append(Verdict(provision, outcome, reasons, deciding, blocked_by,
                                _risks(provision, atoms, waiver) if outcome in ("eligible", "undetermined") else ()))

    covered = {need for v in verdicts if v.outcome == "eligible" for need in v.provision.spec.covers}
    open_ = {need for v in verdicts if v.outcome == "undetermined" for need in v.provision.spec.covers}
    asked = [n for n in NEEDS if n in needs and compiled.answers(n)]
    gaps = tuple(n for n in asked if n not in covered and n not in open_)
    undecided = tuple(n for n in asked if n not in covered and n in open_)
    effects = tuple(e for e in compiled.effects if atoms[e.condition] is True)
    # A loop traps the client only if a provision in it definitely accepts them on its own criteria.
    blocked = {v.provision.key for v in verdicts if v.outcome == "blocked" and own_ok[v.provision.key]}
    return Result(compiled.date, tuple(verdicts), gaps, referral_loops(edges, blocked), effects, undecided)


def _risks(provision: BoundProvision, atoms: Sequence[bool | None], waiver) -> tuple[Reason, ...]:
    """The reported practice that would refuse or hold up this provision if applied as a rule
    (status fail), or might (unknown): a risk to name, never a reason the verdict rests on."""
    out = []
    for rule in provision.risks:
        if rule.group == "requirement":
            # a risk even when the granting door is open: the client is sent there first
            status: Status = "pass" if waiver(rule) is True else \
                "unknown" if rule.unless is not None and waiver(rule) is None else "fail"
        else:
            status = reason_status(rule, atoms, exclusion=rule.group == "exclusion")
        if status in ("fail", "unknown"):
            out.append(Reason(rule, status))
    return tuple(out)


def referral_loops(edges: dict[str, list[str]], blocked: set[str]) -> tuple[tuple[str, ...], ...]:
    """The cycles of unmet prerequisites that trap the client: at least one provision in the
    cycle accepts them on its own criteria (it is blocked), but waits for another in the circle."""
    return tuple(loop for loop in _cycles(edges) if blocked & set(loop))


def _cycles(edges: dict[str, list[str]]) -> tuple[tuple[str, ...], ...]:
    """One cycle per strongly connected group of unmet prerequisites.

    Each loop starts at its alphabetically first provision and follows the first unmet
    prerequisite that stays inside the group, so the same situation always prints the same loop.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm; the graphs here have tens of nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, []):
            if nxt not in edges:
                continue
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(edges):
        if node not in index:
            connect(node)
    loops = []
    for group in groups:
        start = min(group)
        if len(group) == 1 and start not in edges.get(start, []):
            continue
        path, node = [start], start
        while True:
            node = min(n for n in edges[node] if n in group)
            if node in path:
                loops.append(tuple(path[path.index(node):]))
                break
            path.append(node)
    return tuple(sorted(loops))


def waiting_routes(verdict: Verdict, result: Result) -> list[tuple[tuple[Verdict, ...], bool]]:
    """Every route a blocked verdict waits along: the provisions it waits for, one after another,
    to one that refuses the client (flag False) or back into the route itself (flag True: a loop)."""
    by_key = {v.provision.key: v for v in result.verdicts}
    routes: list[tuple[tuple[Verdict, ...], bool]] = []

    def follow(path: tuple[Verdict, ...]) -> None:
        if path[-1].outcome != "blocked":
            routes.append((path, False))
            return
        for key in path[-1].blocked_by:
            step = by_key.get(key)
            if step is None or step in path:
                routes.append((path, True))
            else:
                follow(path + (step,))

    follow((verdict,))
    return routes


def verdict_amount(verdict: Verdict, compiled: CompiledRules, facts: dict[str, Any]) -> float | None:
    """Euros a month the provision pays this client: its amount when eligible, else 0; None when
    the provision has no amount formula, is undetermined, or its amount needs a fact the profile lacks."""
    amount = compiled.amount_of(verdict.provision.key)
    if amount is None:
        return None
    if verdict.outcome == "undetermined":
        return None
    return facts.get(amount.name) if verdict.outcome == "eligible" else 0.0


def amount_flags(verdict: Verdict, compiled: CompiledRules) -> list[str]:
    """The unconfirmed assumptions an eligible provision's amount rests on."""
    amount = compiled.amount_of(verdict.provision.key)
    return list(amount.flags) if amount and verdict.outcome == "eligible" else []


def to_json(result: Result, profile_id: str, facts: dict[str, Any], compiled: CompiledRules,
            assumed_fields: frozenset[str] = frozenset(), lang: str = "en") -> dict[str, Any]:
    """The public JSON contract of `regelgat check`: the questions that decide undetermined verdicts
    first (most decisive first), then every verdict."""
    from regelgat.client.questions import assumed_text, question
    from regelgat.rules.unknowns import assumed, questions, verdict_fields  # they build on this module

    def source(rule: BoundRule) -> str:
        return str(rule.rule.source)

    def reason(r: Reason) -> dict[str, Any]:
        out: dict[str, Any] = {"criterion": r.rule.rule.id, "passed": r.passed, "source": source(r.rule),
                               "kind": r.rule.rule.kind, "text": r.rule.text, "status": r.status}
        if r.status == "fail" and r.rule.group in ("criterion", "exclusion"):
            out["to_pass"] = requirement_text(r, compiled)
        if r.rule.flags:
            out["assumptions"] = list(r.rule.flags)
        return out

    return {
        "profile": profile_id,
        "date": result.date.isoformat(),
        "reading": compiled.reading,
        "questions": [{"fact": name, "text": question(name, lang), "decides": decides}
                      for name, decides in questions(result, compiled, facts)],
        "verdicts": [{
            "ruleset": v.provision.ruleset,
            "provision": v.provision.spec.id,
            "covers": list(v.provision.spec.covers),
            "outcome": v.outcome,
            "deciding": [r.rule.rule.id for r in v.deciding],
            "blocked_by": list(v.blocked_by),
            "waits_for_routes": [{"route": [w.provision.key for w in route[1:]],
                                  "ends": "loop" if looped else route[-1].outcome}
                                 for route, looped in waiting_routes(v, result)] if v.outcome == "blocked" else [],
            "questions": list(verdict_fields(v, result, compiled, facts)),
            "assumed": [assumed_text(f, lang) for f in assumed(v, compiled, set(assumed_fields))],
            "flagged": bool(v.flags),
            "practice_risks": [{"criterion": r.rule.rule.id, "text": r.rule.text, "source": source(r.rule),
                                "status": r.status, "assumption": r.rule.rule.assumption} for r in v.risks],
            "amount": verdict_amount(v, compiled, facts),
            "amount_assumptions": amount_flags(v, compiled),
            "reasons": [reason(r) for r in v.reasons],
        } for v in result.verdicts],
        "gaps": list(result.gaps),
        "undecided": list(result.undecided),
        "loops": [list(loop) for loop in result.loops],
        "effects": [effect_json(e, compiled, facts) for e in result.effects],
    }


def effect_json(effect: BoundRule, compiled: CompiledRules, facts: dict[str, Any]) -> dict[str, Any]:
    """An effect on another household, with what it costs them in euros a month where a ruleset says."""
    cost = compiled.amount_of_effect(effect)
    return {"ruleset": effect.ruleset, "effect": effect.rule.id, "text": effect.text,
            "source": str(effect.rule.source), "amount": facts.get(cost.name) if cost else None}


def requirement_text(reason: Reason, compiled: CompiledRules) -> str:
    """The bound condition that would let a refusing criterion or exclusion pass."""
    rule = reason.rule
    node = compiled.atoms[rule.condition]
    if rule.group == "exclusion":
        node = negate(node)
    return describe(node)
