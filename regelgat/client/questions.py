"""The question that decides each fact a profile may leave out, in English and Dutch.

The texts are data (questions.yaml beside this module), not strings in code: a verdict that
needs a missing fact is undetermined and names its question, and a verdict resting on an assumed
default says which.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

_FILE = Path(__file__).with_name("questions.yaml")


@lru_cache(maxsize=1)
def _data() -> dict:
    with open(_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def field_of(fact: str) -> str:
    """The profile field a fact is asked through: itself, or the field a derived fact comes from."""
    return _data()["derived"].get(fact, fact)


def question(field: str, lang: str = "en") -> str:
    """The question that decides a profile field, in `lang` (en or nl); the field name if none is written."""
    texts = _data()["questions"].get(field)
    return texts.get(lang, texts["en"]) if texts else field


def assumed_text(field: str, lang: str = "en") -> str:
    """What a verdict resting on an assumed default says: `not in detention`."""
    texts = _data()["assumed"][field]
    return texts.get(lang, texts["en"])


def asked_fields() -> tuple[str, ...]:
    """Every profile field with a written question."""
    return tuple(_data()["questions"])
