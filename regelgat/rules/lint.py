"""`regelgat lint`: every problem in a folder of rulesets, not just the first."""

from __future__ import annotations

import re
from pathlib import Path

from regelgat.io.errors import InputError
from regelgat.rules.ruleset import Ruleset, load_ruleset, load_rulesets
from regelgat.rules.translations import missing_translations


def lint_rulesets(directory: Path | str) -> tuple[list[str], str]:
    """Problems found (one line each) and a one-line summary with counts."""
    directory = Path(directory)
    problems: list[str] = []
    loaded: list[Ruleset] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            loaded.append(load_ruleset(path))
        except InputError as exc:
            problems.append(str(exc))
    if not problems:
        try:
            load_rulesets(directory)  # cross-references between rulesets
        except InputError as exc:
            problems.append(str(exc))
    problems.extend(_dates_without_values(loaded))
    translated = (directory / "nl").is_dir()  # a folder that keeps Dutch texts must keep all of them
    horizon = coverage_year(loaded)
    for ruleset in loaded:
        problems.extend(_parameter_problems(ruleset))
        problems.extend(_unused_parameters(ruleset))
        problems.extend(_procedures_without_start(ruleset))
        if translated:
            problems.extend(missing_translations(ruleset))
        problems.extend(_statute_without_official_text(ruleset))
        problems.extend(_stale_parameters(ruleset, horizon))
    criteria = sum(len(p.criteria) + len(p.exclusions) + len(p.requires)
                   for r in loaded for p in r.spec.provisions) + sum(len(r.spec.effects) for r in loaded)
    provisions = sum(len(r.spec.provisions) for r in loaded)
    summary = (f"{len(loaded)} rulesets, {provisions} provisions, {criteria} criteria: "
               f"{'clean' if not problems else f'{len(problems)} problem(s)'}")
    return problems, summary


def _dates_without_values(rulesets: list[Ruleset]) -> list[str]:
    """Bind every ruleset on every date where anything changes: a rule in force must find its amounts."""
    import datetime as dt

    from regelgat.rules.compiled import compile_rules

    out = []
    for ruleset in rulesets:
        changes = {d for p in ruleset.spec.parameters.values() for d in p.values}
        dated = [*ruleset.spec.effects, *(c for a in ruleset.spec.amounts for c in a.cases)]
        for provision in ruleset.spec.provisions:
            dated += [provision, *provision.criteria, *provision.exclusions, *provision.requires]
        changes |= {d for item in dated for d in (item.valid_from, item.valid_until) if d}
        first = min((d for p in ruleset.spec.parameters.values() for d in p.values), default=None)
        for date in sorted(d for d in changes if first is None or d >= first):
            for day in (date, date + dt.timedelta(days=1)):
                try:
                    compile_rules([ruleset], day)
                except InputError as exc:
                    if str(exc) not in out:
                        out.append(str(exc))
    return out


def _parameter_problems(ruleset: Ruleset) -> list[str]:
    out = []
    for name, parameter in ruleset.spec.parameters.items():
        starts = sorted(parameter.values)
        ended = [s for s in starts if parameter.values[s].value is None]
        if ended and ended[0] == starts[0]:
            out.append(f"{ruleset.path}: parameter {name}: starts with null (remove the first date or give a value)")
    return out


def _unused_parameters(ruleset: Ruleset) -> list[str]:
    from regelgat.rules import formulas
    from regelgat.rules.expressions import parameters_used

    used = set().union(set(), *(parameters_used(n) for n in ruleset.conditions.values()),
                       *(formulas.parameters_used(f) for f in ruleset.formulas.values()))
    texts = " ".join(r.text for p in ruleset.spec.provisions for r in (*p.criteria, *p.exclusions, *p.requires))
    texts += " ".join(e.text for e in (*ruleset.spec.effects, *ruleset.spec.amounts))
    return [f"{ruleset.path}: parameter {name}: never used (use it in a condition or remove it)"
            for name in ruleset.spec.parameters if name not in used and "{" + name + "}" not in texts]


def _procedures_without_start(ruleset: Ruleset) -> list[str]:
    """A procedure must say how the provision starts on every date its other steps are in force."""
    out = []
    for provision in ruleset.spec.provisions:
        steps = provision.procedure
        starts = [s for s in steps if s.step == "start"]
        for step in steps:
            if step.step not in ("start", "waiting_list") and not any(s.active_on(step.valid_from) for s in starts):
                out.append(f"{ruleset.path}: provision {provision.id}, procedure {step.id}: no start step in force "
                           f"on {step.valid_from} (add a step: start with valid_from on or before it)")
    return out


# Where the official text of Dutch and EU law is published: a `statute` rule must point there, so a
# reader can open the clause itself rather than someone's account of it.
OFFICIAL_TEXT = re.compile(r"^https?://(wetten\.overheid\.nl|(zoek\.)?officielebekendmakingen\.nl|"
                           r"lokaleregelgeving\.overheid\.nl|eur-lex\.europa\.eu)/")


def _statute_without_official_text(ruleset: Ruleset) -> list[str]:
    rules = [(f"provision {p.id}, {r.id}", r) for p in ruleset.spec.provisions
             for r in (*p.criteria, *p.exclusions, *p.requires)]
    rules += [(f"effect {e.id}", e) for e in ruleset.spec.effects]
    return [f"{ruleset.path}: {where}: kind statute, but the source is not the official text "
            f"({rule.source.url}); cite wetten.overheid.nl, officielebekendmakingen.nl, "
            f"lokaleregelgeving.overheid.nl or eur-lex.europa.eu, or change the kind"
            for where, rule in rules if rule.kind == "statute" and not OFFICIAL_TEXT.match(rule.source.url)]


def coverage_year(rulesets: list[Ruleset]) -> int | None:
    """The newest year the rulesets give amounts for: the year of the latest dated EUR value."""
    years = [d.year for r in rulesets for p in r.spec.parameters.values() if p.unit.startswith("EUR")
             for d, v in p.values.items() if v.value is not None]
    return max(years, default=None)


def _stale_parameters(ruleset: Ruleset, horizon: int | None) -> list[str]:
    """A value last set in an earlier year than the rulesets cover is applied beyond what its source
    says: it must be re-confirmed for the newer year or carry an assumption that says so."""
    out = []
    for name, parameter in ruleset.spec.parameters.items():
        start, last = max(parameter.values.items())
        if horizon is None or last.value is None or start.year >= horizon or last.assumption:
            continue
        out.append(f"{ruleset.path}: parameter {name}: its last value dates from {start}, before {horizon}, "
                   f"the newest year these rulesets cover; add a {horizon} value with its source, or flag "
                   f"the {start} value with assumption: (that it still applies is not confirmed)")
    return out
