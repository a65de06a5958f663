"""How robust the headline figures are: the population decided again with each unconfirmed
assumption (flag) turned off, one flag at a time, on the same generated columns.

What "turned off" means depends on what is flagged. A flagged criterion, exclusion or
prerequisite is not applied: it refuses and holds up no one. A flagged parameter value takes the
parameter's nearest other dated value (the one before, else the one after): an unconfirmed AOW
age or income limit is tried at its neighbouring value in every rule and amount that reads it,
rather than dropping the income tests that happen to read it. A flagged value with no other date
turns off the rules whose own conditions read it. A flag on an amount's formula (an
approximation) stays on: there is nothing to put in its place.

A flag that refuses no one is still run, and cannot move a figure when it is a rule turned off.
Atoms are evaluated once per chunk and rules turned off reuse them; only a parameter's other
value is evaluated anew.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from regelgat.client.profile import NEEDS
from regelgat.engines.vector import Decisions, VectorEngine
from regelgat.population.generate import BLOCK, derive, sized_block
from regelgat.population.scenario_model import Scenario
from regelgat.rules.compiled import STALE_PATTERN, BoundRule, CompiledRules, compile_rules
from regelgat.rules.ruleset import Ruleset

READING = ("one flag off at a time; rules not applied, parameter values at their neighbouring dated value; "
           "reported practice read as in the run")


@dataclass(frozen=True)
class Flag:
    """One unconfirmed assumption of a ruleset and the rules that carry it on the rules date."""

    ruleset: str
    item: str  # the criterion, parameter or amount id the assumption is on
    text: str
    rules: tuple[BoundRule, ...]  # every rule that carries it (through an amount too)
    own: tuple[BoundRule, ...]  # the rules whose own condition or text carries it
    alternative: float | None = None  # a flagged parameter value: the value it takes when turned off


def flags_of(compiled: CompiledRules) -> tuple[list[Flag], int]:
    """The flags a variant can turn off, in ruleset order; and how many stay on (a flag on an amount's
    formula, or on a parameter value that only amounts read and that has no other dated value)."""
    carriers: dict[tuple[str, str], tuple[list[BoundRule], list[BoundRule]]] = {}
    for provision in compiled.provisions:
        for rule in (*provision.criteria, *provision.exclusions, *provision.requires):
            own = {rule.rule.id, *(name for name, _ in rule.parameters)}
            for flag in rule.flags:
                if STALE_PATTERN.match(flag.split(": ", 1)[-1]):
                    continue  # a notice that a euro amount is old, not an assumption a variant can turn off
                every, mine = carriers.setdefault((rule.ruleset, flag), ([], []))
                every.append(rule)
                if flag.split(":", 1)[0] in own:
                    mine.append(rule)
    rulesets = {r.id: r for r in compiled.rulesets}
    flags, staying = [], 0
    for (ruleset_id, text), (every, mine) in carriers.items():
        item, words = text.split(":", 1)
        ruleset = rulesets[ruleset_id]
        alternative = _alternative(ruleset, item, compiled.date) if item in ruleset.spec.parameters else None
        if alternative is None and not mine:
            staying += 1
            continue
        flags.append(Flag(ruleset_id, item, words.strip(), tuple(every), tuple(mine), alternative))
    return flags, staying


def _alternative(ruleset: Ruleset, name: str, date) -> float | None:
    """The parameter's nearest other dated value: the last one before the value in force, else the first after."""
    dated = sorted((start, v.value) for start, v in ruleset.spec.parameters[name].values.items())
    current = max((i for i, (start, _) in enumerate(dated) if start <= date), default=None)
    if current is None:
        return None
    before = [v for _, v in dated[:current] if v is not None and v != dated[current][1]]
    after = [v for _, v in dated[current + 1:] if v is not None and v != dated[current][1]]
    return before[-1] if before else after[0] if after else None


def with_value(compiled: CompiledRules, ruleset_id: str, name: str, value: float) -> CompiledRules:
    """The rules compiled again with one parameter taking `value` on the rules date."""
    rulesets = []
    for ruleset in compiled.rulesets:
        if ruleset.id == ruleset_id:
            parameter = ruleset.spec.parameters[name]
            start = max(d for d in parameter.values if d <= compiled.date)
            values = {**parameter.values, start: parameter.values[start].model_copy(update={"value": value})}
            spec = ruleset.spec.model_copy(update={"parameters": {
                **ruleset.spec.parameters, name: parameter.model_copy(update={"values": values})}})
            ruleset = dataclasses.replace(ruleset, spec=spec)
        rulesets.append(ruleset)
    return compile_rules(rulesets, compiled.date)


def without(compiled: CompiledRules, rules: tuple[BoundRule, ...]) -> CompiledRules:
    """The same rules on the same atoms, with these rules not applied."""
    drop = {id(r) for r in rules}
    provisions = [dataclasses.replace(p, **{group: tuple(r for r in getattr(p, group) if id(r) not in drop)
                                            for group in ("criteria", "exclusions", "requires")})
                  for p in compiled.provisions]
    return dataclasses.replace(compiled, provisions=provisions)


@dataclass
class Counts:
    """What the headline figures are made of, summed over chunks."""

    profiles: int = 0
    need: np.ndarray = field(default_factory=lambda: np.zeros(len(NEEDS), dtype=np.int64))
    gap: np.ndarray = field(default_factory=lambda: np.zeros(len(NEEDS), dtype=np.int64))
    any_gap: int = 0
    nothing: int = 0

    def add(self, d: Decisions) -> None:
        needs_any = d.needs.any(axis=0)
        self.profiles += d.n
        self.need += d.needs.sum(axis=1)
        self.gap += d.gaps.sum(axis=1)
        self.any_gap += int(d.gaps.any(axis=0).sum())
        self.nothing += int((needs_any & ~(d.needs & ~d.gaps).any(axis=0)).sum())

    def figures(self) -> dict[str, float]:
        """Headline figures as shares: any gap and nothing of all profiles, each need's gap of those who need it."""
        out = {"any_gap": _share(self.any_gap, self.profiles), "nothing": _share(self.nothing, self.profiles)}
        for k, need in enumerate(NEEDS):
            if self.need[k]:
                out[f"gap_{need}"] = _share(int(self.gap[k]), int(self.need[k]))
        return out


def _share(count: int, base: int) -> float:
    return round(count / base, 6) if base else 0.0


def sensitivity(scenario: Scenario, compiled: CompiledRules) -> dict[str, Any]:
    """The headline figures with every flag turned off in turn, and the range across the flags that decide verdicts."""
    engine = VectorEngine(compiled)
    flags, staying = flags_of(compiled)
    # A rule turned off reuses the run's atoms; a parameter's other value needs its own atoms.
    variants = [(VectorEngine(with_value(compiled, f.ruleset, f.item, f.alternative)), True)
                if f.alternative is not None else (VectorEngine(without(compiled, f.own)), False) for f in flags]
    rows = {id(rule): r for r, rule in enumerate(engine.reasons)}
    base, counts = Counts(), [Counts() for _ in flags]
    decides = np.zeros(len(flags), dtype=bool)
    for index in range(-(-scenario.size // BLOCK)):
        pop = sized_block(scenario, index)
        needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
        atoms = engine.atoms(derive(pop))
        decided = engine.decide(atoms, needs)
        base.add(decided)
        deciding = engine.deciding(decided).any(axis=1)
        for f, (flag, (variant, own_atoms)) in enumerate(zip(flags, variants)):
            decides[f] |= any(deciding[rows[id(rule)]] for rule in flag.rules)
            counts[f].add(variant.run(derive(pop), needs) if own_atoms else variant.decide(atoms, needs))
    return {**_result(flags, decides, base, counts), "flags_staying_on": staying}


def _result(flags: list[Flag], decides: np.ndarray, base: Counts, counts: list[Counts]) -> dict[str, Any]:
    values = base.figures()
    per_flag = [c.figures() for c in counts]
    deciding = [f for f in range(len(flags)) if decides[f]]
    figures = []
    for name, value in values.items():
        moved = sorted(((per_flag[f][name], f) for f in deciding), key=lambda x: (-abs(x[0] - value), x[1]))
        spread = [v for v, _ in moved] + [value]
        figures.append({"figure": name, "value": value, "profiles": _base_of(name, base),
                        "low": min(spread), "high": max(spread),
                        "most_sensitive": [{"ruleset": flags[f].ruleset, "item": flags[f].item, "value": v}
                                           for v, f in moved[:3] if v != value]})
    return {"reading": READING, "flags": len(flags), "flags_deciding": len(deciding), "figures": figures,
            "by_flag": [{"ruleset": flag.ruleset, "item": flag.item, "assumption": flag.text,
                         "decides_verdicts": bool(decides[f]), "figures": per_flag[f],
                         **({"alternative_value": flag.alternative} if flag.alternative is not None else {})}
                        for f, flag in enumerate(flags)]}


def _base_of(name: str, base: Counts) -> int:
    """How many profiles a figure's share is of: those who need it, or all."""
    return int(base.need[NEEDS.index(name[4:])]) if name.startswith("gap_") else base.profiles
