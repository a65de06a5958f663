"""A small, safe condition language: parsed, type-checked and folded, never eval'd.

A condition compares one fact with a constant. The constant may be arithmetic over numbers
and dated parameters, folded to a number once the rules date is known. Conditions are kept in
negation normal form when bound, so that "why not" is the same machinery as "why": the
negation of a condition is another condition, which the engine can fire on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Union

import math

from regelgat.io.errors import ExpressionError, did_you_mean
from regelgat.io.limits import MAX_CONDITION_CHARS, MAX_CONDITION_DEPTH, MAX_NUMBER
from regelgat.client.facts import FactType


# ---- syntax tree -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Bool:
    value: bool


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class Arith:
    op: str
    left: "Value"
    right: "Value"


Value = Union[Num, Str, Bool, Param, Arith]


@dataclass(frozen=True)
class Compare:
    """`fact OP value`; after binding, `value` is a plain Python constant."""

    fact: str
    op: str
    value: Any


@dataclass(frozen=True)
class Member:
    fact: str
    values: tuple
    negated: bool = False


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: Any


Node = Union[Compare, Member, And, Or, Not]

# ---- parsing -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?)
  | (?P<str>"[^"\\]*"|'[^'\\]*')
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,|\+|-|\*|/)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  )""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_COMPARE_OPS = {"==", "!=", "<", "<=", ">", ">="}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split a condition or a formula into (kind, text) tokens; both languages share one lexer."""
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].strip()[:1]!r} at position {pos + 1}",
                                  "use names, numbers, \"text\", ==, !=, <, <=, >, >=, in, and, or, not")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = value
        tokens.append((kind, value))
        pos = match.end()
    tokens.append(("end", ""))
    return tokens


def number_literal(text: str, where: str) -> Num:
    """A number token as a Num, refused above MAX_NUMBER so no later arithmetic can overflow."""
    number = float(text) if "." in text else int(text)
    if number > MAX_NUMBER:
        raise ExpressionError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is too large",
                              f"numbers in {where} go up to {MAX_NUMBER:,.0f}")
    return Num(number)


class _Parser:
    def __init__(self, text: str, facts: Mapping[str, FactType], parameters: Mapping[str, Any]):
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0  # nesting so far: parsing, binding and evaluation all recurse this deep
        self.facts, self.parameters = facts, parameters

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_CONDITION_DEPTH:
            raise ExpressionError(f"the condition nests more than {MAX_CONDITION_DEPTH} levels deep",
                                  "write it flatter: join conditions with 'and'/'or' instead of nesting")

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self, kind: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.pos]
        if kind and token[0] != kind and token[1] != kind:
            found = token[1] or "the end"
            raise ExpressionError(f"expected {kind!r} but found {found!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_()
        if self.peek()[0] != "end":
            raise ExpressionError(f"unexpected {self.peek()[1]!r} after a complete condition",
                                  "join conditions with 'and' or 'or'")
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.peek()[0] == "or":
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.peek()[0] == "and":
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_(self) -> Node:
        if self.peek()[0] == "not":
            self.take()
            self.deeper()
            node = Not(self.not_())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        kind, text = self.peek()
        if text == "(":
            self.take()
            self.deeper()
            node = self.or_()
            self.take(")")
            self.depth -= 1
            return node
        if kind != "name":
            raise ExpressionError(f"a condition must start with a fact name, found {text or 'the end'!r}")
        name = self.take()[1]
        fact = self.fact(name)
        kind, text = self.peek()
        if kind == "op" and text in _COMPARE_OPS:
            self.take()
            return self.typed_compare(name, fact, text, self.value())
        if kind == "in" or (kind == "not" and self.tokens[self.pos + 1][0] == "in"):
            negated = self.take()[0] == "not"
            if negated:
                self.take("in")
            return self.typed_member(name, fact, self.literal_list(), negated)
        if fact.kind != "bool":
            raise ExpressionError(f"{name} is a {fact.kind}, not a yes/no fact",
                                  f"compare it, e.g. {name} == ...")
        return Compare(name, "==", Bool(True))

    def fact(self, name: str) -> FactType:
        if name in self.facts:
            return self.facts[name]
        if name in self.parameters:
            raise ExpressionError(f"{name} is a parameter; the left side must be a fact",
                                  f"write the fact first, e.g. income_net_monthly < {name}")
        hint = did_you_mean(name, list(self.facts) + list(self.parameters))
        raise ExpressionError(f"unknown fact {name!r}", hint or "run 'regelgat facts' to list the facts")

    # values: constant arithmetic over numbers and parameters
    def value(self) -> Value:
        return self.chain(("+", "-"), self.term)

    def term(self) -> Value:
        return self.chain(("*", "/"), self.factor)

    def chain(self, ops: tuple[str, ...], operand) -> Value:
        """`a + b - c`: a left-deep tree, one level deeper per operator."""
        start = self.depth
        left = operand()
        while self.peek()[1] in ops:
            op = self.take()[1]
            self.deeper()
            left = _checked(Arith(op, left, operand()))
        self.depth = start
        return left

    def factor(self) -> Value:
        kind, text = self.take()
        if kind == "num":
            return number_literal(text, "conditions")
        if kind == "str":
            return Str(text[1:-1])
        if kind in ("true", "false"):
            return Bool(kind == "true")
        if text in ("-", "("):
            self.deeper()
            inner = _checked(Arith("-", Num(0), self.factor())) if text == "-" else self.value()
            if text == "(":
                self.take(")")
            self.depth -= 1
            return inner
        if kind == "name":
            if text in self.parameters:
                return Param(text)
            if text in self.facts:
                raise ExpressionError(f"{text} is a fact; the right side must be a constant or a parameter",
                                      "compare a fact with numbers and parameters only")
            hint = did_you_mean(text, list(self.parameters) + list(self.facts))
            raise ExpressionError(f"unknown parameter {text!r}", hint or "define it under parameters:")
        raise ExpressionError(f"expected a value but found {text or 'the end'!r}")

    def literal_list(self) -> tuple:
        self.take("[")
        values = []
        while True:
            value = self.factor()
            if not isinstance(value, (Num, Str, Bool)):
                raise ExpressionError("a list may hold only literal values")
            values.append(value.value)
            if self.take()[1] == "]":
                break
        return tuple(values)

    def typed_compare(self, name: str, fact: FactType, op: str, value: Value) -> Compare:
        value_kind = _value_kind(value)
        if fact.kind == "number":
            if value_kind != "number":
                raise ExpressionError(f"{name} is a number but is compared with {value_kind}")
        elif op not in ("==", "!="):
            raise ExpressionError(f"{name} is a {fact.kind}; only == and != apply")
        elif fact.kind == "bool" and value_kind != "bool":
            raise ExpressionError(f"{name} is yes/no but is compared with {value_kind}", "use true or false")
        elif fact.kind in ("enum", "text") and not isinstance(value, Str):
            raise ExpressionError(f"{name} is text but is compared with {value_kind}", "quote the value")
        if fact.kind == "enum":
            _check_enum(name, fact, value.value)
        return Compare(name, op, value)

    def typed_member(self, name: str, fact: FactType, values: tuple, negated: bool) -> Member:
        if fact.kind == "enum":
            for item in values:
                _check_enum(name, fact, item)
        elif fact.kind == "number" and not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               for v in values):
            raise ExpressionError(f"{name} is a number; the list must hold numbers")
        elif fact.kind == "bool":
            raise ExpressionError(f"{name} is yes/no; use {name} or not {name}")
        return Member(name, values, negated)


def _value_kind(value: Value) -> str:
    if isinstance(value, Str):
        return "text"
    if isinstance(value, Bool):
        return "bool"
    return "number"


def _check_enum(name: str, fact: FactType, item: Any) -> None:
    if item not in fact.values:
        hint = did_you_mean(str(item), fact.values)
        raise ExpressionError(f"{item!r} is not a value of {name}",
                              hint or f"choose from {', '.join(fact.values)}")


def _checked(value: Arith) -> Arith:
    """Refuse arithmetic that cannot give a number (`"a" * 3`, `1 / 0`) when it is parsed, not when bound."""
    if any(isinstance(side, (Str, Bool)) for side in (value.left, value.right)):
        raise ExpressionError("arithmetic works on numbers and parameters only", "remove the quotes or true/false")
    try:
        _fold(value, {})
    except KeyError:  # it reads a parameter: checked when bound to a date
        pass
    return value


def parse(text: str, facts: Mapping[str, FactType], parameters: Mapping[str, Any]) -> Node:
    """Parse and type-check a condition; raises ExpressionError with a fix."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the condition is empty")
    if len(text) > MAX_CONDITION_CHARS:
        raise ExpressionError(f"the condition is {len(text):,} characters long, over the limit of "
                              f"{MAX_CONDITION_CHARS:,}", "split it into several criteria")
    return _Parser(text, facts, parameters).parse()


def parameters_used(node: Node) -> set[str]:
    """Names of the parameters a parsed condition reads (to flag verdicts that rest on assumptions)."""
    found: set[str] = set()

    def walk_value(value: Any) -> None:
        if isinstance(value, Param):
            found.add(value.name)
        elif isinstance(value, Arith):
            walk_value(value.left)
            walk_value(value.right)

    def walk(n: Node) -> None:
        if isinstance(n, Compare):
            walk_value(n.value)
        elif isinstance(n, (And, Or)):
            for item in n.items:
                walk(item)
        elif isinstance(n, Not):
            walk(n.item)

    walk(node)
    return found


def facts_read(node: Node) -> set[str]:
    """The facts a condition reads (parsed or bound)."""
    if isinstance(node, (Compare, Member)):
        return {node.fact}
    if isinstance(node, Not):
        return facts_read(node.item)
    return set().union(*(facts_read(item) for item in node.items))


# ---- binding: fold parameters, push negations down ---------------------------------------------

def bind(node: Node, values: Mapping[str, float], negate: bool = False) -> Node:
    """Fold parameter values into constants and return negation normal form (no Not nodes)."""
    if isinstance(node, Not):
        return bind(node.item, values, not negate)
    if isinstance(node, (And, Or)):
        items = tuple(bind(item, values, negate) for item in node.items)
        flip = isinstance(node, And) == negate
        return Or(items) if flip else And(items)
    if isinstance(node, Member):
        return Member(node.fact, node.values, node.negated != negate)
    constant = _fold(node.value, values)
    return Compare(node.fact, _NEGATE[node.op] if negate else node.op, constant)


def _fold(value: Value, values: Mapping[str, float]) -> Any:
    if isinstance(value, (Num, Str, Bool)):
        return value.value
    if isinstance(value, Param):
        return values[value.name]
    left, right = _fold(value.left, values), _fold(value.right, values)
    if value.op == "/" and right == 0:
        raise ExpressionError("division by zero", "divide by a number or parameter that is not 0")
    operations = {"+": lambda: left + right, "-": lambda: left - right,
                  "*": lambda: left * right, "/": lambda: left / right}
    result = operations[value.op]()
    if not math.isfinite(result) or abs(result) > MAX_NUMBER:
        raise ExpressionError(f"the arithmetic gives {result:.3g}, beyond the limit of {MAX_NUMBER:,.0f}",
                              "check the numbers and parameters it multiplies")
    # Rounded so that every evaluator (durable_rules, numpy, Python) compares with the same number.
    return round(result, 6)


def negate(node: Node) -> Node:
    """The negation of a bound condition, again in negation normal form."""
    if isinstance(node, Compare):
        return Compare(node.fact, _NEGATE[node.op], node.value)
    if isinstance(node, Member):
        return Member(node.fact, node.values, not node.negated)
    if isinstance(node, And):
        return Or(tuple(negate(i) for i in node.items))
    return And(tuple(negate(i) for i in node.items))


# ---- reference evaluation (three-valued, like the engine) ----------------------------------------

def evaluate(node: Node, facts: Mapping[str, Any]) -> bool | None:
    """True, False, or None when a fact it needs is missing (Kleene logic)."""
    if isinstance(node, Compare):
        if node.fact not in facts:
            return None
        left, right = facts[node.fact], node.value
        return {"==": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                ">": left > right, ">=": left >= right}[node.op]
    if isinstance(node, Member):
        if node.fact not in facts:
            return None
        return (facts[node.fact] in node.values) != node.negated
    results = [evaluate(item, facts) for item in node.items]
    if isinstance(node, And):
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


def describe(node: Node) -> str:
    """A bound condition written back in the condition language (for 'what would have to change')."""
    if isinstance(node, Compare):
        value = node.value
        if isinstance(value, bool):
            return node.fact if value == (node.op == "==") else f"not {node.fact}"
        shown = f'"{value}"' if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else value
        return f"{node.fact} {node.op} {shown}"
    if isinstance(node, Member):
        shown = ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in node.values)
        return f"{node.fact} {'not in' if node.negated else 'in'} [{shown}]"
    joiner = " and " if isinstance(node, And) else " or "
    return joiner.join(f"({describe(i)})" if isinstance(i, (And, Or)) else describe(i) for i in node.items)
