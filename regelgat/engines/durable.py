"""The durable_rules engine, and the only module that touches it.

durable_rules 2.0.28 is unmaintained and crashes on some uses, so regelgat drives its C
extension directly, with the fixes measured in ../shared/reference/durable-rules-notes.md:

- No `durable.lang`/`Host`: its timer threads use freed memory when sessions are deleted out
  of order. One ruleset handle per ruleset, one session (sid) at a time.
- A catch-all rule in every handle, because `delete_state` on a session where no rule fired
  frees uninitialised memory.
- A guard on the profile-id field in every rule, because a negative pattern also matches the
  engine's own session record and loops forever.
- Facts go in as integers and plainly written decimals: booleans as 1/0 (the engine matches
  `== false` against 0), and no exponent notation (its JSON parser rejects `1e-05`).

Each atom compiles to two rules, one on the condition and one on its negation, so exactly one
of PASS, FAIL or UNKNOWN (neither fired: a fact is missing) comes back per atom.
"""

from __future__ import annotations

import json
import math
from itertools import count
from typing import Any, Mapping

import durable_rules_engine as _engine

from regelgat.io.errors import EngineFault
from regelgat.rules.amounts import add_amounts
from regelgat.rules.compiled import CompiledRules
from regelgat.rules.expressions import And, Compare, Member, Node, negate

_GUARD = {"$ex": {"regelgat_pid": 1}}
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_handle_names = count()


def _literal(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _dumps(value: Any) -> str:
    """JSON for the engine's C parser: booleans as 1/0, decimals never in exponent notation."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"durable_rules cannot compare with {value}")
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    if isinstance(value, (int, str)) or value is None:
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dumps(v)}" for k, v in value.items()) + "}"
    return "[" + ",".join(_dumps(v) for v in value) + "]"


def _pattern(node: Node) -> dict:
    """A condition in durable_rules' JSON pattern language."""
    if isinstance(node, Compare):
        value = _literal(node.value)
        if node.op == "==":
            return {node.fact: value}
        return {_OPS[node.op]: {node.fact: value}}
    if isinstance(node, Member):
        if node.negated:
            return {"$and": [{"$neq": {node.fact: _literal(v)}} for v in node.values]}
        return {"$or": [{node.fact: _literal(v)} for v in node.values]}
    key = "$and" if isinstance(node, And) else "$or"
    return {key: [_pattern(item) for item in node.items]}


def _rule(node: Node) -> dict:
    return {"all": [{"m": {"$and": [_GUARD, _pattern(node)]}}]}


class DurableEngine:
    """Decides every atom of a CompiledRules for one profile at a time."""

    def __init__(self, compiled: CompiledRules) -> None:
        self.atom_count = len(compiled.atoms)
        self.compiled = compiled
        self._handles: list[int] = []
        for ruleset_id, indices in sorted(compiled.atom_rulesets().items()):
            rules = {"catch_all": {"all": [{"m": _GUARD}]}}
            for index in indices:
                rules[f"p{index}"] = _rule(compiled.atoms[index])
                rules[f"f{index}"] = _rule(negate(compiled.atoms[index]))
            name = f"{ruleset_id}-{next(_handle_names)}"
            self._handles.append(_engine.create_ruleset(name, _dumps(rules)))

    def evaluate(self, facts: Mapping[str, Any]) -> list[bool | None]:
        """Per atom: True (the condition fired), False (its negation fired) or None (neither).

        The amounts are computed first (durable_rules has no arithmetic over facts) and asserted
        with the other facts, since conditions may read them."""
        fact = dict(add_amounts(self.compiled, facts), sid="regelgat", regelgat_pid=1)
        fact.pop("id", None)
        message = _dumps(fact)
        results: list[bool | None] = [None] * self.atom_count
        for handle in self._handles:
            for name in self._fired(handle, message):
                if name == "catch_all":
                    continue
                index, passed = int(name[1:]), name[0] == "p"
                if results[index] is not None and results[index] != passed:
                    raise EngineFault(f"atom {index} fired on both sides")
                results[index] = passed
        return results

    @staticmethod
    def _fired(handle: int, message: str) -> list[str]:
        fired = []
        try:
            _, state_offset = _engine.assert_fact(handle, message)
            result = _engine.start_action_for_state(handle, state_offset)
            action = result and result[1]
            while action:
                fired.append(action[2:action.index('"', 2)])
                action = _engine.complete_and_start_action(handle, state_offset)
        finally:
            _engine.delete_state(handle, "regelgat")
        return fired

    def close(self) -> None:
        """Delete the engine's rulesets from durable_rules, so that its memory is freed."""
        for handle in self._handles:
            _engine.delete_ruleset(handle)
        self._handles = []

    def __enter__(self) -> "DurableEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
