"""Aggregate verdicts into what an advocate publishes: gap rates per group, the provisions that
shut most doors, the criteria that refuse most often, referral loops, and gap patterns with
their most typical and simplest profile.

Work is split in two so that memory stays flat: `chunk_stats` condenses one chunk of profiles
into counts (a few hundred KB whatever the chunk), and `Merger` adds chunk stats up in chunk
order. Every choice is made by a per-profile key (a hash of seed and profile index), never by
arrival order, so results do not depend on the number of workers.

A gap pattern is a set of uncovered needs together with why: for each provision that covers
one of those needs, and each provision one of those waits for (an unmet prerequisite), the first
criterion (in the ruleset's order) that refused it, or the prerequisite that held it up. Profiles share a pattern when the
same doors shut for the same first reasons. (Every refusing criterion is counted separately in
the criteria table.)
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from regelgat.engines.vector import BLOCKED, ELIGIBLE, Columns, Decisions, VectorEngine
from regelgat.population.generate import Population, profile_dicts
from regelgat.client.facts import FACT_TYPES
from regelgat.client.profile import NEEDS, Profile, without_defaults
from regelgat.population.scenario import Scenario

SAMPLE = 32  # profiles kept per pattern to choose the most typical from
CLOSED = 0.99  # a criterion that refuses this share of those it could help is "closed to all"
BASE_FEATURES = ["profile", *(f"need:{n}" for n in NEEDS), *(f"gap:{n}" for n in NEEDS), "any_gap", "nothing", "in_loop"]


def profile_keys(seed: int, index: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random 64-bit key per profile (splitmix64 of seed and index)."""
    with np.errstate(over="ignore"):
        z = (index.astype(np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
             + np.uint64(0x9E3779B97F4A7C15))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def group_labels(scenario: Scenario) -> list[tuple[str, tuple[str, ...]]]:
    """(name, labels) for the implicit `all` group and each scenario group."""
    out = [("all", ("all",))]
    for group in scenario.groups:
        fact = FACT_TYPES[group.fact]
        labels = ("no", "yes") if fact.kind == "bool" else group.labels
        if fact.optional:
            labels = (*labels, "missing")
        out.append((group.name, tuple(labels)))
    return out


def group_codes(scenario: Scenario, cols: Columns) -> list[tuple[str, np.ndarray, tuple[str, ...]]]:
    """(name, label code per profile, labels) for the implicit `all` group and each scenario group."""
    labelled = dict(group_labels(scenario))
    out = [("all", np.zeros(cols.n, dtype=np.int64), ("all",))]
    for group in scenario.groups:
        values = cols.values[group.fact]
        labels = labelled[group.name]
        if group.bands is not None:
            codes = np.searchsorted(np.array(group.bands), values, side="right")
        else:
            codes = values.astype(np.int64)
        present = cols.present.get(group.fact)
        if present is not None:
            codes = np.where(present, codes, len(labels) - 1)
        out.append((group.name, codes.astype(np.int64), labels))
    return out


def _count_by(groups: list[tuple[str, np.ndarray, tuple[str, ...]]], parts: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Per group: (labels, rows) counts of True, for bool (rows, n) matrices stacked in `parts`.

    Rows and label masks are packed 64 profiles to a word; a count is a popcount of their AND.
    """
    n = parts[0].shape[1]
    words = -(-n // 64)

    def pack(bits: np.ndarray) -> np.ndarray:
        packed = np.packbits(bits, axis=-1, bitorder="little")
        padded = np.zeros((*packed.shape[:-1], words * 8), dtype=np.uint8)
        padded[..., :packed.shape[-1]] = packed
        return padded.view(np.uint64)

    matrix = np.concatenate([pack(part) for part in parts])  # (rows, words)
    out = {}
    for name, codes, labels in groups:
        if len(labels) == 1:
            out[name] = np.bitwise_count(matrix).sum(axis=1, dtype=np.int64)[None, :]
            continue
        table = np.zeros((len(labels), matrix.shape[0]), dtype=np.int64)
        for label in np.unique(codes):
            mask = pack(codes == label)
            table[label] = np.bitwise_count(matrix & mask).sum(axis=1, dtype=np.int64)
        out[name] = table
    return out


# ---- per chunk ---------------------------------------------------------------------------------

class Layout:
    """What is counted, in which row order: fixed for a run (rules, scenario)."""

    def __init__(self, engine: VectorEngine, scenario: Scenario) -> None:
        self.engine, self.scenario = engine, scenario
        provisions = engine.provisions
        self.features = [*BASE_FEATURES, *(f"eligible:{p.key}" for p in provisions),
                         *(f"shut:{p.key}" for p in provisions),
                         *(f"relevant:{p.key}" for p in provisions),
                         *(f"refused:{engine.keys[engine.reason_provision[r]]}/{rule.rule.id}"
                           for r, rule in enumerate(engine.reasons)),
                         *(f"effect:{e.key}" for e in engine.compiled.effects)]
        # For each set of gapped needs: the provisions covering one, and what they wait for.
        index = engine.index
        closure = np.zeros((16, len(provisions)), dtype=bool)
        for mask in range(16):
            todo = [p for p, prov in enumerate(provisions)
                    if any(mask >> k & 1 and need in prov.spec.covers for k, need in enumerate(NEEDS))]
            while todo:
                p = todo.pop()
                if closure[mask, p]:
                    continue
                closure[mask, p] = True
                for rule in provisions[p].requires:
                    for granter in rule.rule.granters:
                        target = index.get(granter)
                        if target is not None and not closure[mask, target]:
                            todo.append(target)
        self.closure = closure  # (16 gap sets, provisions)
        self.covering = np.array([[any(mask >> k & 1 and need in p.spec.covers for k, need in enumerate(NEEDS))
                                   for p in provisions] for mask in range(16)], dtype=bool)
        self.columns = self._feature_columns()
        self.group_labels = group_labels(scenario)

    def _feature_columns(self) -> list[str]:
        """Generated columns that describe a profile for 'most typical' and 'simplest'."""
        scenario = self.scenario
        cols = [n for n in scenario.varying()]
        for name, slot in scenario.slots.items():
            if slot.fixed is None and slot.count.dist is not None:
                cols.append(f"{name}.count")
        if scenario.sleeps["present"].dist is not None:
            cols.append("sleeps_elsewhere.present")
        return cols


@dataclass
class ChunkStats:
    """One chunk condensed. Arrays only, so that it stores as a plain .npz (no pickle)."""

    n: int
    vocab: dict[str, list]  # coded columns of the sample rows
    counts: dict[str, np.ndarray]  # group name -> (labels, features)
    pattern_sigs: list[str]  # hex signature per local pattern
    pattern_counts: dict[str, np.ndarray]  # group -> (labels, patterns)
    loop_list: list[list[str]]  # loops met in this chunk
    loop_counts: dict[str, np.ndarray]  # group -> (labels, loops)
    pattern_cat: dict[str, np.ndarray]  # column -> (patterns, values) counts
    pattern_sum: dict[str, np.ndarray]  # column -> (patterns,) sums (numbers)
    pattern_present: dict[str, np.ndarray]  # column -> (patterns,) rows where present
    moments: dict[str, np.ndarray]  # column -> [count, sum, sum of squares] over the chunk
    sample: dict[str, np.ndarray]  # pattern, key, index, simplest flag, complexity, then row.* columns
    checked: int = 0  # profiles of this chunk re-decided by durable_rules

    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {}
        meta = {"n": self.n, "vocab": self.vocab, "pattern_sigs": self.pattern_sigs, "loop_list": self.loop_list,
                "checked": self.checked}
        for prefix in ("counts", "pattern_counts", "loop_counts", "pattern_cat", "pattern_sum",
                       "pattern_present", "moments", "sample"):
            for key, value in getattr(self, prefix).items():
                arrays[f"{prefix}|{key}"] = value
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "ChunkStats":
        with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
            arrays = {k: loaded[k] for k in loaded.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        parts: dict[str, dict] = {p: {} for p in ("counts", "pattern_counts", "loop_counts", "pattern_cat",
                                                  "pattern_sum", "pattern_present", "moments", "sample")}
        for key, value in arrays.items():
            prefix, name = key.split("|", 1)
            parts[prefix][name] = value
        return cls(meta["n"], meta["vocab"], parts["counts"], meta["pattern_sigs"], parts["pattern_counts"], meta["loop_list"],
                   parts["loop_counts"], parts["pattern_cat"], parts["pattern_sum"], parts["pattern_present"],
                   parts["moments"], parts["sample"], meta["checked"])


def _pack_rows(bits: np.ndarray) -> np.ndarray:
    """(k, n) bool -> (ceil(k / 8), n) uint8, bit j of byte b holding row 8b + j (np.packbits, axis 0,
    little bit order; this is several times faster on wide rows)."""
    k, n = bits.shape
    out = np.zeros((-(-k // 8), n), dtype=np.uint8)
    view = bits.view(np.uint8)
    for row in range(k):
        if row % 8:
            out[row // 8] |= view[row] << np.uint8(row % 8)
        else:
            out[row // 8] |= view[row]
    return out


def _unique_columns(bits: np.ndarray, columns: np.ndarray) -> tuple[list[bytes], np.ndarray]:
    """The distinct bit columns among `columns` of a (k, n) bool matrix, and each column's index.

    Columns are packed to bytes, hashed to one 64-bit number for a fast np.unique, and the
    grouping is verified byte for byte (on a hash collision it falls back to comparing bytes).
    """
    packed = _pack_rows(bits)[:, columns]  # (bytes, m)
    width = -(-packed.shape[0] // 8) * 8
    padded = np.zeros((width, packed.shape[1]), dtype=np.uint8)
    padded[:packed.shape[0]] = packed
    rows = np.ascontiguousarray(padded.T)  # (m, width)
    words = rows.view(np.uint64)  # (m, width / 8)
    with np.errstate(over="ignore"):
        h = np.zeros(len(rows), dtype=np.uint64)
        for w in range(words.shape[1]):
            h = (h ^ words[:, w]) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(w + 1)
            h ^= h >> np.uint64(29)
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if not np.array_equal(words, words[first][inverse]):  # a hash collision: compare bytes instead
        void = rows.view(np.dtype((np.void, width))).ravel()
        _, first, inverse = np.unique(void, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
    # order the groups by their bytes, so local ids do not depend on the hash
    keys = [rows[i, :packed.shape[0]].tobytes() for i in first]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return [keys[i] for i in order], rank[inverse]


@dataclass
class Derived:
    """Per-profile results that both the stats and the row files use."""

    deciding: np.ndarray
    gap_code: np.ndarray
    pattern_local: np.ndarray  # -1 where no gap
    pattern_sigs: list[str]
    loop_local: np.ndarray  # -1 where no loop
    loop_keys: list[tuple[tuple[str, ...], ...]]
    keys: np.ndarray
    groups: list[tuple[str, np.ndarray, tuple[str, ...]]] = field(default_factory=list)


def relevant_provisions(layout: Layout, decisions: Decisions, need_code: np.ndarray) -> np.ndarray:
    """(provisions, n): the provisions covering one of the needs in `need_code` (bits in NEEDS order),
    and, following unmet prerequisites only, the provisions those wait for."""
    engine = layout.engine
    relevant = layout.covering[need_code].T.copy()
    edges = [(engine.reason_provision[r], engine.index[granter], r)
             for r in engine.requirement_rows for granter in engine.reasons[r].rule.granters if granter in engine.index]
    changed = bool(edges)
    while changed:
        changed = False
        for source, target, r in edges:
            add = relevant[source] & (decisions.status[r] == 1) & ~relevant[target]
            if add.any():
                relevant[target] |= add
                changed = True
    return relevant


def derive_results(layout: Layout, pop: Population, cols: Columns, decisions: Decisions) -> Derived:
    engine = layout.engine
    n = decisions.n
    deciding = engine.deciding(decisions)
    gap_code = np.zeros(n, dtype=np.int64)
    for k in range(len(NEEDS)):
        gap_code |= decisions.gaps[k].astype(np.int64) << k
    # patterns
    gapped = np.flatnonzero(gap_code)
    pattern_local = np.full(n, -1, dtype=np.int64)
    sigs: list[str] = []
    if len(gapped):
        bits = np.empty((len(NEEDS) + len(engine.reasons), n), dtype=bool)
        bits[:len(NEEDS)] = decisions.gaps
        first = engine.first_deciding(deciding)
        relevant = relevant_provisions(layout, decisions, gap_code)
        for p, (start, _, end) in enumerate(engine.spans):
            np.logical_and(first[start:end], relevant[p], out=bits[len(NEEDS) + start:len(NEEDS) + end])
        unique, inverse = _unique_columns(bits, gapped)
        pattern_local[gapped] = inverse
        sigs = [u.hex() for u in unique]
    # loops: the unmet prerequisites and blocked provisions decide them
    unmet = engine.unmet(decisions)
    loop_local = np.full(n, -1, dtype=np.int64)
    loop_keys: list = []
    if unmet.shape[0]:
        blocked = decisions.outcome == BLOCKED
        candidates = np.flatnonzero(unmet.any(axis=0) & blocked.any(axis=0))
        if len(candidates):
            unique, inverse = _unique_columns(np.concatenate([unmet, blocked]), candidates)
            mapping = np.full(len(unique), -1, dtype=np.int64)
            for u, first in enumerate(np.unique(inverse, return_index=True)[1]):
                row = candidates[first]
                loops = engine.loops_for(unmet[:, row], blocked[:, row])
                if loops:
                    mapping[u] = len(loop_keys)
                    loop_keys.append(loops)
            loop_local[candidates] = mapping[inverse]
    keys = profile_keys(layout.scenario.seed, pop.start + np.arange(n))
    return Derived(deciding, gap_code, pattern_local, sigs, loop_local, loop_keys, keys,
                   group_codes(layout.scenario, cols))


def chunk_stats(layout: Layout, pop: Population, cols: Columns, decisions: Decisions, derived: Derived) -> ChunkStats:
    engine = layout.engine
    n = decisions.n
    eligible = decisions.outcome == ELIGIBLE
    needs_any = decisions.needs.any(axis=0)
    nothing = needs_any & ~(decisions.needs & ~decisions.gaps).any(axis=0)
    shut = np.zeros_like(eligible)
    for p in range(len(engine.provisions)):
        for k in np.flatnonzero(engine.covers[:, p]):
            shut[p] |= decisions.needs[k]
    shut &= ~eligible
    # A refusal counts where the door mattered: the provision covers a need the profile has, or
    # such a provision waits for it.
    need_code = np.zeros(n, dtype=np.int64)
    for k in range(len(NEEDS)):
        need_code |= decisions.needs[k].astype(np.int64) << k
    relevant = relevant_provisions(layout, decisions, need_code)
    refused = np.empty_like(derived.deciding)
    for p, (start, _, end) in enumerate(engine.spans):
        np.logical_and(derived.deciding[start:end], relevant[p], out=refused[start:end])
    parts = [np.ones((1, n), bool), decisions.needs, decisions.gaps, (derived.gap_code > 0)[None], nothing[None],
             (derived.loop_local >= 0)[None], eligible, shut, relevant, refused, decisions.effects]
    counts = _count_by(derived.groups, parts)

    # patterns per group
    npat = len(derived.pattern_sigs)
    has = derived.pattern_local >= 0
    pattern_counts = {}
    for name, codes, labels in derived.groups:
        flat = np.bincount(codes[has] * npat + derived.pattern_local[has], minlength=len(labels) * npat)
        pattern_counts[name] = flat.reshape(len(labels), npat)
    nloop = len(derived.loop_keys)
    loop_list = []
    loop_index: dict[tuple, int] = {}
    loop_counts = {}
    loops_unique = sorted({loop for loops in derived.loop_keys for loop in loops})
    for loop in loops_unique:
        loop_index[loop] = len(loop_list)
        loop_list.append(list(loop))
    in_loop = derived.loop_local >= 0
    for name, codes, labels in derived.groups:
        per_key = np.bincount(codes[in_loop] * max(nloop, 1) + derived.loop_local[in_loop],
                              minlength=len(labels) * max(nloop, 1)).reshape(len(labels), max(nloop, 1))
        table = np.zeros((len(labels), len(loop_list)), dtype=np.int64)
        for local, loops in enumerate(derived.loop_keys):
            for loop in loops:
                table[:, loop_index[loop]] += per_key[:, local]
        loop_counts[name] = table

    # centre of each pattern, for 'most typical'
    pattern_cat, pattern_sum, pattern_present, moments = {}, {}, {}, {}
    local = derived.pattern_local[has]
    for column in layout.columns:
        values = pop.values[column][has]
        present = pop.present.get(column)
        present = present[has] if present is not None else np.ones(len(values), bool)
        if column in pop.vocab or values.dtype == bool:
            width = len(pop.vocab[column]) if column in pop.vocab else 2
            codes = values.astype(np.int64)
            codes = np.where(present, codes, width)  # missing is a category of its own
            pattern_cat[column] = np.bincount(local * (width + 1) + codes,
                                              minlength=npat * (width + 1)).reshape(npat, width + 1)
        else:
            x = np.where(present, values, 0).astype(np.float64)
            pattern_sum[column] = np.bincount(local, weights=x, minlength=npat)
            pattern_present[column] = np.bincount(local, weights=present, minlength=npat)
            every = pop.values[column].astype(np.float64)
            every_present = pop.present.get(column, np.ones(n, bool))
            xs = every[every_present]
            moments[column] = np.array([len(xs), xs.sum(), (xs * xs).sum()])

    # samples: the SAMPLE lowest keys per pattern, and the simplest profile per pattern
    sample: dict[str, np.ndarray] = {}
    rows = np.flatnonzero(has)
    if len(rows):
        pats = derived.pattern_local[rows]
        keys = derived.keys[rows]
        # one int64 sort key instead of a lexsort: pattern in the high bits, the profile key below
        shift = np.uint64(max(int(npat - 1).bit_length(), 1))
        order = np.argsort((pats.astype(np.uint64) << (np.uint64(64) - shift)) | (keys >> shift), kind="stable")
        ranked = pats[order]
        starts = np.searchsorted(ranked, np.arange(npat))
        rank = np.arange(len(order)) - starts[ranked]
        chosen = rows[order[rank < SAMPLE]]
        complexity = _complexity(layout, pop, rows)
        order2 = np.lexsort((keys, complexity, pats))
        first = order2[np.searchsorted(pats[order2], np.arange(npat))]
        simplest = rows[first]
        picked = np.concatenate([chosen, simplest])
        flags = np.concatenate([np.zeros(len(chosen), bool), np.ones(len(simplest), bool)])
        sample["pattern"] = derived.pattern_local[picked]
        sample["key"] = derived.keys[picked]
        sample["index"] = pop.start + picked
        sample["simplest"] = flags
        full_complexity = np.zeros(n, dtype=np.int64)
        full_complexity[rows] = complexity
        sample["complexity"] = full_complexity[picked]
        for column, values in pop.values.items():
            sample[f"row.{column}"] = values[picked]
        for column, values in pop.present.items():
            sample[f"present.{column}"] = values[picked]
    return ChunkStats(n, {k: list(v) for k, v in pop.vocab.items()}, counts, derived.pattern_sigs, pattern_counts, loop_list, loop_counts, pattern_cat,
                      pattern_sum, pattern_present, moments, sample)


def _complexity(layout: Layout, pop: Population, rows: np.ndarray) -> np.ndarray:
    """How many fields differ from a blank profile, plus list items: smaller is simpler."""
    scenario = layout.scenario
    out = np.zeros(len(rows), dtype=np.int64)
    for name in scenario.varying():
        info = scenario.scalars[name].info
        values = pop.values[name][rows]
        present = pop.present.get(name)
        default = info.default
        if default is None:
            out += present[rows] if present is not None else 1
            continue
        if name in pop.vocab:
            vocab = pop.vocab[name]
            default = vocab.index(default) if default in vocab else -1
        differs = values != default
        if present is not None:
            differs = differs | ~present[rows]
        out += differs
    for name in ("children", "co_residents"):
        out += pop.values[f"{name}.count"][rows]
    out += pop.values["sleeps_elsewhere.present"][rows]
    return out


# ---- merging -----------------------------------------------------------------------------------

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

    def add(self, stats: ChunkStats) -> None:
        self.n += stats.n
        self.checked += stats.checked
        self.vocab = {k: tuple(v) for k, v in stats.vocab.items()}
        for name, table in stats.counts.items():
            self.counts[name] = self.counts.get(name, 0) + table
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
        return int(store["index"][position]), {k: v[position] for k, v in store.items()
                                               if k.startswith(("row.", "present."))}

    def simplest_rows(self) -> dict[int, int]:
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


def _row_profile(layout: Layout, vocab: dict, index: int, row: dict) -> Profile:
    values = {k[4:]: np.array([v]) for k, v in row.items() if k.startswith("row.")}
    present = {k[8:]: np.array([v]) for k, v in row.items() if k.startswith("present.")}
    pop = Population(1, values, present, vocab, start=index, scenario_id=layout.scenario.id)
    return Profile.model_validate(profile_dicts(pop)[0])


def _share(count: int, total: int) -> float:
    return round(count / total, 6) if total else 0.0


def decode_pattern(layout: Layout, sig: str) -> tuple[list[str], list[tuple[int, list[int]]]]:
    """A signature read back: the gapped needs, and per provision the reasons that refused it."""
    engine = layout.engine
    raw = np.frombuffer(bytes.fromhex(sig), dtype=np.uint8)
    bits = np.unpackbits(raw, bitorder="little")[: len(NEEDS) + len(engine.reasons)].astype(bool)
    gaps = [need for k, need in enumerate(NEEDS) if bits[k]]
    refused: dict[int, list[int]] = {}
    for r in np.flatnonzero(bits[len(NEEDS):]).tolist():
        refused.setdefault(int(engine.reason_provision[r]), []).append(r)
    return gaps, sorted(refused.items())


def pattern_info(layout: Layout, sig: str) -> dict[str, Any]:
    """A signature in full: the gapped needs and, per provision, what refused it, with sources."""
    engine = layout.engine
    gaps, refused = decode_pattern(layout, sig)
    refusals = []
    for p, reasons in refused:
        provision = engine.provisions[p]
        requirement = all(engine.reason_group[r] == "requirement" for r in reasons)
        refusals.append({
            "provision": provision.key, "title": provision.spec.title, "covers": list(provision.spec.covers),
            "outcome": "blocked" if requirement else "ineligible",
            "deciding": [_reason_info(engine, r) for r in reasons],
        })
    info = {"gaps": gaps, "refusals": refusals}
    info["label"] = pattern_label(info)
    return info


def _label(gaps: list[str], refusals: list[dict]) -> str:
    shown = [x for x in refusals if not x.get("closed_to_all")]
    label = "; ".join(f"{x['provision'].split('/')[-1]}: {', '.join(x['deciding'])}" for x in shown)
    return f"{' + '.join(gaps)} gap: {label or 'closed to everyone'}"


def pattern_label(info: dict[str, Any]) -> str:
    """`housing + income gap: algemene_bijstand: income_below_norm_single; mo_adult: ...`, leaving out
    doors that are closed to (nearly) everyone in the population."""
    return _label(info["gaps"], [
        {"provision": x["provision"], "closed_to_all": x.get("closed_to_all"),
         "deciding": [d["waits_for"].split("/")[-1] if d.get("waits_for") else d["criterion"] for d in x["deciding"]]}
        for x in info["refusals"]])


def _reason_info(engine: VectorEngine, r: int) -> dict[str, Any]:
    rule = engine.reasons[r]
    out = {"criterion": rule.rule.id, "group": engine.reason_group[r], "text": rule.text or rule.rule.text,
           "kind": rule.rule.kind, "source": {"title": rule.rule.source.title, "url": rule.rule.source.url}}
    if engine.reason_group[r] == "requirement":
        out["waits_for"] = rule.rule.granters_text
    if rule.flags:
        out["assumptions"] = list(rule.flags)
    return out


def finish(layout: Layout, merger: Merger, meta: dict[str, Any], detailed: int = 100) -> dict[str, Any]:
    """The summary: plain data with sorted keys, the same bytes for the same run."""
    engine = layout.engine
    total = merger.n
    group_meta = layout.group_labels
    features = {f: i for i, f in enumerate(layout.features)}

    def by_group(row: int) -> dict[str, dict[str, int]]:
        return {name: {label: int(merger.counts[name][l, row]) for l, label in enumerate(labels)}
                for name, labels in group_meta}

    def overall(row: int) -> int:
        return int(merger.counts["all"][0, row])

    groups_out = {}
    for name, labels in group_meta:
        table = merger.counts[name]
        groups_out[name] = {}
        for l, label in enumerate(labels):
            size = int(table[l, features["profile"]])
            entry = {"profiles": size}
            for need in NEEDS:
                entry[f"need_{need}"] = int(table[l, features[f"need:{need}"]])
                entry[f"gap_{need}"] = int(table[l, features[f"gap:{need}"]])
                entry[f"gap_{need}_share"] = _share(entry[f"gap_{need}"], size)
            entry["any_gap"] = int(table[l, features["any_gap"]])
            entry["any_gap_share"] = _share(entry["any_gap"], size)
            entry["nothing"] = int(table[l, features["nothing"]])
            entry["nothing_share"] = _share(entry["nothing"], size)
            entry["in_loop"] = int(table[l, features["in_loop"]])
            groups_out[name][label] = entry

    provisions = []
    for p, provision in enumerate(engine.provisions):
        shut = overall(features[f"shut:{provision.key}"])
        eligible = overall(features[f"eligible:{provision.key}"])
        provisions.append({"provision": provision.key, "title": provision.spec.title,
                           "covers": list(provision.spec.covers),
                           "eligible": eligible,
                           # admits (nearly) no one here, such as a youth provision for men aged 45-65
                           "closed_to_all": shut > 0 and eligible <= (1 - CLOSED) * (shut + eligible),
                           "shut_doors": shut, "shut_share": _share(shut, total),
                           "shut_by_group": by_group(features[f"shut:{provision.key}"])})
    provisions.sort(key=lambda x: (-x["shut_doors"], x["provision"]))

    criteria = []
    closed: set[tuple[str, str]] = set()
    for r, rule in enumerate(engine.reasons):
        key = f"refused:{engine.keys[engine.reason_provision[r]]}/{rule.rule.id}"
        count = overall(features[key])
        if not count:
            continue
        info = _reason_info(engine, r)
        provision_key = engine.keys[engine.reason_provision[r]]
        relevant = overall(features[f"relevant:{provision_key}"])
        info.update({"provision": provision_key,
                     "provision_title": engine.provisions[engine.reason_provision[r]].spec.title,
                     "count": count, "share": _share(count, total), "by_group": by_group(features[key]),
                     "relevant": relevant, "share_of_relevant": _share(count, relevant),
                     # refuses (nearly) everyone it could help here: a door closed by design, not a filter
                     "closed_to_all": relevant > 0 and count >= CLOSED * relevant})
        if info["closed_to_all"]:
            closed.add((provision_key, rule.rule.id))
        if rule.rule.clause:
            info["clause"] = " ".join(rule.rule.clause.split())
        criteria.append(info)
    criteria.sort(key=lambda x: (-x["count"], x["provision"], x["criterion"]))

    patterns = []
    for sig, pid in merger.patterns.items():
        count = int(merger.pattern_counts["all"][0, pid])
        gaps, refused = decode_pattern(layout, sig)
        refusals = [{"provision": engine.keys[p], "closed_to_all": all(
            (engine.keys[p], engine.reasons[r].rule.id) in closed for r in reasons),
            "deciding": [" or ".join(g.split("/")[-1] for g in engine.reasons[r].rule.granters)
                         if engine.reason_group[r] == "requirement"
                         else engine.reasons[r].rule.id for r in reasons]} for p, reasons in refused]
        info = {"id": hashlib.blake2b(bytes.fromhex(sig), digest_size=6).hexdigest(), "gaps": gaps,
                "count": count, "share": _share(count, total), "_pid": pid, "_sig": sig}
        info["label"] = _label(gaps, refusals)
        patterns.append(info)
    patterns.sort(key=lambda x: (-x["count"], x["id"]))
    typical, simplest = merger.typical_rows(), merger.simplest_rows()
    for rank, info in enumerate(patterns):
        pid, sig = info.pop("_pid"), info.pop("_sig")
        chosen = {"typical": (merger.samples, typical.get(pid)), "simplest": (merger.simplest, simplest.get(pid))}
        for kind, (store, position) in chosen.items():
            if position is None:
                continue
            index, row = merger.row_at(store, position)
            info[f"{kind}_id"] = f"{layout.scenario.id}-{index}"
            if rank < detailed:
                info[kind] = without_defaults(_row_profile(layout, merger.vocab, index, row))
        if rank < detailed:
            full = pattern_info(layout, sig)
            for refusal in full["refusals"]:
                refusal["closed_to_all"] = all((refusal["provision"], d["criterion"]) in closed
                                               for d in refusal["deciding"])
            info["refusals"] = full["refusals"]
            info["by_group"] = {name: {label: int(merger.pattern_counts[name][l, pid]) for l, label in enumerate(labels)}
                                for name, labels in group_meta}

    loops = []
    for loop, lid in merger.loops.items():
        counts = {name: merger.loop_counts[name][:, lid] for name, _ in group_meta}
        count = int(counts["all"][0])
        loops.append({"loop": list(loop), "count": count, "share": _share(count, total),
                      "titles": [engine.provisions[engine.index[k]].spec.title if k in engine.index else k
                                 for k in loop],
                      "by_group": {name: {label: int(counts[name][l]) for l, label in enumerate(labels)}
                                   for name, labels in group_meta}})
    loops.sort(key=lambda x: (-x["count"], x["loop"]))

    effects = []
    for effect in engine.compiled.effects:
        count = overall(features[f"effect:{effect.key}"])
        effects.append({"effect": effect.key, "text": " ".join((effect.text or effect.rule.text).split()),
                        "count": count, "share": _share(count, total),
                        "source": {"title": effect.rule.source.title, "url": effect.rule.source.url}})

    return {**meta, "profiles": total, "groups": [{"name": n, "labels": list(l)} for n, l in group_meta],
            "by_group": groups_out, "provisions": provisions, "criteria": criteria, "patterns": patterns,
            "loops": loops, "effects": effects}

