"""Ruleset files: their schema, loading with type-checked conditions, and binding to a date.

A ruleset is data about law: provisions, the criteria that decide them, the clause each
criterion encodes, and dated parameters. Loading parses every condition against the profile's
facts, so a misspelled field fails before any client is checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from regelgat.io import datafiles

from regelgat.rules import expressions, formulas
from regelgat.io.errors import InputError, RulesetError, clip, did_you_mean
from regelgat.io.limits import MAX_NUMBER
from regelgat.client.facts import FACT_TYPES, FactType
from regelgat.client.profile import Need

Kind = Literal["statute", "local_policy", "practice"]
_ID = r"^[a-z0-9][a-z0-9_-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    title: str = Field(min_length=2)
    url: str = Field(pattern=r"^https?://\S+$")

    def __str__(self) -> str:
        return f"{self.title} <{self.url}>"


class Dated(_Model):
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def active_on(self, date: dt.date) -> bool:
        """Whether it is in force on `date` (both ends included)."""
        return (self.valid_from is None or self.valid_from <= date) and (
            self.valid_until is None or date <= self.valid_until)


class Rule(Dated):
    """What criteria, exclusions, prerequisites and effects share: a cited, typed statement."""

    id: str = Field(pattern=_ID)
    text: str = Field(min_length=3, description="Plain words, shown to users.")
    kind: Kind
    source: Source
    clause: str | None = Field(None, description="The law's words (quote or paraphrase).")
    assumption: str | None = Field(None, description="Why this is not confirmed; flags every verdict using it.")
    reported_only: bool = Field(False, description=(
        "Reported practice that no rule confirms: by default it refuses no one and shows as a risk on the "
        "verdict; `--assume practice` applies it as a rule. Needs kind practice and an assumption."))

    @field_validator("reported_only")
    @classmethod
    def _reported_practice(cls, reported_only, info):
        if reported_only and (info.data.get("kind") != "practice" or not info.data.get("assumption")):
            raise ValueError("reported_only is for kind practice with an assumption saying why no rule confirms it")
        return reported_only


class Criterion(Rule):
    condition: str
    when: str | None = None
    scope: bool = Field(False, description="Names whom the provision is for (an age band, a child at home, a "
                                           "victim of violence, debts for debt help): someone who fails it is not "
                                           "refused a door that was theirs. Reports rank the other criteria only "
                                           "among the people who pass every scope criterion.")


_PROVISION_KEY = r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$"


class Requirement(Rule):
    """A prerequisite: another provision must be eligible first (any one of several routes), unless
    the `unless` condition shows the client already has what it would give."""

    granted_by: Annotated[str, Field(pattern=_PROVISION_KEY)] | tuple[Annotated[str, Field(pattern=_PROVISION_KEY)], ...]
    unless: str | None = None

    @property
    def granters(self) -> tuple[str, ...]:
        """The provisions that grant this prerequisite (any one of them is enough)."""
        return (self.granted_by,) if isinstance(self.granted_by, str) else self.granted_by

    @property
    def granters_text(self) -> str:
        """The granting provisions in words: `a or b`."""
        return " or ".join(self.granters)


class Effect(Rule):
    condition: str


class Provision(Dated):
    id: str = Field(pattern=_ID)
    title: str
    covers: tuple[Need, ...] = ()
    description: str | None = None
    waiting_time: str | None = None
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    exclusions: tuple[Criterion, ...] = ()
    requires: tuple[Requirement, ...] = ()
    procedure: tuple["ProcedureStep", ...] = Field(
        (), description="How it starts, pauses and pays back: see regelgat/rules/procedure.py.")


class ParameterValue(_Model):
    value: float | None = Field(allow_inf_nan=False, ge=-MAX_NUMBER, le=MAX_NUMBER)
    source: Source | None = None
    assumption: str | None = None

    @field_validator("source")
    @classmethod
    def _sourced(cls, source, info):
        if source is None and info.data.get("value") is not None:
            raise ValueError("every amount needs a source (add source: {title, url})")
        return source


class Parameter(_Model):
    description: str
    unit: str
    values: dict[dt.date, ParameterValue] = Field(min_length=1)


class AmountCase(Dated):
    """One formula of an amount, and when it applies: the first case whose `when` holds decides."""

    when: str | None = None
    formula: str | float = Field(description="Euros a month: arithmetic over facts, parameters and earlier amounts.")
    assumption: str | None = Field(None, description="Why this formula is not confirmed (an approximation, say).")


class Amount(Rule):
    """A dated, sourced formula for euros a month. Its id is also a fact: conditions and later
    formulas of the same ruleset read it (huurtoeslag is only for those whose amount is above 0)."""

    provision: str | None = Field(None, description="The provision that pays this amount, if any.")
    reserved: str | None = Field(None, description="An amount included in this one but paid later "
                                                   "(the bijstand's holiday allowance, paid in June).")
    effects: tuple[str, ...] = Field((), description="Effects on others whose cost in euros this is.")
    social_minimum: bool = Field(False, description="This amount is the household's social minimum, "
                                                    "the yardstick of the household summary (one ruleset only).")
    cases: tuple[AmountCase, ...] = Field(min_length=1)


class RulesetFile(_Model):
    id: str = Field(pattern=_ID)
    title: str
    agency: str
    jurisdiction: str
    summary: str | None = None
    legal_basis: tuple[Source, ...] = Field(min_length=1)
    not_encoded: tuple[str, ...] = ()
    parameters: dict[str, Parameter] = {}
    provisions: tuple[Provision, ...] = ()
    effects: tuple[Effect, ...] = ()
    amounts: tuple[Amount, ...] = ()


@dataclass
class Ruleset:
    """A loaded ruleset: the validated file plus its parsed conditions."""

    spec: RulesetFile
    path: Path
    conditions: dict[tuple, expressions.Node] = field(default_factory=dict)  # (provision, rule, slot) -> AST
    formulas: dict[tuple[str, int], formulas.Formula] = field(default_factory=dict)  # (amount, case) -> AST

    @property
    def id(self) -> str:
        """The ruleset's id (equal to its file name)."""
        return self.spec.id

    def parameter_at(self, name: str, date: dt.date) -> ParameterValue | None:
        """The value in force on `date`: the latest start date on or before it (None if ended)."""
        dated = sorted((start, v) for start, v in self.spec.parameters[name].values.items() if start <= date)
        return dated[-1][1] if dated and dated[-1][1].value is not None else None


def load_ruleset(path: Path | str) -> Ruleset:
    """Read, validate and check one ruleset file; every problem is an error naming the file and line."""
    path = Path(path)
    data, locate = datafiles.read(path)
    spec = datafiles.validate(RulesetFile, data, path, locate)
    if spec.id != path.stem:
        raise InputError(str(path), "id", f"id {spec.id!r} differs from the file name",
                         f"name the file {spec.id}.yaml or set id: {path.stem}")
    ruleset = Ruleset(spec, path)
    _check_unique(spec, path, data, locate)
    facts = _parse_amounts(ruleset, data, locate)
    for p_index, provision in enumerate(spec.provisions):
        for group in ("criteria", "exclusions", "requires"):
            for r_index, rule in enumerate(getattr(provision, group)):
                for slot in ("condition", "when", "unless"):
                    text = getattr(rule, slot, None)
                    if text is not None:
                        loc = ("provisions", p_index, group, r_index, slot)
                        ruleset.conditions[(provision.id, rule.id, slot)] = _parse(
                            text, spec, path, data, locate, loc, facts)
    for e_index, effect in enumerate(spec.effects):
        loc = ("effects", e_index, "condition")
        ruleset.conditions[("", effect.id, "condition")] = _parse(
            effect.condition, spec, path, data, locate, loc, facts)
    return ruleset


def _parse(text, spec, path, data, locate, loc, facts=FACT_TYPES, parse=expressions.parse):
    try:
        return parse(text, facts, spec.parameters)
    except expressions.ExpressionError as exc:
        raise InputError(str(path), datafiles.where(loc, data, locate), f"{exc} in {clip(text)}", exc.fix) from None


def _parse_amounts(ruleset: Ruleset, data, locate) -> dict[str, FactType]:
    """Parse every amount's cases in order; return the facts conditions may read (amounts included).

    A formula or `when` reads the amounts defined above it, so the order in the file is the order
    of computation and no amount can depend on itself.
    """
    spec, path = ruleset.spec, ruleset.path
    facts = dict(FACT_TYPES)
    provisions = {p.id for p in spec.provisions}
    for a_index, amount in enumerate(spec.amounts):
        where = datafiles.where(("amounts", a_index), data, locate)
        if amount.id in facts:
            raise InputError(str(path), where, f"amount id {amount.id!r} is already a fact or an amount",
                             "give the amount its own name, e.g. add _amount")
        if amount.provision is not None and amount.provision not in provisions:
            hint = did_you_mean(amount.provision, provisions)
            raise InputError(str(path), where, f"provision {amount.provision!r} is not in this ruleset",
                             hint or "name a provision id of this file")
        if amount.reserved is not None and amount.reserved not in {a.id for a in spec.amounts}:
            raise InputError(str(path), where, f"reserved names {amount.reserved!r}, which is no amount here",
                             "name an amount id of this file")
        for effect in amount.effects:
            if effect not in {e.id for e in spec.effects}:
                hint = did_you_mean(effect, [e.id for e in spec.effects])
                raise InputError(str(path), where, f"effect {effect!r} is not in this ruleset",
                                 hint or "name an effect id of this file")
        for c_index, case in enumerate(amount.cases):
            loc = ("amounts", a_index, "cases", c_index)
            ruleset.formulas[(amount.id, c_index)] = _parse(
                case.formula, spec, path, data, locate, (*loc, "formula"), facts, formulas.parse)
            if case.when is not None:
                ruleset.conditions[(f"amount:{amount.id}", str(c_index), "when")] = _parse(
                    case.when, spec, path, data, locate, (*loc, "when"), facts)
        facts[amount.id] = FactType("number", amount.text, optional=True)
    return facts


def _check_unique(spec: RulesetFile, path: Path, data, locate) -> None:
    def once(ids, loc_of, what):
        seen = set()
        for index, ident in enumerate(ids):
            if ident in seen:
                raise InputError(str(path), datafiles.where(loc_of(index), data, locate),
                                 f"{what} id {ident!r} is used twice", "give each one its own id")
            seen.add(ident)

    once([p.id for p in spec.provisions], lambda i: ("provisions", i), "provision")
    once([e.id for e in spec.effects], lambda i: ("effects", i), "effect")
    for p_index, provision in enumerate(spec.provisions):
        rules = [*provision.criteria, *provision.exclusions, *provision.requires]
        groups = ["criteria"] * len(provision.criteria) + ["exclusions"] * len(provision.exclusions) + \
            ["requires"] * len(provision.requires)
        offsets = [i - groups.index(g) for i, g in enumerate(groups)]
        once([r.id for r in rules], lambda i: ("provisions", p_index, groups[i], offsets[i]), "criterion")
        once([s.id for s in provision.procedure], lambda i: ("provisions", p_index, "procedure", i), "procedure step")
        for problem in overlaps(provision.procedure):
            raise InputError(str(path), datafiles.where(("provisions", p_index, "procedure"), data, locate),
                             problem.split(" (")[0], problem.split(" (")[1].rstrip(")"))


def _check_amount_names(rulesets: list[Ruleset]) -> None:
    """Amounts share the flat fact namespace, so one name may be defined by one ruleset only."""
    seen: dict[str, str] = {}
    minimum = [f"{r.id}/{a.id}" for r in rulesets for a in r.spec.amounts if a.social_minimum]
    if len(minimum) > 1:
        raise InputError(str(rulesets[0].path.parent), "amounts", f"{len(minimum)} amounts say social_minimum: "
                         f"{', '.join(minimum)}", "keep social_minimum: true on one amount")
    for ruleset in rulesets:
        for amount in ruleset.spec.amounts:
            if amount.id in seen:
                raise InputError(str(ruleset.path), f"amounts, {amount.id}",
                                 f"amount id {amount.id!r} is also defined in ruleset {seen[amount.id]!r}",
                                 "prefix it with this ruleset's subject")
            seen[amount.id] = ruleset.id


def load_rulesets(directory: Path | str) -> list[Ruleset]:
    """Every *.yaml ruleset in a folder, sorted by id, with cross-references checked."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RulesetError(str(directory), "", "not a folder of rulesets", "give the folder that holds the rulesets",
                           setting="rulesets", code="rulesets-folder")
    rulesets = [load_ruleset(p) for p in sorted(directory.glob("*.yaml"))]
    if not rulesets:
        raise RulesetError(str(directory), "", "no *.yaml rulesets found", "give the folder that holds the rulesets",
                           setting="rulesets", code="rulesets-folder")
    known = {f"{r.id}/{p.id}" for r in rulesets for p in r.spec.provisions}
    _check_amount_names(rulesets)
    for ruleset in rulesets:
        for provision in ruleset.spec.provisions:
            for requirement in provision.requires:
                for granter in requirement.granters:
                    if granter not in known:
                        hint = did_you_mean(granter, known)
                        raise InputError(str(ruleset.path), f"provision {provision.id}, requires {requirement.id}",
                                         f"granted_by {granter!r} names no provision",
                                         hint or "write <ruleset id>/<provision id>")
    return rulesets


# Procedure steps build on Rule, so their module is imported once Rule exists.
from regelgat.rules.procedure import ProcedureStep, overlaps  # noqa: E402

Provision.model_rebuild()
RulesetFile.model_rebuild()
