"""How far below the social minimum the people with an income gap live, per group, in euros a month.

The same definition as `check`'s household block (check/household.py): the social minimum is the
amount a ruleset marks `social_minimum: true` (the bijstand norm for the household), and the
shortfall is that minimum minus the household's own income where income is a need no provision
covers (nothing that covers income pays, so the income is the profile's own).

A chunk keeps a histogram per group label in whole euros, rounded up (bin k holds shortfalls
above k - 1 and at most k euros; bin 0 exactly 0), so the merged counts stay small and the same
whatever the chunking; the shares above EUR 100 and EUR 500 are exact, the median is to the euro.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from regelgat.client.profile import NEEDS
from regelgat.engines.vector import Columns, Decisions, VectorEngine

BINS = 4096  # euros; a shortfall above EUR 4,095 a month (no norm comes near) counts in the last bin
THRESHOLDS = (100, 500)


def social_minimum_name(engine: VectorEngine) -> str | None:
    return next((a.name for a in engine.compiled.amounts if a.spec.social_minimum), None)


def shortfalls(engine: VectorEngine, cols: Columns, decisions: Decisions) -> tuple[np.ndarray, np.ndarray]:
    """(euros a month, has): the shortfall of each profile, and where there is one to count."""
    name = social_minimum_name(engine)
    if name is None or name not in cols.values:
        return np.zeros(decisions.n), np.zeros(decisions.n, dtype=bool)
    has = decisions.gaps[NEEDS.index("income")] & cols.present.get(name, np.ones(decisions.n, dtype=bool))
    values = np.maximum(0.0, cols.values[name] - cols.values["income_net_monthly"])
    return np.where(has, np.round(values, 2), 0.0), has


def histogram(groups: list[tuple[str, np.ndarray, tuple[str, ...]]], values: np.ndarray,
              has: np.ndarray) -> dict[str, np.ndarray]:
    """group -> (labels, BINS) counts of the shortfalls, in euros rounded up."""
    bins = np.minimum(np.ceil(np.round(values[has], 2)).astype(np.int64), BINS - 1)
    out = {}
    for name, codes, labels in groups:
        flat = np.bincount(codes[has] * BINS + bins, minlength=len(labels) * BINS)
        out[name] = flat.reshape(len(labels), BINS)
    return out


def describe(counts: np.ndarray) -> dict[str, Any]:
    """The summary fields of one label's histogram: how many, the median, the shares above 100 and 500."""
    total = int(counts.sum())
    out: dict[str, Any] = {"shortfall_profiles": total, "shortfall_median": None}
    if total:
        cumulative = np.cumsum(counts)
        out["shortfall_median"] = float(np.searchsorted(cumulative, (total + 1) // 2))
    for threshold in THRESHOLDS:
        above = int(counts[threshold + 1:].sum())  # bin k > threshold: more than `threshold` euros
        out[f"shortfall_over_{threshold}"] = above
        out[f"shortfall_over_{threshold}_share"] = round(above / total, 6) if total else 0.0
    return out
