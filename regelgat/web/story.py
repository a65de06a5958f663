"""The short story `regelgat check` prints by default: the same answer as the web page, as text.

Gaps first, then the questions to ask next, each shut door of the client's own needs with the one
clause that shut it, referral loops and effects on others. No ids, no condition syntax: the full
table (`--full`) keeps those for rule authors.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

from regelgat.check.single import Checked
from regelgat.rules.translations import RulesetTexts
from regelgat.web.answer import build_answer, routes_in_words
from regelgat.web.change import and_list
from regelgat.i18n import translations
from regelgat.web.interview import next_questions
from regelgat.web.questions import QUESTIONS

_MARK = {"covered": ("✓", "green"), "not_covered": ("✗", "red"), "undetermined": ("?", "yellow")}
SHORT_SOURCE = 55  # characters of a source's title in the story: who says it, and which article
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def first_sentence(text: str) -> str:
    """A clause's rule without its explanations, which --full keeps: `You are 18 to 22 years old.`"""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def short_source(title: str) -> str:
    """`Rechtbank Amsterdam 2019` of a long citation; the link says the rest and --full gives it whole."""
    short = re.split(r" \(|: |; ", title, maxsplit=1)[0]
    while len(short) > SHORT_SOURCE and ", " in short:
        short = short.rsplit(", ", 1)[0]
    return short


def _more(need, _) -> str:
    """` (more questions: 7)` after the most decisive questions of an undecided need."""
    return f" ({_('more questions:')} {need.more})" if need.more else ""


def _perverse_story(answer, out, _) -> None:
    """One line per need the rules reward getting worse for; --full lists every route and rule."""
    for need in answer.routes:
        if need.perverse:
            title, words = _("Perverse incentive"), _("no route within reach; only getting worse opens a door.")
            every = _("Every route:")
            out(Text(f"{title} ({need.need}): ", style="bold red").append(f"{words} {every} --full"), 2)


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
    for line in answer.notices:
        out(line, 0, "yellow")
    # The questions first: their answers decide what is still undetermined.
    asked = {name for name in QUESTIONS if name in checked.profile.model_fields_set}
    questions = next_questions(checked, asked | {"id", "needs"})
    if questions:
        out(Text(_("Questions that could still change this"), style="bold underline"))
        for name in questions:
            out(f"- {_(QUESTIONS[name].label)}", 2)
    out(Text(_("Short answer"), style="bold underline"))
    if not answer.needs and checked.profile.needs:  # --provisions/--needs asked about other needs
        out(_("The provisions asked about cover none of the client's needs."))
    elif not answer.needs:
        out(_("No need was chosen: tick what the client needs below."))
    for need in answer.needs:
        mark, style = _MARK[need.status]
        words = (f"{_('covered by')} {', '.join(need.by)}." if need.status == "covered" else
                 f"{_('not decided yet; it depends on:')} {'; '.join(need.questions)}{_more(need, _)}"
                 if need.status == "undetermined"
                 else _("not covered: no door is open for this need."))
        out(Text(f"{mark} ", style=style).append(f"{need.need}: ", style="bold").append(words), 2)
    if answer.doors:
        out(Text(_("Why the doors for these needs are shut"), style="bold underline"))
    for door in answer.doors:
        line = Text("✗ ", style="red").append(f"{door.title}: ", style="bold")
        if door.outcome == "waits":
            ending = _("which waits back for it: a referral loop.") if door.loop else _("That refuses because:")
            joint = ", " if door.loop else ". "
            line.append(f"{_('Open on its own rules, but it waits for:')} {' → '.join(door.route)}{joint}{ending} ")
        if door.clause is None:
            out(line, 2)
            continue
        line.append(first_sentence(door.clause.text) + " ")
        if door.clause.cost != "impossible":  # no one can make it so: saying how would only fill the page
            line.append(door.clause.change + " ", style="italic")
        source = _("Source:")
        out(line.append(f"{source} {short_source(door.clause.source_title)}", style="cyan"), 2)
        out(f"<{door.clause.source_url}>", 4, "cyan")  # on a line of its own, so it is never broken
    _perverse_story(answer, out, _)
    if answer.loops:
        out(Text(_("Referral loops"), style="bold underline"))
    for titles in answer.loops:
        out(" → ".join([*titles, titles[0]]), 2, "red")
    if answer.effects or answer.effects_if_staying:
        out(Text(_("Effects on others"), style="bold underline"))
    for effect in answer.effects:
        out(effect.text, 2)
    for effect in answer.effects_if_staying:
        out(Text(f"{_('If the client slept there most nights:')} ", style="bold").append(effect.text, style=""), 2)
    if answer.risks:
        out(Text(_("May be refused in practice (reported, not a confirmed rule)"), style="bold underline"))
    for title, text in answer.risks:
        out(Text(f"{title}: ", style="bold").append(text), 2)
    if answer.flags:
        out(Text(f"[!] {_('Unconfirmed assumptions behind this answer')}: {len(answer.flags)} (--full)",
                 style="magenta"))
