"""Procedure rules: how a provision starts, advances, pauses and stops, as dated, cited data.

An eligibility check answers "would you qualify today?". A procedure answers "from when, and
what happens to the weeks in between?": the start date (the melding, the 1st of the next month,
the next quarter), the advance, the decision period, suspension and withdrawal, how far back a
late grant pays, and waiting periods. Timelines read these steps week by week. Every step is a
cited rule with the date it applies from; a "may" is `discretionary`, a length no rule fixes is
an `assumption`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from regelgat.rules.ruleset import Rule

Step = Literal[
    "start",                  # when payment or help begins
    "search_period",          # weeks after the melding before an application is taken in
    "advance",                # voorschot: at the latest within `weeks` of the application, `share` of the amount
    "decision",               # decision period (beslistermijn) in weeks
    "suspension",             # opschorting: at most `weeks`
    "repair",                 # hersteltermijn: weeks to repair an omission
    "withdrawal",             # intrekking after an unrepaired suspension
    "back_pay",               # how far back a (late) grant pays: `months`, or `year_start`
    "reuse_data",             # a new application within `months` may reuse data already held
    "first_conversation",     # debt help: first conversation within `weeks`
    "first_conversation_threatening",  # ... within `working_days` in a threatening situation
    "threatening_arrears",    # rent arrears of `months` make eviction a threatening situation
    "waiting_list",           # a wait no rule fixes: `years`, always an assumption
    "duration",               # how long the provision runs: `months`
    "payment",                # payment rhythm: `rhythm`
]
Starts = Literal["melding", "next_month", "next_quarter", "first_conversation", "court_order"]
Rhythm = Literal["month", "after_quarter"]

# The fields each step must give; the simulator reads exactly these.
REQUIRED: dict[str, tuple[str, ...]] = {
    "start": ("starts",), "search_period": ("weeks",), "advance": ("weeks", "share"),
    "decision": ("weeks",), "suspension": ("weeks",), "repair": ("weeks",), "withdrawal": (),
    "back_pay": ("months",), "reuse_data": ("months",), "first_conversation": ("weeks",),
    "first_conversation_threatening": ("working_days",),
    "threatening_arrears": ("months",), "waiting_list": ("years",),
    "duration": ("months",), "payment": ("rhythm",),
}


class ProcedureStep(Rule):
    """One dated, cited procedural rule of a provision."""

    step: Step
    valid_from: dt.date  # required here: every period carries the date it applies from
    discretionary: bool = Field(False, description="A 'may' (kan-bepaling): shown as a possibility, never counted as paid.")
    starts: Starts | None = None
    weeks: float | None = Field(None, ge=0, le=520)
    working_days: int | None = Field(None, ge=0, le=260)
    months: int | None = Field(None, ge=0, le=120)
    years: float | None = Field(None, ge=0, le=50)
    share: float | None = Field(None, gt=0, le=1)
    year_start: bool = Field(False, description="back_pay: retroactive to 1 January of the year of the application.")
    rhythm: Rhythm | None = None

    @model_validator(mode="after")
    def _complete(self):
        missing = [name for name in REQUIRED[self.step] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"step {self.step} needs {', '.join(missing)} (add {missing[0]}:)")
        if self.step == "waiting_list" and not self.assumption:
            raise ValueError("a waiting list no rule fixes is an assumption (add assumption: with why)")
        if self.step == "back_pay" and self.months and "discretionary" not in self.model_fields_set:
            raise ValueError("say whether back-pay is a right or a 'may' (add discretionary: true or false)")
        return self


_AT: dict[tuple[int, dt.date], tuple[tuple, dict]] = {}


def steps_at(steps: tuple[ProcedureStep, ...], date: dt.date) -> dict[str, ProcedureStep]:
    """The version of each step in force on DATE (the latest start on or before it).

    Remembered per steps and date: a population's timelines ask the same question for every
    week of every replay. The caller must not change the dict it gets.
    """
    key = (id(steps), date)
    hit = _AT.get(key)
    if hit is not None and hit[0] is steps:
        return hit[1]
    active: dict[str, ProcedureStep] = {}
    for step in sorted(steps, key=lambda s: s.valid_from):
        if step.active_on(date):
            active[step.step] = step
    if len(_AT) > 50_000:
        _AT.clear()
    _AT[key] = (steps, active)
    return active


def overlaps(steps: tuple[ProcedureStep, ...]) -> list[str]:
    """Two versions of one step in force on the same day: which one applies would be a guess."""
    out = []
    ordered = sorted(steps, key=lambda s: (s.step, s.valid_from))
    for first, second in zip(ordered, ordered[1:]):
        if first.step == second.step and (first.valid_until is None or first.valid_until >= second.valid_from):
            out.append(f"steps {first.id} and {second.id} are both in force on {second.valid_from} "
                       f"(end {first.id} with valid_until: {second.valid_from - dt.timedelta(days=1)})")
    return out
