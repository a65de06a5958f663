"""Who gains and who loses access between two rule states, and which rule change did it.

A *side* is a folder of rulesets bound to a date. `regelgat diff --from A --to B` compares
the same rulesets at two dates; `regelgat diff --base REV [--head REV]` compares two git
versions of the rulesets folder at one date. The numpy engine decides every profile on both
sides and finds the ones whose outcomes, gaps or unmet prerequisites differ; only those are
decided again one by one and traced. Each change in a provision's outcome, a gap or a referral loop is traced to the criteria whose
status flipped, and each of those to what changed in it: a parameter value (with the source of
the new value), its condition, or its coming into or going out of force. Changes with the same
cause are counted together, by group, with example profiles.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

from regelgat.guard.cases import rules_at
from regelgat.check.single import check_profile
from regelgat.rules.compiled import BoundProvision, BoundRule, CompiledRules, _money
from regelgat.engines.vector import ELIGIBLE, FAIL, VectorEngine
from regelgat.io.errors import InputError
from regelgat.rules.expressions import describe, facts_read
from regelgat.population.generate import derive
from regelgat.population.profile_columns import population_from_profiles
from regelgat.population.fixed import Dimension, Population
from regelgat.client.profile import NEEDS
from regelgat.rules.ruleset import Ruleset
from regelgat.rules.verdicts import Reason, Result, Verdict

KINDS = {  # kind -> (sign, heading); the order is the order of the report
    "loses": ("-", "lose"),
    "new_gap": ("-", "newly in a gap for"),
    "new_loop": ("-", "newly caught in the referral loop"),
    "gains": ("+", "gain"),
    "gap_closed": ("+", "no longer in a gap for"),
    "loop_resolved": ("+", "no longer caught in the referral loop"),
    "outcome": ("~", "change outcome of"),
}
_GROUP_WORD = {"criterion": "criterion", "exclusion": "exclusion", "requirement": "prerequisite", "effect": "effect"}


@dataclass
class Side:
    label: str
    rulesets_dir: Path
    date: dt.date
    compiled: CompiledRules
    shown: str = ""  # how to name the rulesets folder in a report (a git side lives in a temporary folder)

    @classmethod
    def at(cls, label: str, rulesets_dir: Path, date: dt.date, only: tuple[str, ...] | None = None,
           shown: str = "") -> "Side":
        return cls(label, Path(rulesets_dir), date, rules_at(Path(rulesets_dir), date, only), shown)


@dataclass
class Example:
    profile: str
    group: str
    facts: dict[str, Any]


@dataclass
class Finding:
    kind: str
    subject: str  # provision key, need, or loop text
    title: str  # provision title, or ""
    causes: tuple[str, ...]
    change: str  # "ineligible -> eligible", ...
    count: int = 0
    groups: dict[str, Counter] = field(default_factory=dict)  # dimension -> label -> count
    examples: list[Example] = field(default_factory=list)

    @property
    def headline(self) -> str:
        sign, verb = KINDS[self.kind]
        noun = "profile" if self.count == 1 else "profiles"
        title = f" ({self.title})" if self.title else ""
        return f"{sign} {self.count:,} {noun} {verb} {self.subject}{title}"


@dataclass
class DiffReport:
    before: Side
    after: Side
    population: Population
    findings: list[Finding]
    affected: int  # distinct profiles with at least one change
    rule_changes: list[str]
    losing: int = 0  # distinct profiles that lose something: a provision, or fall into a gap or a loop

    @property
    def changed(self) -> bool:
        return bool(self.findings)


# ---- running -----------------------------------------------------------------------------------

def diff_population(population: Population, before: Side, after: Side, examples: int = 3,
                    group_by: str | None = None, prefilter: bool = True) -> DiffReport:
    found: dict[tuple, Finding] = {}
    affected = losing = 0
    dimensions = [Dimension.of_fact(f) for f in group_by.split(",")] if group_by else None
    candidates = _possibly_changed(population.profiles, before, after) if prefilter else None
    for index, profile in enumerate(population.profiles):
        if candidates is not None and not candidates[index]:
            continue
        a = check_profile(profile, before.compiled)
        b = check_profile(profile, after.compiled)
        changes = profile_changes(a.result, b.result, before, after)
        if not changes:
            continue
        affected += 1
        losing += any(KINDS[change[0]][0] == "-" for change in changes)
        groups = [(d.name, d.label(a.facts.get(d.fact))) for d in dimensions] if dimensions else \
            population.groups_of(profile, a.facts)
        for kind, subject, title, change, causes, facts in changes:
            key = (kind, subject, change, causes)
            finding = found.setdefault(key, Finding(kind, subject, title, causes, change))
            finding.count += 1
            for dimension, label in groups:
                finding.groups.setdefault(dimension, Counter())[label] += 1
            if len(finding.examples) < examples:
                shown = {n: a.facts.get(n) for n in sorted(facts)}
                finding.examples.append(Example(profile.id, ", ".join(label for _, label in groups), shown))
    order = list(KINDS)
    findings = sorted(found.values(), key=lambda f: (order.index(f.kind), -f.count, f.subject, f.causes))
    return DiffReport(before, after, population, findings, affected, rule_changes(before, after), losing)


def _possibly_changed(profiles: list, before: Side, after: Side) -> np.ndarray:
    """Rows whose outcome, gaps or unmet prerequisites differ between the sides (a superset of the
    profiles `profile_changes` finds anything for), decided in columns by the numpy engine."""
    pop = population_from_profiles(profiles)
    cols = derive(pop)
    needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
    states = []
    for side in (before, after):
        engine = VectorEngine(side.compiled)
        decisions = engine.run(cols, needs)
        outcomes = {key: decisions.outcome[p] for p, key in enumerate(engine.keys)}
        unmet = {(engine.keys[engine.reason_provision[r]], engine.reasons[r].rule.id): decisions.status[r] == FAIL
                 for r in engine.requirement_rows}
        states.append((outcomes, decisions.gaps, unmet))
    (outcomes_a, gaps_a, unmet_a), (outcomes_b, gaps_b, unmet_b) = states
    changed = np.any(gaps_a != gaps_b, axis=0)
    for key in outcomes_a.keys() | outcomes_b.keys():
        a, b = outcomes_a.get(key), outcomes_b.get(key)
        # A provision in force on one side only matters where it admits the client.
        changed |= (a != b) if a is not None and b is not None else ((a if b is None else b) == ELIGIBLE)
    for key in unmet_a.keys() | unmet_b.keys():
        a, b = unmet_a.get(key), unmet_b.get(key)
        changed |= (a != b) if a is not None and b is not None else (a if b is None else b)
    return changed


def profile_changes(a: Result, b: Result, before: Side, after: Side) -> list[tuple]:
    """Every change for one profile: (kind, subject, title, change, causes, facts read)."""
    va = {v.provision.key: v for v in a.verdicts}
    vb = {v.provision.key: v for v in b.verdicts}
    out = []
    provision_causes: dict[str, tuple[tuple[str, ...], set[str]]] = {}
    for key in list(dict.fromkeys([*va, *vb])):
        old, new = va.get(key), vb.get(key)
        old_outcome, new_outcome = _outcome(old), _outcome(new)
        if old_outcome == new_outcome:
            continue
        if "eligible" not in (old_outcome, new_outcome) and "not in force" in (old_outcome, new_outcome):
            continue  # a provision came or went that this person is not eligible for either way
        causes, facts = provision_cause(key, old, new, before, after)
        title = (new or old).provision.spec.title
        change = f"{old_outcome} -> {new_outcome}"
        provision_causes[key] = (causes, facts, change)
        if new_outcome == "eligible":
            out.append(("gains", key, title, change, causes, facts))
        elif old_outcome == "eligible":
            out.append(("loses", key, title, change, causes, facts))
        else:
            out.append(("outcome", key, title, change, causes, facts))

    def via(keys: list[str], verb: str) -> tuple[tuple[str, ...], set[str]]:
        causes, facts = [], set()
        for key in keys:
            sub, sub_facts, change = provision_causes.get(key, ((), set(), ""))
            head = f"{verb} {key}" if verb else f"{key} {change}"
            causes.append(head + (f": {'; '.join(sub)}" if sub else ""))
            facts |= sub_facts
        return tuple(causes), facts

    for need in [n for n in b.gaps if n not in a.gaps]:
        lost = [k for k, v in va.items() if v.outcome == "eligible" and need in v.provision.spec.covers
                and _outcome(vb.get(k)) != "eligible"]
        causes, facts = via(lost, "loses")
        out.append(("new_gap", need, "", "covered -> gap", causes, facts))
    for need in [n for n in a.gaps if n not in b.gaps]:
        gained = [k for k, v in vb.items() if v.outcome == "eligible" and need in v.provision.spec.covers
                  and _outcome(va.get(k)) != "eligible"]
        causes, facts = via(gained, "gains")
        out.append(("gap_closed", need, "", "gap -> covered", causes, facts))
    for loop in [lp for lp in b.loops if lp not in a.loops]:
        causes, facts = via([k for k in loop if k in provision_causes], "")
        out.append(("new_loop", " -> ".join((*loop, loop[0])), "", "no loop -> loop", causes, facts))
    for loop in [lp for lp in a.loops if lp not in b.loops]:
        causes, facts = via([k for k in loop if k in provision_causes], "")
        out.append(("loop_resolved", " -> ".join((*loop, loop[0])), "", "loop -> no loop", causes, facts))
    return out


def _outcome(verdict: Verdict | None) -> str:
    return verdict.outcome if verdict else "not in force"


# ---- tracing -----------------------------------------------------------------------------------

def provision_cause(key: str, old: Verdict | None, new: Verdict | None, before: Side,
                    after: Side) -> tuple[tuple[str, ...], set[str]]:
    """Why a provision's outcome differs: the criteria whose status flipped, and what changed in each."""
    if old is None or new is None:
        present = new or old
        return (_in_force(present.provision.spec, key, "provision", before, after, old is None),), set()
    ra = {_rule_id(r.rule): r for r in old.reasons}
    rb = {_rule_id(r.rule): r for r in new.reasons}
    causes, facts = [], set()
    # A rule that ended and one that began in its place (same group, a similar id): name the new
    # one too when it now lets the person through, or the old one that used to.
    ended = [r for k, r in ra.items() if k not in rb and not r.passed]
    began = [r for k, r in rb.items() if k not in ra and not r.passed]
    for rid in dict.fromkeys([*ra, *rb]):
        a, b = ra.get(rid), rb.get(rid)
        if a is None and b is not None and b.passed and _replaces(b, ended):
            causes.append(f"{_label(b.rule)} ({_status(b)} now): "
                          + _in_force(b.rule.rule, key, "it", before, after, True))
            continue
        if b is None and a is not None and a.passed and _replaces(a, began):
            causes.append(f"{_label(a.rule)} ({_status(a)} before): "
                          + _in_force(a.rule.rule, key, "it", before, after, False))
            continue
        if a and b:
            if a.passed == b.passed:
                continue
            what = explain_rule(a.rule, b.rule, before, after)
            if not what and b.rule.group == "requirement":
                what = f"{b.rule.rule.granters_text} is {'now' if b.passed else 'no longer'} eligible"
            text = f"{_label(b.rule)} {_status(a)} -> {_status(b)}: {what or 'the rule is unchanged'}"
        elif b:
            if b.passed:
                continue
            text = f"{_label(b.rule)} ({_status(b)} now): " + _in_force(b.rule.rule, key, "it", before, after, True)
        else:
            if a.passed:
                continue
            text = f"{_label(a.rule)} ({_status(a)} before): " + _in_force(a.rule.rule, key, "it", before, after, False)
        causes.append(text)
        for reason in (a, b):
            if reason is not None and reason.rule.condition is not None:
                compiled = before.compiled if reason is a else after.compiled
                facts |= facts_read(compiled.atoms[reason.rule.condition])
    return tuple(causes) or ("no criterion of its own changed status",), facts


def _replaces(reason: Reason, others: list[Reason]) -> bool:
    import difflib

    mine = reason.rule.rule.id
    return any(o.rule.group == reason.rule.group and (
        mine.startswith(o.rule.rule.id) or o.rule.rule.id.startswith(mine)
        or difflib.SequenceMatcher(None, mine, o.rule.rule.id).ratio() >= 0.75) for o in others)


def _rule_id(rule: BoundRule) -> tuple[str, str]:
    return rule.group, rule.rule.id


def _label(rule: BoundRule) -> str:
    return f"{_GROUP_WORD[rule.group]} {rule.rule.id}"


def _status(reason: Reason) -> str:
    if reason.rule.group == "exclusion":
        return {"fail": "applies", "pass": "does not apply"}.get(reason.status, reason.status)
    if reason.rule.group == "requirement":
        return {"fail": "unmet", "pass": "met"}.get(reason.status, reason.status)
    return {"not_applicable": "not applicable"}.get(reason.status, reason.status)


def explain_rule(a: BoundRule, b: BoundRule, before: Side, after: Side) -> str:
    """What differs in one rule between the sides: parameter values, its conditions, or neither."""
    parts = []
    pa, pb = dict(a.parameters), dict(b.parameters)
    for name in sorted(set(pa) | set(pb)):
        if pa.get(name) != pb.get(name):
            parts.append(parameter_change(b.ruleset, name, pa.get(name), pb.get(name), after))
    for slot in ("condition", "when", "unless"):
        text_a, text_b = getattr(a.rule, slot, None), getattr(b.rule, slot, None)
        if text_a != text_b:
            parts.append(f"{slot} changed from {_quote(text_a)} to {_quote(text_b)}")
    return "; ".join(parts)


def parameter_change(ruleset_id: str, name: str, old: float | None, new: float | None, after: Side) -> str:
    text = f"parameter {name} {_amount(old)} -> {_amount(new)}"
    ruleset = _ruleset(after.compiled, ruleset_id)
    if ruleset is not None and name in ruleset.spec.parameters and new is not None:
        dated = sorted((start, v) for start, v in ruleset.spec.parameters[name].values.items() if start <= after.date)
        if dated:
            start, value = dated[-1]
            text += f" (value from {start}"
            text += f"; {value.source})" if value.source else ")"
            if value.assumption:
                text += f" [unconfirmed: {value.assumption}]"
    return text


def _amount(value: float | None) -> str:
    return "none" if value is None else _money(value)


def _quote(text: str | None) -> str:
    return "(none)" if text is None else f"'{' '.join(text.split())}'"


def _ruleset(compiled: CompiledRules, ruleset_id: str) -> Ruleset | None:
    return next((r for r in compiled.rulesets if r.id == ruleset_id), None)


def _in_force(spec, key: str, what: str, before: Side, after: Side, appears: bool) -> str:
    """Why a provision or rule is on one side only: its dates, or it was added or removed."""
    other = before if appears else after
    ruleset = _ruleset(other.compiled, key.split("/")[0])
    if ruleset is None or not _spec_exists(ruleset, key, spec):
        side = after if appears else before
        return f"{what} is {'new in' if appears else 'removed from'} the rulesets ({side.label})"
    start, end = spec.valid_from, spec.valid_until
    if appears:
        if start and other.date < start:
            return f"{what} comes into force on {start}"
        if end and other.date > end:
            return f"{what} was in force until {end}"
    else:
        if end and other.date > end:
            return f"{what} is no longer in force after {end}"
        if start and other.date < start:
            return f"{what} is not yet in force on {other.date} (from {start})"
    return f"{what} is {'now' if appears else 'no longer'} in force (its dates differ between the sides)"


def _spec_exists(ruleset: Ruleset, key: str, spec) -> bool:
    provision_id = key.split("/")[1]
    provision = next((p for p in ruleset.spec.provisions if p.id == provision_id), None)
    if provision is None:
        return False
    if spec.id == provision_id and not hasattr(spec, "condition") and not hasattr(spec, "granted_by"):
        return True
    return any(r.id == spec.id for r in (*provision.criteria, *provision.exclusions, *provision.requires))


# ---- what changed in the rules, whoever it affects -----------------------------------------------

def rule_changes(before: Side, after: Side) -> list[str]:
    """Every difference between the two bound rule sets, one line each."""
    out = []
    pa = {p.key: p for p in before.compiled.provisions}
    pb = {p.key: p for p in after.compiled.provisions}
    for key in sorted(set(pa) | set(pb)):
        a, b = pa.get(key), pb.get(key)
        if a is None or b is None:
            present = a or b
            out.append(f"{key}: " + _in_force(present.spec, key, "provision", before, after, a is None))
            continue
        ra, rb = _rules(a), _rules(b)
        for rid in sorted(set(ra) | set(rb)):
            x, y = ra.get(rid), rb.get(rid)
            label = f"{key} {_GROUP_WORD[rid[0]]} {rid[1]}"
            if x is None or y is None:
                out.append(f"{label}: " + _in_force((x or y).rule, key, "it", before, after, x is None))
            elif _bound_text(x, before) != _bound_text(y, after) or x.rule != y.rule:
                what = explain_rule(x, y, before, after) or "its text, source or dates changed"
                out.append(f"{label}: {what}")
    ea = {e.key: e for e in before.compiled.effects}
    eb = {e.key: e for e in after.compiled.effects}
    for key in sorted(set(ea) | set(eb)):
        x, y = ea.get(key), eb.get(key)
        if x is None or y is None:
            out.append(f"effect {key}: {'in force' if x is None else 'no longer in force'} on {after.date}"
                       if _ruleset(after.compiled, key.split('/')[0]) else f"effect {key}: ruleset removed")
        elif _bound_text(x, before) != _bound_text(y, after):
            out.append(f"effect {key}: {explain_rule(x, y, before, after) or 'its condition changed'}")
    return out


def _rules(provision: BoundProvision) -> dict[tuple[str, str], BoundRule]:
    return {_rule_id(r): r for r in (*provision.criteria, *provision.exclusions, *provision.requires)}


def _bound_text(rule: BoundRule, side: Side) -> tuple:
    atoms = side.compiled.atoms
    return tuple(describe(atoms[i]) if i is not None else None for i in (rule.condition, rule.when, rule.unless))


# ---- git: a version of the rulesets folder -----------------------------------------------------

def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError("git", "", "git is not installed", "install git, or compare dates with --from/--to") from None


def rulesets_at_revision(rulesets_dir: Path, revision: str, into: Path) -> Path:
    """Extract the rulesets folder as it was at REVISION (git archive) into INTO; return its path."""
    rulesets_dir = Path(rulesets_dir).resolve()
    anchor = rulesets_dir if rulesets_dir.is_dir() else rulesets_dir.parent
    top = _git(["rev-parse", "--show-toplevel"], anchor)
    if top.returncode != 0:
        raise InputError(str(rulesets_dir), "", "not inside a git repository",
                         "run from the repository, or compare dates with --from/--to")
    root = Path(top.stdout.decode().strip())
    relative = rulesets_dir.relative_to(root).as_posix()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    if commit.returncode != 0:
        raise InputError(revision, "", "not a git revision here", "give a branch, tag or commit, e.g. origin/main")
    archive = _git(["archive", "--format=tar", commit.stdout.decode().strip(), "--", relative], root)
    if archive.returncode != 0:
        raise InputError(f"{revision}:{relative}", "", f"the rulesets folder does not exist at {revision}",
                         "give a revision that has it")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / relative


def revision_label(rulesets_dir: Path, revision: str) -> str:
    anchor = Path(rulesets_dir).resolve()
    out = _git(["rev-parse", "--short", f"{revision}^{{commit}}"], anchor if anchor.is_dir() else anchor.parent)
    short = out.stdout.decode().strip() if out.returncode == 0 else ""
    return f"{revision} ({short})" if short and short != revision else revision


def sides(rulesets_dir: Path, date_from: dt.date | None, date_to: dt.date | None, date: dt.date | None,
          base: str | None, head: str | None, workdir: Path,
          only: tuple[str, ...] | None = None) -> tuple[Side, Side]:
    """The two sides of a diff from the command-line choices (see `regelgat diff --help`)."""
    if base is None and head is not None:
        raise InputError("--head", "", "--head needs --base", "give --base REV too")
    if base is None and (date_from is None or date_to is None):
        raise InputError("regelgat diff", "", "nothing to compare",
                         "give --from DATE --to DATE, or --base GIT_REV [--head GIT_REV]")
    day = date or dt.date.today()
    day_a, day_b = date_from or day, date_to or day
    if base is None:
        return Side.at(str(day_a), rulesets_dir, day_a, only), Side.at(str(day_b), rulesets_dir, day_b, only)
    dir_a = rulesets_at_revision(rulesets_dir, base, workdir / "base")
    shown = dir_a.relative_to(workdir / "base").as_posix()
    label_a = f"{revision_label(rulesets_dir, base)} on {day_a}"
    if head is None:
        dir_b, label_b = Path(rulesets_dir), f"working tree on {day_b}"
    else:
        dir_b = rulesets_at_revision(rulesets_dir, head, workdir / "head")
        label_b = f"{revision_label(rulesets_dir, head)} on {day_b}"
        return Side.at(label_a, dir_a, day_a, only, shown), Side.at(label_b, dir_b, day_b, only, shown)
    return Side.at(label_a, dir_a, day_a, only, shown), Side.at(label_b, dir_b, day_b, only)


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="regelgat-diff-")
