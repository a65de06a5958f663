"""What changed in the rules between two rule states, in words a reviewer checks against the sources.

Two readers need it: a diff compares two live rule states (two dates, or two git versions of the
rulesets folder) and names, per rule, the parameter that moved (with the source of its new value),
the condition that changed, or the date it came into or went out of force; a snapshot compares
the rules it recorded (their conditions in words, and parameter values) with today's. Both write
a changed parameter the same way, with the one money formatter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from regelgat.i18n import N_
from regelgat.rules.at_date import RulesAt
from regelgat.rules.compiled import BoundProvision, BoundRule, CompiledRules
from regelgat.rules.expressions import describe
from regelgat.rules.money import money
from regelgat.rules.ruleset import Ruleset


GROUP_WORD = {"criterion": N_("criterion"), "exclusion": N_("exclusion"), "requirement": N_("prerequisite"),
              "effect": N_("effect")}


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Say:
    """How change lines are worded. The default is the English a reviewer checks against the sources,
    with ids; a report in Dutch gives the catalog's words, provision titles and the rules' own texts."""

    gettext: Callable[[str], str] = _same  # an interface phrase (a msgid below) in the reader's language
    text: Callable[[str], str] = _same  # a free text of the rules (an assumption) in that language
    provision: Callable[[str], str] = _same  # provision key -> how it is named
    rule: Callable[[str, BoundRule], str] = field(default=None)  # (provision key, rule) -> how it is named
    money: Callable[[float | None], str] = money

    def name_rule(self, key: str, rule: BoundRule) -> str:
        if self.rule is not None:
            return self.rule(key, rule)
        return f"{key} {self.gettext(GROUP_WORD[rule.group])} {rule.rule.id}"


ENGLISH = Say()


def rule_key(rule: BoundRule) -> tuple[str, str]:
    """A rule's identity within its provision: (group, id)."""
    return rule.group, rule.rule.id


def rule_label(rule: BoundRule) -> str:
    """A rule named as a reader knows it: "prerequisite needs_brp"."""
    return f"{GROUP_WORD[rule.group]} {rule.rule.id}"


def rule_changes(before: RulesAt, after: RulesAt, say: Say = ENGLISH) -> list[str]:
    """Every difference between the two bound rule sets, one line each."""
    _ = say.gettext
    out = []
    pa = {p.key: p for p in before.compiled.provisions}
    pb = {p.key: p for p in after.compiled.provisions}
    for key in sorted(set(pa) | set(pb)):
        a, b = pa.get(key), pb.get(key)
        if a is None or b is None:
            present = a or b
            out.append(f"{say.provision(key)}: " + in_force_change(present.spec, key, _(N_("provision")), before, after,
                                                                   a is None, say))
            continue
        ra, rb = _rules_of(a), _rules_of(b)
        for rid in sorted(set(ra) | set(rb)):
            x, y = ra.get(rid), rb.get(rid)
            label = say.name_rule(key, y or x)  # named as it reads after the change
            if x is None or y is None:
                out.append(f"{label}: " + in_force_change((x or y).rule, key, _(N_("it")), before, after, x is None,
                                                          say))
            elif _bound_text(x, before) != _bound_text(y, after) or x.rule != y.rule:
                what = explain_rule(x, y, before, after, say) or _(N_("its text, source or dates changed"))
                out.append(f"{label}: {what}")
    ea = {e.key: e for e in before.compiled.effects}
    eb = {e.key: e for e in after.compiled.effects}
    for key in sorted(set(ea) | set(eb)):
        x, y = ea.get(key), eb.get(key)
        if x is None or y is None:
            if not ruleset_of(after.compiled, key.split("/")[0]):
                out.append(_(N_("effect {key}: ruleset removed")).format(key=key))
            else:
                out.append((_(N_("effect {key}: in force on {date}")) if x is None else
                            _(N_("effect {key}: no longer in force on {date}"))).format(key=key, date=after.date))
        elif _bound_text(x, before) != _bound_text(y, after):
            what = explain_rule(x, y, before, after, say) or _(N_("its condition changed"))
            out.append(_(N_("effect {key}: {what}")).format(key=key, what=what))
    return out


_SLOT_CHANGED = {"condition": N_("condition changed from {old} to {new}"),
                 "when": N_("when changed from {old} to {new}"), "unless": N_("unless changed from {old} to {new}")}


def explain_rule(a: BoundRule, b: BoundRule, before: RulesAt, after: RulesAt, say: Say = ENGLISH) -> str:
    """What differs in one rule between the sides: parameter values, its conditions, or neither."""
    parts = []
    pa, pb = dict(a.parameters), dict(b.parameters)
    for name in sorted(set(pa) | set(pb)):
        if pa.get(name) != pb.get(name):
            parts.append(parameter_change(b.ruleset, name, pa.get(name), pb.get(name), after, say))
    for slot in ("condition", "when", "unless"):
        text_a, text_b = getattr(a.rule, slot, None), getattr(b.rule, slot, None)
        if text_a != text_b:
            parts.append(say.gettext(_SLOT_CHANGED[slot]).format(old=_quote(text_a), new=_quote(text_b)))
    return "; ".join(parts)


def parameter_change(ruleset_id: str, name: str, old: float | None, new: float | None, after: RulesAt,
                     say: Say = ENGLISH) -> str:
    """A parameter's old and new value, with the date and source of the new one."""
    _ = say.gettext
    text = parameter_line(name, old, new, say)
    ruleset = ruleset_of(after.compiled, ruleset_id)
    if ruleset is not None and name in ruleset.spec.parameters and new is not None:
        dated = sorted((start, v) for start, v in ruleset.spec.parameters[name].values.items() if start <= after.date)
        if dated:
            start, value = dated[-1]
            text += " " + (_(N_("(value from {start}; {source})")) if value.source else
                           _(N_("(value from {start})"))).format(start=start, source=value.source)
            if value.assumption:
                text += " " + _(N_("[unconfirmed: {why}]")).format(why=say.text(value.assumption))
    return text


def parameter_line(name: str, old: float | None, new: float | None, say: Say = ENGLISH) -> str:
    """`parameter <name> <old> -> <new>`, the one way a changed parameter is written."""
    return say.gettext(N_("parameter {name} {old} -> {new}")).format(name=name, old=say.money(old),
                                                                      new=say.money(new))


def in_force_change(spec, key: str, what: str, before: RulesAt, after: RulesAt, appears: bool,
                    say: Say = ENGLISH) -> str:
    """Why a provision or rule is on one side only: its dates, or it was added or removed."""
    _ = say.gettext
    other = before if appears else after
    ruleset = ruleset_of(other.compiled, key.split("/")[0])
    if ruleset is None or not _spec_exists(ruleset, key, spec):
        side = after if appears else before
        return (_(N_("{what} is new in the rulesets ({side})")) if appears else
                _(N_("{what} is removed from the rulesets ({side})"))).format(what=what, side=say.text(side.label))
    start, end = spec.valid_from, spec.valid_until
    if appears:
        if start and other.date < start:
            return _(N_("{what} comes into force on {start}")).format(what=what, start=start)
        if end and other.date > end:
            return _(N_("{what} was in force until {end}")).format(what=what, end=end)
    else:
        if end and other.date > end:
            return _(N_("{what} is no longer in force after {end}")).format(what=what, end=end)
        if start and other.date < start:
            return _(N_("{what} is not yet in force on {date} (from {start})")).format(what=what, date=other.date,
                                                                                    start=start)
    return (_(N_("{what} is now in force (its dates differ between the sides)")) if appears else
            _(N_("{what} is no longer in force (its dates differ between the sides)"))).format(what=what)


def _spec_exists(ruleset: Ruleset, key: str, spec) -> bool:
    provision_id = key.split("/")[1]
    provision = next((p for p in ruleset.spec.provisions if p.id == provision_id), None)
    if provision is None:
        return False
    if spec.id == provision_id and not hasattr(spec, "condition") and not hasattr(spec, "granted_by"):
        return True
    return any(r.id == spec.id for r in (*provision.criteria, *provision.exclusions, *provision.requires))


def ruleset_of(compiled: CompiledRules, ruleset_id: str) -> Ruleset | None:
    """The ruleset of a compiled rule set with this id, if it is there."""
    return next((r for r in compiled.rulesets if r.id == ruleset_id), None)


def _quote(text: str | None) -> str:
    return "(none)" if text is None else f"'{' '.join(text.split())}'"


def _rules_of(provision: BoundProvision) -> dict[tuple[str, str], BoundRule]:
    return {rule_key(r): r for r in (*provision.criteria, *provision.exclusions, *provision.requires)}


def _bound_text(rule: BoundRule, side: RulesAt) -> tuple:
    atoms = side.compiled.atoms
    return tuple(describe(atoms[i]) if i is not None else None for i in (rule.condition, rule.when, rule.unless))


def bound_rules(compiled: CompiledRules) -> tuple[dict[str, str], dict[str, float]]:
    """Every bound condition on the date, and every parameter value a rule reads."""
    rules: dict[str, str] = {}
    parameters: dict[str, float] = {}
    for provision in compiled.provisions:
        for rule in (*provision.criteria, *provision.exclusions, *provision.requires):
            key = f"{provision.key} {rule.group} {rule.rule.id}"
            rules[key] = rule_text(rule, compiled)
            for name, value in rule.parameters:
                parameters[f"{rule.ruleset}.{name}"] = value
    for effect in compiled.effects:
        rules[f"{effect.key} effect"] = rule_text(effect, compiled)
        for name, value in effect.parameters:
            parameters[f"{effect.ruleset}.{name}"] = value
    return dict(sorted(rules.items())), dict(sorted(parameters.items()))


def rule_text(rule, compiled: CompiledRules) -> str:
    """One bound rule as recorded in a snapshot: its conditions in words on the date."""
    parts = []
    for slot, index in (("", rule.condition), ("when ", rule.when), ("unless ", rule.unless)):
        if index is not None:
            parts.append(slot + describe(compiled.atoms[index]))
    if rule.group == "requirement":
        parts.insert(0, f"granted by {rule.rule.granters_text}")
    return "; ".join(parts)


def recorded_rule_changes(old_rules: dict[str, str], new_rules: dict[str, str], old_params: dict[str, float],
                  new_params: dict[str, float], reads: dict[str, list[str]]) -> list[str]:
    """One line per changed rule, naming the changed parameters it reads; then parameters no rule explains."""
    params = {name: parameter_line(name, old_params.get(name), new_params.get(name))
              for name in sorted(set(old_params) | set(new_params)) if old_params.get(name) != new_params.get(name)}
    out, explained = [], set()
    for key in sorted(set(old_rules) | set(new_rules)):
        a, b = old_rules.get(key), new_rules.get(key)
        if a == b:
            continue
        if a is None:
            out.append(f"{key}: new: {b}")
            continue
        if b is None:
            out.append(f"{key}: gone (was: {a})")
            continue
        because = [params[name] for name in reads.get(key, []) if name in params]
        explained |= {name for name in reads.get(key, []) if name in params}
        out.append(f"{key}: {a}  ->  {b}" + (f" ({'; '.join(because)})" if because else " (its condition changed)"))
    out += [text for name, text in params.items() if name not in explained]
    return out
