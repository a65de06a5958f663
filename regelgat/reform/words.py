"""A reform report's rule changes in the reader's language: each line of "What the reform changes in the
rules", and the same lines where an example gives its causes, with provision titles and the rules' own
words instead of ids. The JSON contract keeps the English lines with ids (the reviewer's form, as
`regelgat diff` writes them); the text, Markdown and HTML reports in Dutch read these.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from babel.numbers import format_decimal

from regelgat.batch.plain_summary import first_sentence
from regelgat.batch.wording import Words
from regelgat.i18n import N_, translations
from regelgat.reform.apply import Reform
from regelgat.rules.at_date import RulesAt
from regelgat.rules.changes import GROUP_WORD, Say, rule_changes

_KEY = r"[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*"
_CAUSE = re.compile(rf"^(gains|loses) ({_KEY})")
_RULE_CAUSE = re.compile(rf"^(gains|loses) ({_KEY}): (criterion|exclusion|prerequisite) ([a-z0-9][a-z0-9_-]*)")
_BARE_RULE = re.compile(r"^(criterion|exclusion|prerequisite) ([a-z0-9][a-z0-9_-]*)")
_STATUS = re.compile(r" (pass|fail|unknown|not_applicable) -> (pass|fail|unknown|not_applicable)\b")
_VERBS = {"gains": N_("gains {provision}"), "loses": N_("loses {provision}")}
STATUS_WORDS = {"pass": N_("met"), "fail": N_("not met"), "unknown": N_("unknown"), "not_applicable": N_("does not apply")}


def _nameless(*_: Any) -> str:
    return ""


def saying(before: RulesAt, after: RulesAt, reform: Reform, w: Words) -> Say:
    """The change lines' wording in w's language: catalog phrases, titles, the rules' and reform's own words."""
    gettext = translations(w.lang).gettext
    own = dict(reform.spec.nl) if w.lang == "nl" else {}
    titles = {p.key: p.spec.title for side in (before, after) for p in side.compiled.provisions}

    sides = {f"reform {reform.id}": gettext(N_("the reform “{title}”")).format(
        title=reform.spec.title_nl if w.lang == "nl" else reform.spec.title),
        "bundled rules": gettext(N_("the bundled rules"))}

    def words(text: str) -> str:
        plain = " ".join(text.split())
        return sides.get(plain) or own.get(plain) or w.rule(plain)

    def provision(key: str) -> str:
        return words(titles.get(key, key))

    def rule(key: str, bound) -> str:
        return gettext(N_("{provision}, {group} “{text}”")).format(
            provision=provision(key), group=gettext(GROUP_WORD[bound.group]), text=first_sentence(words(bound.text)))

    def money(value: float | None) -> str:
        return gettext("none") if value is None else format_decimal(value, format="#,##0.##",
                                                                    locale="nl_NL" if w.lang == "nl" else "en_GB")

    return Say(gettext=gettext, text=words, provision=provision, rule=rule, money=money)


def in_words(data: dict[str, Any], before: RulesAt, after: RulesAt, reform: Reform, w: Words) -> dict[str, Any]:
    """The report's data with its rule changes, and the examples' causes, in w's language."""
    say = saying(before, after, reform, w)
    worded = rule_changes(before, after, say)
    # what changed without the name of what it changed in: the part of a line an example's causes quote
    tails = [line[2:] for line in rule_changes(before, after, replace(say, provision=_nameless, rule=_nameless))]
    english = data["rule_changes"]
    pairs = [*zip(english, worded), *zip((line.split(": ", 1)[-1] for line in english), tails)]
    pairs.sort(key=lambda pair: -len(pair[0]))  # the longest text first, so a whole line wins over its tail

    rules = {(p.key, r.rule.id): r for side in (before, after) for p in side.compiled.provisions
             for r in (*p.criteria, *p.exclusions, *p.requires)}

    def rule_words(key: str, rule_id: str, otherwise: str) -> str:
        rule = rules.get((key, rule_id))
        return otherwise if rule is None else say.gettext(N_("{group} “{text}”")).format(
            group=say.gettext(GROUP_WORD[rule.group]), text=first_sentence(say.text(rule.text)))

    def rule_cause(m: re.Match) -> str:
        verb = say.gettext(_VERBS[m[1]]).format(provision=say.provision(m[2]))
        return verb + ": " + rule_words(m[2], m[4], f"{m[3]} {m[4]}")

    def cause(text: str, subject: str) -> str:
        text = _RULE_CAUSE.sub(rule_cause, text)
        text = _BARE_RULE.sub(lambda m: rule_words(subject, m[2], m[0]), text)  # a cause of the subject itself
        text = _STATUS.sub(lambda m: " " + " -> ".join(say.gettext(STATUS_WORDS[s]) for s in (m[1], m[2])), text)
        text = _CAUSE.sub(lambda m: say.gettext(_VERBS[m[1]]).format(provision=say.provision(m[2])), text)
        for en, there in pairs:
            text = text.replace(en, there)
        return text

    out = {**data, "rule_changes": worded}
    for section in ("closed_gaps", "opened_gaps", "gains", "losses"):
        out[section] = {subject: {**entry, "examples": [{**e, "causes": [cause(c, subject) for c in e["causes"]]}
                                                       for e in entry["examples"]]}
                        for subject, entry in data[section].items()}
    return out
