"""Read YAML/JSON data files and turn every validation problem into one line with a place.

Profiles, rulesets, scenarios and case files are all data. This module is the single door
through which they come in: safe YAML loading, pydantic validation, and errors that point at
the line and the key a person has to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from regelgat.io.errors import InputError, InputErrors, clip, did_you_mean
from regelgat.io.paths import os_error
from regelgat.io.limits import MAX_ERRORS_SHOWN, MAX_FILE_BYTES

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
# YAML 1.1 reads yes/no/on/off as booleans; the formats document true/false only (as YAML 1.2 does), so
# `self_reliant: yes` stays text and is refused with a fix instead of silently meaning true.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def read(path: Path | str) -> tuple[Any, Locate]:
    """Parse a YAML or JSON file (JSON is YAML); return the data and a locator for error places."""
    path = Path(path)
    text = read_text(path, "give a UTF-8 YAML or JSON file")
    loader = _UniqueKeyLoader(text)
    try:
        # One pass of libyaml builds the node tree; the data is constructed from it, and the same tree
        # gives line numbers when there is an error to report (a large file is never parsed twice).
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if problem.startswith("impossible date"):
            raise InputError(str(path), place, problem, "write a real date as YYYY-MM-DD") from None
        raise InputError(str(path), place, f"not valid YAML: {problem}",
                         "check indentation, colons and quotes") from None
    finally:
        loader.dispose()

    def locate(loc: tuple) -> str:
        return _line_of(node, loc)

    return data, locate


def read_text(path: Path, fix: str, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's text, refusing folders, devices and files over the size limit before reading."""
    try:
        return read_bytes(path, fix, limit).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"byte {exc.start + 1}", "not UTF-8 text", fix) from None


def read_bytes(path: Path, fix: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes: never a folder, a device (/dev/zero) or a pipe, never more than the limit."""
    try:
        if path.is_dir():
            raise InputError(str(path), "", "is a folder, not a file", fix)
        if not path.exists():
            raise InputError(str(path), "", "file not found", "check the path")
        if not path.is_file():
            raise InputError(str(path), "", "not a regular file (a device, pipe or socket)", fix)
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise os_error(exc) from None
    if len(data) > limit:
        raise InputError(str(path), "", f"the file is larger than the limit of {limit // 2**20} MB",
                         "split it, or check that this is the file you meant (limits: docs/limits.md)")
    return data


def _line_of(node: Any, loc: tuple) -> str:
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if str(k.value) == str(key)
                          or repr(_date_of(k.value)) == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return f"line {line}" if line else ""


def _data_key(node: Any, key: Any) -> Any:
    """The key of the data that pydantic names in an error: it spells a date key as its repr()."""
    if isinstance(node, dict) and key not in node:
        return next((k for k in node if repr(k) == key), key)
    return key


def _date_of(text: str) -> Any:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


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
            key = _data_key(node, key)
            parts.append(("." if parts else "") + str(key)[:60])
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def validate(model: type[Model], data: Any, path: Path | str, locate: Locate) -> Model:
    """Validate data against a pydantic model; every problem (up to a limit) becomes one line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = _worth_reporting(exc.errors(), model)
        problems: dict[str, InputError] = {}
        for error in errors:
            problem = InputError(str(path), where(tuple(error["loc"]), data, locate), *_explain(error, model))
            problems.setdefault(problem.place, problem)  # a union reports one place once per member type
            if len(problems) == MAX_ERRORS_SHOWN:
                break
        ordered = sorted(problems.values(), key=lambda p: _line_number(p.place))
        if len(ordered) == 1:
            raise ordered[0] from None
        raise InputErrors(ordered, max(len(ordered), len({tuple(e["loc"]) for e in errors}))) from None


def _worth_reporting(errors: list[dict], model: type[BaseModel]) -> list[dict]:
    """Drop 'field X is missing' when an unknown field beside it is a misspelling of X: one mistake, one line."""
    misspelt = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            owner = _model_at(model, error["loc"][:-1])
            close = difflib.get_close_matches(str(error["loc"][-1]), list(owner.model_fields) if owner else [],
                                              n=1, cutoff=0.6)
            misspelt |= {(*error["loc"][:-1], name) for name in close}
    return [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"]) in misspelt)]


def _line_number(place: str) -> int:
    match = re.match(r"line (\d+)", place)
    return int(match.group(1)) if match else 0


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
        return f"unknown field {clip(field)}", hint or (f"allowed: {', '.join(names)}" if names else "remove it")
    if kind == "missing":
        return f"required field {clip(field)} is missing", f"add {field}:"
    if kind == "model_type" or kind == "dict_type":
        return "expected a mapping of field: value", "check the indentation"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        hint = did_you_mean(str(error.get("input")), [e.strip(" '") for e in expected.replace(" or ", ",").split(",")])
        return f"{clip(error.get('input'))} is not allowed", hint or f"use one of {expected}"
    message = error["msg"]
    got = error.get("input")
    message = message.removeprefix("Value error, ")
    shown = "" if isinstance(got, (dict, list)) else f" (got {clip(got)})"  # a whole mapping is noise on one line
    if kind == "value_error" and message.endswith(")") and " (" in message:
        message, fix = message.rsplit(" (", 1)  # a validator's "problem (fix)": the fix goes last, once
        return f"{message}{shown}", fix[:-1]
    return f"{message}{shown}", _fix_for(kind, error)


def _fix_for(kind: str, error: dict) -> str:
    ctx = error.get("ctx", {})
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return "give a value in the allowed range"
    if kind in ("int_type", "int_parsing", "float_type", "float_parsing"):
        return "write a plain number without quotes"
    if kind in ("bool_type", "bool_parsing"):
        return "write true or false, not yes or no"
    if kind == "finite_number":
        return "write the amount as a plain number, not .nan or .inf"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return "write a date as YYYY-MM-DD"
    if kind in ("string_too_long", "too_long"):
        return "shorten it (the limits are in docs/limits.md)"
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
