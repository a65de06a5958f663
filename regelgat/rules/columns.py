"""Facts as columns, and a condition evaluated over them in three-valued logic.

Shared by the population generator (a scenario's `when:` conditions) and the numpy engine
(every atom of the rules), so that neither imports the other.

Three-valued logic (Kleene, as `expressions.evaluate`): an answer is a pair of masks, `t`
(definitely holds) and `f` (definitely fails); a profile in neither is UNKNOWN because a fact
the atom reads is missing. When no fact an atom reads can be missing, `f` is left out (None)
and means `~t`, which saves half the work on the common path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from regelgat.rules.expressions import And, Compare, Member, Node

@dataclass
class Columns:
    """Facts as columns: numbers and yes/no as arrays, list values as integer codes into `vocab`."""

    n: int
    values: dict[str, np.ndarray] = field(default_factory=dict)
    present: dict[str, np.ndarray] = field(default_factory=dict)  # optional facts: True where given
    vocab: dict[str, tuple] = field(default_factory=dict)  # coded facts: code -> value


@dataclass
class Tri:
    t: np.ndarray
    f: np.ndarray | None = None  # None: fully known, f == ~t

    def false(self) -> np.ndarray:
        """Where the answer is definitely false."""
        return ~self.t if self.f is None else self.f


_OPS = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
        ">": np.greater, ">=": np.greater_equal}


def _leaf(node: Compare | Member, cols: Columns) -> Tri:
    values = cols.values[node.fact]
    vocab = cols.vocab.get(node.fact)
    if isinstance(node, Member):
        if vocab is not None:
            # One comparison per listed code: vocabularies are small, and a comparison is many
            # times faster than a table lookup indexed by the codes.
            mask = np.zeros(cols.n, bool)
            for code, value in enumerate(vocab):
                if value in node.values:
                    mask |= values == code
        else:
            mask = np.isin(values, np.array(node.values))
        if node.negated:
            mask = ~mask
    elif vocab is not None:  # == or != against a coded value
        code = vocab.index(node.value) if node.value in vocab else -1
        mask = values == code if node.op == "==" else values != code
    elif values.dtype == bool:
        mask = values if (node.op == "==") == bool(node.value) else ~values
    else:
        mask = _OPS[node.op](values, node.value)
    present = cols.present.get(node.fact)
    if present is None:
        return Tri(mask)
    return Tri(mask & present, ~mask & present)


def evaluate(node: Node, cols: Columns, cache: dict | None = None) -> Tri:
    """A bound condition (negation normal form) over all profiles; leaves are cached in `cache`."""
    if isinstance(node, (Compare, Member)):
        if cache is None:
            return _leaf(node, cols)
        found = cache.get(node)
        if found is None:
            found = cache[node] = _leaf(node, cols)
        return found
    parts = [evaluate(item, cols, cache) for item in node.items]
    known = all(p.f is None for p in parts)
    both, either = (np.logical_and, np.logical_or) if isinstance(node, And) else (np.logical_or, np.logical_and)
    t = _chain(both, [p.t for p in parts])
    if known:
        return Tri(t)
    return Tri(t, _chain(either, [p.false() for p in parts]))


def _chain(op: np.ufunc, masks: list[np.ndarray]) -> np.ndarray:
    """op over all masks, pairwise into one new array (ufunc.reduce would first stack them all)."""
    out = op(masks[0], masks[1])
    for mask in masks[2:]:
        op(out, mask, out=out)
    return out


def row_facts(cols: Columns, i: int, names: Iterable[str] | None = None) -> dict[str, Any]:
    """One profile's facts as `facts.profile_facts` writes them (missing facts left out)."""
    out = {}
    for name in names or cols.values:
        present = cols.present.get(name)
        if present is not None and not present[i]:
            continue
        value = cols.values[name][i]
        vocab = cols.vocab.get(name)
        if vocab is not None:
            out[name] = vocab[value]
        elif value.dtype == bool:
            out[name] = bool(value)
        else:
            out[name] = value.item()
    return out
