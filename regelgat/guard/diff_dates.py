"""Rule changes a diff between two git versions did not simulate: those in force on other dates.

`regelgat diff --base REV` decides the population on one date. A pull request may change a rule on
another date (a parameter value from next July, a provision that ends next year), which that date
never sees. So every ruleset file that differs is bound on each date where either version of it
starts or stops something, and every difference found there that the simulated date did not show
is listed, with its date, as not simulated. A changed file in which no rule differs on any date is
named too: the report never says "nothing" when the rules changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from regelgat.io.errors import RulesetError
from regelgat.rules.at_date import RulesAt, ruleset_hashes, rules_at
from regelgat.rules.changes import rule_changes


def changed_files(before: RulesAt, after: RulesAt) -> list[str]:
    """The ruleset file names that were added, removed or edited between the two sides."""
    a, b = ruleset_hashes(before.rulesets_dir), ruleset_hashes(after.rulesets_dir)
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


def unsimulated_changes(before: RulesAt, after: RulesAt, simulated: list[str]) -> list[str]:
    """Differences on dates other than the simulated one, `DATE: change` each, first date first;
    and a line per changed file where no rule in force on any date differs."""
    files = changed_files(before, after)
    if not files:
        return []
    ids_a = _ids_of(before, files)
    ids_b = _ids_of(after, files)
    dates = sorted(_dates(before, ids_a) | _dates(after, ids_b) | {before.date})
    seen, out = set(simulated), []
    for day in dates:
        try:
            a = RulesAt(before.label, before.rulesets_dir, day, rules_at(before.rulesets_dir, day, ids_a))
            b = RulesAt(after.label, after.rulesets_dir, day, rules_at(after.rulesets_dir, day, ids_b))
        except RulesetError as exc:  # a date before the amounts begin: no rules to compare on it
            lines = [f"the rules of {exc.file.rsplit('/', 1)[-1]} cannot be bound on this date: {exc.problem}"]
        else:
            lines = rule_changes(a, b)
        for line in lines:
            if line not in seen:
                seen.add(line)
                out.append(f"{day}: {line}")
    if not out and not simulated:
        out = [f"{name}: the file changed, but no rule, amount or text in force on any date differs"
               for name in files]
    return out


def _ids_of(side: RulesAt, files: list[str]) -> tuple[str, ...]:
    """The ids of the rulesets on one side that live in the changed files (all rulesets, any date)."""
    every = rules_at(side.rulesets_dir, side.date).rulesets
    return tuple(sorted(r.id for r in every if r.path.name in files))


def _dates(side: RulesAt, ids: tuple[str, ...]) -> set[dt.date]:
    """Every date written in those rulesets, and the day after each (an end date is the last day in force)."""
    found: set[dt.date] = set()
    for ruleset in rules_at(side.rulesets_dir, side.date).rulesets:
        if ruleset.id in ids:
            _walk(ruleset.spec.model_dump(), found)
    return found | {d + dt.timedelta(days=1) for d in found if d < dt.date.max}


def _walk(value: Any, found: set[dt.date]) -> None:
    if isinstance(value, dt.date):
        found.add(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, found)
            _walk(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _walk(item, found)
