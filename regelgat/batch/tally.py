"""Counting helpers for chunk statistics: per-profile keys, group codes, and bit-packed counts.

Every choice in a batch run is made by a per-profile key (a hash of seed and profile index),
never by arrival order, so that results do not depend on the number of workers.
"""

from __future__ import annotations

import numpy as np

from regelgat.client.facts import FACT_TYPES
from regelgat.population.scenario_model import Scenario
from regelgat.rules.columns import Columns


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


def count_by(groups: list[tuple[str, np.ndarray, tuple[str, ...]]], parts: list[np.ndarray]) -> dict[str, np.ndarray]:
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


def unique_columns(bits: np.ndarray, columns: np.ndarray) -> tuple[list[bytes], np.ndarray]:
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
