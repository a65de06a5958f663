"""Read a scenario file and check its meaning, into a `Scenario` ready to generate.

Structure is checked by pydantic (scenario_model.py); meaning (does the field exist, can the
distribution produce a valid value, do the conditions read profile fields in an order that
can be generated) is checked here, so that every mistake is one line naming the file, the line
and a fix. The format is described in scenario_model.py and docs/scenario-format.md.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from regelgat.client.facts import FACT_TYPES, PROFILE_FACTS
from regelgat.client.profile import NEEDS, Child, CoResident, SleepsElsewhere
from regelgat.io import datafiles
from regelgat.io.errors import ScenarioError, clip, did_you_mean
from regelgat.population.scenario_model import (ALL_FIELDS, DIST_KINDS, MAX_SLOTS, NEED_FIELDS, SCALARS, SLEEPS,
                                                SLOT_FIELDS, SLOT_MODELS, Dist, FieldInfo, FieldPlan, GroupSpec,
                                                Scenario, ScenarioFile, SlotPlan, check_seed, check_size, support_max)
from regelgat.population.timeline_events import load_block
from regelgat.rules import expressions

_EXAMPLES = {"choice": "choice: {a: 3, b: 1}", "chance": "chance: 0.3", "integer": "integer: [18, 25]",
             "float": "float: [0, 6]", "normal": "normal: {mean: 1500, sd: 500}",
             "cases": "cases: [{when: age > 25, value: 1}, {value: 0}]"}


def load_scenario(path: Path | str) -> Scenario:
    """Read, validate and check a scenario file; every problem is one ScenarioError."""
    path = Path(path)
    data, locate = datafiles.read(path)
    if isinstance(data, dict):
        # Checked by hand first, for a message that names the problem rather than the type.
        if "size" in data:
            check_size(data["size"], str(path), datafiles.where(("size",), data, locate))
        if "seed" in data:
            check_seed(data["seed"], str(path), datafiles.where(("seed",), data, locate))
    spec = datafiles.validate(ScenarioFile, data, path, locate)
    checker = _Checker(path, data, locate)
    scenario = checker.build(spec)
    scenario.size, scenario.seed, scenario.date = spec.size, spec.seed, spec.date
    scenario.timeline = load_block(spec.timeline, path, data, locate)
    return scenario


class _Checker:
    def __init__(self, path: Path, data: Any, locate: datafiles.Locate) -> None:
        self.path, self.data, self.locate = path, data, locate

    def fail(self, loc: tuple, problem: str, fix: str = "") -> ScenarioError:
        return ScenarioError(str(self.path), datafiles.where(loc, self.data, self.locate), problem, fix)

    # -- whole file --
    def build(self, spec: ScenarioFile) -> Scenario:
        for section in ("fixed", "vary"):
            for name in getattr(spec, section):
                if name == "id":
                    raise self.fail((section, name), "id is generated for each profile",
                                    "remove it; ids are <scenario>-<index>")
                if name not in ALL_FIELDS:
                    hint = did_you_mean(name, ALL_FIELDS)
                    raise self.fail((section, name), f"unknown field {name!r}",
                                    hint or "run 'regelgat schema' to list the profile fields")
        both = sorted(set(spec.fixed) & set(spec.vary))
        if both:
            raise self.fail(("vary", both[0]), f"{both[0]} is both fixed and varied", "keep one of the two")

        scalars = {}
        for name, info in SCALARS.items():
            if name in spec.vary:
                scalars[name] = self.plan(name, info, spec.vary[name], ("vary", name))
            elif name in spec.fixed:
                scalars[name] = FieldPlan(name, info, constant=self.constant(info, spec.fixed[name], ("fixed", name)))
            else:
                scalars[name] = FieldPlan(name, info, constant=info.default)
        slots = {name: self.slot_plan(name, spec) for name in SLOT_FIELDS}
        sleeps = self.sleeps_plan(spec)
        needs = self.needs_plan(spec)
        scenario = Scenario(self.path, spec, scalars, slots, sleeps, needs, self.groups(spec))
        self.dutch_labels(spec, scenario.groups)
        scenario.order = self.order(scalars)
        for plan in self.all_plans(scenario):
            unknown = plan.reads - set(SCALARS)
            if unknown:
                raise self.fail(("vary",), f"a condition reads {sorted(unknown)[0]!r}, which is not a profile field")
        return scenario

    @staticmethod
    def all_plans(scenario: Scenario) -> list[FieldPlan]:
        plans = list(scenario.scalars.values()) + list(scenario.sleeps.values()) + list(scenario.needs.values())
        for slot in scenario.slots.values():
            plans += [slot.count, *slot.items.values()]
        return plans

    def order(self, scalars: dict[str, FieldPlan]) -> list[str]:
        """Scalar fields in an order where every condition reads only fields made before it."""
        done: list[str] = [n for n, p in scalars.items() if p.dist is None]
        pending = [n for n, p in scalars.items() if p.dist is not None]
        while pending:
            ready = [n for n in pending if scalars[n].reads <= set(done) | {n} and n not in scalars[n].reads]
            if not ready:
                cyclic = pending[0]
                if cyclic in scalars[cyclic].reads:
                    raise self.fail(("vary", cyclic), f"the condition for {cyclic} reads {cyclic} itself",
                                    "make it depend on other fields")
                raise self.fail(("vary", cyclic), f"the conditions of {', '.join(pending)} depend on each other",
                                "break the circle: let one of them be fixed or unconditional")
            done += ready
            pending = [n for n in pending if n not in ready]
        return done

    # -- distributions --
    def plan(self, column: str, info: FieldInfo, raw: Any, loc: tuple) -> FieldPlan:
        if not isinstance(raw, dict):
            raise self.fail(loc, f"{column}: expected a distribution such as {{choice: ...}} or {{integer: [1, 5]}}",
                            "put constants under fixed:, or write {value: X}")
        dist = self.parse_dist(raw, loc)
        reads = self.check_dist(info, dist, loc)
        return FieldPlan(column, info, dist=dist, reads=frozenset(reads))

    def parse_dist(self, raw: Any, loc: tuple) -> Dist:
        unknown = [k for k in raw if k not in Dist.model_fields and k != "float"]
        if unknown:
            hint = did_you_mean(str(unknown[0]), [*DIST_KINDS, "when", "otherwise", "missing", "round"])
            raise self.fail((*loc, unknown[0]), f"unknown distribution key {unknown[0]!r}",
                            hint or f"use one of {', '.join(DIST_KINDS)}")
        try:
            return Dist.model_validate(raw)
        except ValidationError as exc:  # re-locate it inside this field
            errors = exc.errors()
            error = next((e for e in errors if e["type"] == "finite_number"), errors[0])
            sub = tuple(k if k != "float_" else "float" for k in error["loc"])
            # inside choice:, normal: and a range, name the weight, the parameter or the end; else the key
            sub = sub[:2] if sub and sub[0] in ("choice", "normal", "float", "integer") else sub[:1]
            got = error.get("input")
            if error["type"] == "finite_number":
                problem = "NaN is not a number" if got != got else "infinity is not a finite number"
                raise self.fail((*loc, *sub), problem, "give a finite number, e.g. 0.5") from None
            raise self.fail((*loc, *sub), f"{error['msg']} (got {clip(got)})",
                            "see the distribution kinds at the top of docs/scenario-format.md") from None

    def check_dist(self, info: FieldInfo, dist: Dist, loc: tuple, case: bool = False) -> set[str]:
        """Check that a distribution can only produce valid values; return the fields it reads.

        In a case of `cases:`, `when:` is the case's condition (checked by the caller).
        """
        kinds = dist.kinds()
        if len(kinds) != 1:
            raise self.fail(loc, f"give exactly one of {', '.join(DIST_KINDS)} (found {', '.join(kinds) or 'none'})",
                            "e.g. {integer: [18, 25]} or {choice: {a: 1, b: 2}}")
        kind, reads = kinds[0], set()
        here = (*loc, kind)
        if kind != "value" and getattr(dist, "float_" if kind == "float" else kind) is None:
            raise self.fail(here, f"{kind}: is empty (null)", f"give it a value, e.g. {{{_EXAMPLES[kind]}}}")
        if case and "otherwise" in dist.model_fields_set:
            raise self.fail((*loc, "otherwise"), "a case has no otherwise:", "add a last case without when:")
        if dist.when is not None and not case:
            reads |= self.condition(dist.when, (*loc, "when"))
            if dist.otherwise is None and "otherwise" not in dist.model_fields_set:
                raise self.fail((*loc, "when"), "a conditional distribution needs `otherwise:`",
                                "add otherwise: <value or distribution> for profiles where the condition fails")
            if isinstance(dist.otherwise, Dist):
                reads |= self.check_dist(info, dist.otherwise, (*loc, "otherwise"))
            else:
                self.value(info, dist.otherwise, (*loc, "otherwise"))
        elif "otherwise" in dist.model_fields_set:
            raise self.fail((*loc, "otherwise"), "otherwise: without when:", "add when: <condition>")
        if dist.missing is not None:
            if not info.optional:
                raise self.fail((*loc, "missing"), f"{info.name} is never missing in a profile",
                                "remove missing:; only optional fields may be missing")
            if not 0 <= dist.missing <= 1:
                raise self.fail((*loc, "missing"), f"missing must be a share between 0 and 1 (got {dist.missing})")
        if kind == "value":
            self.value(info, dist.value, here)
        elif kind == "choice":
            if not dist.choice:
                raise self.fail(here, "choice needs at least one value", "e.g. choice: {a: 3, b: 1}")
            for value, weight in dist.choice.items():
                self.value(info, value, (*here, value))
                if weight < 0:
                    raise self.fail((*here, value), f"weight {weight} is negative", "weights are relative sizes >= 0")
            if sum(dist.choice.values()) <= 0:
                raise self.fail(here, "all weights are zero", "give at least one value a positive weight")
        elif kind == "chance":
            if info.kind != "bool":
                raise self.fail(here, f"chance: makes yes/no values, but {info.name} is {self.describe(info)}",
                                "use choice:, integer: or normal:")
            if not 0 <= dist.chance <= 1:
                raise self.fail(here, f"chance must be between 0 and 1 (got {dist.chance})")
        elif kind in ("integer", "float", "normal"):
            self.check_range(info, dist, kind, here)
        else:
            reads |= self.check_cases(info, dist, here)
        return reads

    def check_range(self, info: FieldInfo, dist: Dist, kind: str, here: tuple) -> None:
        """integer:, float: and normal: make numbers inside the field's range, from a non-empty range."""
        if info.kind not in ("int", "float"):
            raise self.fail(here, f"{kind}: makes numbers, but {info.name} is {self.describe(info)}",
                            "use choice: or value:")
        if kind == "integer":
            lo, hi = dist.integer
        elif kind == "float":
            if info.kind == "int":
                raise self.fail(here, f"{info.name} takes whole numbers", "use integer: [min, max] or normal:")
            lo, hi = dist.float_
        else:
            normal = dist.normal
            if normal.sd < 0:
                raise self.fail((*here, "sd"), f"sd must be 0 or more (got {normal.sd})")
            lo = normal.min if normal.min is not None else info.lo
            hi = normal.max if normal.max is not None else info.hi
        if lo is not None and hi is not None and lo > hi:
            raise self.fail(here, f"the range is empty: min {lo} is above max {hi}", "swap or widen the bounds")
        self.in_range(info, lo, here)
        self.in_range(info, hi, here)

    def check_cases(self, info: FieldInfo, dist: Dist, here: tuple) -> set[str]:
        """cases: every case but the last has a condition; returns the fields the conditions read."""
        reads: set[str] = set()
        if not dist.cases:
            raise self.fail(here, "cases needs at least one case")
        for index, case in enumerate(dist.cases):
            case_loc = (*here, index)
            if case.when is None and index != len(dist.cases) - 1:
                raise self.fail(case_loc, "only the last case may leave out when:",
                                "give every case but the last a condition")
            if case.when is not None:
                reads |= self.condition(case.when, (*case_loc, "when"))
            reads |= self.check_dist(info, case, case_loc, case=True)
        return reads

    @staticmethod
    def describe(info: FieldInfo) -> str:
        return {"bool": "yes/no", "int": "a whole number", "float": "a number", "enum": "one of a list",
                "text": "text"}[info.kind]

    def in_range(self, info: FieldInfo, value: float | None, loc: tuple) -> None:
        if value is None:
            return
        if (info.lo is not None and value < info.lo) or (info.hi is not None and value > info.hi):
            raise self.fail(loc, f"{value:g} is outside the range of {info.name} ({info.lo:g} to {info.hi:g})",
                            "keep the distribution inside the field's range")

    def value(self, info: FieldInfo, value: Any, loc: tuple) -> None:
        if value is None:
            if not info.optional:
                raise self.fail(loc, f"{info.name} may not be missing", "give a value")
            return
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "enum": isinstance(value, str) and value in info.values,
            "text": isinstance(value, str),
        }[info.kind]
        if not ok:
            if info.kind == "enum":
                hint = did_you_mean(str(value), info.values)
                raise self.fail(loc, f"{value!r} is not a value of {info.name}",
                                hint or f"use one of {', '.join(info.values)}")
            raise self.fail(loc, f"{value!r} is not {self.describe(info)}, as {info.name} needs",
                            "write true/false, a plain number or text as the field needs")
        if info.kind in ("int", "float"):
            if not math.isfinite(value):
                raise self.fail(loc, "NaN is not a number" if value != value else "infinity is not a finite number",
                                "give a finite number")
            self.in_range(info, value, loc)

    def constant(self, info: FieldInfo, value: Any, loc: tuple) -> Any:
        self.value(info, value, loc)
        return float(value) if info.kind == "float" and value is not None else value

    def condition(self, text: str, loc: tuple) -> set[str]:
        try:
            node = expressions.parse(text, PROFILE_FACTS, {})
        except expressions.ExpressionError as exc:
            derived = [n for n in FACT_TYPES if n not in PROFILE_FACTS and n in str(text)]
            fix = (f"{derived[0]} is a derived fact; a scenario condition reads profile fields only"
                   if derived else exc.fix)
            raise self.fail(loc, f"{exc} in {text!r}", fix) from None
        reads: set[str] = set()

        def walk(n):
            if isinstance(n, (expressions.Compare, expressions.Member)):
                reads.add(n.fact)
            elif isinstance(n, (expressions.And, expressions.Or)):
                for item in n.items:
                    walk(item)
            elif isinstance(n, expressions.Not):
                walk(n.item)

        walk(node)
        return reads

    # -- structured fields --
    def slot_plan(self, name: str, spec: ScenarioFile) -> SlotPlan:
        infos = SLOT_FIELDS[name]
        count_info = FieldInfo(f"{name}.count", "int", lo=0, hi=MAX_SLOTS)
        if name in spec.fixed:
            raw = spec.fixed[name]
            model = Child if name == "children" else CoResident
            if not isinstance(raw, list):
                raise self.fail(("fixed", name), f"{name} under fixed: must be a list", f"e.g. {name}: []")
            items = []
            for index, item in enumerate(raw):
                items.append(datafiles.validate(model, item, self.path,
                                                lambda loc, i=index: self.locate(("fixed", name, i, *loc))).model_dump())
            if len(items) > MAX_SLOTS:
                raise self.fail(("fixed", name), f"at most {MAX_SLOTS} {name}")
            count = FieldPlan(f"{name}.count", count_info, constant=len(items))
            plans = {k: FieldPlan(f"{name}.{k}", i, constant=None) for k, i in infos.items()}
            return SlotPlan(name, count, plans, fixed=tuple(items))
        if name not in spec.vary:
            return SlotPlan(name, FieldPlan(f"{name}.count", count_info, constant=0),
                            {k: FieldPlan(f"{name}.{k}", i, constant=i.default) for k, i in infos.items()})
        raw = spec.vary[name]
        loc = ("vary", name)
        if not isinstance(raw, dict):
            raise self.fail(loc, f"{name} under vary: needs count: and a distribution per item field",
                            f"e.g. {name}: {{count: {{integer: [0, 2]}}, age: {{integer: [0, 17]}}}}")
        allowed = ["when", "count", *infos]
        for key in raw:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                raise self.fail((*loc, key), f"unknown field {key!r} for {name}", hint or f"allowed: {', '.join(allowed)}")
        if "count" not in raw:
            raise self.fail(loc, f"{name} needs count:", "add count: {integer: [0, 2]} or similar")
        when = raw.get("when")
        reads = self.condition(when, (*loc, "when")) if when is not None else set()
        count = self.plan(f"{name}.count", count_info, raw["count"], (*loc, "count"))
        if support_max(count) > MAX_SLOTS:
            raise self.fail((*loc, "count"), f"at most {MAX_SLOTS} {name} per profile", "lower the maximum count")
        count = FieldPlan(count.column, count.info, dist=count.dist, reads=count.reads | reads)
        items = {}
        for key, info in infos.items():
            if key in raw:
                value = raw[key]
                items[key] = (self.plan(f"{name}.{key}", info, value, (*loc, key)) if isinstance(value, dict)
                              else FieldPlan(f"{name}.{key}", info, constant=self.constant(info, value, (*loc, key))))
            else:
                if SLOT_MODELS[name].model_fields[key].is_required():
                    raise self.fail(loc, f"{name} needs a distribution for {key}", f"add {key}: ...")
                items[key] = FieldPlan(f"{name}.{key}", info, constant=info.default)
        return SlotPlan(name, count, items, when=when)

    def sleeps_plan(self, spec: ScenarioFile) -> dict[str, FieldPlan]:
        name = "sleeps_elsewhere"
        if name in spec.fixed:
            raw = spec.fixed[name]
            loc = ("fixed", name)
            if raw is None:
                return {k: FieldPlan(f"{name}.{k}", i, constant=i.default if k != "present" else False)
                        for k, i in SLEEPS.items()}
            item = datafiles.validate(SleepsElsewhere, raw, self.path,
                                      lambda sub: self.locate((*loc, *sub))).model_dump()
            return {k: FieldPlan(f"{name}.{k}", i, constant=True if k == "present" else item[k])
                    for k, i in SLEEPS.items()}
        raw = spec.vary.get(name)
        if raw is None:
            return {k: FieldPlan(f"{name}.{k}", i, constant=False if k == "present" else i.default)
                    for k, i in SLEEPS.items()}
        return self.sub_plans(name, SLEEPS, raw, ("vary", name), required=("present", "host", "nights_per_week"))

    def needs_plan(self, spec: ScenarioFile) -> dict[str, FieldPlan]:
        if "needs" in spec.fixed:
            raw = spec.fixed["needs"]
            if not isinstance(raw, list):
                raise self.fail(("fixed", "needs"), "needs under fixed: must be a list", "e.g. needs: [housing, income]")
            for index, need in enumerate(raw):
                if need not in NEEDS:
                    hint = did_you_mean(str(need), NEEDS)
                    raise self.fail(("fixed", "needs", index), f"{need!r} is not a need", hint or f"use {', '.join(NEEDS)}")
            return {n: FieldPlan(f"needs.{n}", i, constant=n in raw) for n, i in NEED_FIELDS.items()}
        raw = spec.vary.get("needs")
        if raw is None:
            return {n: FieldPlan(f"needs.{n}", i, constant=False) for n, i in NEED_FIELDS.items()}
        return self.sub_plans("needs", NEED_FIELDS, raw, ("vary", "needs"), required=())

    def sub_plans(self, name: str, infos: dict[str, FieldInfo], raw: Any, loc: tuple,
                  required: tuple[str, ...]) -> dict[str, FieldPlan]:
        if not isinstance(raw, dict):
            raise self.fail(loc, f"{name} under vary: needs a distribution per field",
                            f"allowed fields: {', '.join(infos)}")
        for key in raw:
            if key not in infos:
                hint = did_you_mean(str(key), infos)
                raise self.fail((*loc, key), f"unknown field {key!r} for {name}", hint or f"allowed: {', '.join(infos)}")
        for key in required:
            if key not in raw:
                raise self.fail(loc, f"{name} needs {key}:", f"add {key}: <distribution>")
        out = {}
        for key, info in infos.items():
            column = f"{name}.{key}"
            if key not in raw:
                out[key] = FieldPlan(column, info, constant=info.default)
            elif isinstance(raw[key], dict):
                out[key] = self.plan(column, info, raw[key], (*loc, key))
            else:
                out[key] = FieldPlan(column, info, constant=self.constant(info, raw[key], (*loc, key)))
        return out

    # -- groups --
    def dutch_labels(self, spec: ScenarioFile, groups: list[GroupSpec]) -> None:
        """nl: labels name a group the scenario has, one Dutch label for each of its labels."""
        if spec.nl is None:
            return
        known = {group.name: group for group in groups}
        for name, labels in spec.nl.labels.items():
            loc = ("nl", "labels", name)
            if name not in known:
                raise self.fail(loc, f"no group {name!r}", f"groups: {', '.join(known) or 'none'}")
            if len(labels) != len(known[name].labels):
                raise self.fail(loc, f"{len(labels)} Dutch labels for {len(known[name].labels)} groups",
                                f"give one for each of: {', '.join(known[name].labels)}")

    def groups(self, spec: ScenarioFile) -> list[GroupSpec]:
        out = []
        for name, band in spec.groups.items():
            loc = ("groups", name)
            if band.fact not in FACT_TYPES:
                hint = did_you_mean(band.fact, FACT_TYPES)
                raise self.fail((*loc, "fact"), f"unknown fact {band.fact!r}",
                                hint or "run 'regelgat facts' to list the facts")
            fact = FACT_TYPES[band.fact]
            if fact.kind == "number":
                if not band.bands:
                    raise self.fail(loc, f"{band.fact} is a number: give bands", "e.g. bands: [18, 27, 45, 67]")
                edges = band.bands
                if list(edges) != sorted(set(edges)):
                    raise self.fail((*loc, "bands"), "bands must go up, each edge once", "e.g. bands: [0, 1000, 2000]")
                labels = band.labels or tuple(_band_labels(edges, band.fact))
                expected = len(edges) + 1
                if len(labels) != expected:
                    raise self.fail((*loc, "labels"), f"{len(edges)} edges make {expected} bands, "
                                    f"but {len(labels)} labels are given", f"give {expected} labels")
                out.append(GroupSpec(name, band.fact, tuple(edges), tuple(labels)))
            else:
                if band.bands:
                    raise self.fail((*loc, "bands"), f"{band.fact} is not a number; it needs no bands", "remove bands:")
                values = ("false", "true") if fact.kind == "bool" else fact.values
                if fact.kind == "text":
                    raise self.fail((*loc, "fact"), f"{band.fact} is free text; group by a number, yes/no or list fact")
                out.append(GroupSpec(name, band.fact, None, tuple(str(v) for v in values)))
        return out


def _band_labels(edges: tuple[float, ...], fact: str) -> list[str]:
    whole = all(float(e).is_integer() for e in edges)
    money = "income" in fact or "rent" in fact or "assets" in fact
    fmt = (lambda v: f"{v:,.0f}") if money else (lambda v: f"{v:g}")
    labels = [f"under {fmt(edges[0])}"]
    for lo, hi in zip(edges, edges[1:]):
        labels.append(f"{fmt(lo)}-{fmt(hi - 1)}" if whole and not money else f"{fmt(lo)} to {fmt(hi)}")
    labels.append(f"{fmt(edges[-1])}+")
    return labels


def bundled_scenarios() -> list[Path]:
    """The scenario files shipped beside the package (editable install), else ./scenarios."""
    here = Path(__file__).resolve().parents[2] / "scenarios"
    folder = here if here.is_dir() else Path("scenarios")
    return sorted(folder.glob("*.yaml"))
