"""How a rule change moves the weeks: a scenario with a `timeline:` block on both sides of a diff.

Each side runs the population's timelines from its own date (the timeline starts on the rules
date) with its own rulesets folder, in columns (timeline/columns.py); the report sets the weeks
uncovered and the euros missed, possibly paid back and paid only later side by side, counts the
profiles whose weeks or euros moved, and names the procedure steps that differ between the sides
(the 2026 back-pay 'may' of Participatiewet art. 44 lid 5, advances at 95% instead of 90%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from regelgat.client.profile import NEEDS
from regelgat.population.generate import BLOCK, derive, sized_block
from regelgat.population.scenario import load_scenario
from regelgat.population.timeline_events import check_provisions, draw_events
from regelgat.rules.at_date import RulesAt
from regelgat.rules.procedure import steps_at

LONG = 4


@dataclass
class Side:
    """One side's totals over the population."""

    uncovered: dict[str, int] = field(default_factory=dict)  # need -> weeks, all profiles together
    long: dict[str, int] = field(default_factory=dict)  # need -> profiles with 4+ weeks uncovered
    missed: float = 0.0
    possible: float = 0.0
    delayed: float = 0.0
    held_back: float = 0.0


@dataclass
class WeeksDiff:
    profiles: int
    weeks: int
    before: Side
    after: Side
    more_weeks: int  # profiles with more weeks uncovered (any need) after than before
    fewer_weeks: int
    more_missed: int  # profiles that miss more euros after
    less_missed: int
    steps: list[str]  # procedure steps that differ between the sides

    @property
    def changed(self) -> bool:
        b, a = self.before, self.after
        return bool(self.more_weeks or self.fewer_weeks or self.more_missed or self.less_missed
                    or round(b.possible, 2) != round(a.possible, 2) or round(b.delayed, 2) != round(a.delayed, 2)
                    or round(b.held_back, 2) != round(a.held_back, 2))


def weeks_diff(path: Path, size: int | None, seed: int | None, before: RulesAt, after: RulesAt,
               only: tuple[str, ...] | None) -> WeeksDiff | None:
    """The weeks on both sides, or None when PATH is not a scenario with a timeline."""
    try:
        scenario = load_scenario(path).with_overrides(size=size, seed=seed)
    except Exception:  # not a scenario (profiles): the outcome diff already read it
        return None
    plan = scenario.timeline
    if plan is None:
        return None
    for side in (before, after):
        check_provisions(plan, {f"{r.id}/{p.id}" for r in side.compiled.rulesets for p in r.spec.provisions})
    from regelgat.timeline.columns import run_weeks

    sides, per_profile = [], []
    for side in (before, after):
        totals, weeks, missed = Side(), [], []
        for block in range(-(-scenario.size // BLOCK)):
            pop = sized_block(scenario, block)
            n = pop.n
            cols = derive(pop)
            needs = np.stack([pop.values[f"needs.{need}"] for need in NEEDS])
            result = run_weeks(plan, draw_events(plan, scenario.seed, block, n), cols, needs, side.rulesets_dir,
                               side.date, only, pop)
            for k, need in enumerate(NEEDS):
                if needs[k].any():
                    totals.uncovered[need] = totals.uncovered.get(need, 0) + int(result.uncovered[k].sum())
                    totals.long[need] = totals.long.get(need, 0) + int((result.uncovered[k] >= LONG).sum())
            totals.missed += float(result.missed.sum())
            totals.possible += float(result.possible_back_pay.sum())
            totals.delayed += float(result.delayed.sum())
            totals.held_back += float(result.held_back.sum())
            weeks.append(result.uncovered.sum(axis=0))
            missed.append(np.round(result.missed, 2))
        sides.append(totals)
        per_profile.append((np.concatenate(weeks), np.concatenate(missed)))
    (wa, ma), (wb, mb) = per_profile
    return WeeksDiff(scenario.size, plan.weeks, sides[0], sides[1], int((wb > wa).sum()), int((wb < wa).sum()),
                     int((mb > ma).sum()), int((mb < ma).sum()), _steps(plan, before, after))


def _steps(plan, before: RulesAt, after: RulesAt) -> list[str]:
    """The procedure steps of the provisions the events name that differ between the two sides."""
    keys = list(dict.fromkeys(e.provision for e in plan.events if e.provision))
    out = []
    for key in keys:
        found = []
        for side in (before, after):
            procedure = next((p.procedure for r in side.compiled.rulesets for p in r.spec.provisions
                              if f"{r.id}/{p.id}" == key), ())
            found.append(steps_at(procedure, side.date))
        for step in dict.fromkeys([*found[0], *found[1]]):
            a, b = found[0].get(step), found[1].get(step)
            if a != b:
                out.append(f"{key} {step}: {_step(a)} -> {_step(b)}")
    return out


def _step(step) -> str:
    if step is None:
        return "none"
    detail = [f"{step.share:.0%}" if step.share is not None else "",
              f"{step.months} months" if step.months is not None else "",
              f"{step.weeks:g} weeks" if step.weeks is not None else "",
              "may (discretionary)" if step.discretionary else ""]
    return f"{step.id} ({', '.join(d for d in detail if d)}; {step.source.title})"


def text_lines(diff: WeeksDiff) -> list[str]:
    """The weeks section of the text and Markdown reports."""
    b, a = diff.before, diff.after
    lines = [f"Weeks without cover ({diff.profiles:,} timelines of {diff.weeks} weeks from each side's date):"]
    for need in dict.fromkeys([*b.uncovered, *a.uncovered]):
        lines.append(f"  {need}: {b.uncovered.get(need, 0):,} -> {a.uncovered.get(need, 0):,} weeks uncovered "
                     f"(profiles with 4+ weeks: {b.long.get(need, 0):,} -> {a.long.get(need, 0):,})")
    lines += [f"  bijstand missed for good: EUR {b.missed:,.2f} -> {a.missed:,.2f}",
              f"  of which a discretionary back-pay may repay (never counted as paid): EUR {b.possible:,.2f} -> "
              f"{a.possible:,.2f}",
              f"  paid only later (weeks waited for, the part an advance holds back): EUR {b.delayed:,.2f} -> "
              f"{a.delayed:,.2f}",
              f"    of which advances held back until the decision: EUR {b.held_back:,.2f} -> {a.held_back:,.2f}",
              f"  profiles with more weeks uncovered: {diff.more_weeks:,}; fewer: {diff.fewer_weeks:,}; "
              f"missing more euros: {diff.more_missed:,}; fewer: {diff.less_missed:,}"]
    lines += ["  procedure steps that differ:"] + [f"    {s}" for s in diff.steps] if diff.steps else \
        ["  procedure steps that differ: none"]
    return lines


def to_json(diff: WeeksDiff) -> dict[str, Any]:
    def side(s: Side) -> dict[str, Any]:
        return {"uncovered_weeks": s.uncovered, "four_or_more_weeks": s.long, "income_missed": round(s.missed, 2),
                "possible_back_pay": round(s.possible, 2), "income_delayed": round(s.delayed, 2),
                "advance_held_back": round(s.held_back, 2)}

    return {"profiles": diff.profiles, "weeks": diff.weeks, "before": side(diff.before), "after": side(diff.after),
            "more_weeks_uncovered": diff.more_weeks, "fewer_weeks_uncovered": diff.fewer_weeks,
            "more_missed": diff.more_missed, "less_missed": diff.less_missed, "procedure_changes": diff.steps,
            "changed": diff.changed}
