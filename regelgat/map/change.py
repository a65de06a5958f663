"""The gap map across a rule change: the regions that opened (covered before, a gap after) and the
regions that closed (a gap before, covered after), each traced to the rules that changed.

Both rule states become formulas over the same fact variables, so "a gap after and not before" is
one formula; its regions are found and proven complete as in `regions.gap_map`. Each region is
traced with the one rule-change explanation (`rules/changes.py`): for every provision that covered
the need somewhere in the region on the other date, the changed rules (a parameter, a condition,
a rule or provision coming into or going out of force) that refuse there now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from regelgat.map import literals as lits
from regelgat.map.regions import Mapper, Region, formula_of, parse_where, rules_of, with_granters
from regelgat.map.solver import SolverTimeout, Space, conjunction, negation
from regelgat.rules.at_date import RulesAt
from regelgat.i18n import N_
from regelgat.rules.changes import ENGLISH, Say, explain_rule, in_force_change, rule_key


@dataclass
class ChangeMap:
    need: str
    before: dt.date
    after: dt.date
    where: str | None
    opened: list[Region] = field(default_factory=list)
    closed: list[Region] = field(default_factory=list)
    complete: bool = False


def change_map(before: RulesAt, after: RulesAt, need: str, where: str | None = None,
               timeout_s: float = 120.0, say: Say = ENGLISH) -> ChangeMap:
    """Opened and closed regions, proven complete; on a solver timeout, those found so far with complete=False.

    SAY words the causes (English with ids by default, as the JSON contract has them)."""
    condition = parse_where(where)
    old = Space(before.compiled, timeout_s, also=[after.compiled])
    new = Space(after.compiled, timeout_s, also=[before.compiled])
    old.assume(new.background)
    new.assume(old.background)
    result = ChangeMap(need, before.date, after.date, where)
    mapper, current = None, "opened"
    try:
        for current, now, then in (("opened", new, old), ("closed", old, new)):
            mapper = _mapper(now, then, need, condition)
            goal = conjunction([now.gap(need), negation(then.gap(need))])
            regions = mapper.cover(goal)
            sides = (before, after) if current == "opened" else (after, before)
            setattr(result, current, [dataclasses.replace(r, causes=_causes(r, now, then, need, *sides, say))
                                   for r in regions])
        result.complete = True
    except SolverTimeout:
        if mapper is not None:
            setattr(result, current, mapper.found)
        result.complete = False
    return result


def _mapper(now: Space, then: Space, need: str, condition) -> Mapper:
    """Comparisons of both rule states (they decide the region exactly), the wide literals of the state
    the region is a gap in (its compound criteria, the provisions its doors wait for), and those of the
    other state, named with its date: each of its criteria (a comparison on an amount reads that
    date's formula, which no comparison here states) and whether each of its provisions for the
    need (or that they wait for) accepts the client on its own criteria."""
    nodes = list(then.compiled.atoms) + list(now.compiled.atoms) + ([condition] if condition is not None else [])
    reached = with_granters(now.compiled, [p for p in now.compiled.provisions if need in p.spec.covers])
    reached_then = with_granters(then.compiled, [p for p in then.compiled.provisions if need in p.spec.covers])
    here = lits.candidates(nodes) + lits.rule_literals(now.compiled, reached) \
        + lits.provision_literals([p for p in reached if need not in p.spec.covers])
    dated = _dated(then)
    there = [dataclasses.replace(lit, fact=lit.fact + dated) for lit in
             lits.rule_literals(then.compiled, reached_then, every=True) + lits.own_literals(then.compiled, reached_then)]
    inside = now.tri(condition)[0] if condition is not None else conjunction([])
    return Mapper(now, need, inside, here + there,
                   [formula_of(now, lit) for lit in here] + [formula_of(then, lit) for lit in there])


def _dated(space: Space) -> str:
    """How a literal of the other rule state is named: its key, then ' on <date>'."""
    return f" on {space.compiled.date.isoformat()}"


def _causes(region: Region, now: Space, then: Space, need: str, rules_then: RulesAt, rules_now: RulesAt,
            say: Say = ENGLISH) -> tuple[str, ...]:
    """The changed rules that refuse, in the region, a provision that covered the need (or one such a
    provision waits for) there on the other date; one line each, in the words of rules/changes.py."""
    dated = _dated(then)
    inside = conjunction(formula_of(then if lit.fact.endswith(dated) else now, lit) for lit in region.literals)
    before, after = sorted((rules_then, rules_now), key=lambda side: side.date)
    opened = rules_now is after
    by_key_now = {p.key: p for p in now.compiled.provisions}
    covering = [p for p in then.compiled.provisions if need in p.spec.covers]
    out: list[str] = []
    for p_then in with_granters(then.compiled, covering):
        key = p_then.key
        if not now.satisfiable(inside, then.eligible[key]):
            continue  # it gave no one in the region anything on the other date either
        p_now = by_key_now.get(key)
        if p_now is None:
            out.append(f"{key}: " + in_force_change(p_then.spec, key, say.gettext(N_("provision")), before, after,
                                                    not opened, say))
            continue
        rules_then_by_key = {rule_key(r): r for r in rules_of(p_then)}
        for rule in rules_of(p_now):
            old = rules_then_by_key.get(rule_key(rule))
            refuses = conjunction([inside, then.eligible[key], now.refuses(key, rule)])
            if old is None:
                if now.satisfiable(refuses):
                    out.append(f"{say.name_rule(key, rule)}: "
                               + in_force_change(rule.rule, key, say.gettext(N_("it")), before, after, opened, say))
                continue
            what = explain_rule(old, rule, before, after, say) if opened else explain_rule(rule, old, before, after, say)
            if what and now.satisfiable(refuses):
                out.append(f"{say.name_rule(key, rule)}: {what}")
    return tuple(dict.fromkeys(out)) or (say.gettext(NO_CAUSE),)


NO_CAUSE = N_("no rule of a provision that covered it changed in a way that refuses here")

