"""The result page's content: a short answer first, then the detail, in the reader's language.

Built from a check, never from ids or expressions: provision titles, criteria in plain words,
sources as links, and what would have to change written as a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from regelgat.check.routes import Route
from regelgat.check.municipality import notice
from regelgat.check.single import Checked
from regelgat.rules.amounts import profile_facts_read
from regelgat.client.questions import question
from regelgat.rules.expressions import facts_read
from regelgat.rules.unknowns import verdict_fields
from regelgat.rules.translations import RulesetTexts
from regelgat.rules.verdicts import Reason, Verdict, waiting_routes
from regelgat.i18n import N_
from regelgat.web.change import change_sentence, euros, value_words
from regelgat.web.questions import FACT_TO_FIELD, NEED_NAMES, QUESTIONS, YES_NO

SHOWN_QUESTIONS = 3  # per undecided need in the short answer; the form offers them all
OUTCOMES = {"eligible": N_("open"), "ineligible": N_("shut"), "blocked": N_("waits"),
            "undetermined": N_("not decided")}
KINDS = {"attainable": N_("attainable"), "harmful": N_("harmful"), "impossible": N_("impossible")}


@dataclass
class Clause:
    text: str
    source_title: str
    source_url: str
    change: str  # what would have to change, as a sentence
    now: str = ""  # the client's answers the clause read
    cost: str = ""  # what the nearest change costs the client: attainable, harmful, impossible ("" unknown)


@dataclass
class Door:
    title: str
    outcome: str  # open, shut, waits
    clause: Clause | None = None
    route: list[str] = field(default_factory=list)  # titles it waits along
    loop: bool = False
    more: int = 0  # further clauses that also refuse (in the full table)


@dataclass
class NeedAnswer:
    need: str
    status: str  # covered, not_covered, undetermined
    by: list[str]
    questions: list[str]  # the most decisive that decide it
    more: int = 0  # further questions that also decide it (all are offered below the answer)


@dataclass
class WayOut:
    """One route out of a gap in words: the doors it opens, what would change, what that costs."""

    kind: str  # attainable, harmful, impossible
    kind_words: str
    opens: list[str]
    changes: list[str]


@dataclass
class NeedRoutes:
    need: str
    routes: list[WayOut]
    perverse: list[Clause]  # the rules that only a harmful change passes; empty if not perverse


@dataclass
class Answer:
    needs: list[NeedAnswer]
    doors: list[Door]
    loops: list[list[str]]
    effects: list[Clause]
    effects_if_staying: list[Clause]
    flags: list[tuple[str, str]]
    table: list[dict]
    routes: list[NeedRoutes] = field(default_factory=list)  # filled by the story (routes_in_words); the page has none yet
    risks: list[tuple[str, str]] = field(default_factory=list)  # (door, reported practice that may refuse it)
    notices: list[str] = field(default_factory=list)  # such as: this municipality's local rules are not encoded


def build_answer(checked: Checked, texts: RulesetTexts, _: Callable[[str], str]) -> Answer:
    result, profile = checked.result, checked.profile
    title = {v.provision.key: texts(v.provision.spec.title) for v in result.verdicts}
    mine = [v for v in result.verdicts if set(v.provision.spec.covers) & set(profile.needs)]
    # The doors that matter are those of the needs nothing covers; a covered need's other doors wait in the table.
    doors = [_door(v, checked, texts, title, _) for v in mine
             if v.outcome != "eligible" and set(v.provision.spec.covers) & set(result.gaps)]
    needs = []
    for need in profile.needs:
        covering = [v for v in mine if need in v.provision.spec.covers]
        open_ = [title[v.provision.key] for v in covering if v.outcome == "eligible"]
        if not open_ and not checked.compiled.answers(need):
            continue  # a selection left its other doors out: not covered would be a guess
        status = "covered" if open_ else "undetermined" if need in result.undecided else "not_covered"
        deciding = {v.provision.key: set(verdict_fields(v, result, checked.compiled, checked.facts))
                    for v in covering} if status == "undetermined" else {}
        fields = set().union(*deciding.values()) if deciding else set()
        order = list(QUESTIONS)

        def decisive(f: str) -> tuple:  # the doors of this need it decides, then the interview's order
            return -sum(f in d for d in deciding.values()), order.index(f) if f in order else len(order), f

        # In the form's own wording, so it reads as the field the worker fills in.
        unknown = [_(QUESTIONS[f].label) if f in QUESTIONS else question(f, texts.lang)
                   for f in sorted(fields, key=decisive)]
        if status == "undetermined" and not unknown:  # only local doors, in a municipality not encoded
            unknown = [_("the local rules of the client's municipality, which regelgat does not encode yet")]
        needs.append(NeedAnswer(_(NEED_NAMES[need]), status, open_, unknown[:SHOWN_QUESTIONS],
                                len(unknown[SHOWN_QUESTIONS:])))
    loops = [[title[key] for key in loop] for loop in result.loops]
    effects = [_effect(e, texts) for e in result.effects]
    staying = [_effect(e, texts) for e in checked.effects_if_staying]
    ordered = mine + [v for v in result.verdicts if v not in mine]
    # Flags of the client's own doors, and of any door that opens: both could turn out otherwise.
    flags = [(title[v.provision.key], texts.flag(f)) for v in ordered
             if v in mine or v.outcome == "eligible" for f in v.flags]
    table = [{"title": title[v.provision.key], "covers": ", ".join(_(NEED_NAMES[n]) for n in v.provision.spec.covers),
              "outcome": OUTCOMES[v.outcome], "flagged": bool(v.flags),
              "reasons": [_clause(r, checked, texts, _) for r in v.deciding]} for v in ordered]
    # Reported practice that no rule confirms refuses no one here, but may in practice: say so.
    risks = [(title[v.provision.key], texts.rule(r.rule)) for v in ordered
             if v in mine or v.outcome == "eligible" for r in v.risks]
    elsewhere = notice(profile.municipality, checked.compiled, texts.lang)
    return Answer(needs, doors, loops, effects, staying, list(dict.fromkeys(flags)), table,
                  risks=list(dict.fromkeys(risks)), notices=[elsewhere] if elsewhere else [])


def routes_in_words(checked: Checked, texts: RulesetTexts, _) -> list[NeedRoutes]:
    """Each uncovered need's routes out, in the reader's language, and its perverse-incentive rules."""
    title = {v.provision.key: texts(v.provision.spec.title) for v in checked.result.verdicts}
    routes = checked.routes
    out = []
    for need, found in routes.by_need.items():
        ways = [WayOut(r.kind, _(KINDS[r.kind]), [title[k] for k in r.opens], _change_words(r, texts.lang))
                for r in found]
        perverse = [Clause(texts.rule(rule), texts(rule.rule.source.title), rule.rule.source.url, "",
                           title.get(f"{rule.ruleset}/{rule.provision}", ""))
                    for rule in routes.perverse_rules.get(need, [])]
        out.append(NeedRoutes(_(NEED_NAMES[need]), ways, perverse))
    return out


def _change_words(route: Route, lang: str) -> list[str]:
    return [getattr(c.words, lang).replace("{to}", value_words(c.to, lang)) for c in route.changes]


def _door(verdict: Verdict, checked: Checked, texts: RulesetTexts, title: dict[str, str], _) -> Door:
    door = Door(title[verdict.provision.key], OUTCOMES[verdict.outcome])
    if verdict.outcome == "ineligible":
        door.clause = _clause(verdict.deciding[0], checked, texts, _)
        door.more = len(verdict.deciding) - 1
        return door
    route, looped = waiting_routes(verdict, checked.result)[0]
    door.route, door.loop = [title[v.provision.key] for v in route[1:]], looped
    if not looped and route[-1].deciding:
        door.clause = _clause(route[-1].deciding[0], checked, texts, _)
    return door


def _clause(reason: Reason, checked: Checked, texts: RulesetTexts, _) -> Clause:
    rule = reason.rule
    source, cost = rule.rule.source, ""
    if rule.group == "requirement":
        change = _("Opens once the client gets what this waits for.")
    elif reason.status == "unknown":
        change = _("Not decided yet: answer the questions below.")
    else:
        change, cost = change_sentence(rule, checked, texts, _)
    return Clause(texts.rule(rule), texts(source.title), source.url, change, _now(reason, checked, _, texts.lang), cost)


def _effect(effect, texts: RulesetTexts) -> Clause:
    source = effect.rule.source
    return Clause(texts.rule(effect), texts(source.title), source.url, "")


def _fields_read(reason: Reason, checked: Checked) -> list[str]:
    atoms = [i for i in (reason.rule.condition, reason.rule.when) if i is not None]
    facts = set().union(*(facts_read(checked.compiled.atoms[i]) for i in atoms)) if atoms else set()
    facts = profile_facts_read(checked.compiled, facts)  # an amount read is the answers it is computed from
    return [f for f in QUESTIONS if f in {FACT_TO_FIELD.get(name, name) for name in facts}]


def _now(reason: Reason, checked: Checked, _, lang: str) -> str:
    """The client's answers that a clause read, in words: `Zelfredzaam: yes; net income: 1550`."""
    if reason.rule.group == "requirement":
        return ""
    return "; ".join(f"{_(QUESTIONS[f].label).rstrip('?')}: {_answer_words(f, checked, _, lang)}"
                     for f in _fields_read(reason, checked))


def _answer_words(name: str, checked: Checked, _, lang: str) -> str:
    value = getattr(checked.profile, name)
    question = QUESTIONS[name]
    if value is None:
        return _("not answered")
    if question.kind == "yes_no":
        return _(dict(YES_NO)["yes" if value else "no"])
    if question.kind == "choice":
        return _(dict(question.choices)[value])
    if question.kind == "children":
        return ", ".join(str(c.age) for c in value if c.lives_with_client) or _("none")
    if question.kind == "co_residents":
        return ", ".join(f"{_(dict(question.choices)[r.relation])} ({r.age})" for r in value) or _("none")
    if question.kind == "sleeps_elsewhere":
        return str(value.nights_per_week) if value else "0"
    if question.kind == "needs":
        return ", ".join(_(NEED_NAMES[n]) for n in value)
    if question.unit == "€":
        return euros(value, lang)
    return value_words(value, lang)


