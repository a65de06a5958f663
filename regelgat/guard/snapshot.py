"""Snapshot gate: record the access outcomes of a fixed, seeded population; fail when they move.

`regelgat snapshot SCENARIO` decides a seeded population once and writes one small JSON file:
per profile a fingerprint of the profile and a compact outcome string; the bound conditions and
parameter values in force on the snapshot date; a hash of each ruleset file. `regelgat snapshot
--check` decides the same population again with the rulesets as they are now. Any changed
outcome fails the check (exit 1) with a diff that names what moved, for whom, and which
condition or amount changed, and says how to accept the change (`--update`, then commit).

The outcome string of one profile, e.g. `3f2a9c01 EIIB. income 2>4`:
fingerprint (first 8 hex of the profile's SHA-256), then one letter per provision in the order
of `provisions` (E eligible, I ineligible, B blocked, . not in force), then the uncovered needs
(`-` for none), then the referral loops as provision numbers (`-` for none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from regelgat.client.profile import NEEDS
from regelgat.io.atomic import write_atomic
from regelgat.check.single import check_profile, default_rulesets_dir
from regelgat.rules.compiled import CompiledRules
from regelgat.guard.diff import Example, Finding, KINDS
from regelgat.io import datafiles
from regelgat.io.errors import InputError, clip
from regelgat.io.limits import MAX_POPULATION, MAX_SEED, MAX_SNAPSHOT_BYTES
from regelgat.io.paths import kind_of, shown_path
from regelgat.rules.at_date import ruleset_hashes, rules_at
from regelgat.rules.changes import bound_rules, recorded_rule_changes
from regelgat.population.fixed import Population, load_population, scenario_settings
from regelgat.rules.verdicts import Result

VERSION = 1
DEFAULT_FOLDER = Path("tests/snapshots")
DEFAULT_SIZE = 1000
_LETTER = {"eligible": "E", "ineligible": "I", "blocked": "B", "undetermined": "U"}
_WORD = {"E": "eligible", "I": "ineligible", "B": "blocked", "U": "undetermined", ".": "not in force"}
LEGEND = ("<profile fingerprint> <one letter per provision: E eligible, I ineligible, B blocked, U undetermined, "
          ". not in force> "
          "<uncovered needs or -> <referral loops as provision numbers (from 0) or ->")


# ---- paths -------------------------------------------------------------------------------------

def project_root(start: Path) -> Path:
    """The nearest folder at or above START with a pyproject.toml or .git; else the working directory."""
    start = Path(start).resolve()
    for folder in (start if start.is_dir() else start.parent, *start.parents):
        if (folder / "pyproject.toml").exists() or (folder / ".git").exists():
            return folder
    return Path.cwd()


def find_recorded(stored: str, snapshot_file: Path) -> Path:
    """A stored path, from the working directory, else from the snapshot file's project root."""
    path = Path(stored)
    if path.is_absolute() or path.exists():
        return path
    other = project_root(snapshot_file) / path
    return other if other.exists() else path


def default_file(population: Path) -> Path:
    """Where the snapshot of a population is kept by default: tests/snapshots/<name>.json."""
    return DEFAULT_FOLDER / f"{Path(population).stem}.json"


# ---- recording ---------------------------------------------------------------------------------

def fingerprint(profile) -> str:
    """A short hash of a profile's fields: a recorded profile that changed is compared no more."""
    return hashlib.sha256(profile.model_dump_json().encode()).hexdigest()[:8]


def outcome_code(result: Result, provisions: list[str]) -> str:
    """One profile's result as one short line: a letter per provision, the gaps, the loops."""
    letters = {v.provision.key: _LETTER[v.outcome] for v in result.verdicts}
    index = {key: i for i, key in enumerate(provisions)}
    loops = ";".join(">".join(str(index[k]) for k in loop) for loop in result.loops)
    return " ".join(("".join(letters.get(k, ".") for k in provisions), ",".join(result.gaps) or "-", loops or "-"))


@dataclass
class Settings:
    population: Path
    rulesets: Path
    date: dt.date
    size: int | None
    seed: int | None


def decide_population(settings: Settings) -> tuple[Population, CompiledRules, dict[str, str]]:
    """The population of the settings, the rules at their date, and every profile's outcome code."""
    people = load_population(settings.population, settings.size, settings.seed)
    compiled = rules_at(settings.rulesets, settings.date, people.ruleset_ids)
    provisions = [p.key for p in compiled.provisions]
    codes = {}
    for profile in people.profiles:
        result = check_profile(profile, compiled).result
        codes[profile.id] = f"{fingerprint(profile)} {outcome_code(result, provisions)}"
    return people, compiled, codes


def record(population: Path, file: Path, rulesets: Path | None = None, date: dt.date | None = None,
           size: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """Decide the population and write the snapshot file; return its contents."""
    rulesets = Path(rulesets or default_rulesets_dir())
    own = scenario_settings(population)
    if size is None and own is not None:
        size = min(own[0], DEFAULT_SIZE)  # generation is prefix-stable: these are the scenario's first profiles
    day = date or (own[2] if own is not None else dt.date.today())
    settings = Settings(Path(population), rulesets, day, size, seed)
    people, compiled, codes = decide_population(settings)
    rules, parameters = bound_rules(compiled)
    data = {
        "regelgat_snapshot": VERSION,
        "population": shown_path(settings.population),
        "kind": people.kind,
        "size": size if people.kind == "scenario" else None,
        "seed": people.seed,
        "date": day.isoformat(),
        "rulesets": shown_path(rulesets),
        "ruleset_files": ruleset_hashes(rulesets),
        "outcomes_sha256": _digest(codes),
        "provisions": [p.key for p in compiled.provisions],
        "legend": LEGEND,
        "parameters": parameters,
        "rules": rules,
        "profiles": codes,
    }
    write(file, data)
    return data


def _digest(codes: dict[str, str]) -> str:
    return hashlib.sha256("\n".join(f"{k} {v}" for k, v in codes.items()).encode()).hexdigest()


def write(file: Path, data: dict[str, Any]) -> None:
    """Deterministic JSON with one profile, rule or parameter per line, so git diffs stay readable."""
    file = Path(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(file, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def read(file: Path) -> dict[str, Any]:
    """A snapshot file read and checked; anything else is one error naming the file."""
    file = Path(file)
    if kind_of(file) == "missing":
        raise InputError(str(file), "", "no snapshot file", "record one first", code="no-snapshot")
    try:
        data = json.loads(datafiles.read_text(file, "give a snapshot file (.json)", MAX_SNAPSHOT_BYTES))
    except ValueError as exc:
        raise InputError(str(file), "", f"not a snapshot file: {exc}", "re-record it", code="not-a-snapshot") from None
    required = ("regelgat_snapshot", "population", "date", "rulesets", "provisions", "profiles")
    if not isinstance(data, dict) or any(key not in data for key in required):
        raise InputError(str(file), "", "not a regelgat snapshot (keys missing)", "re-record it", code="not-a-snapshot")
    if data["regelgat_snapshot"] != VERSION:
        raise InputError(str(file), "regelgat_snapshot", f"format version {clip(data['regelgat_snapshot'])} is not "
                         f"{VERSION}", "re-record it with this version of regelgat")
    spec = datafiles.validate(SnapshotFile, data, file, lambda loc: "")
    count = len(spec.provisions)
    for key, code in spec.profiles.items():
        if not _code_ok(code, count):
            raise InputError(str(file), f"profiles.{clip(key)}", f"{clip(code)} is not an outcome code of "
                             f"{count} provisions", "re-record the snapshot (a hand edit or a merge broke it)",
                             code="not-a-snapshot")
    return {**data, **spec.model_dump(mode="json")}  # the checked values ("18" read as 18.0), other keys kept


class SnapshotFile(BaseModel):
    """What a snapshot file holds, checked before any of it is used: a file edited by hand or broken by a
    merge is one line, not a traceback halfway through the check."""

    model_config = ConfigDict(allow_inf_nan=False)
    regelgat_snapshot: int
    population: str = Field(min_length=1, max_length=4096)
    kind: str | None = None
    size: int | None = Field(None, ge=1, le=MAX_POPULATION)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    date: dt.date
    rulesets: str = Field(min_length=1, max_length=4096)
    ruleset_files: dict[str, str] = {}
    provisions: list[str]
    parameters: dict[str, float] = {}
    rules: dict[str, str] = {}
    profiles: dict[str, str]


def _code_ok(code: str, provisions: int) -> bool:
    """Whether an outcome code reads back: fingerprint, a letter per provision, gaps, loops of provision numbers."""
    parts = code.split(" ")
    if len(parts) != 4 or not re.fullmatch(r"[0-9a-f]{8}", parts[0]) or not re.fullmatch(r"[EIB.]*", parts[1]):
        return False
    if len(parts[1]) != provisions or not (parts[2] == "-" or set(parts[2].split(",")) <= set(NEEDS)):
        return False
    loops = [] if parts[3] == "-" else [m for loop in parts[3].split(";") for m in loop.split(">")]
    return all(m.isdigit() and int(m) < provisions for m in loops)


def recorded_population(target: Path) -> str | None:
    """The population whose snapshot TARGET holds, resolved; None when there is no file there.
    A file that is not a snapshot is an InputError: recording never overwrites someone's own file."""
    if kind_of(Path(target)) == "missing":
        return None
    try:
        data = read(target)
    except InputError as exc:
        raise InputError(exc.file, exc.place, exc.problem, "write the snapshot to another file; nothing was written",
                         code="foreign-file") from None
    return str(find_recorded(str(data["population"]), Path(target)).resolve())


def refuse_replacing(target: Path, population: Path) -> None:
    """Recording over the snapshot of another scenario or population would silently drop what it guards:
    that takes --update. Recording the same population again is a plain re-record."""
    recorded = recorded_population(target)
    if recorded is not None and recorded != str(Path(population).resolve()):
        raise InputError(str(target), "population", f"holds the snapshot of {shown_path(Path(recorded))}, not of "
                         f"{shown_path(Path(population))}", "update it to replace it, or write to another file",
                         code="other-snapshot")


# ---- checking ----------------------------------------------------------------------------------

@dataclass
class CheckResult:
    file: Path
    data: dict[str, Any]
    settings: Settings
    profiles: int = 0
    findings: list[Finding] = field(default_factory=list)
    affected: int = 0
    population_changes: list[str] = field(default_factory=list)
    ruleset_files: list[str] = field(default_factory=list)  # "changed x.yaml", "new y.yaml", ...
    rule_changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether a recorded outcome moved (ruleset files alone differing is no change)."""
        return bool(self.findings or self.population_changes)


def settings_of(data: dict[str, Any], file: Path, rulesets: Path | None = None) -> Settings:
    """The settings a snapshot was recorded with, its paths found again from where it lies."""
    try:
        day = dt.date.fromisoformat(data["date"])
    except (TypeError, ValueError):
        raise InputError(str(file), "date", f"{data['date']!r} is not a date", "re-record the snapshot") from None
    return Settings(find_recorded(data["population"], file), Path(rulesets) if rulesets else find_recorded(data["rulesets"], file),
                    day, data.get("size"), data.get("seed"))


def check(file: Path, rulesets: Path | None = None, examples: int = 3) -> CheckResult:
    """Decide the recorded population again and report every outcome that moved, traced to the rule changes."""
    data = read(file)
    settings = settings_of(data, Path(file), rulesets)
    people, compiled, codes = decide_population(settings)
    result = CheckResult(Path(file), data, settings, len(codes))
    old_provisions: list[str] = data["provisions"]
    new_provisions = [p.key for p in compiled.provisions]
    titles = {p.key: p.spec.title for p in compiled.provisions}
    covers = {p.key: set(p.spec.covers) for p in compiled.provisions}
    requires = {p.key: {g for r in p.requires for g in r.rule.granters} for p in compiled.provisions}
    old_codes: dict[str, str] = data["profiles"]
    missing = [k for k in old_codes if k not in codes]
    extra = [k for k in codes if k not in old_codes]
    if missing or extra:
        result.population_changes.append(
            f"{len(missing)} recorded profiles are gone and {len(extra)} are new (the population source changed)")
    moved = [k for k in codes if k in old_codes and old_codes[k].split()[0] != codes[k].split()[0]]
    if moved:
        result.population_changes.append(
            f"{len(moved)} profiles differ from the recorded ones (the scenario, its generator or the profile "
            f"files changed), e.g. {', '.join(moved[:3])}; their outcomes are not compared")
    by_id = {p.id: p for p in people.profiles}
    result.ruleset_files = _file_changes(data.get("ruleset_files", {}), ruleset_hashes(settings.rulesets))
    rules, parameters = bound_rules(compiled)
    reads = {f"{p.key} {r.group} {r.rule.id}": [f"{r.ruleset}.{name}" for name, _ in r.parameters]
             for p in compiled.provisions for r in (*p.criteria, *p.exclusions, *p.requires)}
    result.rule_changes = recorded_rule_changes(data.get("rules", {}), rules, data.get("parameters", {}), parameters, reads)
    changed = {key for key in set(rules) | set(data.get("rules", {})) if rules.get(key) != data.get("rules", {}).get(key)}
    found: dict[tuple, Finding] = {}
    for key, new in codes.items():
        old = old_codes.get(key)
        if old is None or old == new or key in moved:
            continue
        changes = _code_changes(old, new, old_provisions, new_provisions, covers, requires)
        if not changes:
            continue
        result.affected += 1
        profile = by_id[key]
        facts = None
        for kind, subject, change, via in changes:
            finding = found.setdefault((kind, subject, change, via),
                                       Finding(kind, subject, titles.get(subject, ""), via, change))
            finding.count += 1
            if facts is None:
                from regelgat.client.facts import profile_facts

                facts = profile_facts(profile)
            groups = people.groups_of(profile, facts)
            for dimension, label in groups:
                finding.groups.setdefault(dimension, Counter())[label] += 1
            if len(finding.examples) < examples:
                finding.examples.append(Example(key, ", ".join(label for _, label in groups),
                                                {n: facts.get(n) for n in _facts_of(subject, compiled, changed)}))
    order = list(KINDS)
    result.findings = sorted(found.values(), key=lambda f: (order.index(f.kind), -f.count, f.subject, f.change))
    for finding in result.findings:
        finding.causes = _causes(finding, result.rule_changes) + finding.causes
    return result


def _facts_of(subject: str, compiled: CompiledRules, changed: set[str]) -> list[str]:
    """The facts read by the provision's changed rules (else by all its rules), to show in examples."""
    from regelgat.rules.expressions import facts_read

    names: set[str] = set()
    everything: set[str] = set()
    for provision in compiled.provisions:
        if provision.key == subject:
            for rule in (*provision.criteria, *provision.exclusions):
                if rule.condition is not None:
                    read = facts_read(compiled.atoms[rule.condition])
                    everything |= read
                    if f"{provision.key} {rule.group} {rule.rule.id}" in changed:
                        names |= read
    return sorted(names or everything)[:6]


def _code_changes(old: str, new: str, old_keys: list[str], new_keys: list[str], covers: dict[str, set[str]],
                  requires: dict[str, set[str]]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(kind, subject, change, via) for one profile; `via` names the provisions behind a change:
    for a gap, the provisions covering the need that changed; for a provision, its prerequisites that did."""
    _, old_letters, old_gaps, old_loops = old.split()
    _, new_letters, new_gaps, new_loops = new.split()
    before = dict(zip(old_keys, old_letters))
    after = dict(zip(new_keys, new_letters))
    out = []
    for key in dict.fromkeys([*old_keys, *new_keys]):
        a, b = before.get(key, "."), after.get(key, ".")
        if a == b or ("E" not in (a, b) and "." in (a, b)):
            continue
        kind = "gains" if b == "E" else "loses" if a == "E" else "outcome"
        out.append((kind, key, f"{_WORD[a]} -> {_WORD[b]}", ()))
    lost = [k for kind, k, _, _ in out if kind == "loses"]
    gained = [k for kind, k, _, _ in out if kind == "gains"]
    moved = {k: change for _, k, change, _ in out}
    out = [(kind, key, change, tuple(f"prerequisite {g}: {moved[g]}" for g in sorted(requires.get(key, ())) if g in moved))
           for kind, key, change, _ in out]
    gaps_a = set() if old_gaps == "-" else set(old_gaps.split(","))
    gaps_b = set() if new_gaps == "-" else set(new_gaps.split(","))
    out += [("new_gap", need, "covered -> gap", tuple(f"loses {k}" for k in lost if need in covers.get(k, ())))
            for need in sorted(gaps_b - gaps_a)]
    out += [("gap_closed", need, "gap -> covered", tuple(f"gains {k}" for k in gained if need in covers.get(k, ())))
            for need in sorted(gaps_a - gaps_b)]
    loops_a = _loops(old_loops, old_keys)
    loops_b = _loops(new_loops, new_keys)
    out += [("new_loop", loop, "no loop -> loop", ()) for loop in sorted(loops_b - loops_a)]
    out += [("loop_resolved", loop, "loop -> no loop", ()) for loop in sorted(loops_a - loops_b)]
    return out


def _loops(text: str, keys: list[str]) -> set[str]:
    if text == "-":
        return set()
    out = set()
    for loop in text.split(";"):
        members = [keys[int(i)] for i in loop.split(">")]
        out.add(" -> ".join((*members, members[0])))
    return out


def _file_changes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    out = [f"changed {name}" for name in sorted(old) if name in new and old[name] != new[name]]
    out += [f"new {name}" for name in sorted(new) if name not in old]
    out += [f"removed {name}" for name in sorted(old) if name not in new]
    return out


def _causes(finding: Finding, rule_changes: list[str]) -> tuple[str, ...]:
    """The recorded rule changes that can explain a finding: those of the provision itself first."""
    if finding.kind in ("gains", "loses", "outcome"):
        own = tuple(c for c in rule_changes if c.startswith(finding.subject + " "))
        if own:
            return own
    return ()
