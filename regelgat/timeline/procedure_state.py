"""Where a client stands in a provision's procedure on a given day, from the timeline's events.

The events say what happened (reported, receiving, information not supplied, ...); the
provision's procedure steps say what that means (suspension, withdrawal from its first day,
the start at the melding). This module turns the two into dated segments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from regelgat.rules.procedure import ProcedureStep, steps_at
from regelgat.timeline.spec import Event

# not_reported: nothing asked yet; applied: reported, waiting for the procedure; receiving: paid;
# suspended: paused, repaired later; withdrawn: not repaired, lost from the first day of the
# suspension; ended: its duration ran out.
States = ("not_reported", "applied", "receiving", "suspended", "withdrawn", "ended")


@dataclass(frozen=True)
class Segment:
    start: dt.date
    state: str
    since: dt.date  # the melding (applied), the suspension's first day (suspended/withdrawn), the start (receiving)


def segments(events: tuple[Event, ...], key: str, procedure: tuple[ProcedureStep, ...]) -> list[Segment]:
    """The provision's procedural states in date order (the first one runs from the beginning of time)."""
    own = [e for e in events if e.provision == key]
    out = [Segment(dt.date.min, "not_reported", dt.date.min)]
    for index, event in enumerate(own):
        current = out[-1]
        if event.event == "receiving":
            out.append(Segment(event.date, "receiving", event.since or event.date))
            out.extend(_end_of_duration(event, procedure))
        elif event.event == "reported" and current.state in ("not_reported", "withdrawn", "ended"):
            out.append(Segment(event.date, "applied", event.date))
        elif event.event == "information_not_supplied" and current.state in ("applied", "receiving"):
            repair = steps_at(procedure, event.date).get("repair")
            deadline = event.date + dt.timedelta(weeks=repair.weeks if repair else 0)
            fixed = next((i for i, later in enumerate(own) if i > index and later.event == "information_supplied"
                          and later.date <= deadline), None)
            if fixed is None:
                out.append(Segment(event.date, "withdrawn", event.date))
            else:
                out += [Segment(event.date, "suspended", event.date), Segment(own[fixed].date, current.state, current.since)]
    return out


def _end_of_duration(event: Event, procedure: tuple[ProcedureStep, ...]) -> list[Segment]:
    duration = steps_at(procedure, event.date).get("duration")
    if duration is None or event.since is None:
        return []
    end = add_months(event.since, duration.months)
    return [Segment(end, "ended", end)]


def state_on(parts: list[Segment], day: dt.date) -> Segment:
    return [s for s in parts if s.start <= day][-1]


def next_melding(parts: list[Segment], day: dt.date) -> dt.date | None:
    """The next melding after DAY, if the client reports again later in the timeline."""
    return next((s.start for s in parts if s.start > day and s.state == "applied"), None)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def add_working_days(day: dt.date, days: int) -> dt.date:
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def automatic_start(starts: str, eligible_since: dt.date) -> dt.date:
    """next_month: the 1st of the following month; next_quarter: the first day of the next quarter
    (a child born on a quarter's first day counts from that day)."""
    if starts == "next_month":
        return add_months(eligible_since.replace(day=1), 1)
    quarter_first = dt.date(eligible_since.year, 3 * ((eligible_since.month - 1) // 3) + 1, 1)
    return eligible_since if eligible_since == quarter_first else add_months(quarter_first, 3)
