"""Week by week: which needs are covered, waiting or uncovered, and which clauses make each gap.

Every week the client's facts (after the changes so far) are checked against the rules in force
that week, so the week of 1 Jan or 1 Jul uses the new rules and amounts. The procedure state of
each provision the events mention then decides whether an eligible provision actually pays:
eligible is not the same as covered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from regelgat.check.single import check_profile
from regelgat.client.profile import Profile
from regelgat.rules.at_date import rules_at
from regelgat.rules.procedure import ProcedureStep, steps_at
from regelgat.rules.verdicts import Verdict
from regelgat.i18n import N_
from regelgat.timeline import procedure_state as ps
from regelgat.timeline.entitlement import BIJSTAND, weekly_amount
from regelgat.timeline.phrases import EMPTY, Joined, Phrase, Word, say
from regelgat.timeline.spec import Timeline, profile_at

DateRules = Literal["as-of", "each-week"]
Clause = tuple[str, str]  # (title, url)
INCOME_PROVISIONS = (f"{BIJSTAND}/algemene_bijstand",)


@dataclass(frozen=True)
class Cell:
    """One provision or one need in one week."""

    status: str  # covered | waiting | uncovered (provisions also: ineligible)
    cause: Phrase = EMPTY  # put into words in the language it is shown in (timeline.phrases)
    clauses: tuple[Clause, ...] = ()
    flags: tuple[str, ...] = ()
    by: tuple[str, ...] = ()
    back_pay: Phrase = EMPTY  # a discretionary back-pay that MAY cover the week: never counted as paid
    advance: float = 0.0  # paid as an advance of this share until the decision (the rest comes later)


@dataclass
class Week:
    start: dt.date
    needs: dict[str, Cell]
    provisions: dict[str, Cell]
    entitled: float
    income: float
    norm: str
    rent_arrears_months: int
    delayed: float = 0.0  # euros of this week paid only later: a week waited for, or what an advance holds back


@dataclass
class Simulation:
    timeline: Timeline
    date_rules: DateRules
    weeks: list[Week] = field(default_factory=list)


def simulate(timeline: Timeline, rulesets: Path, date_rules: DateRules = "each-week") -> Simulation:
    sim = Simulation(timeline, date_rules)
    procedures = _procedures(rulesets, timeline.spec.start)
    parts = {key: ps.segments(timeline.events, key, steps) for key, steps in procedures.items()}
    eligible_since: dict[str, dt.date] = {}
    applied_on: dict[tuple[str, dt.date], dt.date] = {}
    for index in range(timeline.spec.weeks):
        start = timeline.spec.start + dt.timedelta(weeks=index)
        last = start + dt.timedelta(days=6)
        compiled = rules_at(rulesets, timeline.spec.start if date_rules == "as-of" else last)
        profile = profile_at(timeline, last)
        melding = _melding_weeks(parts, last)
        checked = check_profile(profile.model_copy(update={"weeks_since_reporting": melding}), compiled)
        verdicts = {v.provision.key: v for v in checked.result.verdicts}
        changed = max((e.date for e in timeline.events if start <= e.date <= last and e.set), default=start)
        for key, verdict in verdicts.items():
            if verdict.outcome == "eligible":  # eligible from the first week: assume it already runs
                eligible_since.setdefault(key, dt.date.min if index == 0 else changed)
            else:
                eligible_since.pop(key, None)
        arrears = sum(1 for e in timeline.events if e.event == "rent_unpaid" and e.date <= last)
        context = _Context(start, last, parts, procedures, eligible_since, applied_on, arrears)
        cells = {key: _provision_cell(key, v, context) for key, v in verdicts.items()}
        needs = {need: _need_cell(need, verdicts, cells) for need in profile.needs}
        entitled, norm = _entitled(profile, compiled, last)
        paid = entitled if any(cells[k].status in ("covered", "waiting") for k in INCOME_PROVISIONS if k in cells) else 0.0
        sim.weeks.append(Week(start, needs, cells, entitled, paid, norm, arrears, delayed(cells, entitled)))
    return sim


def delayed(cells: dict[str, Cell], entitled: float) -> float:
    """Euros of a week's bijstand paid only later: all of a week waited for, the part an advance holds back."""
    cell = next((cells[k] for k in INCOME_PROVISIONS if k in cells), None)
    if cell is None or cell.status not in ("covered", "waiting"):
        return 0.0
    if cell.status == "waiting":
        return entitled
    return entitled * (1 - cell.advance) if cell.advance else 0.0


@dataclass
class _Context:
    start: dt.date
    last: dt.date
    parts: dict[str, list[ps.Segment]]
    procedures: dict[str, tuple[ProcedureStep, ...]]
    eligible_since: dict[str, dt.date]
    applied_on: dict[tuple[str, dt.date], dt.date]
    arrears: int


def _procedures(rulesets: Path, date: dt.date) -> dict[str, tuple[ProcedureStep, ...]]:
    compiled = rules_at(rulesets, date)
    return {f"{r.id}/{p.id}": p.procedure for r in compiled.rulesets for p in r.spec.provisions if p.procedure}


def _melding_weeks(parts: dict[str, list[ps.Segment]], last: dt.date) -> int:
    """Whole weeks since the bijstand melding: the under-27 search period counts from it."""
    segment = ps.state_on(parts.get(INCOME_PROVISIONS[0], [ps.Segment(dt.date.min, "not_reported", dt.date.min)]), last)
    if segment.state != "applied":
        return 1000 if segment.state == "receiving" else 0
    return (last - segment.since).days // 7


def _entitled(profile: Profile, compiled, last: dt.date) -> tuple[float, str]:
    """What bijstand would pay this week on the client's means, once any search period is over."""
    checked = check_profile(profile.model_copy(update={"weeks_since_reporting": 1000}), compiled)
    outcome = {v.provision.key: v.outcome for v in checked.result.verdicts}
    if outcome.get(INCOME_PROVISIONS[0]) != "eligible":
        return 0.0, ""
    supplement = outcome.get(f"{BIJSTAND}/youth_top_up") == "eligible" and compiled.date.year >= 2026
    return weekly_amount(compiled, checked.facts, compiled.date, supplement)


def _cite(step: ProcedureStep | None) -> tuple[Clause, ...]:
    return ((step.source.title, step.source.url),) if step is not None else ()


def _flags(*steps: ProcedureStep | None) -> tuple[str, ...]:
    return tuple(f"{s.id}: {s.assumption}" for s in steps if s is not None and s.assumption)


def _provision_cell(key: str, verdict: Verdict, ctx: _Context) -> Cell:
    procedure = ctx.procedures.get(key, ())
    if key in ctx.parts and steps_at(procedure, ctx.last).get("duration"):
        # A scheme with a term (a court's Wsnp) runs to its end once admitted; admission is not re-tested.
        segment = ps.state_on(ctx.parts[key], ctx.last)
        if segment.state in ("receiving", "ended"):
            return _tracked(key, segment, procedure, steps_at(procedure, ctx.last), ctx)
    if verdict.outcome != "eligible":
        reasons = verdict.deciding
        return Cell("ineligible", say("{outcome}: {reasons}", outcome=Word(verdict.outcome),
                                      reasons=Joined("; ", tuple(r.rule for r in reasons))),
                    tuple(dict.fromkeys((r.rule.rule.source.title, r.rule.rule.source.url) for r in reasons)),
                    verdict.flags)
    steps = steps_at(procedure, ctx.last)
    start = steps.get("start")
    if start is None:
        return Cell("covered")
    tracked = any(s.state != "not_reported" for s in ctx.parts.get(key, ())[1:])
    if not tracked:  # no event names it: dated starts still apply; otherwise the check's answer stands
        return _automatic(key, start, steps, ctx) if start.starts in ("next_month", "next_quarter") else Cell("covered")
    segment = ps.state_on(ctx.parts[key], ctx.last)
    return _tracked(key, segment, procedure, steps, ctx)


def _automatic(key: str, start: ProcedureStep, steps: dict[str, ProcedureStep], ctx: _Context) -> Cell:
    """Provisions that start by date, not by a decision: toeslagen, kinderbijslag, kgb."""
    since = ctx.eligible_since[key]
    if since == dt.date.min:
        return Cell("covered")
    begins = ps.automatic_start(start.starts, since)
    if ctx.last < begins:
        return Cell("uncovered", say(N_("starts {date}: {rule}"), date=begins, rule=start), _cite(start),
                    _flags(start))
    payment = steps.get("payment")
    if payment is not None and payment.rhythm == "after_quarter":
        first_paid = ps.automatic_start("next_quarter", begins + dt.timedelta(days=1))
        if ctx.last < first_paid:
            return Cell("waiting", say(N_("first paid after the quarter, on {date}: {rule}"), date=first_paid,
                                       rule=payment),
                        _cite(payment), _flags(payment))
    return Cell("covered")


def _tracked(key: str, segment: ps.Segment, procedure, steps: dict[str, ProcedureStep], ctx: _Context) -> Cell:
    if segment.state == "receiving":
        return Cell("covered")
    if segment.state == "suspended":
        step = steps.get("suspension")
        return Cell("waiting", say(N_("suspended since {date}, repaired in time: paid afterwards"), date=segment.since),
                    _cite(step), _flags(step))
    if segment.state == "ended":
        step = steps.get("duration")
        return Cell("uncovered", say(N_("ended on {date}: {rule}"), date=segment.since, rule=step or ""), _cite(step),
                    _flags(step))
    if segment.state == "applied":
        return _applied(key, segment, steps, ctx)
    return _lost(key, segment, procedure, steps, ctx)


def _lost(key: str, segment: ps.Segment, procedure, steps: dict[str, ProcedureStep], ctx: _Context) -> Cell:
    """Not reported, or withdrawn: weeks that are never paid, unless a 'may' back-pay is used."""
    start = steps["start"]
    chain = [steps.get("suspension"), steps.get("repair"), steps.get("withdrawal")] if segment.state == "withdrawn" else []
    melding = ps.next_melding(ctx.parts[key], ctx.last)
    back = steps_at(procedure, melding).get("back_pay") if melding else steps.get("back_pay")
    chain += [start, back]
    if segment.state == "withdrawn":
        cause = say(N_("withdrawn from the first day of the suspension ({date}), not repaired in time"),
                    date=segment.since)
        then = say(N_("reported again on {date}"), date=melding) if melding else \
            say(N_("not reported again in this timeline"))
    else:
        cause = say(N_("not reported: {rule}"), rule=start)
        then = say(N_("reported on {date}"), date=melding) if melding else say(N_("not reported in this timeline"))
    cause = say("{cause}; {then}", cause=cause, then=then)
    possible = EMPTY
    if back is not None and back.discretionary and melding and ctx.start >= ps.add_months(melding, -back.months):
        possible = say(N_("may be paid back ({step}): {rule}"), step=back.id, rule=back)
    clauses = tuple(dict.fromkeys(c for s in chain for c in _cite(s)))
    return Cell("uncovered", cause, clauses, _flags(*chain), back_pay=possible)


def _applied(key: str, segment: ps.Segment, steps: dict[str, ProcedureStep], ctx: _Context) -> Cell:
    start = steps["start"]
    if start.starts == "first_conversation":
        return _debt_help(segment, steps, ctx)
    applied = ctx.applied_on.setdefault((key, segment.since), max(segment.since, ctx.start))
    advance, decision = steps.get("advance"), steps.get("decision")
    if advance is not None and ctx.last < applied + dt.timedelta(weeks=advance.weeks):
        return Cell("waiting", say(N_("applied {date}: no money until the advance, due by {due}; granted from "
                                      "the melding ({melding}) and paid afterwards"), date=applied,
                                   due=applied + dt.timedelta(weeks=advance.weeks), melding=segment.since),
                    _cite(advance) + _cite(start), _flags(advance, start))
    if decision is not None and ctx.last < applied + dt.timedelta(weeks=decision.weeks):
        return Cell("covered", say(N_("advance of {share} until the decision"), share=advance.share) if advance else EMPTY,
                    advance=advance.share if advance else 0.0)
    return Cell("covered")


def _debt_help(segment: ps.Segment, steps: dict[str, ProcedureStep], ctx: _Context) -> Cell:
    threshold, urgent = steps.get("threatening_arrears"), steps.get("first_conversation_threatening")
    normal = steps.get("first_conversation")
    threatening = threshold is not None and urgent is not None and ctx.arrears >= threshold.months
    due = ps.add_working_days(segment.since, urgent.working_days) if threatening else \
        segment.since + dt.timedelta(weeks=normal.weeks if normal else 0)
    if ctx.last >= due:
        return Cell("covered")
    used = (threshold, urgent) if threatening else (normal,)
    return Cell("waiting", say(N_("asked for help {date}: first conversation due by {due}"), date=segment.since, due=due),
                tuple(c for s in used for c in _cite(s)), _flags(*used))


def need_status(providers: list[str], cells: dict[str, Cell]) -> tuple[str, list[str]]:
    """Covered or waiting, by which providers; or uncovered, because of which (the eligible ones that
    do not pay yet, if any: then the procedure is the cause, not the other doors)."""
    for status in ("covered", "waiting"):
        by = [k for k in providers if cells[k].status == status]
        if by:
            return status, by
    return "uncovered", [k for k in providers if cells[k].status != "ineligible"] or providers


def _need_cell(need: str, verdicts: dict[str, Verdict], cells: dict[str, Cell]) -> Cell:
    providers = [k for k, v in verdicts.items() if need in v.provision.spec.covers]
    status, which = need_status(providers, cells)
    if status != "uncovered":
        cell = cells[which[0]]
        return Cell(status, cell.cause if status == "waiting" else EMPTY, cell.clauses, cell.flags, tuple(which))
    parts = [(k, cells[k]) for k in which]
    if parts:
        each = tuple(say("{provision}: {cause}", provision=k, cause=c.cause) for k, c in parts)
        cause = say("{causes}", causes=Joined(" | ", each))
    else:
        cause = say(N_("no provision covers {need}"), need=Word(need.replace("_", " ")))
    clauses = tuple(dict.fromkeys(cl for _, c in parts for cl in c.clauses))
    flags = tuple(dict.fromkeys(f for _, c in parts for f in c.flags))
    back = next((c.back_pay for _, c in parts if c.back_pay), EMPTY)
    return Cell("uncovered", cause, clauses, flags, back_pay=back)
