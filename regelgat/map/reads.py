"""What the compiled rules read: the values a fact is compared with, and the amounts a need's doors
depend on. Plain data walks, kept apart from the z3 encoding that uses them."""

from __future__ import annotations

from typing import Any

from regelgat.rules import formulas
from regelgat.rules.compiled import CompiledRules
from regelgat.rules.expressions import And, Compare, Member, Node, Or, facts_read


def constants(compiled: CompiledRules, name: str) -> set[Any]:
    """The values a fact is compared with anywhere in the compiled rules."""
    found: set[Any] = set()

    def walk(node: Node) -> None:
        if isinstance(node, Compare) and node.fact == name:
            found.add(node.value)
        elif isinstance(node, Member) and node.fact == name:
            found.update(node.values)
        elif isinstance(node, (And, Or)):
            for item in node.items:
                walk(item)

    for atom in compiled.atoms:
        walk(atom)
    return found


def amounts_gaps_read(compiled: CompiledRules) -> set[str]:
    """The amounts read, directly or through other amounts, by a provision that covers a need."""
    amounts = {a.name: a for a in compiled.amounts}
    rules = [r for p in compiled.provisions if p.spec.covers for r in (*p.criteria, *p.exclusions, *p.requires)]
    todo = {name for r in rules for i in (r.condition, r.when, r.unless) if i is not None
            for name in facts_read(compiled.atoms[i]) if name in amounts}
    found: set[str] = set()
    while todo:
        name = todo.pop()
        found.add(name)
        for when, formula in amounts[name].cases:
            read = formulas.facts_read(formula) | (facts_read(when) if when is not None else set())
            todo |= {n for n in read if n in amounts} - found
    return found
