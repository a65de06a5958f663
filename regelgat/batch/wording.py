"""How the batch reports word things, in Dutch or English, so a refusal never reads as its opposite.

A criterion's text says what must hold ("Your net income is below the norm"), an exclusion's what
shuts the door ("You have problematic debts"); printed bare after "ineligible", the first reads
as if it were the reason for refusing. Field and group names are snake_case in data, words on paper.
The summary keeps the rules' English texts; `Words` carries their Dutch (from the rulesets'
catalogs) and the interface strings (from the shared gettext catalog), so a report made again from
summary.json reads the same as the one written by the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from babel.numbers import format_decimal

from regelgat.batch.summary_model import Reason, Summary
from regelgat.i18n import N_, translations

# Needs and the usual group names, marked for the catalog; a scenario's own names fall back to words().
NAMES = (N_("housing"), N_("income"), N_("care"), N_("debt help"), N_("age band"), N_("income band"),
         N_("housing"), N_("relationship"), N_("registered address"), N_("parents can support"),
         N_("age"),
         # values that scenarios group by
         N_("own rental"), N_("owner occupied"), N_("with parents"), N_("sofa surfing"), N_("street"),
         N_("unsuitable"), N_("institution"), N_("shelter"), N_("single"), N_("married"), N_("registered partner"),
         N_("cohabiting"), N_("separated"), N_("divorced"), N_("widowed"), N_("home"), N_("postal"),
         N_("none"), N_("True"), N_("False"),
         # kinds of rule
         N_("statute"), N_("local policy"), N_("practice"))


@dataclass(frozen=True)
class Words:
    """The language of one report: interface strings, the rules' own texts, numbers and shares."""

    lang: str = "en"
    rules: Mapping[str, str] = field(default_factory=dict)  # English text of a rule or title -> this language

    def __call__(self, text: str) -> str:
        """An interface string in this language (English is the msgid itself)."""
        return translations(self.lang).gettext(text)

    def rule(self, text: str) -> str:
        """A ruleset's own text (a title, a criterion as bound on the date) in this language."""
        return self.rules.get(text, text)

    def name(self, name: str) -> str:
        """`age_band` -> `age band` (leeftijdsgroep in Dutch), `debt_help` -> `debt help`."""
        return self(words(name))

    def label(self, label: str) -> str:
        """A group label: the scenario's own Dutch, else a bound made by regelgat, else the words of a value."""
        if label in self.rules:
            return self.rules[label]
        for pattern, text in _BOUNDS:
            match = pattern.fullmatch(label)
            if match:
                return self(text).format(*match.groups())
        return self.name(label)

    def num(self, count: int) -> str:
        """A count with thousands separators: 12,345 in English, 12.345 in Dutch."""
        return f"{count:,}" if self.lang == "en" else format_decimal(count, format="#,##0", locale="nl_NL")

    def pct(self, share: float) -> str:
        """A share as a percentage with one decimal: 12.5% in English, 12,5% in Dutch."""
        text = f"{share * 100:.1f}%"
        return text if self.lang == "en" else text.replace(".", ",")


ENGLISH = Words()
# The labels population.scenario makes for number bands without labels of their own.
_BOUNDS = ((re.compile(r"under (\S+)"), N_("under {0}")), (re.compile(r"(\S+) to (\S+)"), N_("{0} to {1}")))


def words(name: str) -> str:
    """`age_band` -> `age band`, `debt_help` -> `debt help`."""
    return name.replace("_", " ")


def refusal(deciding: Reason, titles: dict[str, str], w: Words = ENGLISH) -> str:
    """One deciding reason of a shut door as a sentence about this person."""
    if deciding.waits_for:
        waits = w(" or ").join(w.rule(titles.get(key, key)) for key in deciding.waits_for.split(" or "))
        return w("waits for {waits}, which this person cannot get").format(waits=waits)
    if deciding.group == "exclusion":
        return w("shut because this applies to this person: “{text}”").format(text=w.rule(deciding.text))
    return w("requires “{text}”, which this person does not meet").format(text=w.rule(deciding.text))


def provision_titles(summary: Summary) -> dict[str, str]:
    """Provision key -> title, to name what a blocked door waits for."""
    return {p.provision: p.title for p in summary.provisions}
