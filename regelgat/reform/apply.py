"""A reform applied to the loaded rulesets: new Ruleset objects beside the bundled ones, never a
file written. Conditions the reform adds are parsed against the facts and the (reformed)
parameters of their ruleset, and every problem names the line of the reform file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regelgat.client.facts import FACT_TYPES, FactType
from regelgat.io import datafiles
from regelgat.io.errors import InputError, clip, did_you_mean
from regelgat.reform.model import ReformFile, RuleChange, RulesetChange
from regelgat.rules import expressions
from regelgat.rules.ruleset import Criterion, Parameter, Provision, Ruleset

_GROUPS = ("criteria", "exclusions", "requires")


@dataclass
class Reform:
    """A validated reform file, with what is needed to point at its lines."""

    spec: ReformFile
    path: Path
    data: Any
    locate: datafiles.Locate

    @property
    def id(self) -> str:
        return self.spec.id

    def fail(self, loc: tuple, problem: str, fix: str = "") -> InputError:
        """An error at a place in the reform file."""
        return InputError(str(self.path), datafiles.where(loc, self.data, self.locate), problem, fix)


def load_reform(path: Path | str) -> Reform:
    """Read and validate a reform file (the schema only; `apply_reform` checks it against the rulesets)."""
    path = Path(path)
    data, locate = datafiles.read(path)
    if not isinstance(data, dict):
        raise InputError(str(path), "", "not a reform (a mapping with id, title, proposal, rulesets)",
                         "see docs/reform-format.md")
    return Reform(datafiles.validate(ReformFile, data, path, locate), path, data, locate)


def apply_reform(rulesets: list[Ruleset], reform: Reform) -> list[Ruleset]:
    """The rulesets with the reform applied; those it does not touch are the same objects."""
    by_id = {r.id: r for r in rulesets}
    out = dict(by_id)
    for ruleset_id, change in reform.spec.rulesets.items():
        if ruleset_id not in by_id:
            raise reform.fail(("rulesets", ruleset_id), f"no ruleset {ruleset_id!r} to change",
                              did_you_mean(ruleset_id, by_id) or "name a ruleset id (regelgat rules lists them)")
        out[ruleset_id] = _patched(by_id[ruleset_id], change, reform, ("rulesets", ruleset_id))
    patched = [out[r.id] for r in rulesets]
    known = {f"{r.id}/{p.id}" for r in patched for p in r.spec.provisions}
    for ruleset_id, change in reform.spec.rulesets.items():
        for index, provision in enumerate(change.provisions):
            for r_index, requirement in enumerate(provision.requires):
                for granter in requirement.granters:
                    if granter not in known:
                        raise reform.fail(("rulesets", ruleset_id, "provisions", index, "requires", r_index),
                                          f"granted_by {granter!r} names no provision",
                                          did_you_mean(granter, known) or "write <ruleset id>/<provision id>")
    return patched


def _patched(base: Ruleset, change: RulesetChange, reform: Reform, loc: tuple) -> Ruleset:
    parameters = dict(base.spec.parameters)
    for name, parameter in change.parameters.items():
        old = parameters.get(name)
        if old is not None and old.unit != parameter.unit:
            raise reform.fail((*loc, "parameters", name), f"unit {parameter.unit!r} differs from the ruleset's "
                              f"{old.unit!r}", f"write unit: {old.unit}")
        values = {**(old.values if old else {}), **parameter.values}
        parameters[name] = Parameter(description=parameter.description, unit=parameter.unit,
                                     values=dict(sorted(values.items())))
    provisions = {p.id: p for p in base.spec.provisions}
    conditions = dict(base.conditions)
    facts = dict(FACT_TYPES) | {a.id: FactType("number", a.text, optional=True) for a in base.spec.amounts}

    def parse(rule, provision_id: str, where: tuple) -> None:
        for slot in ("condition", "when", "unless"):
            conditions.pop((provision_id, rule.id, slot), None)
            text = getattr(rule, slot, None)
            if text is None:
                continue
            try:
                conditions[(provision_id, rule.id, slot)] = expressions.parse(text, facts, parameters)
            except expressions.ExpressionError as exc:
                raise reform.fail((*where, slot), f"{exc} in {clip(text)}", exc.fix) from None

    for index, provision in enumerate(change.provisions):
        where = (*loc, "provisions", index)
        if provision.id in provisions:
            raise reform.fail(where, f"provision {provision.id!r} is already in {base.id}",
                              "give the new provision its own id, or change its criteria under criteria:")
        _check_ids(provision, reform, where)
        provisions[provision.id] = provision
        for group in _GROUPS:
            for r_index, rule in enumerate(getattr(provision, group)):
                parse(rule, provision.id, (*where, group, r_index))
    for group in ("criteria", "exclusions"):
        for index, rule_change in enumerate(getattr(change, group)):
            where = (*loc, group, index)
            provision = _change_rule(provisions, group, rule_change, reform, where)
            provisions[provision.id] = provision
            if rule_change.set is not None:
                parse(rule_change.set, provision.id, (*where, "set"))
            else:
                for slot in ("condition", "when", "unless"):
                    conditions.pop((provision.id, rule_change.remove, slot), None)
    spec = base.spec.model_copy(update={"parameters": parameters, "provisions": tuple(provisions.values())})
    return Ruleset(spec, base.path, conditions, dict(base.formulas))


def _change_rule(provisions: dict[str, Provision], group: str, change: RuleChange, reform: Reform,
                 where: tuple) -> Provision:
    """The provision with one criterion or exclusion set or removed."""
    provision = provisions.get(change.provision)
    if provision is None:
        raise reform.fail((*where, "provision"), f"no provision {change.provision!r} here",
                          did_you_mean(change.provision, provisions) or "name a provision of this ruleset")
    rules: list[Criterion] = list(getattr(provision, group))
    ids = [r.id for r in rules]
    if change.remove is not None:
        if change.remove not in ids:
            raise reform.fail((*where, "remove"), f"{provision.id} has no {group[:-1]} {change.remove!r}",
                              did_you_mean(change.remove, ids) or f"its {group}: {', '.join(ids) or 'none'}")
        rules.pop(ids.index(change.remove))
    else:
        others = [r.id for g in _GROUPS if g != group for r in getattr(provision, g)]
        if change.set.id in others:
            raise reform.fail((*where, "set", "id"), f"{change.set.id!r} is another kind of rule of {provision.id}",
                              "give it its own id")
        if change.set.id in ids:
            rules[ids.index(change.set.id)] = change.set
        else:
            rules.append(change.set)
    if group == "criteria" and not rules:
        raise reform.fail(where, f"{provision.id} would have no criteria left", "keep at least one criterion")
    return provision.model_copy(update={group: tuple(rules)})


def _check_ids(provision: Provision, reform: Reform, where: tuple) -> None:
    seen: set[str] = set()
    for group in _GROUPS:
        for index, rule in enumerate(getattr(provision, group)):
            if rule.id in seen:
                raise reform.fail((*where, group, index), f"criterion id {rule.id!r} is used twice",
                                  "give each one its own id")
            seen.add(rule.id)
