"""What an undetermined verdict waits for: the questions whose answers decide it, and the assumed
defaults a verdict rests on.

A fact the user did not give is unknown, never quietly false. A verdict that needs one is
undetermined; these functions name the profile fields (through client/questions.yaml) that
would decide it, and order them by how many verdicts each decides.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from regelgat.client.questions import field_of
from regelgat.rules import expressions, formulas
from regelgat.rules.compiled import BoundRule, CompiledRules
from regelgat.rules.verdicts import Result, Verdict


def _missing(names: Iterable[str], compiled: CompiledRules, facts: Mapping[str, Any], seen: set[str]) -> set[str]:
    """The profile fields behind the facts that are missing; a missing amount stands for the facts it reads."""
    amounts = {a.name: a for a in compiled.amounts}
    out: set[str] = set()
    for name in names:
        if name in facts or name in seen:
            continue
        seen.add(name)
        amount = amounts.get(name)
        if amount is None:
            out.add(field_of(name))
            continue
        out |= _missing(_amount_reads(amount, facts), compiled, facts, seen)
    return out


def _amount_reads(amount, facts: Mapping[str, Any]) -> set[str]:
    """The facts a missing amount waits for: the `when`s up to the first that is not known to fail,
    and that case's formula if its `when` holds."""
    read: set[str] = set()
    for when, formula in amount.cases:
        if when is not None:
            holds = expressions.evaluate(when, facts)
            if holds is None:
                return read | unknown_leaves(when, facts)
            if not holds:
                continue
        return read | formulas.facts_read(formula)
    return read


def unknown_leaves(node: expressions.Node, facts: Mapping[str, Any]) -> set[str]:
    """The facts that leave a condition unknown: in three-valued logic a part that is known cannot be
    what keeps it open (`ex_spouse_at_home and years_since_separation < 2` is false without the years)."""
    if expressions.evaluate(node, facts) is not None:
        return set()
    items = getattr(node, "items", None)
    if items is None:
        item = getattr(node, "item", None)
        return unknown_leaves(item, facts) if item is not None else expressions.facts_read(node)
    return set().union(set(), *(unknown_leaves(item, facts) for item in items))


def rule_fields(rule: BoundRule, compiled: CompiledRules, facts: Mapping[str, Any]) -> set[str]:
    """The missing profile fields that leave a rule's condition, `when` or `unless` unknown."""
    atoms = [i for i in (rule.condition, rule.when, rule.unless) if i is not None]
    read = set().union(set(), *(unknown_leaves(compiled.atoms[i], facts) for i in atoms))
    return _missing(read, compiled, facts, set())


def verdict_fields(verdict: Verdict, result: Result, compiled: CompiledRules, facts: Mapping[str, Any],
                   _seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The profile fields an undetermined verdict waits for: those its unknown reasons read, and those
    of the undetermined provisions it waits for."""
    if verdict.outcome != "undetermined":
        return ()
    by_key = {v.provision.key: v for v in result.verdicts}
    seen = _seen | {verdict.provision.key}
    out: dict[str, None] = {}
    for reason in verdict.deciding:
        out.update(dict.fromkeys(sorted(rule_fields(reason.rule, compiled, facts))))
        for granter in reason.rule.rule.granters if reason.rule.group == "requirement" else ():
            if granter in by_key and granter not in seen:
                out.update(dict.fromkeys(verdict_fields(by_key[granter], result, compiled, facts, seen)))
    return tuple(out)


def questions(result: Result, compiled: CompiledRules, facts: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(profile field, the provisions its answer decides), the field deciding most verdicts first."""
    decides: dict[str, list[str]] = {}
    for verdict in result.verdicts:
        for name in verdict_fields(verdict, result, compiled, facts):
            decides.setdefault(name, []).append(verdict.provision.key)
    order = list(decides)
    return sorted(decides.items(), key=lambda item: (-len(item[1]), order.index(item[0])))


def assumed(verdict: Verdict, compiled: CompiledRules, assumed_fields: set[str]) -> list[str]:
    """The assumed defaults (fields the user did not give) that this verdict's outcome rests on."""
    if not assumed_fields:
        return []
    basis = verdict.deciding or [r for r in verdict.reasons if r.status != "not_applicable"]
    out: dict[str, None] = {}
    for reason in basis:
        atoms = [i for i in (reason.rule.condition, reason.rule.when) if i is not None]
        read = set().union(set(), *(expressions.facts_read(compiled.atoms[i]) for i in atoms))
        out.update(dict.fromkeys(sorted(f for f in map(field_of, read) if f in assumed_fields)))
    return list(out)
