"""Dutch for the rulesets' own texts: one gettext catalog per ruleset, rulesets/nl/<ruleset id>.po.

A ruleset is written in English; its catalog maps each English text (a provision title, a
criterion's plain words, an effect, an unconfirmed assumption, a source's title) to Dutch. Keying by the English
words means an edited text shows up as untranslated, which `regelgat lint` reports, instead of
keeping a Dutch text that no longer says the same. {placeholders} are filled after translation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_decimal

from regelgat.i18n import translations
from regelgat.rules.compiled import STALE, STALE_PATTERN, BoundRule, CompiledRules
from regelgat.rules.ruleset import Ruleset

LANGUAGE_DIRS = {"nl": "nl"}
_FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def catalog_path(ruleset: Ruleset, lang: str = "nl") -> Path:
    return ruleset.path.parent / LANGUAGE_DIRS[lang] / f"{ruleset.id}.po"


def texts_to_translate(ruleset: Ruleset) -> list[tuple[str, str]]:
    """(English text, where it is used) for every text of a ruleset that a user may read: titles,
    criteria, effects, procedure steps, the assumptions behind them and the titles of their sources
    (a Dutch reader is told "(secundaire bron)", not "(secondary source)"; the URL stays)."""
    spec = ruleset.spec
    out = [(spec.title, "ruleset title")]
    for provision in spec.provisions:
        out.append((provision.title, f"{provision.id}: title"))
        if provision.waiting_time:
            out.append((_plain(provision.waiting_time), f"{provision.id}: waiting time"))
        for rule in (*provision.criteria, *provision.exclusions, *provision.requires):
            out.append((_plain(rule.text), f"{provision.id}/{rule.id}: text"))
            out.append((_plain(rule.source.title), f"{provision.id}/{rule.id}: source title"))
            if rule.assumption:
                out.append((_plain(rule.assumption), f"{provision.id}/{rule.id}: assumption"))
        for step in provision.procedure:  # shown week by week in a timeline
            out.append((_plain(step.text), f"{provision.id}/{step.id}: procedure text"))
            out.append((_plain(step.source.title), f"{provision.id}/{step.id}: source title"))
            if step.assumption:
                out.append((_plain(step.assumption), f"{provision.id}/{step.id}: assumption"))
    for effect in spec.effects:
        out.append((_plain(effect.text), f"effect {effect.id}: text"))
        out.append((_plain(effect.source.title), f"effect {effect.id}: source title"))
        if effect.assumption:
            out.append((_plain(effect.assumption), f"effect {effect.id}: assumption"))
    for amount in spec.amounts:
        out.append((_plain(amount.text), f"amount {amount.id}: text"))
        out.append((_plain(amount.source.title), f"amount {amount.id}: source title"))
        out += [(_plain(case.assumption), f"amount {amount.id}: assumption") for case in amount.cases if case.assumption]
    for name, parameter in spec.parameters.items():
        for start, value in parameter.values.items():
            if value.assumption:
                out.append((_plain(value.assumption), f"parameter {name} from {start}: assumption"))
    return list({text: (text, where) for text, where in out}.values())


def _plain(text: str) -> str:
    return " ".join(text.split())


@dataclass
class RulesetTexts:
    """The Dutch (or English) words of the loaded rulesets, with English where Dutch is missing."""

    lang: str
    messages: dict[str, str] = field(default_factory=dict)

    def __call__(self, text: str) -> str:
        return self.messages.get(_plain(text), text) if self.lang != "en" else text

    def rule(self, bound: BoundRule) -> str:
        """A bound rule's text in this language, with its parameter values filled in."""
        if self.lang == "en":
            return bound.text
        values = dict(bound.parameters)
        return _PLACEHOLDER.sub(lambda m: _number(values[m[1]], self.lang) if m[1] in values else m[0],
                                self(bound.rule.text))

    def amount(self, bound) -> str:
        """A bound amount's text (what it is) in this language, with its parameter values filled in."""
        if self.lang == "en":
            return bound.text
        values = dict(bound.parameters)
        return _PLACEHOLDER.sub(lambda m: _number(values[m[1]], self.lang) if m[1] in values else m[0],
                                self(bound.spec.text))

    def cited(self, source: str) -> str:
        """`title <url>`, as a Source prints, with the title in this language and the URL kept."""
        title, sep, url = source.rpartition(" <")
        return f"{self(title)}{sep}{url}" if sep else self(source)

    def flag(self, flag: str) -> str:
        """An assumption flag (`name: why it is unconfirmed`) as its words alone, translated."""
        words = flag.split(": ", 1)[-1]
        stale = STALE_PATTERN.match(words)
        if stale and self.lang != "en":  # made by regelgat, not by a ruleset: its words are in the app's catalog
            return translations(self.lang).gettext(STALE).format(**stale.groupdict())
        return self(words)


def _number(value: float, lang: str) -> str:
    """As money() writes it, in the reader's notation: 1.401,50 (cents only when there are any)."""
    pattern = "#,##0" if value == int(value) else "#,##0.00"
    return format_decimal(value, format=pattern, locale={"nl": "nl_NL"}.get(lang, "en_GB"))


def load_texts(rulesets: list[Ruleset], lang: str) -> RulesetTexts:
    texts = RulesetTexts(lang)
    if lang == "en":
        return texts
    for ruleset in rulesets:
        path = catalog_path(ruleset, lang)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle)
            texts.messages.update({m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy})
    return texts


def missing_translations(ruleset: Ruleset, lang: str = "nl") -> list[str]:
    """Lint lines for every text of a ruleset without a translation, or with wrong {placeholders}."""
    path = catalog_path(ruleset, lang)
    if not path.is_file():
        return [f"{path}: missing ({len(texts_to_translate(ruleset))} texts to translate; "
                f"create it with `regelgat lint --write-catalogs`)"]
    with path.open("rb") as handle:
        catalog = read_po(handle)
    out = []
    for text, where in texts_to_translate(ruleset):
        message = catalog.get(text)
        if message is None or not message.string or message.fuzzy:
            out.append(f"{path}: {where}: no Dutch text (add a msgstr for {text[:50]!r})")
        elif set(_PLACEHOLDER.findall(text)) != set(_PLACEHOLDER.findall(message.string)):
            out.append(f"{path}: {where}: the Dutch text must use the same {{placeholders}} as the English")
    return out


def write_catalog(ruleset: Ruleset, lang: str = "nl") -> Path:
    """Create or update a ruleset's catalog: keep existing translations, add new texts empty."""
    path = catalog_path(ruleset, lang)
    old = Catalog()
    if path.is_file():
        with path.open("rb") as handle:
            old = read_po(handle)
    catalog = Catalog(locale=lang, project="regelgat ruleset", version=ruleset.id, fuzzy=False,
                      header_comment=f"# Dutch for the texts of rulesets/{ruleset.id}.yaml, keyed by their English words.\n"
                                     "# After editing the ruleset: regelgat lint --write-catalogs, then fill each empty msgstr.",
                      msgid_bugs_address="-", last_translator="-", language_team="-",
                      creation_date=_FIXED, revision_date=_FIXED)  # same texts, same bytes
    for text, where in texts_to_translate(ruleset):
        previous = old.get(text)
        catalog.add(text, previous.string if previous else "", auto_comments=[where])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False)
    return path


def bound_texts(compiled: CompiledRules, lang: str) -> dict[str, str]:
    """Each English text a batch summary carries (titles, rules as bound on the date, effects) -> `lang`.

    A summary keeps English, so its figures stay one contract; its reports look their words up here.
    """
    if lang == "en":
        return {}
    texts = load_texts(compiled.rulesets, lang)
    out = {ruleset.spec.title: texts(ruleset.spec.title) for ruleset in compiled.rulesets}
    bound = [rule for p in compiled.provisions for rule in (*p.criteria, *p.exclusions, *p.requires, *p.risks)]
    for provision in compiled.provisions:
        out[provision.spec.title] = texts(provision.spec.title)
    for rule in (*bound, *compiled.effects):
        english = rule.text or rule.rule.text
        out[english] = out[_plain(english)] = texts.rule(rule)
        title = rule.rule.source.title  # a report cites each rule's source by its title
        out[title] = out[_plain(title)] = texts(title)
    return out
