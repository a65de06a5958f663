"""Amounts for one profile: every bound amount formula in order, added to the profile's facts.

An amount is a fact like any other once computed, so a condition can read it (huurtoeslag is
only for a household whose amount is above zero) and the engines decide on it unchanged. The
numpy engine computes the same amounts column by column (engines/vector_amounts.py); a batch
run compares the two to the cent.
"""

from __future__ import annotations

from typing import Any, Mapping

from regelgat.rules import formulas
from regelgat.rules.compiled import BoundAmount, CompiledRules
from regelgat.rules.expressions import evaluate
from regelgat.rules.expressions import facts_read as expressions_read


def amount_value(amount: BoundAmount, facts: Mapping[str, Any]) -> float | None:
    """Euros a month, in whole cents: the first case whose `when` holds decides; no case, nothing
    due (0). None (unknown) when a `when` or the formula needs a fact the profile lacks."""
    for when, formula in amount.cases:
        if when is not None:
            holds = evaluate(when, facts)
            if holds is None:
                return None
            if not holds:
                continue
        value = formulas.evaluate(formula, facts)
        return None if value is None else formulas.cents(value)
    return 0.0


def add_amounts(compiled: CompiledRules, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts plus every amount (an unknown amount is left out, as a missing fact is)."""
    out = dict(facts)
    for amount in compiled.amounts:
        out.pop(amount.name, None)
        value = amount_value(amount, out)
        if value is not None:
            out[amount.name] = value
    return out


def arithmetic(amount: BoundAmount, facts: Mapping[str, Any]) -> str:
    """The formula that applied, with the client's numbers: `1401.5 - bijstand_counted_income (= 600)`."""
    for when, formula in amount.cases:
        if when is not None and evaluate(when, facts) is not True:
            if evaluate(when, facts) is None:
                return "unknown: a fact it needs is missing"
            continue
        names = sorted(formulas.facts_read(formula))
        values = ", ".join(f"{n} = {facts[n]:g}" if n in facts else f"{n} missing" for n in names)
        return formulas.describe(formula) + (f" with {values}" if values else "")
    return "0: no case applies"


def profile_facts_read(compiled: CompiledRules, names: set[str]) -> set[str]:
    """`names` with every amount among them replaced by the facts its cases read, through other
    amounts too: bijstand's counted income is the client's income and months in work."""
    amounts = {a.name: a for a in compiled.amounts}
    out, todo, seen = set(), set(names), set()
    while todo:
        name = todo.pop()
        if name not in amounts:
            out.add(name)
            continue
        seen.add(name)
        for when, formula in amounts[name].cases:
            read = formulas.facts_read(formula) | (expressions_read(when) if when is not None else set())
            todo |= read - seen
    return out
