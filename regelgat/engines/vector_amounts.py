"""Amounts as columns: every bound amount formula over a whole population, as `rules/amounts.py`
computes it for one profile.

Each step is the same IEEE float operation as the scalar evaluator's, element by element, and
the rounding to cents takes the same steps, so the two agree to the cent (a batch run checks a
sample). An amount is added to the columns as an optional fact: missing where a fact it reads is.
"""

from __future__ import annotations

import numpy as np

from regelgat.rules import formulas
from regelgat.rules.compiled import BoundAmount, CompiledRules
from regelgat.engines.vector import Columns, evaluate


def _column(node: formulas.Formula, cols: Columns) -> tuple[np.ndarray | float, np.ndarray | None]:
    """(values, known): `known` is None where every value is known."""
    if isinstance(node, formulas.Num):
        return float(node.value), None
    if isinstance(node, formulas.Fact):
        return cols.values[node.name].astype(np.float64, copy=False), cols.present.get(node.name)
    if isinstance(node, formulas.Arith):
        (left, lk), (right, rk) = _column(node.left, cols), _column(node.right, cols)
        known = _both(lk, rk)
        if node.op != "/":
            return formulas.apply(node.op, left, right), known
        zero = np.equal(right, 0)
        safe = np.where(zero, 1.0, right)
        return np.where(zero, 0.0, left / safe), _both(known, ~np.broadcast_to(zero, (cols.n,)))
    parts = [_column(a, cols) for a in node.args]
    known = None
    for _, k in parts:
        known = _both(known, k)
    args = [v for v, _ in parts]
    if node.name == "band":
        x, low, high = args
        return np.maximum(0.0, np.minimum(x, high) - low), known
    result = args[0]
    for arg in args[1:]:
        result = np.minimum(result, arg) if node.name == "min" else np.maximum(result, arg)
    return result, known


def _both(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    return b if a is None else a if b is None else a & b


def cents_array(values: np.ndarray) -> np.ndarray:
    """Half up to whole cents, the same float steps as formulas.cents."""
    return np.floor(values * 100 + 0.5 + formulas.HALF_CENT_SLACK) / 100


def amount_column(amount: BoundAmount, cols: Columns, cache: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(euros a month, known) for every profile; 0 where unknown."""
    if len(amount.cases) == 1 and amount.cases[0][0] is None:  # one formula for everyone: no case bookkeeping
        values, ok = _column(amount.cases[0][1], cols)
        out = cents_array(np.broadcast_to(np.asarray(values, dtype=np.float64), (cols.n,)))
        known = np.ones(cols.n, dtype=bool) if ok is None else ok.copy()
        if ok is not None:
            out[~known] = 0.0
        return out, known
    out = np.zeros(cols.n)
    known = np.ones(cols.n, dtype=bool)
    undecided = np.ones(cols.n, dtype=bool)
    for when, formula in amount.cases:  # in place where it can: allocations dominate at 65,536 rows
        if when is None:
            take = undecided.copy()
        else:
            holds = evaluate(when, cols, cache)
            if holds.f is not None:  # a fact the `when` reads is missing: the amount is unknown there
                unsure = undecided & ~holds.t & ~holds.f
                known &= ~unsure
                undecided &= ~unsure
            take = undecided & holds.t
        if take.any():
            values, ok = _column(formula, cols)
            np.copyto(out, values, where=take)
            if ok is not None:
                known &= ~(take & ~ok)
            undecided &= ~take
        if not undecided.any():
            break  # every profile has its case: the later cases cannot apply
    out = cents_array(out)
    if not known.all():
        out[~known] = 0.0
    return out, known


def add_amount_columns(compiled: CompiledRules, cols: Columns, cache: dict | None = None) -> None:
    """Every amount of `compiled`, in order, as an optional fact column of `cols`."""
    for amount in compiled.amounts:
        cols.values[amount.name], cols.present[amount.name] = amount_column(amount, cols, cache)
