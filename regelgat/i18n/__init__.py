"""Dutch and English for every interface string a user reads (the web page, `check`'s story, the
batch reports): one gettext catalog (Babel), extracted from the whole package.

English is the source language, so an English request reads the msgids themselves; Dutch reads
locale/nl/LC_MESSAGES/messages.mo, compiled from the committed .po (pybabel compile). Dutch legal
terms (bijstand, zelfredzaam, urgentieverklaring) stay Dutch in both languages.
"""

from __future__ import annotations

import os
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"  # the social workers this is for work in Dutch


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], domain="messages")


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """An explicit ?lang= wins; else the first language the browser accepts that we have."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def language_from_locale() -> str:
    """nl when the user's locale is Dutch (LC_ALL, LC_MESSAGES, LANG), else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return value[:2].lower() if value[:2].lower() in LANGUAGES else "en"
    return "en"


def money(value: float | None, lang: str) -> str:
    """EUR 1,401.50 (en) or € 1.401,50 (nl); an unknown amount as a dash."""
    if value is None:
        return "–"
    text = f"{value:,.2f}"
    return "€ " + text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "nl" else f"EUR {text}"
