"""What would have to change for a refusing clause to let the client through, as a sentence.

Never the condition itself: the nearest ways the clause could pass (found from the rules, as the
routes out of a gap are), each said in the fact's own words from client/fact_changes.yaml ("if the
client was judged not self-reliant by the GGD screening"). An amount a ruleset computes has no
such words, so it is named by its own text, with the threshold and the client's amount in euros.
"""

from __future__ import annotations

from typing import Any, Callable

from babel.numbers import format_decimal

from regelgat.check.routes import RANK, change_words, dnf, ways_to_hold
from regelgat.client.facts import CHANGE_KINDS
from regelgat.check.single import Checked
from regelgat.i18n import N_
from regelgat.rules.compiled import BoundRule
from regelgat.rules.expressions import Compare, evaluate, negate
from regelgat.rules.translations import RulesetTexts

SHOWN_WAYS = 2  # the nearest; the routes out of a gap list every combination
COMPARED = {"<": N_("below"), "<=": N_("at most"), ">": N_("above"), ">=": N_("at least"),
            "==": N_("exactly"), "!=": N_("other than")}


def and_list(items: list[str], _: Callable[[str], str]) -> str:
    """`a, b and c` in the reader's language."""
    and_ = _("and")
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {and_} {items[-1]}"


def value_words(value: Any, lang: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_decimal(value, format="#,##0.##", locale={"nl": "nl_NL"}.get(lang, "en_GB"))


def euros(value: float, lang: str) -> str:
    """`€ 1.401,50` or `€1,401.50`: the reader's own way of writing money."""
    shown = format_decimal(value, format="#,##0.00", locale={"nl": "nl_NL"}.get(lang, "en_GB"))
    return f"€ {shown}" if lang == "nl" else f"€{shown}"


def change_sentence(rule: BoundRule, checked: Checked, texts: RulesetTexts,
                    _: Callable[[str], str]) -> tuple[str, str]:
    """`Opens if the client was 22 years old.` for a criterion or exclusion that refuses, and what the
    nearest such change costs (attainable, harmful, impossible; "" when no change of a fact is named)."""
    node = checked.compiled.atoms[rule.condition]
    if rule.group == "exclusion":
        node = negate(node)
    said, cost = _said(node, checked, texts, _)
    if said:
        opens, joint = _("Opens if the client"), _("or if the client")
        return f"{opens} {f' {joint} '.join(said)}.", cost
    amounts = _amounts_said(node, checked, texts, _)
    if amounts:
        opens = _("Opens if")
        return f"{opens} {and_list(amounts, _)}.", ""
    return (_("Opens if this were no longer so.") if rule.group == "exclusion" else _("Opens if this were so.")), ""


def ways_said(node, checked: Checked, texts: RulesetTexts, _: Callable[[str], str]) -> list[str]:
    """The nearest ways a condition could come to hold, each as the end of `if the client ...`."""
    return _said(node, checked, texts, _)[0]


def _said(node, checked: Checked, texts: RulesetTexts, _) -> tuple[list[str], str]:
    facts, lang = checked.facts, texts.lang

    def rank(way) -> tuple:
        kinds = [RANK[change_words(f, facts.get(f), t).kind] for f, t in way]
        return max(kinds, default=0), len(way), sorted(map(repr, way))

    nearest = [way for way in sorted(ways_to_hold(node, facts), key=rank) if way][:SHOWN_WAYS]
    said = [and_list([getattr(change_words(f, facts.get(f), t), lang).replace("{to}", value_words(t, lang))
                      for f, t in sorted(way, key=repr)], _) for way in nearest]
    return said, (CHANGE_KINDS[rank(nearest[0])[0]] if nearest else "")


def _amounts_said(node, checked: Checked, texts: RulesetTexts, _) -> list[str]:
    """The computed amounts a clause compares, in words: `the income bijstand counts were below € 1.401,50
    (now € 1.550,00)`, from the first way to hold whose other comparisons the client already meets."""
    amounts = {a.spec.id: a for a in checked.compiled.amounts}
    for conj in dnf(node):
        mine = [lit for lit in conj if isinstance(lit, Compare) and lit.fact in amounts]
        rest = [lit for lit in conj if lit not in mine]
        if mine and all(evaluate(lit, checked.facts) is True for lit in rest):
            return [_amount_said(lit, texts(amounts[lit.fact].spec.text), checked.facts.get(lit.fact), texts.lang, _)
                    for lit in mine if evaluate(lit, checked.facts) is not True]
    return []


def _amount_said(lit: Compare, label: str, now: float | None, lang: str, _) -> str:
    label = label.strip().rstrip(".")
    label = label[:1].lower() + label[1:]
    threshold = euros(lit.value, lang) if isinstance(lit.value, (int, float)) else str(lit.value)
    shown_now = euros(now, lang) if isinstance(now, (int, float)) else _("not known")
    return _("this amount were {compared} {threshold} (now {now}): {label}").format(
        compared=_(COMPARED[lit.op]), threshold=threshold, now=shown_now, label=label)
