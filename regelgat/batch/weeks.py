"""Gaps in time for a population: a scenario with a `timeline:` block, condensed per chunk and summed.

Each chunk runs its profiles' timelines (timeline/columns.py) and condenses them to histograms
per group label: profiles by weeks uncovered per need, profiles by euros of bijstand missed (in
EUR 10 steps), and sums in cents. They travel as extra tables of the chunk's counts (named
`timeline:<group>`), which the merge adds up like every other count, so the figures are the same
whatever the number of workers. `describe` turns the merged tables into the summary's `timeline`
section: medians and shares are read from the histograms, exactly for weeks, to EUR 10 for euros.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from regelgat.client.profile import NEEDS
from regelgat.population.timeline_events import TimelinePlan, draw_events
from regelgat.rules.columns import Columns

PREFIX = "timeline:"
EURO_STEP = 10  # euros per histogram bin
MAX_WEEKLY = 1000  # euros of bijstand a week above which the euro histogram's last bin collects the rest
LONG = 4  # "four weeks or more uncovered"


def _layout(weeks: int) -> dict[str, slice]:
    """Where each figure sits in a label's row."""
    bins = weeks * MAX_WEEKLY // EURO_STEP + 1
    parts = [*((f"uncovered:{n}", weeks + 1) for n in NEEDS), *((f"waiting:{n}", 1) for n in NEEDS),
             ("missed", bins), ("missed_cents", 1), ("missed_any", 1), ("possible_cents", 1), ("possible_any", 1),
             ("delayed_cents", 1)]
    out, at = {}, 0
    for name, width in parts:
        out[name] = slice(at, at + width)
        at += width
    return out


def chunk_tables(plan: TimelinePlan, seed: int, block: int, cols: Columns, needs: np.ndarray,
                 groups: list[tuple[str, np.ndarray, tuple[str, ...]]], rulesets: Path, start: dt.date,
                 only: tuple[str, ...] | None, pop=None, practice: bool = False) -> dict[str, np.ndarray]:
    """One chunk's timelines condensed: per group, a (labels, figures) table of counts and cent sums."""
    from regelgat.timeline.columns import run_weeks

    events = draw_events(plan, seed, block, cols.n)
    result = run_weeks(plan, events, cols, needs, rulesets, start, only, pop, practice=practice)
    layout = _layout(plan.weeks)
    width = layout["delayed_cents"].stop
    bins = layout["missed"].stop - layout["missed"].start
    missed_cents = np.floor(result.missed * 100 + 0.5).astype(np.int64)
    possible_cents = np.floor(result.possible_back_pay * 100 + 0.5).astype(np.int64)
    delayed_cents = np.floor(result.delayed * 100 + 0.5).astype(np.int64)
    euro_bin = np.minimum(missed_cents // (EURO_STEP * 100), bins - 1)
    out = {}
    for name, codes, labels in groups:
        table = np.zeros((len(labels), width), dtype=np.int64)
        for k, need in enumerate(NEEDS):
            has = needs[k]
            section = layout[f"uncovered:{need}"]
            flat = np.bincount(codes[has] * (plan.weeks + 1) + result.uncovered[k][has],
                               minlength=len(labels) * (plan.weeks + 1))
            table[:, section] = flat.reshape(len(labels), plan.weeks + 1)
            table[:, layout[f"waiting:{need}"].start] = np.bincount(codes[has], weights=result.waiting[k][has],
                                                                      minlength=len(labels)).astype(np.int64)
        flat = np.bincount(codes * bins + euro_bin, minlength=len(labels) * bins)
        table[:, layout["missed"]] = flat.reshape(len(labels), bins)
        for key, values in (("missed_cents", missed_cents), ("possible_cents", possible_cents),
                            ("delayed_cents", delayed_cents), ("possible_any", (possible_cents > 0).astype(np.int64)),
                            ("missed_any", (missed_cents > 0).astype(np.int64))):
            table[:, layout[key].start] = _sum_by(codes, values, len(labels))
        out[PREFIX + name] = table
    return out


def _sum_by(codes: np.ndarray, values: np.ndarray, labels: int) -> np.ndarray:
    """Exact integer sums per label (bincount's float weights could round large cent sums)."""
    out = np.zeros(labels, dtype=np.int64)
    np.add.at(out, codes, values)
    return out


def _quantile(histogram: np.ndarray, share: float) -> int | None:
    """The smallest bin with at least SHARE of the profiles at or below it (None if there are none)."""
    total = int(histogram.sum())
    if not total:
        return None
    rank = max(1, int(np.ceil(share * total)))
    return int(np.searchsorted(np.cumsum(histogram), rank))


def _plus_one(value: int | None) -> int | None:
    return None if value is None else value + 1


def _share(count: int, total: int) -> float:
    return round(count / total, 6) if total else 0.0


def describe(plan: TimelinePlan, start: dt.date, counts: dict[str, np.ndarray],
             groups: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    """The summary's `timeline` section from the merged tables."""
    layout = _layout(plan.weeks)
    by_group: dict[str, dict[str, Any]] = {}
    for name, labels in groups:
        table = counts[PREFIX + name]
        by_group[name] = {label: _entry(table[index], layout, plan.weeks) for index, label in enumerate(labels)}
    overall = counts[PREFIX + "all"][0]
    histograms = {need: overall[layout[f"uncovered:{need}"]].tolist() for need in NEEDS
                  if overall[layout[f"uncovered:{need}"]].sum()}
    end = start + dt.timedelta(weeks=plan.weeks, days=-1)
    events = [{"id": e.id, "event": e.event, "provision": e.provision, "share": e.share,
               "week": _draw_text(e.week), "after": plan.events[e.after].id if e.after is not None else None,
               "delay": _draw_text(e.delay), "set": dict(e.set) or None,
               "since": e.since.isoformat() if isinstance(e.since, dt.date) else _draw_text(e.since)}
              for e in plan.events]
    return {"start": start.isoformat(), "end": end.isoformat(), "weeks": plan.weeks,
            "events": [{k: v for k, v in e.items() if v is not None} for e in events],
            "uncovered_histogram": histograms, "by_group": by_group,
            "euro_step": EURO_STEP}


def _entry(row: np.ndarray, layout: dict[str, slice], weeks: int) -> dict[str, Any]:
    needs = {}
    for need in NEEDS:
        histogram = row[layout[f"uncovered:{need}"]]
        total = int(histogram.sum())
        if not total:
            continue
        uncovered = np.arange(weeks + 1)
        needs[need] = {
            "profiles": total,
            "uncovered_median": _quantile(histogram, 0.5),
            "uncovered_p90": _quantile(histogram, 0.9),
            "uncovered_median_when_any": _plus_one(_quantile(histogram[1:], 0.5)),
            "uncovered_mean": round(float((histogram * uncovered).sum()) / total, 3),
            "any_uncovered": int(histogram[1:].sum()),
            "any_uncovered_share": _share(int(histogram[1:].sum()), total),
            "four_or_more": int(histogram[LONG:].sum()),
            "four_or_more_share": _share(int(histogram[LONG:].sum()), total),
            "waiting_mean": round(int(row[layout[f"waiting:{need}"].start]) / total, 3),
        }
    euros = row[layout["missed"]]
    profiles = int(euros.sum())
    median, p90 = _quantile(euros, 0.5), _quantile(euros, 0.9)
    missed = int(row[layout["missed_cents"].start])
    return {"profiles": profiles, "needs": needs,
            "missed_total": round(missed / 100, 2),
            "missed_mean": round(missed / 100 / profiles, 2) if profiles else 0.0,
            "missed_median": median * EURO_STEP if median is not None else None,
            "missed_p90": p90 * EURO_STEP if p90 is not None else None,
            "missed_median_when_any": (_plus_one(_quantile(euros[1:], 0.5)) or 0) * EURO_STEP
            if euros[1:].sum() else None,
            "missed_any": int(row[layout["missed_any"].start]),
            "missed_any_share": _share(int(row[layout["missed_any"].start]), profiles),
            "possible_back_pay_total": round(int(row[layout["possible_cents"].start]) / 100, 2),
            "possible_back_pay_profiles": int(row[layout["possible_any"].start]),
            "delayed_total": round(int(row[layout["delayed_cents"].start]) / 100, 2)}


def _draw_text(draw) -> str | None:
    """A week or delay draw as the scenario wrote it, in short."""
    if draw is None:
        return None
    if len(draw.values) == 1:
        return str(draw.values[0])
    if draw.weights is None:
        return f"{draw.values[0]}-{draw.values[-1]}"
    return ", ".join(f"{v} ({w:g})" for v, w in zip(draw.values, draw.weights))
