"""Amount formulas: arithmetic over facts, parameters and earlier amounts, parsed and never eval'd.

A formula is the number side of the condition language turned into a whole expression: numbers,
facts, parameters, + - * /, parentheses and three functions. `min(a, b, ...)` and `max(a, b, ...)`
cap and floor; `band(x, low, high)` is the part of x that falls between low and high, the
building block of the benefit bands of the Wet op de huurtoeslag ("100% of the rent between the
basishuur and the kwaliteitskortingsgrens"). Which formula applies is decided by ordinary
conditions (the `when` of each case), so there is no if-then-else here.

Binding folds parameters into numbers on the rules date. Evaluation is plain float arithmetic in
a fixed order, which numpy repeats element by element, so both give the same float and the same
cents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Union

from regelgat.client.facts import FactType
from regelgat.io.errors import did_you_mean
from regelgat.io.limits import MAX_CONDITION_CHARS, MAX_CONDITION_DEPTH
from regelgat.rules.expressions import Arith, ExpressionError, Num, Param, number_literal, tokenize

FUNCTIONS = {"min": (2, None), "max": (2, None), "band": (3, 3)}  # name -> (least, most) arguments


@dataclass(frozen=True)
class Fact:
    """A number read from the profile's facts, or an amount computed before this one."""

    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


Formula = Union[Num, Param, Fact, Arith, Call]


class _FormulaParser:
    def __init__(self, text: str, facts: Mapping[str, FactType], parameters: Mapping[str, Any]):
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0  # nesting so far: parsing, binding and evaluation all recurse this deep
        self.facts, self.parameters = facts, parameters

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.pos]
        if expected and token[1] != expected:
            raise ExpressionError(f"expected {expected!r} but found {token[1] or 'the end'!r}")
        self.pos += 1
        return token

    def parse(self) -> Formula:
        node = self.sum()
        if self.tokens[self.pos][0] != "end":
            raise ExpressionError(f"unexpected {self.tokens[self.pos][1]!r} after a complete formula",
                                  "join terms with + - * /")
        return node

    def sum(self) -> Formula:
        left = self.product()
        while self.tokens[self.pos][1] in ("+", "-"):
            op = self.take()[1]
            left = Arith(op, left, self.product())
        return left

    def product(self) -> Formula:
        left = self.factor()
        while self.tokens[self.pos][1] in ("*", "/"):
            op = self.take()[1]
            left = Arith(op, left, self.factor())
        return left

    def factor(self) -> Formula:
        self.depth += 1
        if self.depth > MAX_CONDITION_DEPTH:
            raise ExpressionError(f"the formula nests more than {MAX_CONDITION_DEPTH} levels deep",
                                  "split it into several amounts")
        try:
            return self.inner_factor()
        finally:
            self.depth -= 1

    def inner_factor(self) -> Formula:
        kind, text = self.take()
        if kind == "num":
            return number_literal(text, "formulas")
        if text == "-":
            return Arith("-", Num(0), self.factor())
        if text == "(":
            inner = self.sum()
            self.take(")")
            return inner
        if kind == "name" and self.tokens[self.pos][1] == "(":
            return self.call(text)
        if kind == "name":
            return self.name(text)
        raise ExpressionError(f"expected a number, a name or '(' but found {text or 'the end'!r}",
                              "formulas use numbers, facts, parameters, + - * /, min, max and band")

    def call(self, name: str) -> Call:
        if name not in FUNCTIONS:
            hint = did_you_mean(name, FUNCTIONS)
            raise ExpressionError(f"unknown function {name!r}", hint or "use min(...), max(...) or band(x, low, high)")
        self.take("(")
        args = [self.sum()]
        while self.tokens[self.pos][1] == ",":
            self.take()
            args.append(self.sum())
        self.take(")")
        least, most = FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            wanted = f"{least}" if least == most else f"at least {least}"
            raise ExpressionError(f"{name} takes {wanted} arguments, found {len(args)}")
        return Call(name, tuple(args))

    def name(self, text: str) -> Formula:
        if text in self.parameters:
            return Param(text)
        fact = self.facts.get(text)
        if fact is None:
            hint = did_you_mean(text, list(self.parameters) + list(self.facts))
            raise ExpressionError(f"unknown name {text!r}", hint or "a formula reads parameters, number facts "
                                                                    "and amounts defined above it")
        if fact.kind != "number":
            raise ExpressionError(f"{text} is a {fact.kind}, not a number",
                                  "choose the formula with a case's when: instead")
        return Fact(text)


def parse(text: str, facts: Mapping[str, FactType], parameters: Mapping[str, Any]) -> Formula:
    """Parse and type-check a formula; raises ExpressionError with a fix."""
    if not isinstance(text, (str, int, float)) or isinstance(text, bool) or not str(text).strip():
        raise ExpressionError("the formula is empty")
    if len(str(text)) > MAX_CONDITION_CHARS:
        raise ExpressionError(f"the formula is {len(str(text)):,} characters long, over the limit of "
                              f"{MAX_CONDITION_CHARS:,}", "split it into several amounts")
    return _FormulaParser(str(text), facts, parameters).parse()


def parameters_used(node: Formula) -> set[str]:
    if isinstance(node, Param):
        return {node.name}
    if isinstance(node, Arith):
        return parameters_used(node.left) | parameters_used(node.right)
    if isinstance(node, Call):
        return set().union(*(parameters_used(a) for a in node.args))
    return set()


def facts_read(node: Formula) -> set[str]:
    if isinstance(node, Fact):
        return {node.name}
    if isinstance(node, Arith):
        return facts_read(node.left) | facts_read(node.right)
    if isinstance(node, Call):
        return set().union(*(facts_read(a) for a in node.args))
    return set()


def bind(node: Formula, values: Mapping[str, float]) -> Formula:
    """Parameters folded into numbers (at the precision conditions fold them to)."""
    if isinstance(node, Param):
        return Num(round(values[node.name], 6))
    if isinstance(node, Arith):
        left, right = bind(node.left, values), bind(node.right, values)
        if isinstance(left, Num) and isinstance(right, Num):
            if node.op == "/" and right.value == 0:
                raise ExpressionError("division by zero")
            return Num(round(apply(node.op, left.value, right.value), 6))
        return Arith(node.op, left, right)
    if isinstance(node, Call):
        return Call(node.name, tuple(bind(a, values) for a in node.args))
    return node


def apply(op: str, left: Any, right: Any) -> Any:
    """One arithmetic step; works on floats and on numpy arrays alike."""
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    return left / right


def evaluate(node: Formula, facts: Mapping[str, Any]) -> float | None:
    """The formula's value for one profile; None when a fact it reads is missing or a divisor is 0."""
    if isinstance(node, Num):
        return float(node.value)
    if isinstance(node, Fact):
        value = facts.get(node.name)
        return None if value is None else float(value)
    if isinstance(node, Arith):
        left, right = evaluate(node.left, facts), evaluate(node.right, facts)
        if left is None or right is None or (node.op == "/" and right == 0):
            return None
        return apply(node.op, left, right)
    args = [evaluate(a, facts) for a in node.args]
    if any(a is None for a in args):
        return None
    if node.name == "band":
        x, low, high = args
        return max(0.0, min(x, high) - low)
    result = args[0]
    for arg in args[1:]:
        result = min(result, arg) if node.name == "min" else max(result, arg)
    return result


HALF_CENT_SLACK = 1e-6  # in cents: 1001.065 is 100106.49999999999 cents in binary floating point


def cents(value: float) -> float:
    """Rounded half up to whole cents, by the same float steps numpy's `cents_array` takes."""
    return math.floor(value * 100 + 0.5 + HALF_CENT_SLACK) / 100


def describe(node: Formula) -> str:
    """A bound formula written back in the formula language (for reports)."""
    if isinstance(node, Num):
        return f"{node.value:g}" if isinstance(node.value, float) else str(node.value)
    if isinstance(node, (Fact, Param)):
        return node.name
    if isinstance(node, Call):
        return f"{node.name}({', '.join(describe(a) for a in node.args)})"
    left, right = describe(node.left), describe(node.right)
    if isinstance(node.right, Arith) and (node.op in "-*/" or node.right.op in "+-"):
        right = f"({right})"
    if isinstance(node.left, Arith) and node.op in "*/" and node.left.op in "+-":
        left = f"({left})"
    return f"{left} {node.op} {right}"
