"""Scenario files: a population to simulate, described as fixed fields and distributions.

A scenario is data, like a ruleset. Its YAML names the profile fields that are the same for
everyone (`fixed`), a distribution for each field that varies (`vary`), the population size,
the random seed, the rules date and the groups to break the results down by. This module holds
what a file may say (pydantic models), what a generated column may hold (the field catalogue)
and what a checked scenario is (plans); scenario.py reads and checks a file into one.

Distributions (one key each):

    value: X                       always X (null leaves an optional field missing)
    choice: {a: 3, b: 1}           one of the keys, with relative weights
    chance: 0.3                    true with this probability (yes/no fields)
    integer: [min, max]            whole numbers, uniform, both ends included
    float: [min, max]              decimals, uniform, rounded to `round` places (default 2)
    normal: {mean, sd, min, max}   normal, clipped to [min, max] and to the field's own range
    cases: [{when: COND, <dist>}, ..., {<dist>}]   the first case whose condition holds

Any distribution may add `when: COND` and `otherwise: <dist or value>` (a two-case shorthand),
and `missing: 0.2` (an optional field left missing for that share of profiles). COND is a
condition in the ruleset language over profile fields, e.g. `age > 25`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from regelgat.client.facts import scalar_annotation
from regelgat.client.profile import NEEDS, USUAL, Child, CoResident, Profile, SleepsElsewhere
from regelgat.io.errors import ScenarioError
from regelgat.io.limits import MAX_GENERATED_ITEMS, MAX_POPULATION, MAX_SEED
from regelgat.population.timeline_events import TimelineBlock

MAX_SLOTS = MAX_GENERATED_ITEMS  # at most this many children or co-residents per generated profile
DIST_KINDS = ("value", "choice", "chance", "integer", "float", "normal", "cases")
Scalar = Union[bool, int, float, str, None]


class _Model(BaseModel):
    # NaN and infinity are refused in every number (weights, chances, ranges, means): NaN passes every
    # comparison check silently and would surface mid-run as a generated profile that does not validate.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class Normal(_Model):
    mean: float
    sd: float
    min: float | None = None
    max: float | None = None


class Dist(_Model):
    """One distribution. Exactly one of the kinds in DIST_KINDS; checked in `_check_dist`."""

    value: Scalar = None
    choice: dict[Scalar, float] | None = None
    chance: float | None = None
    integer: tuple[int, int] | None = None
    float_: tuple[float, float] | None = Field(None, alias="float")
    normal: Normal | None = None
    cases: tuple["Dist", ...] | None = None
    when: str | None = None
    otherwise: Union["Dist", Scalar] = None
    missing: float | None = None
    round: int = Field(2, ge=0, le=6)

    def kinds(self) -> list[str]:
        """The distribution kinds this entry gives (a valid one gives exactly one)."""
        given = self.model_fields_set
        return [k for k in DIST_KINDS if (k if k != "float" else "float_") in given]


class Band(_Model):
    fact: str
    bands: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None


class DutchTexts(_Model):
    """A scenario's own words in Dutch, so a report in Dutch reads Dutch throughout."""

    title: str = Field(min_length=3)
    description: str | None = None
    labels: dict[str, tuple[str, ...]] = Field({}, description="Group name -> its labels in Dutch, in order.")


class ScenarioFile(_Model):
    title: str = Field(min_length=3)
    description: str | None = None
    size: int
    seed: int
    date: dt.date
    rulesets: tuple[str, ...] | None = Field(None, description="Ruleset ids to run (default: all).")
    fixed: dict[str, Any] = {}
    vary: dict[str, Any] = {}
    groups: dict[str, Band] = {}
    nl: DutchTexts | None = Field(None, description="The title, description and group labels in Dutch.")
    timeline: TimelineBlock | None = Field(None, description="Events week by week (population/timeline_events.py).")


# ---- field catalogue ---------------------------------------------------------------------------

Kind = Literal["bool", "int", "float", "enum", "text"]


@dataclass(frozen=True)
class FieldInfo:
    """What a generated column may hold."""

    name: str
    kind: Kind
    optional: bool = False
    values: tuple = ()  # enum values
    lo: float | None = None
    hi: float | None = None
    default: Any = None


def _field_info(name: str, model_field, usual: Any = None) -> FieldInfo | None:
    scalar = scalar_annotation(model_field.annotation)
    if scalar is None:
        return None
    annotation, optional = scalar
    lo = hi = None
    for meta in model_field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    default = model_field.default if usual is None else usual  # a population gives every fact a value
    if model_field.is_required():  # no default: a filler for unused slots (host of an absent stay, ...)
        default = {bool: False, int: int(lo or 0), float: float(lo or 0), str: ""}.get(annotation)
        if get_origin(annotation) is Literal:
            default = get_args(annotation)[0]
    if annotation is bool:
        return FieldInfo(name, "bool", optional, default=default)
    if annotation is int:
        return FieldInfo(name, "int", optional, lo=lo, hi=hi, default=default)
    if annotation is float:
        return FieldInfo(name, "float", optional, lo=lo, hi=hi, default=default)
    if get_origin(annotation) is Literal:
        return FieldInfo(name, "enum", optional, tuple(get_args(annotation)), default=default)
    if annotation is str:
        return FieldInfo(name, "text", optional, default=default)
    return None


def _fields_of(model: type[BaseModel], skip: tuple[str, ...] = (), usual: dict | None = None) -> dict[str, FieldInfo]:
    out = {}
    for name, model_field in model.model_fields.items():
        info = None if name in skip else _field_info(name, model_field, (usual or {}).get(name))
        if info is not None:
            out[name] = info
    return out


SCALARS: dict[str, FieldInfo] = _fields_of(Profile, skip=("id",), usual=USUAL)
SLOT_FIELDS: dict[str, dict[str, FieldInfo]] = {
    "children": _fields_of(Child),
    "co_residents": _fields_of(CoResident),
}
SLOT_MODELS: dict[str, type[BaseModel]] = {"children": Child, "co_residents": CoResident}
SLEEPS: dict[str, FieldInfo] = {"present": FieldInfo("present", "bool", default=False),
                                **_fields_of(SleepsElsewhere)}
NEED_FIELDS: dict[str, FieldInfo] = {n: FieldInfo(n, "bool", default=False) for n in NEEDS}
STRUCTURED = ("children", "co_residents", "sleeps_elsewhere", "needs")
ALL_FIELDS = (*SCALARS, *STRUCTURED)


# ---- the checked scenario ----------------------------------------------------------------------

@dataclass(frozen=True)
class FieldPlan:
    """How one column is generated: a distribution, or a constant."""

    column: str  # "age", "children.age", "sleeps_elsewhere.host", "needs.housing"
    info: FieldInfo
    dist: Dist | None = None
    constant: Any = None
    reads: frozenset[str] = frozenset()  # profile fields its conditions read


@dataclass(frozen=True)
class SlotPlan:
    name: str  # children | co_residents
    count: FieldPlan
    items: dict[str, FieldPlan]
    when: str | None = None
    fixed: tuple[dict, ...] | None = None  # a fixed list instead of generated slots

    @property
    def slots(self) -> int:
        """How many list slots to generate: the fixed list's length, else the largest count possible."""
        if self.fixed is not None:
            return len(self.fixed)
        return int(support_max(self.count))


@dataclass(frozen=True)
class GroupSpec:
    name: str
    fact: str
    bands: tuple[float, ...] | None
    labels: tuple[str, ...]


@dataclass
class Scenario:
    """A loaded, checked scenario. `size`, `seed` and `date` may be overridden on the command line."""

    path: Path
    spec: ScenarioFile
    scalars: dict[str, FieldPlan]
    slots: dict[str, SlotPlan]
    sleeps: dict[str, FieldPlan]
    needs: dict[str, FieldPlan]
    groups: list[GroupSpec]
    size: int = 0
    seed: int = 0
    date: dt.date = dt.date(2026, 1, 1)
    order: list[str] = field(default_factory=list)  # scalar columns in generation order
    timeline: Any = None  # a timeline_events.TimelinePlan: events week by week, from the rules date

    @property
    def id(self) -> str:
        """The scenario's id: its file name without .yaml."""
        return self.path.stem

    @property
    def title(self) -> str:
        """The scenario's title, as reports show it."""
        return self.spec.title

    def texts(self, lang: str) -> dict[str, str]:
        """The scenario's English words (title, description on one line, group labels) -> `lang`."""
        dutch = self.spec.nl
        if lang != "nl" or dutch is None:
            return {}
        out = {self.spec.title: dutch.title}
        if self.spec.description and dutch.description:
            out[" ".join(self.spec.description.split())] = " ".join(dutch.description.split())
        for group in self.groups:
            out.update(zip(group.labels, dutch.labels.get(group.name, ())))
        return out

    def with_overrides(self, size: int | None = None, seed: int | None = None,
                       date: dt.date | None = None) -> "Scenario":
        """A copy with size, seed or rules date set from the command line, checked as the file's are."""
        import copy

        out = copy.copy(self)
        if size is not None:
            check_size(size, str(self.path), "", setting="size")
            out.size = size
        if seed is not None:
            check_seed(seed, str(self.path), "", setting="seed")
            out.seed = seed
        if date is not None:
            out.date = date
        return out

    def varying(self) -> list[str]:
        """Scalar fields that vary, in Profile order (the columns worth showing per profile)."""
        return [name for name, plan in self.scalars.items() if plan.dist is not None]


def support_max(plan: FieldPlan) -> float:
    """The largest value a numeric plan can produce (for the number of list slots)."""
    if plan.dist is None:
        return plan.constant if plan.constant is not None else 0
    return _dist_max(plan.dist)


def _dist_max(dist: Dist) -> float:
    kind = dist.kinds()[0]
    if kind == "value":
        best = dist.value or 0
    elif kind == "choice":
        best = max(v for v in dist.choice if v is not None)
    elif kind == "integer":
        best = dist.integer[1]
    elif kind == "float":
        best = dist.float_[1]
    elif kind == "normal":
        best = dist.normal.max if dist.normal.max is not None else MAX_SLOTS
    elif kind == "chance":
        best = 1
    else:
        best = max(_dist_max(case) for case in dist.cases)
    if dist.when is not None and dist.otherwise is not None:
        other = dist.otherwise
        best = max(best, _dist_max(other) if isinstance(other, Dist) else (other or 0))
    return best


def check_size(size: Any, file: str, place: str, setting: str | None = None) -> None:
    """A population size must be a whole number from 1 to a billion (in the file, or as a `setting`)."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ScenarioError(file, place, f"size must be a whole number of at least 1 (got {size!r})",
                            "give a positive size, e.g. size: 100000", setting=setting)
    if size > MAX_POPULATION:
        raise ScenarioError(file, place, f"size {size:,} is more than the limit of {MAX_POPULATION:,} profiles",
                            "give a smaller size; the limits are in docs/limits.md", setting=setting)


def check_seed(seed: Any, file: str, place: str, setting: str | None = None) -> None:
    """A seed must be a whole number from 0 to 2^63 - 1, what numpy's generators take (in the file, or as
    a `setting`)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        shown = f"{seed!r}" if len(repr(seed)) <= 40 else f"{repr(seed)[:40]}..."
        raise ScenarioError(file, place, f"seed must be a whole number from 0 to {MAX_SEED:,} (2^63 - 1) "
                            f"(got {shown})", "give a seed such as seed: 1", setting=setting)
