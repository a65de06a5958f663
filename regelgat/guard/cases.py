"""Case files: YAML expectations about real people, checked against the rulesets.

A case names a date, a profile (inline or a persona file) and what should come out: which
provisions are eligible, which criterion refuses which provision, the gaps, the loops. The
format is in docs/case-format.md. `regelgat test` and the pytest plugin both run cases through
`run_case`, so a failure reads the same in both: the file and line, the case, expected against
actual, and every criterion of the provisions concerned with its status and legal source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from regelgat.io import datafiles
from regelgat.check.single import Checked, check_profile, default_rulesets_dir
from regelgat.rules.at_date import rules_at
from regelgat.rules.compiled import CompiledRules
from regelgat.io.errors import CaseError, InputError, ProfileError, clip, did_you_mean
from regelgat.io.paths import kind_of, shown_path
from regelgat.client.profile import Need, Profile
from regelgat.rules.unknowns import verdict_fields
from regelgat.rules.verdicts import Verdict

Engine = Literal["python", "durable"]
_KEY = r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Model):
    """What should come out. Every key is optional; an absent key is not checked."""

    eligible: tuple[str, ...] = Field((), description="Provisions (<ruleset>/<provision>) that are eligible.")
    ineligible: dict[str, str | tuple[str, ...] | None] = Field(
        {}, description="Provision -> the criterion or exclusion that refuses it (a list: all of them "
                        "refuse it; null: ineligible, whatever the reason).")
    blocked: tuple[str, ...] | dict[str, str | None] = Field(
        (), description="Provisions held up by an unmet prerequisite (a mapping: provision -> the "
                        "provision it waits for).")
    not_eligible: tuple[str, ...] = Field((), description="Provisions that are ineligible, blocked or undetermined.")
    undetermined: dict[str, str | tuple[str, ...] | None] = Field(
        {}, description="Provision -> the profile field(s) whose answer decides it (null: undetermined, "
                        "whatever it waits for).")
    gaps: tuple[Need, ...] | None = Field(None, description="Exactly these needs are uncovered: every door definitely shut.")
    undecided: tuple[Need, ...] | None = Field(
        None, description="Exactly these needs are not decided yet: not covered, but a door is undetermined.")
    loops: bool | None = Field(None, description="true: at least one referral loop; false: none.")
    effects: tuple[str, ...] = Field((), description="Effects on others (<ruleset>/<effect>) that show.")
    amounts: dict[str, float] = Field(
        {}, description="Euros a month, to the cent: a provision -> what it pays (0 when not eligible), or "
                        "<ruleset>/<amount id> -> that amount.")
    shortfall: float | None = Field(None, description="Euros a month the household lives below the social minimum.")
    practice_risks: dict[str, str | tuple[str, ...]] = Field(
        {}, description="Provision -> the reported practice (rule id) that may refuse it in practice, though no "
                        "rule confirms it (shown as a risk; it refuses only with `assume: [practice]`).")

    @model_validator(mode="after")
    def _keys(self):
        import re

        blocked = self.blocked if isinstance(self.blocked, dict) else dict.fromkeys(self.blocked)
        for group, keys in (("eligible", self.eligible), ("ineligible", self.ineligible), ("blocked", blocked),
                            ("not_eligible", self.not_eligible), ("effects", self.effects),
                            ("undetermined", self.undetermined), ("practice_risks", self.practice_risks),
                            ("amounts", self.amounts)):
            for key in keys:
                if not re.match(_KEY, key):
                    raise ValueError(f"{group}: {key!r} is not <ruleset id>/<provision id> "
                                     f"(write it as in `regelgat check`, e.g. participatiewet-bijstand/algemene_bijstand)")
        return self


class CaseSpec(_Model):
    name: str = Field(min_length=1)
    date: dt.date
    author: str | None = None
    source: str | None = Field(None, description="What the expectation rests on: a decision, a ruling, a statute.")
    persona: str | None = Field(None, description="A profile file, relative to the project root.")
    profile: dict[str, Any] | None = Field(None, description="Profile fields; with persona, they override it.")
    assume: tuple[Literal["practice"], ...] = Field(
        (), description="practice: decide with reported practice applied as rules (the pessimistic reading).")
    expect: Expect

    @model_validator(mode="after")
    def _has_profile(self):
        if self.persona is None and self.profile is None:
            raise ValueError("a case needs a profile (give persona: <file> or profile: {...})")
        return self


class CaseFileSpec(_Model):
    rulesets: str | None = Field(None, description="Folder of rulesets, relative to this file (default: bundled).")
    author: str | None = Field(None, description="Default author of every case in the file.")
    source: str | None = Field(None, description="Default source of every case in the file.")
    given: dict[str, Any] = Field(
        {}, description="Profile facts every case in the file gives, unless its persona or profile says "
                        "otherwise; `null` in a case's profile leaves a fact unknown.")
    cases: tuple[CaseSpec, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Case:
    """One loaded case: the spec, where it is, and its validated profile."""

    spec: CaseSpec
    file: Path
    line: int
    profile: Profile
    rulesets: Path | None  # from the file's `rulesets:` key, resolved
    persona_path: Path | None = None

    @property
    def name(self) -> str:
        """The case's name, as a test id and in reports."""
        return self.spec.name

    @property
    def author(self) -> str | None:
        """Who wrote the case, if it says."""
        return self.spec.author

    @property
    def source(self) -> str | None:
        """Where the case comes from (a decision, a report), if it says."""
        return self.spec.source

    @property
    def where(self) -> str:
        """file:line of the case, for failures and pytest."""
        return f"{shown_path(self.file)}:{self.line}"


# ---- loading -----------------------------------------------------------------------------------

def find_case_files(paths: list[Path]) -> list[Path]:
    """YAML files among PATHS; folders are searched recursively, in sorted order."""
    files: list[Path] = []
    for path in paths:
        if kind_of(path) == "folder":
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif kind_of(path) == "file":
            files.append(path)
        else:
            raise CaseError(str(path), "", "no such file or folder", "give case files or a folder of them")
    return files


def load_case_file(path: Path | str) -> list[Case]:
    """Every case in a case file, validated; a bad case is one error naming the file and line."""
    path = Path(path)
    data, locate = datafiles.read(path)
    if isinstance(data, dict) and "cases" not in data and "name" in data:
        data = {"cases": [data]}  # a file holding a single case
    spec = datafiles.validate(CaseFileSpec, data, path, locate)
    rulesets = (path.parent / spec.rulesets).resolve() if spec.rulesets else None
    cases = []
    for index, case in enumerate(spec.cases):
        case = case.model_copy(update={"author": case.author or spec.author, "source": case.source or spec.source})
        line_text = locate(("cases", index))
        line = int(line_text.split()[-1]) if line_text else 1
        profile, persona = _case_profile(case, index, path, data, locate, spec.given)
        cases.append(Case(case, path, line, profile, rulesets, persona))
    names = [c.name for c in cases]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise CaseError(str(path), datafiles.where(("cases", index, "name"), data, locate),
                             f"case name {name!r} is used twice", "give each case its own name")
    return cases


def _case_profile(case: CaseSpec, index: int, path: Path, data: Any, locate,
                  given: dict[str, Any] | None = None) -> tuple[Profile, Path | None]:
    overrides = dict(case.profile or {})
    base: dict[str, Any] = dict(given or {})
    persona_path = None
    if case.persona is not None:
        persona_path = resolve_persona(case.persona, path, where=datafiles.where(("cases", index, "persona"), data, locate))
        persona_data, persona_locate = datafiles.read(persona_path)
        if not isinstance(persona_data, dict):
            raise ProfileError(str(persona_path), "", "a persona file must be a mapping of profile fields",
                               "write one profile: id, age, ...")
        base.update(persona_data)
    # null leaves a fact unknown, as if neither the file nor the persona gave it
    merged = {k: v for k, v in {**base, **overrides}.items() if v is not None}
    merged.setdefault("id", _slug(case.name))

    def locate_in_case(loc: tuple) -> str:
        inside = bool(loc) and loc[0] in overrides
        return locate(("cases", index, "profile", *loc) if inside else ("cases", index))

    try:
        return Profile.model_validate(merged), persona_path
    except ValidationError as exc:
        loc = tuple(exc.errors()[0]["loc"])
        if persona_path is not None and not (loc and loc[0] in overrides):
            datafiles.validate(Profile, merged, persona_path, persona_locate)  # raises, at the persona's line
        datafiles.validate(Profile, merged, path, locate_in_case)  # raises, at the case's line
        raise


def resolve_persona(name: str, case_file: Path, where: str = "") -> Path:
    """A persona path: as given if absolute, else from the case file's folder or any folder above it."""
    candidate = Path(name)
    if any(len(part.encode()) > 255 for part in candidate.parts):
        raise CaseError(str(case_file), where, f"persona file name {clip(name)} is too long",
                         "name the file at most 255 characters")
    if candidate.is_absolute():
        if kind_of(candidate) == "file":
            return candidate
    else:
        for folder in (case_file.resolve().parent, *case_file.resolve().parents):
            if kind_of(folder / candidate) == "file":
                return folder / candidate
        if kind_of(Path.cwd() / candidate) == "file":
            return Path.cwd() / candidate
    raise CaseError(str(case_file), where, f"persona file {name!r} not found",
                     "give the path from the project root, e.g. scenarios/personas/mr-k.yaml")


def _slug(text: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    return "-".join(part for part in out.split("-") if part) or "case"


# ---- running -----------------------------------------------------------------------------------

@dataclass
class Mismatch:
    """One expectation that did not hold."""

    expectation: str  # e.g. "eligible: participatiewet-bijstand/algemene_bijstand"
    expected: str
    actual: str
    provisions: tuple[str, ...] = ()  # provisions whose criteria explain it
    effects: tuple[str, ...] = ()


@dataclass
class CaseResult:
    case: Case
    rulesets: Path
    checked: Checked | None = None
    mismatches: list[Mismatch] = field(default_factory=list)
    error: InputError | None = None  # a case that names something the rulesets do not have

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return self.error is None and not self.mismatches


def run_case(case: Case, rulesets: Path | None = None, engine: Engine = "python") -> CaseResult:
    """Check the case's profile at its date and compare with what it expects.

    `rulesets` (an explicit choice, e.g. --rulesets) wins over the case file's `rulesets:` key,
    which wins over the bundled rulesets.
    """
    directory = Path(rulesets or case.rulesets or default_rulesets_dir())
    result = CaseResult(case, directory)
    try:
        compiled = rules_at(directory, case.spec.date, practice="practice" in case.spec.assume)
        _check_names(case, compiled)
    except InputError as exc:
        result.error = exc
        return result
    if engine == "durable":
        from regelgat.engines.durable import DurableEngine

        with DurableEngine(compiled) as durable:
            result.checked = check_profile(case.profile, compiled, durable)
    else:
        result.checked = check_profile(case.profile, compiled)
    result.mismatches = compare(case.spec.expect, result.checked)
    return result


def _check_names(case: Case, compiled: CompiledRules) -> None:
    """Every provision, criterion and effect a case names exists in the rulesets (at any date)."""
    provisions = {f"{r.id}/{p.id}": p for r in compiled.rulesets for p in r.spec.provisions}
    effects = {f"{r.id}/{e.id}" for r in compiled.rulesets for e in r.spec.effects}
    expect = case.spec.expect
    blocked = expect.blocked if isinstance(expect.blocked, dict) else dict.fromkeys(expect.blocked)
    where = f"line {case.line}: case {case.name!r}"

    def unknown(kind: str, name: str, known) -> CaseError:
        hint = did_you_mean(name, known) or f"`regelgat check` lists the {kind}s"
        return CaseError(str(case.file), where, f"no {kind} {name!r} in the rulesets", hint)

    for key in (*expect.eligible, *expect.ineligible, *blocked, *expect.not_eligible, *expect.undetermined,
                *expect.practice_risks,
                *(v for v in blocked.values() if v)):
        if key not in provisions:
            raise unknown("provision", key, provisions)
    for key in expect.effects:
        if key not in effects:
            raise unknown("effect", key, effects)
    amounts = {f"{r.id}/{a.id}" for r in compiled.rulesets for a in r.spec.amounts}
    for key in expect.amounts:
        if key not in provisions and key not in amounts:
            raise unknown("provision or amount", key, [*provisions, *amounts])
    for key, criteria in expect.ineligible.items():
        spec = provisions[key]
        ids = [r.id for r in (*spec.criteria, *spec.exclusions)]
        for criterion in (criteria,) if isinstance(criteria, str) else criteria or ():
            if criterion not in ids:
                hint = did_you_mean(criterion, ids) or f"{key} has: {', '.join(ids)}"
                raise CaseError(str(case.file), where, f"{key} has no criterion or exclusion {criterion!r}", hint)


def compare(expect: Expect, checked: Checked) -> list[Mismatch]:
    """The expectations that do not hold for a checked profile, each with expected and actual."""
    result = checked.result
    verdicts = {v.provision.key: v for v in result.verdicts}
    out: list[Mismatch] = []

    def actual(key: str) -> str:
        verdict = verdicts.get(key)
        return describe_outcome(verdict) if verdict else f"not in force on {result.date}"

    for key in expect.eligible:
        if key not in verdicts or verdicts[key].outcome != "eligible":
            out.append(Mismatch(f"eligible: {key}", "eligible", actual(key), (key,)))
    for key, criteria in expect.ineligible.items():
        wanted = () if criteria is None else (criteria,) if isinstance(criteria, str) else tuple(criteria)
        verdict = verdicts.get(key)
        refusing = {r.rule.rule.id for r in verdict.deciding} if verdict and verdict.outcome == "ineligible" else set()
        if verdict is None or verdict.outcome != "ineligible" or not set(wanted) <= refusing:
            expected = "ineligible" + (f", refused by {', '.join(wanted)}" if wanted else "")
            out.append(Mismatch(f"ineligible: {key}", expected, actual(key), (key,)))
    blocked = expect.blocked if isinstance(expect.blocked, dict) else dict.fromkeys(expect.blocked)
    for key, waits_for in blocked.items():
        verdict = verdicts.get(key)
        if verdict is None or verdict.outcome != "blocked" or (waits_for and waits_for not in verdict.blocked_by):
            expected = "blocked" + (f", waiting for {waits_for}" if waits_for else "")
            extra = (waits_for,) if waits_for else tuple(verdict.blocked_by) if verdict else ()
            out.append(Mismatch(f"blocked: {key}", expected, actual(key), (key, *extra)))
    for key in expect.not_eligible:
        if key in verdicts and verdicts[key].outcome == "eligible":
            out.append(Mismatch(f"not_eligible: {key}", "ineligible, blocked or undetermined", actual(key), (key,)))
    for key, rules in expect.practice_risks.items():
        wanted = (rules,) if isinstance(rules, str) else tuple(rules)
        verdict = verdicts.get(key)
        risks = {r.rule.rule.id for r in verdict.risks} if verdict else set()
        if not set(wanted) <= risks:
            out.append(Mismatch(f"practice_risks: {key}", f"may be refused in practice by {', '.join(wanted)}",
                                f"{actual(key)}; risks: {', '.join(sorted(risks)) or 'none'}", (key,)))
    for key, fields in expect.undetermined.items():
        wanted = () if fields is None else (fields,) if isinstance(fields, str) else tuple(fields)
        verdict = verdicts.get(key)
        asked = set(verdict_fields(verdict, result, checked.compiled, checked.facts)) if verdict else set()
        if verdict is None or verdict.outcome != "undetermined" or not set(wanted) <= asked:
            expected = "undetermined" + (f", waiting for {', '.join(wanted)}" if wanted else "")
            out.append(Mismatch(f"undetermined: {key}", expected, actual(key), (key,)))
    if expect.undecided is not None and set(expect.undecided) != set(result.undecided):
        out.append(Mismatch("undecided", list_text(expect.undecided), list_text(result.undecided)))
    if expect.gaps is not None and set(expect.gaps) != set(result.gaps):
        differing = set(expect.gaps) ^ set(result.gaps)
        covering = tuple(v.provision.key for v in result.verdicts if differing & set(v.provision.spec.covers))
        out.append(Mismatch("gaps", list_text(expect.gaps), list_text(result.gaps), covering))
    if expect.loops is not None and bool(result.loops) != expect.loops:
        involved = tuple(dict.fromkeys(k for loop in result.loops for k in loop)) or tuple(
            v.provision.key for v in result.verdicts if v.outcome == "blocked")
        out.append(Mismatch("loops", "at least one referral loop" if expect.loops else "no referral loop",
                            "; ".join(" -> ".join((*loop, loop[0])) for loop in result.loops) or "none", involved))
    shown = {e.key for e in result.effects}
    missing = [key for key in expect.effects if key not in shown]
    if missing:
        out.append(Mismatch("effects", list_text(expect.effects), list_text(sorted(shown)), (), tuple(missing)))
    out += _compare_amounts(expect, checked)
    return out


def _compare_amounts(expect: Expect, checked: Checked) -> list[Mismatch]:
    from regelgat.check.household import household
    from regelgat.rules.verdicts import verdict_amount

    verdicts = {v.provision.key: v for v in checked.result.verdicts}
    bound = {a.key: a for a in checked.compiled.amounts}
    out = []
    for key, wanted in expect.amounts.items():
        if key in verdicts:
            got = verdict_amount(verdicts[key], checked.compiled, checked.facts)
        else:
            got = checked.facts.get(bound[key].name) if key in bound else None
        if got is None or abs(got - wanted) > 0.005:
            shown = "unknown" if got is None else f"{got:.2f}"
            out.append(Mismatch(f"amounts: {key}", f"{wanted:.2f} a month", shown, (key,) if key in verdicts else ()))
    if expect.shortfall is not None:
        got = household(checked).shortfall
        if got is None or abs(got - expect.shortfall) > 0.005:
            out.append(Mismatch("shortfall", f"{expect.shortfall:.2f} a month",
                                "none" if got is None else f"{got:.2f}"))
    return out


def list_text(items) -> str:
    """Items joined by commas, or 'none'."""
    return "[" + ", ".join(items) + "]"


def describe_outcome(verdict: Verdict) -> str:
    """A verdict in words: eligible, ineligible (by what), or blocked (waiting for what)."""
    if verdict.outcome == "eligible":
        return "eligible"
    if verdict.outcome == "blocked":
        return f"blocked, waiting for {', '.join(verdict.blocked_by)}"
    if verdict.outcome == "undetermined":
        return f"undetermined, not known: {', '.join(r.rule.rule.id for r in verdict.deciding)}"
    return f"ineligible, refused by {', '.join(r.rule.rule.id for r in verdict.deciding)}"


def run_paths(paths: list[Path], rulesets: Path | None = None, engine: Engine = "python",
              keyword: str | None = None) -> list[CaseResult]:
    """Load every case file under PATHS (bad input raises before any case runs), then run them."""
    cases = [case for path in find_case_files(paths) for case in load_case_file(path)]
    if keyword:
        cases = [c for c in cases if keyword.lower() in c.name.lower()]
    return [run_case(case, rulesets, engine) for case in cases]
