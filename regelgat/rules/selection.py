"""Only what a question needs: compiled rules cut down to some provisions (or the provisions that
serve some needs) and exactly the prerequisites they depend on.

A question such as "who gets algemene bijstand?" needs that provision, the provision that grants
its prerequisite (the WPI briefadres), the atoms their reasons read and the amounts those atoms
read; every other atom, reason, amount and effect is left out, so every engine evaluates less.
A selected provision's verdict (outcome, every reason, amount) is the same as in the full rules:
its prerequisites are pulled in transitively, and nothing else can change it.

What a selection does not answer: effects on other households are left out, and gaps and undecided
needs are reported only for the needs all of whose doors are selected (`CompiledRules.answered`):
with a door left out, "nothing covers it" would be a guess.
"""

from __future__ import annotations

from collections.abc import Iterable

from regelgat.client.profile import NEEDS
from regelgat.io.errors import InputError, did_you_mean
from regelgat.rules import expressions, formulas
from regelgat.rules.compiled import BoundAmount, BoundProvision, BoundRule, CompiledRules


def parse_list(values: Iterable[str] | None) -> tuple[str, ...]:
    """`--provisions a,b --provisions c` as (a, b, c): each value may hold a comma-separated list."""
    return tuple(item.strip() for value in values or () for item in str(value).split(",") if item.strip())


def wanted(compiled: CompiledRules, provisions: Iterable[str] = (), needs: Iterable[str] = (),
           known: Iterable[str] | None = None, where: str = "--provisions") -> set[str]:
    """The provision keys a question asks for: those named and those that cover the needs named.

    A name that is no provision (of `known`, by default the compiled rules') or no need is a
    one-line error with the nearest name.
    """
    keys = [p.key for p in compiled.provisions]
    known = set(keys if known is None else known)
    for key in provisions:
        if key not in known:
            raise InputError(where, key, "names no provision",
                             did_you_mean(key, sorted(known)) or "write <ruleset id>/<provision id>, as `regelgat rules` lists them",
                             setting="provisions")
    for need in needs:
        if need not in NEEDS:
            raise InputError("--needs", need, "is not a need", did_you_mean(need, NEEDS) or f"use {', '.join(NEEDS)}",
                             setting="needs")
    return set(provisions) | {p.key for p in compiled.provisions if set(p.spec.covers) & set(needs)}


def select(compiled: CompiledRules, provisions: Iterable[str] = (), needs: Iterable[str] = (),
           known: Iterable[str] | None = None) -> CompiledRules:
    """The compiled rules cut down to the provisions asked for (by key or by the needs they cover) and,
    transitively, every provision that grants one of their prerequisites. Nothing asked: unchanged."""
    provisions, needs = tuple(provisions), tuple(needs)
    if not provisions and not needs:
        return compiled
    keep = _closure(compiled, wanted(compiled, provisions, needs, known))
    kept = [p for p in compiled.provisions if p.key in keep]
    rules = [r for p in kept for r in (*p.criteria, *p.exclusions, *p.requires, *p.risks)]
    used = sorted({i for r in rules for i in (r.condition, r.when, r.unless) if i is not None})
    remap = {old: new for new, old in enumerate(used)}
    atoms = [compiled.atoms[i] for i in used]
    answered = tuple(n for n in NEEDS if all(p.key in keep for p in compiled.provisions if n in p.spec.covers))
    out = CompiledRules(compiled.date, [r for r in compiled.rulesets if any(p.ruleset == r.id for p in kept)],
                        [_moved(p, remap) for p in kept], [], atoms,
                        _amounts(compiled, atoms, kept, "income" in answered), answered, compiled.practice)
    return out


def _closure(compiled: CompiledRules, keys: set[str]) -> set[str]:
    """`keys` and every provision that grants a prerequisite of one of them, transitively."""
    by_key = {p.key: p for p in compiled.provisions}
    out, todo = set(), [k for k in keys if k in by_key]
    while todo:
        key = todo.pop()
        if key in out:
            continue
        out.add(key)
        todo.extend(g for r in by_key[key].requires for g in r.rule.granters if g in by_key)
    return out


def _moved(provision: BoundProvision, remap: dict[int, int]) -> BoundProvision:
    def rule(r: BoundRule) -> BoundRule:
        return BoundRule(r.ruleset, r.provision, r.group, r.rule, *(None if i is None else remap[i]
                                                                  for i in (r.condition, r.when, r.unless)),
                         r.parameters, r.flags, r.text)

    return BoundProvision(provision.ruleset, provision.spec, *(tuple(map(rule, group)) for group in
                                                               (provision.criteria, provision.exclusions,
                                                                provision.requires, provision.risks)))


def _amounts(compiled: CompiledRules, atoms: list, kept: list[BoundProvision], minimum: bool) -> list[BoundAmount]:
    """The amounts the kept atoms read, what the kept provisions pay, and the social minimum when the
    need for income is answered (a shortfall is measured against it); each with the amounts it reads."""
    by_name = {a.name: a for a in compiled.amounts}
    keys = {p.key for p in kept}
    names = set().union(set(), *(expressions.facts_read(a) for a in atoms)) & set(by_name)
    names |= {a.name for a in compiled.amounts
              if (a.spec.provision and f"{a.ruleset}/{a.spec.provision}" in keys) or (minimum and a.spec.social_minimum)}
    todo = list(names)
    while todo:
        for when, formula in by_name[todo.pop()].cases:
            read = formulas.facts_read(formula) | (expressions.facts_read(when) if when is not None else set())
            new = (read & set(by_name)) - names
            names |= new
            todo.extend(new)
    return [a for a in compiled.amounts if a.name in names]  # in the order they are computed
