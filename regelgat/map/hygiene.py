"""Rule hygiene from the same translation: what the rules say that can never make a difference.

- a provision no profile can ever get (dead);
- a criterion that can never be met, or that never refuses anyone the provision's other rules accept;
- an exclusion shadowed by the criteria: it never refuses anyone the criteria accept.
Each finding is a proof by the solver over every possible client, not a sample.
"""

from __future__ import annotations

from regelgat.map.solver import Space, conjunction, negation
from regelgat.rules.compiled import BoundProvision, BoundRule, CompiledRules


def deep_findings(compiled: CompiledRules, timeout_s: float = 120.0) -> list[str]:
    """One line per finding, in ruleset order; raises SolverTimeout if the solver runs out of time."""
    space = Space(compiled, timeout_s)
    date = compiled.date.isoformat()
    findings = []
    for provision in compiled.provisions:
        where = f"{provision.ruleset}: provision {provision.spec.id}"
        if not space.satisfiable(space.eligible[provision.key]):
            findings.append(f"{where}: no client can get it on {date} (dead provision)")
            continue  # every rule of a dead provision would be reported again below
        for rule in (*provision.criteria, *provision.exclusions):
            findings += [f"{where}, {rule.group} {rule.rule.id}: {problem}"
                         for problem in _rule_problems(space, provision, rule, date)]
    return findings


def _rule_problems(space: Space, provision: BoundProvision, rule: BoundRule, date: str) -> list[str]:
    passes = space.passes(rule)
    if not space.satisfiable(passes):
        return [f"no client meets it on {date} (never passes)"]
    criteria = [space.passes(r) for r in provision.criteria if r is not rule]
    refuses = negation(space.could_pass(rule))  # definitely: an unknown fact refuses no one
    if rule.group == "exclusion":
        if not space.satisfiable(conjunction(criteria), refuses):
            return [f"refuses no one the criteria accept on {date} (shadowed by the criteria)"]
        return []
    others = criteria + [space.passes(r) for r in provision.exclusions]
    if not space.satisfiable(conjunction(others), refuses):
        return [f"refuses no one the provision's other rules accept on {date} (never fails given the others)"]
    return []
