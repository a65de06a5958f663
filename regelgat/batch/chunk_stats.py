"""One chunk of verdicts condensed into counts: what an advocate publishes, before merging.

Work is split in two so that memory stays flat: `chunk_stats` condenses one chunk of profiles
into counts (a few hundred KB whatever the chunk), and `merge.Merger` adds chunk stats up in
chunk order. Profiles share a gap pattern (see patterns.py) when the same doors shut for the
same first reasons; every refusing criterion is also counted on its own, for the criteria table.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from regelgat.batch.shortfall import histogram, shortfalls
from regelgat.batch.route_kinds import KINDS, RouteKinds
from regelgat.batch.tally import count_by, group_codes, group_labels, profile_keys, unique_columns
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import ELIGIBLE, UNDETERMINED, Decisions, VectorEngine
from regelgat.population.profile_columns import ProfileColumns
from regelgat.population.scenario_model import Scenario
from regelgat.rules.columns import Columns

SAMPLE = 32  # profiles kept per pattern to choose the most typical from
ROUTE_EXAMPLES = 2  # profiles kept per need whose nearest route out of the gap is harmful
BASE_FEATURES = ["profile", *(f"need:{n}" for n in NEEDS), *(f"gap:{n}" for n in NEEDS), "any_gap", "nothing", "in_loop"]


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
                         *(f"in_scope:{p.key}" for p in provisions),
                         *(f"shut_in_scope:{p.key}" for p in provisions),
                         *(f"refused_in_scope:{engine.keys[engine.reason_provision[r]]}/{rule.rule.id}"
                           for r, rule in enumerate(engine.reasons)),
                         *(f"effect:{e.key}" for e in engine.compiled.effects),
                         *(f"route:{need}:{kind}" for need in NEEDS for kind in KINDS)]
        self.route_kinds = RouteKinds(engine)
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
    shortfall: dict[str, np.ndarray] = field(default_factory=dict)  # group -> (labels, euros) histogram
    route_examples: dict[str, list[list[int]]] = field(default_factory=dict)  # need -> [key, index], harmful

    def _parts(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        arrays: dict[str, np.ndarray] = {}
        meta = {"n": self.n, "vocab": self.vocab, "pattern_sigs": self.pattern_sigs, "loop_list": self.loop_list,
                "checked": self.checked, "route_examples": self.route_examples}
        for prefix in _PREFIXES:
            for key, value in getattr(self, prefix).items():
                arrays[f"{prefix}|{key}"] = value
        return arrays, meta

    def to_bytes(self) -> bytes:
        """The stats as a plain .npz (no pickle), as chunks/ stores them."""
        arrays, meta = self._parts()
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    def as_read_back(self) -> "ChunkStats":
        """What `from_bytes(to_bytes())` gives, without the .npz: merging a chunk that just arrived this
        way costs far less than parsing its 160 array headers, and equals merging it from disk."""
        arrays, meta = self._parts()
        return self._from(arrays, json.loads(json.dumps(meta)))

    @classmethod
    def from_bytes(cls, data: bytes) -> "ChunkStats":
        """Stats read back from `to_bytes`, for merging or for resuming a run."""
        with np.load(io.BytesIO(data), allow_pickle=False) as loaded:
            arrays = {k: loaded[k] for k in loaded.files}
        return cls._from(arrays, json.loads(arrays.pop("meta").tobytes().decode()))

    @classmethod
    def _from(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> "ChunkStats":
        parts: dict[str, dict] = {p: {} for p in _PREFIXES}
        for key, value in arrays.items():
            prefix, name = key.split("|", 1)
            parts[prefix][name] = value
        return cls(meta["n"], meta["vocab"], parts["counts"], meta["pattern_sigs"], parts["pattern_counts"], meta["loop_list"],
                   parts["loop_counts"], parts["pattern_cat"], parts["pattern_sum"], parts["pattern_present"],
                   parts["moments"], parts["sample"], meta["checked"], parts["shortfall"],
                   meta.get("route_examples", {}))


_PREFIXES = ("counts", "pattern_counts", "loop_counts", "pattern_cat", "pattern_sum", "pattern_present", "moments",
             "sample", "shortfall")


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
    shortfall: np.ndarray | None = None  # euros a month below the social minimum (batch/shortfall.py)
    has_shortfall: np.ndarray | None = None  # where income is a gap and the social minimum is known
    routes: np.ndarray | None = None  # (needs, n): rank of the nearest route out of each gap, 0 if no gap


def relevant_provisions(layout: Layout, decisions: Decisions, need_code: np.ndarray) -> np.ndarray:
    """(provisions, n): the provisions covering one of the needs in `need_code` (bits in NEEDS order),
    and, following unmet prerequisites only, the provisions those wait for."""
    engine = layout.engine
    relevant = layout.covering[need_code].T.copy()
    edges = [(engine.reason_provision[r], engine.index[granter], r)
             for r in engine.requirement_rows for granter in engine.reasons[r].rule.granters if granter in engine.index]
    failed = {r: decisions.status[r] == 1 for _, _, r in edges}  # once, not once per pass
    changed = bool(edges)
    while changed:
        changed = False
        for source, target, r in edges:
            add = relevant[source] & failed[r] & ~relevant[target]
            if add.any():
                relevant[target] |= add
                changed = True
    return relevant


def meant_for(engine: VectorEngine, decisions: Decisions) -> np.ndarray:
    """(provisions, n): whom each provision is meant for, by its `scope: true` criteria (an age band, a child
    at home): everyone who meets them all (or whom they do not apply to). A refusal by another criterion
    counts against a provision only here; a youth scheme does not refuse a man of 50."""
    meant = np.ones((len(engine.provisions), decisions.n), dtype=bool)
    for r, rule in enumerate(engine.reasons):
        if getattr(rule.rule, "scope", False):
            meant[engine.reason_provision[r]] &= (decisions.status[r] & 1) == 0  # PASS (0) or NOT_APPLICABLE (2)
    return meant


def derive_results(layout: Layout, pop: ProfileColumns, cols: Columns, decisions: Decisions) -> Derived:
    """Per-profile results of one chunk: deciding reasons, gap set, local pattern and loop ids, keys."""
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
        unique, inverse = unique_columns(bits, gapped)
        pattern_local[gapped] = inverse
        sigs = [u.hex() for u in unique]
    # loops: the unmet prerequisites and blocked provisions decide them
    unmet = engine.unmet(decisions)
    loop_local = np.full(n, -1, dtype=np.int64)
    loop_keys: list = []
    if unmet.shape[0]:
        blocked = decisions.blocked_for_loops()
        candidates = np.flatnonzero(unmet.any(axis=0) & blocked.any(axis=0))
        if len(candidates):
            unique, inverse = unique_columns(np.concatenate([unmet, blocked]), candidates)
            mapping = np.full(len(unique), -1, dtype=np.int64)
            for u, first in enumerate(np.unique(inverse, return_index=True)[1]):
                row = candidates[first]
                loops = engine.loops_for(unmet[:, row], blocked[:, row])
                if loops:
                    mapping[u] = len(loop_keys)
                    loop_keys.append(loops)
            loop_local[candidates] = mapping[inverse]
    keys = profile_keys(layout.scenario.seed, pop.start + np.arange(n))
    below, has = shortfalls(engine, cols, decisions)
    return Derived(deciding, gap_code, pattern_local, sigs, loop_local, loop_keys, keys,
                   group_codes(layout.scenario, cols), below, has, _route_ranks(layout, cols, decisions, gapped))


def _route_ranks(layout: Layout, cols: Columns, decisions: Decisions, gapped: np.ndarray) -> np.ndarray:
    """The nearest route's rank for each gap, computed over the gapped rows only."""
    ranks = np.zeros((len(NEEDS), decisions.n), np.int8)
    if len(gapped):
        read = layout.route_kinds.facts  # only the columns the routes read, and only outcomes and gaps
        sub = Columns(len(gapped), {k: v[gapped] for k, v in cols.values.items() if k in read},
                      {k: v[gapped] for k, v in cols.present.items() if k in read}, cols.vocab)
        some = Decisions(np.empty((0, len(gapped)), np.uint8), decisions.outcome[:, gapped],
                         decisions.gaps[:, gapped], np.empty((0, len(gapped)), bool), decisions.needs[:, gapped])
        ranks[:, gapped] = layout.route_kinds.nearest(sub, some)
    return ranks


def chunk_stats(layout: Layout, pop: ProfileColumns, cols: Columns, decisions: Decisions, derived: Derived) -> ChunkStats:
    """One chunk condensed to counts by group, pattern and loop, pattern centres and samples."""
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
    for p, (start, _, end) in enumerate(engine.spans):  # an unknown reason leaves a door open: no refusal
        np.logical_and(derived.deciding[start:end], relevant[p] & (decisions.outcome[p] != UNDETERMINED),
                       out=refused[start:end])
    in_scope = relevant & meant_for(engine, decisions)
    refused_in_scope = refused & in_scope[engine.reason_provision]
    parts = [np.ones((1, n), bool), decisions.needs, decisions.gaps, (derived.gap_code > 0)[None], nothing[None],
             (derived.loop_local >= 0)[None], eligible, shut, relevant, refused, in_scope, shut & in_scope,
             refused_in_scope,
             decisions.effects,
             np.stack([derived.routes[k] == r for k in range(len(NEEDS)) for r in range(1, len(KINDS) + 1)])]
    counts = count_by(derived.groups, parts)
    npat = len(derived.pattern_sigs)
    has = derived.pattern_local >= 0
    pattern_counts = {}
    for name, codes, labels in derived.groups:
        flat = np.bincount(codes[has] * npat + derived.pattern_local[has], minlength=len(labels) * npat)
        pattern_counts[name] = flat.reshape(len(labels), npat)
    loop_list, loop_counts = _loop_counts(derived)
    pattern_cat, pattern_sum, pattern_present, moments = _pattern_centres(layout, pop, derived, has, npat)
    sample = _samples(layout, pop, derived, has, npat)
    return ChunkStats(n, {k: list(v) for k, v in pop.vocab.items()}, counts, derived.pattern_sigs, pattern_counts, loop_list, loop_counts, pattern_cat,
                      pattern_sum, pattern_present, moments, sample,
                      shortfall=histogram(derived.groups, derived.shortfall, derived.has_shortfall),
                      route_examples=_route_examples(pop, derived))


def _route_examples(pop: ProfileColumns, derived: Derived) -> dict[str, list[list[int]]]:
    """Per need, the profiles (lowest keys first) whose nearest route out of the gap is harmful."""
    harmful = KINDS.index("harmful") + 1
    out = {}
    for k, need in enumerate(NEEDS):
        rows = np.flatnonzero(derived.routes[k] == harmful)
        rows = rows[np.argsort(derived.keys[rows], kind="stable")[:ROUTE_EXAMPLES]]
        if len(rows):
            out[need] = [[int(derived.keys[r]), int(pop.start + r)] for r in rows]
    return out


def _loop_counts(derived: Derived) -> tuple[list[list[str]], dict[str, np.ndarray]]:
    """The loops met in this chunk, and per group how many profiles are caught in each."""
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
    return loop_list, loop_counts


def _pattern_centres(layout: Layout, pop: ProfileColumns, derived: Derived, has: np.ndarray, npat: int) -> tuple[dict, dict, dict, dict]:
    """The centre of each pattern, for 'most typical': value counts of coded columns, sums of numbers,
    and the chunk's moments of each number (for standard deviations)."""
    n = pop.n
    pattern_cat, pattern_sum, pattern_present, moments = {}, {}, {}, {}
    rows = np.flatnonzero(has)  # one index for every column: cheaper than a boolean mask per column
    local = derived.pattern_local[rows]
    for column in layout.columns:
        values = pop.values[column][rows]
        present = pop.present.get(column)
        present = present[rows] if present is not None else np.ones(len(values), bool)
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
    return pattern_cat, pattern_sum, pattern_present, moments


def _samples(layout: Layout, pop: ProfileColumns, derived: Derived, has: np.ndarray, npat: int) -> dict[str, np.ndarray]:
    """The SAMPLE lowest keys per pattern, and the simplest profile per pattern, with their rows."""
    n = pop.n
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
    return sample


def _complexity(layout: Layout, pop: ProfileColumns, rows: np.ndarray) -> np.ndarray:
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
