"""`regelgat check --full`: every provision in a table, then the summary, in the reader's language.

The same words as the short story and the web page, only all of them: each deciding clause whole,
its kind of source, what would have to change as a sentence (web/change.py) beside the client's
answers it read, every route out of a gap, every flag. Titles and sentences only: ids and condition
syntax stay in the JSON contract, which is for software.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from regelgat.check.household import household
from regelgat.check.single import Checked
from regelgat.check.municipality import notice
from regelgat.client.questions import assumed_text, question
from regelgat.i18n import N_, translations
from regelgat.rules.translations import RulesetTexts
from regelgat.rules.unknowns import assumed, questions, rule_fields
from regelgat.rules.verdicts import Verdict, amount_flags, verdict_amount, waiting_routes
from regelgat.web.answer import OUTCOMES, Clause, build_answer, routes_in_words
from regelgat.web.change import and_list, euros, ways_said
from regelgat.web.questions import NEED_NAMES

_STYLE = {"eligible": "green", "ineligible": "red", "blocked": "yellow", "undetermined": "blue"}
_KIND_STYLE = {"attainable": "green", "harmful": "red", "impossible": "dim"}
SOURCE_KINDS = {"statute": N_("statute"), "local_policy": N_("local policy"), "practice": N_("practice")}
FLAG = "[!]"
# Words said inside f-strings, where extraction cannot see them: marked here for the catalog.
_IN_F_STRINGS = (
    N_("Waiting:"), N_("Waits for:"), N_("or it opens if the client"), N_("Not known yet:"), N_("Now:"),
    N_("amount unknown"), N_("a month"), N_("of which reserved, paid in June:"), N_("amount"), N_("assumed:"),
    N_("Gaps (needs nothing covers):"), N_("Not yet decided (a door is undetermined):"), N_("Referral loops:"),
    N_("waits:"), N_("back to the start, a referral loop"), N_("which refuses because:"),
    N_("Routes out of the gap"), N_("would open if the client"), N_("Perverse incentive"),
    N_("Household income a month:"), N_("before provisions"), N_("after"), N_("social minimum"),
    N_("Shortfall a month below the social minimum, and no provision covers income:"),
    N_("In euros, a month less:"), N_("Rules in force on"), N_("rests on an unconfirmed assumption:"),
)


class Full:
    """One client's check, written out whole for one reader."""

    def __init__(self, checked: Checked, texts: RulesetTexts, lang: str) -> None:
        self.checked, self.texts, self.lang = checked, texts, lang
        self._ = translations(lang).gettext
        self.answer = build_answer(checked, texts, self._)
        self.title = {v.provision.key: texts(v.provision.spec.title) for v in checked.result.verdicts}

    def needs(self, names) -> str:
        return ", ".join(self._(NEED_NAMES[n]) for n in names)

    def money(self, value: float) -> str:
        return euros(value, self.lang)

    def decided_by(self, verdict: Verdict, reasons: list[Clause]) -> Text:
        _, text = self._, Text()
        if verdict.outcome == "eligible":
            text.append(_("every criterion that applies is met"))
            if verdict.provision.spec.waiting_time:
                text.append(f"\n{_('Waiting:')} {self.texts(verdict.provision.spec.waiting_time)}", style="italic")
            return text
        for index, (reason, clause) in enumerate(zip(verdict.deciding, reasons)):
            rule = reason.rule
            text.append("\n" if index else "").append(clause.text, style="bold")
            text.append(f" ({_(SOURCE_KINDS[rule.rule.kind])})")
            if rule.group == "requirement":
                waits = and_list([self.title.get(g, g) for g in rule.rule.granters], _)
                text.append(f"\n  {_('Waits for:')} {waits}")
                if rule.unless is not None:
                    unless = ways_said(self.checked.compiled.atoms[rule.unless], self.checked, self.texts, _)
                    if unless:
                        text.append(f", {_('or it opens if the client')} {' / '.join(unless)}")
            elif reason.status == "unknown":
                asked = sorted(rule_fields(rule, self.checked.compiled, self.checked.facts))
                text.append(f"\n  {_('Not known yet:')} " + "; ".join(question(f, self.lang) for f in asked))
            else:
                text.append(f"\n  {clause.change}")
                if clause.now:
                    text.append(f"  ({_('Now:')} {clause.now})", style="dim")
            text.append(f"\n  {clause.source_title} <{clause.source_url}>", style="cyan")
        return text

    def amount(self, verdict: Verdict) -> Text:
        """`€ 129,20 a month` under an eligible provision's outcome, with what is reserved."""
        compiled, _ = self.checked.compiled, self._
        bound = compiled.amount_of(verdict.provision.key)
        if verdict.outcome != "eligible" or bound is None:
            return Text()
        value = verdict_amount(verdict, compiled, self.checked.facts)
        if value is None:
            return Text(f"\n{_('amount unknown')}", style="dim")
        text = Text(f"\n{self.money(value)} {_('a month')}", style="bold")
        if bound.flags:
            text.append(f" {FLAG}", style="magenta")
        reserved = self.checked.facts.get(bound.spec.reserved) if bound.spec.reserved else None
        if reserved:
            text.append(f"\n({_('of which reserved, paid in June:')} {self.money(reserved)})", style="dim")
        return text

    def table(self) -> Table:
        _, result = self._, self.checked.result
        table = Table(box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
        table.add_column(_("Provision"), ratio=3, overflow="fold")
        table.add_column(_("Covers"), ratio=1)
        table.add_column(_("Outcome"), min_width=12, no_wrap=True)
        table.add_column(_("Decided by, and its source"), ratio=6, overflow="fold")
        mine = [v for v in result.verdicts if set(v.provision.spec.covers) & set(self.checked.profile.needs)]
        ordered = mine + [v for v in result.verdicts if v not in mine]  # the order of answer.table
        for index, (verdict, row) in enumerate(zip(ordered, self.answer.table)):
            if mine and index == len(mine):
                table.add_section()  # the doors for the client's own needs first
            outcome = Text(_(OUTCOMES[verdict.outcome]), style=_STYLE[verdict.outcome])
            if verdict.flags:
                outcome.append(f" {FLAG}", style="magenta")
            outcome.append(self.amount(verdict))
            table.add_row(row["title"], self.needs(verdict.provision.spec.covers) or "-", outcome,
                          self.decided_by(verdict, row["reasons"]))
        return table

    def flags(self) -> list[str]:
        """Every unconfirmed assumption a verdict or amount rests on, and every assumed default."""
        checked, texts, _ = self.checked, self.texts, self._
        out = []
        for verdict in checked.result.verdicts:
            title = self.title[verdict.provision.key]
            out += [f"{title}: {texts.flag(flag)}" for flag in verdict.flags]
            out += [f"{title} ({_('amount')}): {texts.flag(flag)}"
                    for flag in amount_flags(verdict, checked.compiled) if flag not in verdict.flags]
        for verdict in checked.result.verdicts:
            for name in assumed(verdict, checked.compiled, set(checked.assumed_fields)):
                out.append(f"{self.title[verdict.provision.key]}: {_('assumed:')} {assumed_text(name, self.lang)}")
        return list(dict.fromkeys(out))

    def questions(self) -> list[str]:
        found = questions(self.checked.result, self.checked.compiled, self.checked.facts)
        decides = self._("decides:")
        return [f"{question(name, self.lang)}  ({decides} {and_list([self.title[k] for k in keys], self._)})"
                for name, keys in found]

    def summary(self) -> list[Text]:
        _, result = self._, self.checked.result
        parts = []
        if self.checked.profile.needs:
            parts.append(Text(f"{_('Gaps (needs nothing covers):')} ", style="bold").append(
                self.needs(result.gaps) or _("none"), style="red" if result.gaps else "green"))
            if result.undecided:
                parts.append(Text(f"{_('Not yet decided (a door is undetermined):')} ", style="bold").append(
                    self.needs(result.undecided), style="blue"))
        loops = ["; ".join(" → ".join([*titles, titles[0]]) for titles in self.answer.loops)]
        parts.append(Text(f"{_('Referral loops:')} ", style="bold").append(
            loops[0] or _("none"), style="red" if result.loops else "green"))
        parts += self.waiting() + self.routes() + [self.household()] + self.effects()
        return parts

    def waiting(self) -> list[Text]:
        """Why a door the client needs is blocked: each route it waits along, to the clause that refuses."""
        _, parts = self._, []
        for verdict in self.checked.result.verdicts:
            if verdict.outcome != "blocked" or not set(verdict.provision.spec.covers) & set(self.checked.profile.needs):
                continue
            text = Text(f"{self.title[verdict.provision.key]} {_('waits:')}", style="bold")
            for route, looped in waiting_routes(verdict, self.checked.result):
                text.append("\n  " + " → ".join(self.title[v.provision.key] for v in route[1:]))
                if looped:
                    text.append(f": {_('back to the start, a referral loop')}", style="red")
                elif route[-1].deciding:
                    text.append(f", {_('which refuses because:')} ").append(
                        self.texts.rule(route[-1].deciding[0].rule), style="red")
            parts.append(text)
        return parts

    def routes(self) -> list[Text]:
        """Every route out of each gap in words, nearest first, and the rules behind a perverse incentive."""
        _, parts = self._, []
        for need in routes_in_words(self.checked, self.texts, _):
            text = Text(f"{_('Routes out of the gap')} ({need.need}): ", style="bold")
            if not need.routes:
                text.append(_("none: no change of facts opens a door"), style="red")
            for way in need.routes:
                text.append("\n  ").append(way.kind_words, style=_KIND_STYLE[way.kind])
                text.append(f": {and_list(way.opens, _)} {_('would open if the client')} {and_list(way.changes, _)}.")
            parts.append(text)
            if need.perverse:
                text = Text(f"{_('Perverse incentive')} ({need.need}): ", style="bold red").append(
                    _("no route within reach; only getting worse opens a door. The rules that only a harmful "
                      "change passes:"))
                for clause in need.perverse:
                    text.append(f"\n  {clause.now}: {clause.text}")
                    text.append(f"\n    {clause.source_title} <{clause.source_url}>", style="cyan")
                parts.append(text)
        return parts

    def household(self) -> Text:
        _, h = self._, household(self.checked)
        text = Text(f"{_('Household income a month:')} ", style="bold")
        if h.income_before is None:
            text.append(_("not given"))
        else:
            text.append(f"{self.money(h.income_before)} {_('before provisions')}")
        if h.income_after is not None:
            text.append(f", {self.money(h.income_after)} {_('after')}")
            if h.paid:
                paid = ", ".join(f"{self.title[v.provision.key]} {self.money(a)}" for v, a in h.paid)
                text.append(f" ({paid})", style="dim")
        if h.social_minimum is not None:
            text.append(f"\n  {_('social minimum')} {self.money(h.social_minimum)}: {self.texts(h.minimum_text)}")
            text.append(f"\n  {self.texts.cited(h.minimum_source)}", style="cyan")
        if h.shortfall is not None:
            text.append(f"\n  {_('Shortfall a month below the social minimum, and no provision covers income:')} "
                        f"{self.money(h.shortfall)}", style="red")
        return text

    def effects(self) -> list[Text]:
        _, checked, parts = self._, self.checked, []
        staying = [(e, False) for e in checked.result.effects] + [(e, True) for e in checked.effects_if_staying]
        for effect, if_staying in staying:
            head = _("If the client slept there most nights:") if if_staying else _("Effect on others:")
            text = Text(f"{head} ", style="bold").append(self.texts.rule(effect))
            cost = checked.compiled.amount_of_effect(effect)
            value = checked.facts.get(cost.name) if cost else None
            if value:
                text.append(f"\n  {_('In euros, a month less:')} {self.money(value)} ({self.texts.amount(cost)})",
                            style="bold")
            parts.append(text.append(f"\n  {self.texts(effect.rule.source.title)} <{effect.rule.source.url}>", style="cyan"))
        return parts


def render_full(checked: Checked, texts: RulesetTexts, lang: str, console: Console) -> None:
    """Print one client's check whole: questions, the table of every provision, flags, summary."""
    full = Full(checked, texts, lang)
    _ = full._
    console.print(Text(f"regelgat check: {checked.profile.id}", style="bold").append(
        f"  ({_('Rules in force on')} {checked.result.date.isoformat()})", style="dim"))
    if checked.compiled.practice:
        console.print(Text(_("Reading: reported practice applied as rules (--assume practice)."), style="magenta"))
    elsewhere = notice(checked.profile.municipality, checked.compiled, lang)
    if elsewhere:
        console.print(Text(elsewhere, style="yellow"))
    asked = full.questions()
    if asked:
        console.print(Text(_("Questions that decide the undetermined verdicts (most decisive first):"), style="bold"))
        for line in asked:
            console.print(Text(f"  - {line}"))
    console.print(full.table())
    flags = full.flags()
    if flags:
        console.print(Text(f"{FLAG} {_('rests on an unconfirmed assumption:')}", style="magenta"))
        for line in flags:
            console.print(Text(f"  {line}"))
    risks = [(full.title[v.provision.key], texts.rule(r.rule)) for v in checked.result.verdicts for r in v.risks]
    if risks:
        console.print(Text(_("May be refused in practice (reported, not a confirmed rule)"), style="magenta"))
        for title, text in risks:
            console.print(Text(f"  {title}: {text}"))
    console.print(Panel(Group(*full.summary()), title=_("Summary"), expand=True))
