"""Chunk stats added up in chunk order, into what the summary is made from.

Chunks arrive in any order from the workers; the runner feeds them here in chunk order, and
every choice (which profiles to keep as samples) goes by profile key, so the merged result is
the same whatever the number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from regelgat.batch.chunk_stats import ROUTE_EXAMPLES, SAMPLE, ChunkStats, Layout


@dataclass
class Merger:
    layout: Layout
    n: int = 0
    counts: dict[str, np.ndarray] = field(default_factory=dict)
    patterns: dict[str, int] = field(default_factory=dict)  # signature -> global id
    pattern_counts: dict[str, list] = field(default_factory=dict)  # group -> list of (labels,) arrays
    loops: dict[tuple, int] = field(default_factory=dict)
    loop_counts: dict[str, list] = field(default_factory=dict)
    cat: dict[str, list] = field(default_factory=dict)
    sums: dict[str, list] = field(default_factory=dict)
    present: dict[str, list] = field(default_factory=dict)
    moments: dict[str, np.ndarray] = field(default_factory=dict)
    samples: dict[str, np.ndarray] = field(default_factory=dict)  # pattern, key, index, row.*, present.*
    simplest: dict[str, np.ndarray] = field(default_factory=dict)  # as samples, plus complexity
    vocab: dict[str, tuple] = field(default_factory=dict)
    checked: int = 0
    shortfall: dict[str, np.ndarray] = field(default_factory=dict)  # group -> (labels, euros) histogram
    route_examples: dict[str, list[list[int]]] = field(default_factory=dict)  # need -> [key, index], lowest keys

    def add(self, stats: ChunkStats) -> None:
        """Add one chunk's stats; chunks must come in chunk order, so that ids and samples do not depend on timing."""
        self.n += stats.n
        self.checked += stats.checked
        self.vocab = {k: tuple(v) for k, v in stats.vocab.items()}
        for need, found in stats.route_examples.items():
            self.route_examples[need] = sorted(self.route_examples.get(need, []) + found)[:ROUTE_EXAMPLES]
        for name, table in stats.counts.items():
            self.counts[name] = self.counts.get(name, 0) + table
        for name, table in stats.shortfall.items():
            self.shortfall[name] = self.shortfall.get(name, 0) + table
        ids = []
        for sig in stats.pattern_sigs:
            if sig not in self.patterns:
                self.patterns[sig] = len(self.patterns)
            ids.append(self.patterns[sig])
        ids_array = np.array(ids, dtype=np.int64)
        for name, table in stats.pattern_counts.items():
            self.pattern_counts[name] = _add_columns(self.pattern_counts.get(name), table, ids_array,
                                                     len(self.patterns))
        loop_ids = []
        for loop in stats.loop_list:
            key = tuple(loop)
            if key not in self.loops:
                self.loops[key] = len(self.loops)
            loop_ids.append(self.loops[key])
        for name, table in stats.loop_counts.items():
            self.loop_counts[name] = _add_columns(self.loop_counts.get(name), table,
                                                  np.array(loop_ids, dtype=np.int64), len(self.loops))
        for target, source in ((self.cat, stats.pattern_cat), (self.sums, stats.pattern_sum),
                               (self.present, stats.pattern_present)):
            for column, table in source.items():
                target[column] = _add_columns(target.get(column), table.T, ids_array, len(self.patterns))
        for column, value in stats.moments.items():
            self.moments[column] = self.moments.get(column, 0) + value
        sample = stats.sample
        if not sample:
            return
        sample = dict(sample)
        sample["pattern"] = ids_array[sample["pattern"]]
        flags = sample.pop("simplest")
        self.samples = _keep(self.samples, {k: v[~flags] for k, v in sample.items()}, ("key",), SAMPLE)
        self.simplest = _keep(self.simplest, {k: v[flags] for k, v in sample.items()}, ("complexity", "key"), 1)

    def rows_of(self, store: dict[str, np.ndarray], pid: int) -> list[tuple[int, int, dict]]:
        """(key, index, row) of the kept sample rows of pattern `pid`."""
        if not store:
            return []
        picked = np.flatnonzero(store["pattern"] == pid)
        return [(int(store["key"][i]), int(store["index"][i]),
                 {k: v[i] for k, v in store.items() if k.startswith(("row.", "present."))}) for i in picked]

    def typical_rows(self) -> dict[int, int]:
        """Per pattern, the position in `samples` of its most typical profile: of the sampled ones,
        the closest to the pattern's centre (the most common value of each coded column, the mean
        of each number, in population standard deviations); ties go to the lower profile key."""
        store = self.samples
        if not store or not len(store["pattern"]):
            return {}
        pats = store["pattern"]
        distance = np.zeros(len(pats), dtype=np.float64)
        for column, table in self.cat.items():  # table: (values + missing, patterns)
            codes = store[f"row.{column}"].astype(np.int64)
            present = store.get(f"present.{column}")
            if present is not None:
                codes = np.where(present, codes, table.shape[0] - 1)
            modes = np.argmax(table, axis=0)
            distance += codes != modes[pats]
        for column, sums in self.sums.items():
            counts = self.present[column][0]
            means = np.divide(sums[0], counts, out=np.zeros(len(counts)), where=counts > 0)
            total, s1, s2 = self.moments[column]
            sd = max(float(np.sqrt(max(s2 / total - (s1 / total) ** 2, 0.0))), 1e-9) if total else 1.0
            values = store[f"row.{column}"].astype(np.float64)
            gap = np.abs(values - means[pats]) / sd
            present = store.get(f"present.{column}")
            if present is not None:
                gap = np.where(present, gap, 1.0)
            distance += np.where(counts[pats] > 0, gap, 0.0)
        order = np.lexsort((store["key"], np.round(distance, 9), pats))
        first = order[np.r_[True, pats[order][1:] != pats[order][:-1]]]
        return {int(pats[i]): int(i) for i in first}

    def row_at(self, store: dict[str, np.ndarray], position: int) -> tuple[int, dict]:
        """The profile index and the row fields at `position` of a sample store."""
        return int(store["index"][position]), {k: v[position] for k, v in store.items()
                                               if k.startswith(("row.", "present."))}

    def simplest_rows(self) -> dict[int, int]:
        """Per pattern, the position in `simplest` of its simplest profile."""
        store = self.simplest
        if not store:
            return {}
        return {int(p): i for i, p in enumerate(store["pattern"].tolist())}


def _add_columns(store: np.ndarray | None, table: np.ndarray, ids: np.ndarray, width: int) -> np.ndarray:
    """Add a chunk's (rows, local ids) table into a (rows, global ids) table, growing it as needed."""
    if store is None:
        store = np.zeros((table.shape[0] if table.ndim > 1 else 1, width), dtype=table.dtype)
    if store.shape[1] < width:
        store = np.concatenate([store, np.zeros((store.shape[0], width - store.shape[1]), store.dtype)], axis=1)
    if len(ids):
        store[:, ids] += table.reshape(store.shape[0], -1)
    return store


def _keep(store: dict[str, np.ndarray], new: dict[str, np.ndarray], order: tuple[str, ...], k: int) -> dict:
    """Union two sample tables and keep the first k rows per pattern by `order` (then key)."""
    merged = {name: np.concatenate([store[name], new[name]]) if store else new[name] for name in new}
    if not len(merged["pattern"]):
        return merged
    sort = np.lexsort(tuple(merged[o] for o in reversed(("pattern", *order))))
    ranked = merged["pattern"][sort]
    first = np.searchsorted(ranked, ranked, side="left")
    keep = sort[(np.arange(len(sort)) - first) < k]
    keep.sort()
    return {name: values[keep] for name, values in merged.items()}
