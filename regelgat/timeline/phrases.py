"""A timeline's sentences kept as their parts until they are shown, so one simulation reads in Dutch or English.

A week's cause ("withdrawn from the first day of the suspension (2025-03-17) ...") joins an
interface string, dates and the rules' own words (a procedure step's text, a criterion as bound
on the date). Composed as English strings at simulation time they could only be shown in English;
kept as a `Phrase`, `Wording` puts them into either language at the end: interface strings from
the shared gettext catalog, the rules' words from rulesets/nl/*.po.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from regelgat.i18n import translations
from regelgat.rules.compiled import BoundRule
from regelgat.rules.procedure import ProcedureStep
from regelgat.rules.translations import RulesetTexts


@dataclass(frozen=True)
class Phrase:
    """An interface string (marked N_ where it is made) and the values of its {placeholders}."""

    template: str
    parts: tuple[tuple[str, Any], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.template)


@dataclass(frozen=True)
class Joined:
    """Several phrases or rule texts shown one after the other."""

    separator: str
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Word:
    """One interface word (an outcome, a need) translated where it is shown."""

    text: str


def say(template: str, **parts: Any) -> Phrase:
    return Phrase(template, tuple(parts.items()))


EMPTY = Phrase("")


@dataclass(frozen=True)
class Wording:
    """The language a timeline is shown in: interface strings and the rules' own texts."""

    lang: str
    texts: RulesetTexts

    def __call__(self, value: Any) -> str:
        if isinstance(value, Phrase):
            return self.ui(value.template).format(**{k: self(v) for k, v in value.parts}) if value else ""
        if isinstance(value, Joined):
            return value.separator.join(self(item) for item in value.items)
        if isinstance(value, Word):
            return self.ui(value.text)
        if isinstance(value, ProcedureStep):
            return self.texts(value.text)
        if isinstance(value, BoundRule):
            return self.texts.rule(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float):
            return f"{value:.0%}"
        return str(value)

    def ui(self, text: str) -> str:
        """An interface string in this language (English is the msgid itself)."""
        return translations(self.lang).gettext(text)

    def flag(self, flag: str) -> str:
        """`step_id: why unconfirmed` with the why in this language, the id kept."""
        name, _, why = flag.partition(": ")
        return f"{name}: {self.texts(why)}" if why else self.texts(flag)
