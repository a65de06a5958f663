"""Read YAML/JSON data files and turn every validation problem into one line with a place.

Profiles, rulesets, scenarios and case files are all data. This module is the single door
through which they come in: safe YAML loading, pydantic validation, and errors that point at
the line and the key a person has to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from regelgat.io.errors import InputError, did_you_mean

Model = TypeVar("Model", bound=BaseModel)
Locate = Callable[[tuple], str]


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: 10x faster


class _UniqueKeyLoader(_SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:  # such as 2025-13-01: name the line instead of crashing
            raise yaml.constructor.ConstructorError(
                None, None, f"impossible date {node.value!r}: {exc}", node.start_mark) from None


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _UniqueKeyLoader.construct_yaml_timestamp)


def read(path: Path | str) -> tuple[Any, Locate]:
    """Parse a YAML or JSON file (JSON is YAML); return the data and a locator for error places."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "", "file not found", "check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), "", f"cannot read the file: {exc}", "give a UTF-8 YAML or JSON file") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if problem.startswith("impossible date"):
            raise InputError(str(path), place, problem, "write a real date as YYYY-MM-DD") from None
        raise InputError(str(path), place, f"not valid YAML: {problem}",
                         "check indentation, colons and quotes") from None
    nodes: list = []

    def locate(loc: tuple) -> str:
        # Line numbers are only needed to report an error, so the node tree is built on demand.
        if not nodes:
            nodes.append(yaml.compose(text, Loader=_SafeLoader))
        return _line_of(nodes[0], loc)

    return data, locate


def _line_of(node: Any, loc: tuple) -> str:
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if str(k.value) == str(key)), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return f"line {line}" if line else ""


def place(loc: tuple, data: Any = None) -> str:
    """A readable place: `provisions[2] (algemene_bijstand).criteria[0] (age).condition`."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node):
                node = node[key]
                if isinstance(node, dict) and "id" in node:
                    label += f" ({node['id']})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def validate(model: type[Model], data: Any, path: Path | str, locate: Locate) -> Model:
    """Validate data against a pydantic model; the first problem becomes an InputError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # A misspelled field also shows up as "missing"; naming the misspelling is the better fix.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        error = errors[0]
        loc = tuple(error["loc"])
        raise InputError(str(path), where(loc, data, locate), *_explain(error, model)) from None


def where(loc: tuple, data: Any, locate: Locate) -> str:
    """`line 12: provisions[0] (algemene_bijstand).criteria[1] (age)`, as far as it is known."""
    described, line = place(loc, data), locate(loc)
    return f"{line}: {described}" if line and described else described or line


def _explain(error: dict, model: type[BaseModel]) -> tuple[str, str]:
    kind, loc = error["type"], error["loc"]
    field = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        names = list(owner.model_fields) if owner else []
        hint = did_you_mean(field, names)
        return f"unknown field {field!r}", hint or (f"allowed: {', '.join(names)}" if names else "remove it")
    if kind == "missing":
        return f"required field {field!r} is missing", f"add {field}:"
    if kind == "model_type" or kind == "dict_type":
        return "expected a mapping of field: value", "check the indentation"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        hint = did_you_mean(str(error.get("input")), [e.strip(" '") for e in expected.replace(" or ", ",").split(",")])
        return f"{error.get('input')!r} is not allowed", hint or f"use one of {expected}"
    message = error["msg"]
    return f"{message} (got {error.get('input')!r})", _fix_for(kind, error)


def _fix_for(kind: str, error: dict) -> str:
    ctx = error.get("ctx", {})
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return "give a value in the allowed range"
    if kind in ("int_type", "int_parsing", "float_type", "float_parsing"):
        return "write a plain number without quotes"
    if kind in ("bool_type", "bool_parsing"):
        return "write true or false"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return "write a date as YYYY-MM-DD"
    if kind.startswith("string"):
        return "write text"
    if kind == "value_error":
        return str(ctx.get("error", "")).split(" (")[-1].rstrip(")") if "(" in str(ctx.get("error", "")) else ""
    return ""


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The nested pydantic model that a location points into (for 'did you mean')."""
    import typing

    current: Any = model
    for key in loc:
        if isinstance(key, int) or current is None:
            continue
        field = current.model_fields.get(str(key)) if isinstance(current, type) and issubclass(current, BaseModel) else None
        if field is None:
            return None
        current = _inner_model(field.annotation, typing)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any, typing: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, typing)
        if found is not None:
            return found
    return None
