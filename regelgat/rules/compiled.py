"""Bind loaded rulesets to a rules date: the rules in force, with parameter values folded in.

The result is engine-neutral. Every distinct condition becomes one *atom*; the durable_rules
engine, the numpy engine and the plain-Python reference all answer the same question per
atom (holds, does not hold, unknown), and verdicts are assembled from those answers alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from regelgat.i18n import N_
from regelgat.rules import expressions, formulas
from regelgat.io.errors import InputError
from regelgat.rules.money import money
from regelgat.rules.ruleset import Amount, Provision, Rule, Ruleset

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# A euro amount last set in an earlier year than the rules date: flagged automatically on every rule
# and amount that reads it (most euro amounts are re-set every year; an old one may be out of date).
STALE = N_("last set on {start}; euro amounts are usually re-set every year, so on {date} this value may be out "
           "of date")
STALE_PATTERN = re.compile("^" + re.escape(STALE).replace(r"\{start\}", r"(?P<start>[0-9-]+)")
                           .replace(r"\{date\}", r"(?P<date>[0-9-]+)") + "$")
Group = Literal["criterion", "exclusion", "requirement", "effect"]


@dataclass(frozen=True)
class BoundRule:
    ruleset: str
    provision: str  # "" for an effect
    group: Group
    rule: Rule
    condition: int | None  # atom index
    when: int | None = None
    unless: int | None = None
    parameters: tuple[tuple[str, float], ...] = ()  # the parameter values it reads on the date
    flags: tuple[str, ...] = ()  # unconfirmed assumptions it rests on
    text: str = ""  # the rule's text with {parameter} placeholders filled in for the date

    @property
    def key(self) -> str:
        """<ruleset id>/<rule id>, as reports name an effect or rule."""
        return f"{self.ruleset}/{self.rule.id}" if self.group == "effect" else self.rule.id


@dataclass(frozen=True)
class BoundProvision:
    ruleset: str
    spec: Provision
    criteria: tuple[BoundRule, ...]
    exclusions: tuple[BoundRule, ...]
    requires: tuple[BoundRule, ...]
    # reported practice that no rule confirms, not applied in this reading: it refuses no one, and a
    # verdict it would have refused or held up carries it as a risk
    risks: tuple[BoundRule, ...] = ()

    @property
    def key(self) -> str:
        """<ruleset id>/<provision id>, as every report and case names a provision."""
        return f"{self.ruleset}/{self.spec.id}"


@dataclass(frozen=True)
class BoundAmount:
    """An amount on the rules date: its cases in force, with parameters folded in."""

    ruleset: str
    spec: Amount
    cases: tuple[tuple[expressions.Node | None, formulas.Formula], ...]  # (when, formula), first that holds
    parameters: tuple[tuple[str, float], ...] = ()
    flags: tuple[str, ...] = ()
    text: str = ""

    @property
    def name(self) -> str:
        return self.spec.id

    @property
    def key(self) -> str:
        return f"{self.ruleset}/{self.spec.id}"


@dataclass
class CompiledRules:
    """All rulesets at one date."""

    date: dt.date
    rulesets: list[Ruleset]
    provisions: list[BoundProvision] = field(default_factory=list)
    effects: list[BoundRule] = field(default_factory=list)
    atoms: list[expressions.Node] = field(default_factory=list)
    amounts: list[BoundAmount] = field(default_factory=list)  # in the order they are computed
    answered: tuple[str, ...] | None = None  # the needs gaps are decided for (None: all); see rules/selection.py

    def answers(self, need: str) -> bool:
        """Whether gaps in `need` are decided: every door of it is among the provisions."""
        return self.answered is None or need in self.answered
    practice: bool = False  # reported practice applied as rules (`--assume practice`), else shown as risks

    @property
    def reading(self) -> str:
        """Which reading of reported practice these rules use, as reports state it."""
        return "practice" if self.practice else "rules"

    def amount_of(self, provision_key: str) -> BoundAmount | None:
        """The amount a provision pays, if its ruleset gives one."""
        for amount in self.amounts:
            if amount.spec.provision and f"{amount.ruleset}/{amount.spec.provision}" == provision_key:
                return amount
        return None

    def amount_of_effect(self, effect: BoundRule) -> BoundAmount | None:
        """What an effect on another household costs it, if its ruleset says."""
        for amount in self.amounts:
            if amount.ruleset == effect.ruleset and effect.rule.id in amount.spec.effects:
                return amount
        return None

    def atom(self, node: expressions.Node) -> int:
        """The index of a condition among the atoms, added once: both engines evaluate each atom once."""
        try:
            return self.atoms.index(node)
        except ValueError:
            self.atoms.append(node)
            return len(self.atoms) - 1

    def atom_rulesets(self) -> dict[str, list[int]]:
        """Which atoms each ruleset reads, to give every ruleset its own engine handle."""
        groups: dict[str, list[int]] = {}
        rules = [r for p in self.provisions for r in (*p.criteria, *p.exclusions, *p.requires, *p.risks)] + self.effects
        for rule in rules:
            for index in (rule.condition, rule.when, rule.unless):
                if index is not None and all(index not in g for g in groups.values()):
                    groups.setdefault(rule.ruleset, []).append(index)
        return groups


def compile_rules(rulesets: list[Ruleset], date: dt.date, practice: bool = False) -> CompiledRules:
    """Bind rulesets to a date: parameter values in force filled in, conditions parsed into shared atoms.

    Reported practice that no rule confirms (`reported_only`) refuses no one unless PRACTICE is set:
    it is bound apart, as a risk, so no engine can let it decide a verdict by accident.
    """
    compiled = CompiledRules(date, rulesets, practice=practice)
    for ruleset in rulesets:
        amounts: dict[str, BoundAmount] = {}
        for amount in ruleset.spec.amounts:  # first: conditions inherit the flags of amounts they read
            amounts[amount.id] = _bind_amount(ruleset, amount, date, amounts)
        compiled.amounts.extend(amounts.values())
        for provision in ruleset.spec.provisions:
            if not provision.active_on(date):
                continue
            groups: dict[str, list[BoundRule]] = {"criterion": [], "exclusion": [], "requirement": [], "risk": []}
            for group, rules in (("criterion", provision.criteria), ("exclusion", provision.exclusions),
                                 ("requirement", provision.requires)):
                for rule in rules:
                    if rule.active_on(date):
                        bound = _bind(compiled, ruleset, provision.id, group, rule, date, amounts)
                        groups["risk" if rule.reported_only and not practice else group].append(bound)
            compiled.provisions.append(BoundProvision(
                ruleset.id, provision, *(tuple(groups[g]) for g in ("criterion", "exclusion", "requirement", "risk"))))
        compiled.effects.extend(_bind(compiled, ruleset, "", "effect", effect, date, amounts)
                                for effect in ruleset.spec.effects if effect.active_on(date))
    return compiled


def _inherited(read: set[str], amounts: dict[str, BoundAmount]) -> list[str]:
    """The flags of the amounts among the facts a condition or formula reads."""
    return [flag for name in sorted(read & set(amounts)) for flag in amounts[name].flags]


def _bind_amount(ruleset: Ruleset, amount: Amount, date: dt.date, earlier: dict[str, BoundAmount]) -> BoundAmount:
    cases, names, approximations = [], set(), []
    for index, case in enumerate(amount.cases):
        if not case.active_on(date):
            continue
        if case.assumption:
            approximations.append(f"{amount.id}: {case.assumption}")
        formula = ruleset.formulas[(amount.id, index)]
        when = ruleset.conditions.get((f"amount:{amount.id}", str(index), "when"))
        names |= formulas.parameters_used(formula) | (expressions.parameters_used(when) if when else set())
        cases.append((when, formula))
    names |= {name for name in _PLACEHOLDER.findall(amount.text) if name in ruleset.spec.parameters}
    values, flags = _values(ruleset, names, date)
    if amount.assumption:
        flags.insert(0, f"{amount.id}: {amount.assumption}")
    flags = approximations + flags
    flags += _inherited(set().union(set(), *(formulas.facts_read(f) | (expressions.facts_read(w) if w else set())
                                             for w, f in cases)), earlier)
    flags = list(dict.fromkeys(flags))
    try:
        bound = tuple((expressions.bind(when, values) if when else None, formulas.bind(formula, values))
                      for when, formula in cases)
    except expressions.ExpressionError as exc:  # such as a parameter that is 0 on this date, divided by
        raise InputError(str(ruleset.path), f"amount {amount.id}", f"{exc} on {date}", exc.fix) from None
    text = _PLACEHOLDER.sub(lambda m: money(values[m[1]]) if m[1] in values else m[0], amount.text)
    return BoundAmount(ruleset.id, amount, bound, tuple(sorted(values.items())), tuple(flags), " ".join(text.split()))


def _values(ruleset: Ruleset, names: set[str], date: dt.date) -> tuple[dict[str, float], list[str]]:
    """The parameter values in force on `date`, and the assumptions they rest on."""
    values, flags = {}, []
    for name in sorted(names):
        value = ruleset.parameter_at(name, date)
        if value is None:
            starts = sorted(ruleset.spec.parameters[name].values)
            raise InputError(str(ruleset.path), f"parameter {name}", f"has no value on {date}",
                             f"rules dates from {starts[0]} are covered; choose another rules date or add a value",
                             setting="date")
        values[name] = value.value
        if value.assumption:
            flags.append(f"{name}: {value.assumption}")
        start = max(d for d in ruleset.spec.parameters[name].values if d <= date)
        if ruleset.spec.parameters[name].unit.startswith("EUR") and start.year < date.year:
            flags.append(f"{name}: " + STALE.format(start=start, date=date))
    return values, flags


def _bind(compiled: CompiledRules, ruleset: Ruleset, provision: str, group: Group, rule: Rule,
          date: dt.date, amounts: dict[str, BoundAmount]) -> BoundRule:
    slots = {}
    names: set[str] = set()
    for slot in ("condition", "when", "unless"):
        node = ruleset.conditions.get((provision, rule.id, slot))
        if node is not None:
            names |= expressions.parameters_used(node)
            slots[slot] = node
    names |= {name for name in _PLACEHOLDER.findall(rule.text) if name in ruleset.spec.parameters}
    values, flags = _values(ruleset, names, date)
    if rule.assumption:
        flags.insert(0, f"{rule.id}: {rule.assumption}")
    flags = list(dict.fromkeys(flags + _inherited(set().union(set(), *map(expressions.facts_read, slots.values())),
                                                  amounts)))
    try:
        atoms = {slot: compiled.atom(expressions.bind(node, values)) for slot, node in slots.items()}
    except expressions.ExpressionError as exc:  # such as a parameter that is 0 on this date, divided by
        where = f"provision {provision}, {group} {rule.id}" if provision else f"effect {rule.id}"
        raise InputError(str(ruleset.path), where, f"{exc} on {date}", exc.fix) from None
    text = _PLACEHOLDER.sub(lambda m: money(values[m[1]]) if m[1] in values else m[0], rule.text)
    return BoundRule(ruleset.id, provision, group, rule, atoms.get("condition"), atoms.get("when"),
                     atoms.get("unless"), tuple(sorted(values.items())), tuple(flags), " ".join(text.split()))
