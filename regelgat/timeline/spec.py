"""Timeline files: a client, a start date, a number of weeks, and what happened when.

A timeline is data, like a profile. It comes in through the one data-file door
(regelgat.io.datafiles), so a bad file stops with one line naming the file, the line and a fix,
before any week is simulated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from regelgat.client.profile import Profile
from regelgat.io import datafiles
from regelgat.io.errors import InputError, did_you_mean

EventKind = Literal["receiving", "reported", "information_not_supplied", "information_supplied", "change",
                    "rent_unpaid"]
EVENTS: tuple[str, ...] = EventKind.__args__
_NEEDS_PROVISION = {"receiving", "reported", "information_not_supplied", "information_supplied"}
_PROVISION_KEY = r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Event(_Model):
    date: dt.date
    event: EventKind
    provision: str | None = Field(None, pattern=_PROVISION_KEY)
    set: dict[str, Any] | None = Field(None, description="change: the profile facts that hold from this date.")
    since: dt.date | None = Field(None, description="receiving: when the provision began (its duration counts from it).")
    note: str | None = Field(None, max_length=500)

    @model_validator(mode="after")
    def _fields_fit_the_event(self):
        if self.event in _NEEDS_PROVISION and self.provision is None:
            raise ValueError(f"event {self.event} needs the provision it concerns (add provision: <ruleset>/<provision>)")
        if self.event == "change" and not self.set:
            raise ValueError("a change needs the facts it sets (add set: {fact: value})")
        if self.since is not None and self.event != "receiving":
            raise ValueError(f"only receiving has a since: date (remove since: from this {self.event})")
        if self.event != "change" and self.set is not None:
            raise ValueError(f"only a change sets facts (remove set: from this {self.event})")
        return self


class TimelineFile(_Model):
    id: str = Field(min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    profile: str | dict[str, Any] = Field(description="A profile file, relative to this file, or an inline profile.")
    start: dt.date
    weeks: int = Field(ge=1, le=520)
    birth_date: dt.date | None = Field(None, description="When given, the age is counted from it every week.")
    events: list[Event] = []


@dataclass(frozen=True)
class Timeline:
    """A loaded timeline: its events in date order, with the profile they change."""

    spec: TimelineFile
    path: Path
    profile: Profile
    events: tuple[Event, ...]

    @property
    def end(self) -> dt.date:
        return self.spec.start + dt.timedelta(weeks=self.spec.weeks, days=-1)


def load_timeline(path: Path | str, provisions: set[str]) -> Timeline:
    """Read and check a timeline file; PROVISIONS are the known `<ruleset>/<provision>` keys."""
    path = Path(path)
    data, locate = datafiles.read(path)
    spec = datafiles.validate(TimelineFile, data, path, locate)
    profile = _profile(spec, path, data, locate)
    end = spec.start + dt.timedelta(weeks=spec.weeks, days=-1)
    for index, event in enumerate(spec.events):
        def fail(problem: str, fix: str, key: str = "date") -> InputError:
            return InputError(str(path), datafiles.where(("events", index, key), data, locate), problem, fix)

        if event.date < spec.start:
            raise fail(f"event {event.event} on {event.date} is before start {spec.start}",
                       "move the event or the start")
        if event.date > end:
            raise fail(f"event {event.event} on {event.date} is after the last week (ends {end})",
                       "move the event or give more weeks")
        if event.provision is not None and event.provision not in provisions:
            raise fail(f"provision {event.provision!r} does not exist",
                       did_you_mean(event.provision, provisions) or "write <ruleset id>/<provision id>", "provision")
        if event.set:
            _check_change(event, profile, fail)
    events = tuple(sorted(spec.events, key=lambda e: e.date))  # stable: same-day events keep file order
    return Timeline(spec, path, profile, events)


def _profile(spec: TimelineFile, path: Path, data: Any, locate) -> Profile:
    if isinstance(spec.profile, str):
        from regelgat.check.single import load_profile

        return load_profile((path.parent / spec.profile))
    return datafiles.validate(Profile, spec.profile, path, lambda loc: locate(("profile", *loc)))


def _check_change(event: Event, profile: Profile, fail) -> None:
    fields = list(Profile.model_fields)
    for name in event.set:
        if name not in fields:
            raise fail(f"unknown fact {name!r} in set", did_you_mean(name, fields) or "regelgat schema lists the facts",
                       "set")
    try:
        Profile.model_validate({**profile.model_dump(), **event.set})
    except Exception as exc:  # pydantic's ValidationError: name the first problem on one line
        first = exc.errors()[0] if hasattr(exc, "errors") else {"msg": str(exc), "loc": ()}
        raise fail(f"set gives a bad value for {'.'.join(map(str, first['loc']))}: {first['msg']}",
                   "see regelgat schema for the allowed values", "set") from None


def profile_at(timeline: Timeline, date: dt.date) -> Profile:
    """The client as the events say they are on DATE: every change up to it, the age from the birth date."""
    update: dict[str, Any] = {}
    for event in timeline.events:
        if event.date > date:
            break
        if event.set:
            update.update(event.set)
    birth = timeline.spec.birth_date
    if birth is not None:
        update["age"] = date.year - birth.year - ((date.month, date.day) < (birth.month, birth.day))
    if not update:
        return timeline.profile
    return Profile.model_validate({**timeline.profile.model_dump(), **update})
