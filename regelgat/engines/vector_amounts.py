"""Amounts as columns: every bound amount formula over a whole population, as `rules/amounts.py`
computes it for one profile.

Each step is the same IEEE float operation as the scalar evaluator's, element by element, and
the rounding to cents takes the same steps, so the two agree to the cent (a batch run checks a
sample). That is also why amounts stay float64: float32 would round differently from the
one-profile evaluation. An amount is added to the columns as an optional fact: missing where a
fact it reads is.

Cost: a formula is evaluated into one buffer, in place (`out=`), so a step adds no temporary;
a case of a multi-case amount is evaluated only for the rows that take it when they are few (the
bijstand norm has 14 cases, each for a small share), and a case that is a number is a fill.
"""

from __future__ import annotations

import numpy as np

from regelgat.rules import formulas
from regelgat.rules.columns import Columns, evaluate
from regelgat.rules.compiled import BoundAmount, CompiledRules

_UFUNC = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
_FEW = 0.25  # a case taken by fewer than this share of rows is evaluated on those rows only


def _operand(node: formulas.Formula, values: dict[str, np.ndarray], n: int, bad: list) -> np.ndarray | float:
    """A number or a column as it stands (no copy), else a new buffer holding the sub-formula."""
    if isinstance(node, formulas.Num):
        return float(node.value)
    if isinstance(node, formulas.Fact):
        return values[node.name]
    out = np.empty(n)
    _into(node, values, out, bad)
    return out


def _into(node: formulas.Formula, values: dict[str, np.ndarray], out: np.ndarray, bad: list) -> None:
    """Evaluate `node` into `out`, in place; a divisor that is 0 appends its mask to `bad` (the scalar
    evaluator's None: unknown)."""
    n = len(out)
    if isinstance(node, formulas.Num):
        out.fill(float(node.value))
    elif isinstance(node, formulas.Fact):
        np.copyto(out, values[node.name], casting="unsafe")
    elif isinstance(node, formulas.Arith):
        simple = (formulas.Num, formulas.Fact)
        if isinstance(node.left, simple):  # left as it stands; right as it stands or into out
            left = _operand(node.left, values, n, bad)
            if isinstance(node.right, simple):
                right = _operand(node.right, values, n, bad)
            else:
                _into(node.right, values, out, bad)
                right = out
        else:
            _into(node.left, values, out, bad)
            left, right = out, _operand(node.right, values, n, bad)
        if node.op == "/":
            zero = np.equal(right, 0)
            if np.any(zero):  # x / 0 is unknown; divide by 1 there to keep numpy quiet
                bad.append(np.broadcast_to(zero, (n,)))
                right = np.where(zero, 1.0, right)
        _UFUNC[node.op](left, right, out=out, dtype=np.float64)  # never an integer loop: it could wrap
    elif node.name == "band":  # max(0, min(x, high) - low)
        x, low, high = node.args
        _into(x, values, out, bad)
        np.minimum(out, _operand(high, values, n, bad), out=out)
        np.subtract(out, _operand(low, values, n, bad), out=out)
        np.maximum(0.0, out, out=out)
    else:  # min and max are exact and commutative: the compound argument first, into out
        ufunc = np.minimum if node.name == "min" else np.maximum
        args = sorted(node.args, key=lambda a: isinstance(a, (formulas.Num, formulas.Fact)))
        _into(args[0], values, out, bad)
        for arg in args[1:]:
            ufunc(out, _operand(arg, values, n, bad), out=out)


def _known(names: set[str], cols: Columns, rows: np.ndarray | None = None) -> np.ndarray | None:
    """Where every fact in `names` is given (None: everywhere)."""
    known = None
    for name in sorted(names):
        present = cols.present.get(name)
        if present is not None:
            present = present if rows is None else present[rows]
            known = present.copy() if known is None else np.logical_and(known, present, out=known)
    return known


def _formula(formula: formulas.Formula, cols: Columns, out: np.ndarray, rows: np.ndarray | None = None
             ) -> np.ndarray | None:
    """The formula into `out` (for `rows` only, if given: `out` is as long as they are); returns where
    it is unknown (None: nowhere)."""
    names = formulas.facts_read(formula)
    values = {name: cols.values[name] if rows is None else cols.values[name][rows] for name in names}
    bad: list[np.ndarray] = []
    _into(formula, values, out, bad)
    known = _known(names, cols, rows)
    for zero in bad:
        known = ~zero if known is None else known & ~zero
    return None if known is None else ~known


def cents_array(values: np.ndarray) -> np.ndarray:
    """Half up to whole cents, the same float steps as formulas.cents, in place."""
    np.multiply(values, 100, out=values)
    values += 0.5
    values += formulas.HALF_CENT_SLACK
    np.floor(values, out=values)
    np.divide(values, 100, out=values)
    return values


def amount_column(amount: BoundAmount, cols: Columns, cache: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(euros a month, known) for every profile; 0 where unknown."""
    out = np.zeros(cols.n)
    unknown = np.zeros(cols.n, dtype=bool)
    if len(amount.cases) == 1 and amount.cases[0][0] is None:  # one formula for everyone
        missing = _formula(amount.cases[0][1], cols, out)
        if missing is not None:
            unknown = missing
    else:
        _cases(amount, cols, cache, out, unknown)
    cents_array(out)
    out[unknown] = 0.0
    return out, ~unknown


def _cases(amount: BoundAmount, cols: Columns, cache: dict | None, out: np.ndarray, unknown: np.ndarray) -> None:
    """The first case whose `when` holds decides each row; a `when` that is unknown leaves it unknown."""
    undecided = np.ones(cols.n, dtype=bool)
    for when, formula in amount.cases:
        if when is None:
            take = undecided
        else:
            holds = evaluate(when, cols, cache)
            if holds.f is not None:  # a fact the `when` reads is missing: the amount is unknown there
                unsure = undecided & ~holds.t & ~holds.f
                unknown |= unsure
                undecided &= ~unsure
            take = undecided & holds.t
        count = np.count_nonzero(take)
        if count:
            _case(formula, cols, out, unknown, take, count)
            undecided &= ~take
        if when is None or not undecided.any():
            break  # every profile has its case: the later cases cannot apply


def _case(formula: formulas.Formula, cols: Columns, out: np.ndarray, unknown: np.ndarray, take: np.ndarray,
          count: int) -> None:
    """One case's formula written where `take` (`count` rows) holds."""
    if isinstance(formula, formulas.Num):
        np.copyto(out, float(formula.value), where=take)
    elif count < _FEW * cols.n:  # few rows: gather their facts and evaluate on them alone
        rows = np.flatnonzero(take)
        part = np.empty(count)
        missing = _formula(formula, cols, part, rows)
        out[rows] = part
        if missing is not None:
            unknown[rows[missing]] = True
    else:
        whole = np.empty(cols.n)
        missing = _formula(formula, cols, whole)
        np.copyto(out, whole, where=take)
        if missing is not None:
            unknown |= take & missing


def add_amount_columns(compiled: CompiledRules, cols: Columns, cache: dict | None = None) -> None:
    """Every amount of `compiled`, in order, as an optional fact column of `cols`."""
    for amount in compiled.amounts:
        cols.values[amount.name], cols.present[amount.name] = amount_column(amount, cols, cache)
