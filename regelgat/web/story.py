"""The short story `regelgat check` prints by default: the same answer as the web page, as text.

Gaps first, then the questions to ask next, each shut door of the client's own needs with the one
clause that shut it, referral loops and effects on others. No ids, no condition syntax: the full
table (`--full`) keeps those for rule authors.
"""

from __future__ import annotations

import os

from rich.console import Console
from rich.text import Text

from regelgat.check.single import Checked
from regelgat.rules.translations import RulesetTexts
from regelgat.web.answer import build_answer, routes_in_words
from regelgat.i18n import LANGUAGES, language_from_locale, translations
from regelgat.web.interview import next_questions
from regelgat.web.questions import QUESTIONS

_MARK = {"covered": ("✓", "green"), "not_covered": ("✗", "red"), "undetermined": ("?", "yellow")}
_KIND_STYLE = {"attainable": "green", "harmful": "red", "impossible": "dim"}
SHOWN_ROUTES = 3  # per need in the story; --full and the JSON list them all


def and_list(items: list[str], _) -> str:
    """`a, b and c` in the reader's language."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {_('and')} {items[-1]}"


def _routes_story(answer, out, _) -> None:
    """Per uncovered need the nearest routes out, and a perverse incentive with the rules behind it."""
    if any(need.routes for need in answer.routes):
        out(Text(_("Routes out of the gap (what would have to change, nearest first)"), style="bold underline"))
    for need in answer.routes:
        for way in need.routes[:SHOWN_ROUTES]:
            line = Text(f"{need.need}, ", style="bold").append(way.kind_words, style=_KIND_STYLE[way.kind])
            line.append(f": {and_list(way.opens, _)} {_('would open if the client')} {and_list(way.changes, _)}.")
            out(line, 2)
        if len(need.routes) > SHOWN_ROUTES:
            out(f"{_('More routes:')} {len(need.routes) - SHOWN_ROUTES} (--full)", 2, "dim")
        if need.perverse:
            out(Text(f"{_('Perverse incentive')} ({need.need}): ", style="bold red").append(
                f"{_('no route within reach; only getting worse opens a door.')} "
                f"{_('Rules that make it so:')} {len(need.perverse)} (--full)"), 2)


def render_story(checked: Checked, texts: RulesetTexts, lang: str, console: Console) -> None:
    _ = translations(lang).gettext
    answer = build_answer(checked, texts, _)
    answer.routes = routes_in_words(checked, texts, _)

    def out(text, indent: int = 0, style: str = "") -> None:  # wrapped lines keep their indent
        body = text if isinstance(text, Text) else Text(text, style=style)
        for line in body.wrap(console, console.width - indent):
            line.rstrip()
            console.print(Text(" " * indent) + line, soft_wrap=True)
    out(Text(f"regelgat check: {checked.profile.id}", style="bold").append(
        f"  ({_('Rules in force on')} {checked.result.date.isoformat()})", style="dim"))
    # The questions first: their answers decide what is still undetermined.
    asked = {name for name in QUESTIONS if name in checked.profile.model_fields_set}
    questions = next_questions(checked, asked | {"id", "needs"})
    if questions:
        out(Text(_("Questions that could still change this"), style="bold underline"))
        for name in questions:
            out(f"- {_(QUESTIONS[name].label)}", 2)
    out(Text(_("Short answer"), style="bold underline"))
    if not answer.needs:
        out(_("No need was chosen: tick what the client needs below."))
    for need in answer.needs:
        mark, style = _MARK[need.status]
        words = (f"{_('covered by')} {', '.join(need.by)}." if need.status == "covered" else
                 f"{_('not decided yet; it depends on:')} {'; '.join(need.questions)}." if need.status == "undetermined"
                 else _("not covered: no door is open for this need."))
        out(Text(f"{mark} ", style=style).append(f"{need.need}: ", style="bold").append(words), 2)
    if answer.doors:
        out(Text(_("Why the doors for these needs are shut"), style="bold underline"))
    for door in answer.doors:
        out(door.title, 2, "bold")
        if door.outcome == "waits":
            ending = _("which waits back for it: a referral loop.") if door.loop else _("That refuses because:")
            joint = ", " if door.loop else ". "
            out(f"{_('Open on its own rules, but it waits for:')} {' → '.join(door.route)}{joint}{ending}", 4)
        if door.clause:
            out(door.clause.text, 4, "red")
            now = f" {_('Now:')} {door.clause.now}." if door.clause.now else ""
            out(f"{door.clause.change}{now}", 4)
            out(f"{_('Source:')} {door.clause.source_title} <{door.clause.source_url}>", 4, "cyan")
    _routes_story(answer, out, _)
    for titles in answer.loops:
        out(Text(_("Referral loops"), style="bold underline"))
        out(" → ".join([*titles, titles[0]]), 2, "red")
    if answer.effects or answer.effects_if_staying:
        out(Text(_("Effects on others"), style="bold underline"))
    for effect in answer.effects:
        out(effect.text, 2)
    for effect in answer.effects_if_staying:
        out(Text(f"{_('If the client slept there most nights:')} ", style="bold").append(effect.text, style=""), 2)
    if answer.flags:
        out(Text(f"[!] {_('Unconfirmed assumptions behind this answer')}: {len(answer.flags)} (--full)",
                 style="magenta"))
