"""A population through the bundled rules and the reformed rules: whose gaps close, whose open,
who gains and who loses which provision, by group, with witness profiles, and what it takes.

Both sides are decided column-wise by the numpy engine, chunk by chunk. Only the example
profiles are traced one by one, with the diff's explanation (`guard.diff.profile_changes`), so
every example names the rule change that moved it. What it takes: for a provision people gain,
places (people times the months its `duration` step gives) and, where the ruleset gives it an
amount, euros a month paid before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from regelgat.client.profile import NEEDS
from regelgat.engines.vector import ELIGIBLE, Decisions, VectorEngine
from regelgat.guard.diff import profile_changes
from regelgat.population.generate import derive
from regelgat.population.profile_columns import ProfileColumns, profile_dicts
from regelgat.reform.people import Groups, People
from regelgat.rules.at_date import RulesAt
from regelgat.rules.changes import rule_changes

SECTIONS = ("closed_gaps", "opened_gaps", "gains", "losses")
_TRACE_KIND = {"closed_gaps": "gap_closed", "opened_gaps": "new_gap", "gains": "gains", "losses": "loses"}


@dataclass
class Example:
    profile: str
    group: str
    causes: list[str]
    facts: dict


@dataclass
class Tally:
    """One finding (a need whose gap closes, a provision gained...): counts against their base, by group."""

    count: int = 0
    base: int = 0  # those it could have happened to: the gap cases, the not yet eligible, ...
    by_group: dict[str, np.ndarray] = field(default_factory=dict)
    base_by_group: dict[str, np.ndarray] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)
    needing: int = 0  # gains: those among them who need what the provision covers (who would take a place)


@dataclass
class Comparison:
    people: People
    before: RulesAt
    after: RulesAt
    sections: dict[str, dict[str, Tally]]
    titles: dict[str, str]
    covers: dict[str, tuple[str, ...]]
    months: dict[str, int | None]  # provision -> months its duration step gives, if any
    paid: dict[str, list[float]]  # provision with an amount -> [euros a month before, after]
    rule_changes: list[str]
    losing: int = 0  # profiles that lose a provision or fall into a gap

    @property
    def n(self) -> int:
        return self.people.n


def compare(people: People, before: RulesAt, after: RulesAt, examples: int = 3) -> Comparison:
    """Decide every profile on both sides and tally what the reform changes."""
    engines = VectorEngine(before.compiled), VectorEngine(after.compiled)
    keys = list(dict.fromkeys([*engines[0].keys, *engines[1].keys]))
    provisions = {p.key: p for e in reversed(engines) for p in e.provisions}
    result = Comparison(people, before, after, {s: {} for s in SECTIONS},
                        {k: provisions[k].spec.title for k in keys},
                        {k: tuple(provisions[k].spec.covers) for k in keys},
                        {k: _months(provisions[k], after.compiled.date) for k in keys}, {},
                        rule_changes(before, after))
    for pop, groups in people.chunks():
        needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
        decided, cols = [], []
        for engine in engines:
            columns = derive(pop)
            decided.append(engine.run(columns, needs))
            cols.append(columns)
        eligible = [{key: d.outcome[i] == ELIGIBLE for i, key in enumerate(e.keys)} for e, d in zip(engines, decided)]
        none = np.zeros(pop.n, dtype=bool)
        a, b = decided
        found = {}
        for k, need in enumerate(NEEDS):
            found[("closed_gaps", need)] = (a.gaps[k] & ~b.gaps[k], a.gaps[k])
            found[("opened_gaps", need)] = (~a.gaps[k] & b.gaps[k], needs[k] & ~a.gaps[k])
        for key in keys:
            was, now = eligible[0].get(key, none), eligible[1].get(key, none)
            found[("gains", key)] = (~was & now, ~was)
            wants = np.logical_or.reduce([needs[NEEDS.index(n)] for n in result.covers[key]] or [none])
            result.sections["gains"].setdefault(key, Tally()).needing += int((~was & now & wants).sum())
            found[("losses", key)] = (was & ~now, was)
        losing = np.zeros(pop.n, dtype=bool)
        for (section, subject), (mask, base) in found.items():
            if section in ("opened_gaps", "losses"):
                losing |= mask
            _tally(result, section, subject, mask, base, groups, pop, engines, decided, examples)
        result.losing += int(losing.sum())
        _pay(result, engines, decided, cols, eligible)
    return result


def _tally(result: Comparison, section: str, subject: str, mask: np.ndarray, base: np.ndarray, groups: Groups,
           pop: ProfileColumns, engines, decided: list[Decisions], examples: int) -> None:
    tally = result.sections[section].setdefault(subject, Tally())
    tally.count += int(mask.sum())
    tally.base += int(base.sum())
    for name, codes, labels in groups:
        if name == "all":
            continue
        for target, bits in ((tally.by_group, mask), (tally.base_by_group, base)):
            counts = np.bincount(codes[bits], minlength=len(labels))
            target[name] = target.get(name, np.zeros(len(labels), dtype=np.int64)) + counts
    wanted = examples - len(tally.examples)
    if wanted <= 0 or not mask.any():
        return
    rows = np.flatnonzero(mask)[:wanted]
    for row, data in zip(rows.tolist(), profile_dicts(pop, rows)):
        ra, rb = (engine.result(d, row) for engine, d in zip(engines, decided))
        changes = profile_changes(ra, rb, result.before, result.after)
        causes = [c for kind, sub, _, _, found, _ in changes if kind == _TRACE_KIND[section] and sub == subject
                  for c in found]
        if result.people.kind == "profiles":
            data["id"] = result.people.profile_ids[pop.start + row]
        group = ", ".join(labels[codes[row]] for name, codes, labels in groups if name != "all")
        tally.examples.append(Example(data["id"], group, causes, data))


def _pay(result: Comparison, engines, decided: list[Decisions], cols, eligible) -> None:
    """Euros a month paid by each provision that has an amount, on each side."""
    for side, (engine, columns) in enumerate(zip(engines, cols)):
        for key in engine.keys:
            amount = engine.compiled.amount_of(key)
            if amount is None:
                continue
            values = columns.values.get(amount.name)
            if values is None:
                continue
            known = columns.present.get(amount.name)
            paid = eligible[side][key] if known is None else eligible[side][key] & known
            result.paid.setdefault(key, [0.0, 0.0])[side] += float(np.asarray(values, dtype=np.float64)[paid].sum())


def _months(provision, date) -> int | None:
    """The months a provision runs, from its procedure's duration step in force on the date."""
    for step in provision.spec.procedure:
        if step.step == "duration" and step.active_on(date):
            return step.months
    return None


def reform_sides(rulesets_dir: Path, compiled_before, compiled_after, reform_id: str) -> tuple[RulesAt, RulesAt]:
    """The two rule states a reform compares, named as the report names them."""
    date = compiled_before.date
    return (RulesAt("bundled rules", rulesets_dir, date, compiled_before),
            RulesAt(f"reform {reform_id}", rulesets_dir, date, compiled_after))
