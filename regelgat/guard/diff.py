"""Who gains and who loses access between two rule states, and which rule change did it.

A *side* is a folder of rulesets bound to a date (`rules.at_date.RulesAt`): the same rulesets
at two dates, or two git versions of the rulesets folder (git_rulesets.py) at one date. The numpy engine decides every profile on both
sides and finds the ones whose outcomes, gaps or unmet prerequisites differ; only those are
decided again one by one and traced. Each change in a provision's outcome, a gap or a referral loop is traced to the criteria whose
status flipped, and each of those to what changed in it: a parameter value (with the source of
the new value), its condition, or its coming into or going out of force. Changes with the same
cause are counted together, by group, with example profiles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from regelgat.check.single import check_profile
from regelgat.client.profile import NEEDS
from regelgat.guard.diff_dates import unsimulated_changes
from regelgat.engines.vector import ELIGIBLE, FAIL, VectorEngine
from regelgat.population.fixed import Dimension, Population
from regelgat.population.generate import derive
from regelgat.population.profile_columns import population_from_profiles
from regelgat.rules.at_date import RulesAt
from regelgat.rules.changes import explain_rule, in_force_change, rule_changes, rule_key, rule_label
from regelgat.rules.amounts import profile_facts_read
from regelgat.rules.expressions import facts_read
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
        """`- 12 profiles lose income/bijstand (Bijstand)`: the finding on one line."""
        sign, verb = KINDS[self.kind]
        noun = "profile" if self.count == 1 else "profiles"
        title = f" ({self.title})" if self.title else ""
        return f"{sign} {self.count:,} {noun} {verb} {self.subject}{title}"


@dataclass
class DiffReport:
    before: RulesAt
    after: RulesAt
    population: Population
    findings: list[Finding]
    affected: int  # distinct profiles with at least one change
    rule_changes: list[str]
    losing: int = 0  # distinct profiles that lose something: a provision, or fall into a gap or a loop
    unsimulated: list[str] = field(default_factory=list)  # rule changes on other dates: listed, not decided

    @property
    def changed(self) -> bool:
        """Whether any outcome, gap or loop changed."""
        return bool(self.findings)


# ---- running -----------------------------------------------------------------------------------

def diff_population(population: Population, before: RulesAt, after: RulesAt, examples: int = 3,
                    group_by: str | None = None, prefilter: bool = True) -> DiffReport:
    """Decide every profile on both sides and count who gains and who loses what, with causes and examples."""
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
    changes = rule_changes(before, after)
    return DiffReport(before, after, population, findings, affected, changes, losing,
                      unsimulated_changes(before, after, changes))


def _possibly_changed(profiles: list, before: RulesAt, after: RulesAt) -> np.ndarray:
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


def profile_changes(a: Result, b: Result, before: RulesAt, after: RulesAt) -> list[tuple]:
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

def provision_cause(key: str, old: Verdict | None, new: Verdict | None, before: RulesAt,
                    after: RulesAt) -> tuple[tuple[str, ...], set[str]]:
    """Why a provision's outcome differs: the criteria whose status flipped, and what changed in each."""
    if old is None or new is None:
        present = new or old
        return (in_force_change(present.provision.spec, key, "provision", before, after, old is None),), set()
    ra = {rule_key(r.rule): r for r in old.reasons}
    rb = {rule_key(r.rule): r for r in new.reasons}
    causes, facts = [], set()
    # A rule that ended and one that began in its place (same group, a similar id): name the new
    # one too when it now lets the person through, or the old one that used to.
    ended = [r for k, r in ra.items() if k not in rb and not r.passed]
    began = [r for k, r in rb.items() if k not in ra and not r.passed]
    for rid in dict.fromkeys([*ra, *rb]):
        a, b = ra.get(rid), rb.get(rid)
        if a is None and b is not None and b.passed and _replaces(b, ended):
            causes.append(f"{rule_label(b.rule)} ({_status(b)} now): "
                          + in_force_change(b.rule.rule, key, "it", before, after, True))
            continue
        if b is None and a is not None and a.passed and _replaces(a, began):
            causes.append(f"{rule_label(a.rule)} ({_status(a)} before): "
                          + in_force_change(a.rule.rule, key, "it", before, after, False))
            continue
        if a and b:
            if a.passed == b.passed:
                continue
            what = explain_rule(a.rule, b.rule, before, after)
            if not what and b.rule.group == "requirement":
                what = f"{b.rule.rule.granters_text} is {'now' if b.passed else 'no longer'} eligible"
            text = f"{rule_label(b.rule)} {_status(a)} -> {_status(b)}: {what or 'the rule is unchanged'}"
        elif b:
            if b.passed:
                continue
            text = f"{rule_label(b.rule)} ({_status(b)} now): " + in_force_change(b.rule.rule, key, "it", before, after, True)
        else:
            if a.passed:
                continue
            text = f"{rule_label(a.rule)} ({_status(a)} before): " + in_force_change(a.rule.rule, key, "it", before, after, False)
        causes.append(text)
        for reason in (a, b):
            if reason is not None and reason.rule.condition is not None:
                compiled = before.compiled if reason is a else after.compiled
                read = facts_read(compiled.atoms[reason.rule.condition])
                facts |= read | profile_facts_read(compiled, read)  # an amount and what it is computed from
    return tuple(causes) or ("no criterion of its own changed status",), facts


def _replaces(reason: Reason, others: list[Reason]) -> bool:
    import difflib

    mine = reason.rule.rule.id
    return any(o.rule.group == reason.rule.group and (
        mine.startswith(o.rule.rule.id) or o.rule.rule.id.startswith(mine)
        or difflib.SequenceMatcher(None, mine, o.rule.rule.id).ratio() >= 0.75) for o in others)


def _status(reason: Reason) -> str:
    if reason.rule.group == "exclusion":
        return {"fail": "applies", "pass": "does not apply"}.get(reason.status, reason.status)
    if reason.rule.group == "requirement":
        return {"fail": "unmet", "pass": "met"}.get(reason.status, reason.status)
    return {"not_applicable": "not applicable"}.get(reason.status, reason.status)


