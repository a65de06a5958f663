"""The short interview: form answers to a profile, and which question to ask next.

The page first asks what every case needs (`FIRST_QUESTIONS`). After each check it offers only the
questions whose answer could still change a verdict on the client's own needs, most decisive
first: a question left unanswered is an unknown fact, so these are the questions of the
undetermined doors, ordered by how many of them each decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from regelgat.check.single import Checked
from regelgat.client.profile import NEEDS
from regelgat.i18n import N_
from regelgat.io.limits import MAX_SHORT_TEXT_CHARS
from regelgat.rules.unknowns import questions
from regelgat.web.questions import CO_RESIDENT_ROWS, HOSTS, QUESTIONS

MAX_NEXT = 6  # a social worker answers a few at a time; the next check offers the rest


@dataclass
class Answers:
    """What the form said: the profile data, which questions were answered, and any bad answer."""

    data: dict
    answered: set[str]
    problems: dict[str, str]  # field -> English msgid of what is wrong


def read_form(form: Mapping[str, str], needs: Sequence[str]) -> Answers:
    data: dict = {"id": (form.get("id") or "").strip() or "client"}
    answered, problems = {"id"}, {}
    for name, question in QUESTIONS.items():
        raw = (form.get(name) or "").strip()
        if name in ("id", "needs", "children", "co_residents", "sleeps_elsewhere") or not raw:
            continue
        answered.add(name)
        if question.kind in ("number", "integer"):
            number = _number(raw, question.kind == "integer")
            if number is None:
                problems[name] = N_("Write a whole number.") if question.kind == "integer" else N_("Write a number, such as 1550 or 1550,50.")
            else:
                data[name] = number
        elif question.kind == "yes_no":
            if raw not in ("yes", "no"):
                problems[name] = N_("Choose yes or no.")
            else:
                data[name] = raw == "yes"
        elif question.kind == "text":
            data[name] = raw[:MAX_SHORT_TEXT_CHARS]
        elif raw in dict(question.choices):
            data[name] = raw
        else:
            problems[name] = N_("Choose one of the answers.")
    data["needs"] = [n for n in NEEDS if n in needs]
    answered.add("needs")
    _read_children(form.get("children") or "", data, answered, problems)
    _read_co_residents(form, data, answered, problems)
    _read_sleeps_elsewhere(form, data, answered, problems)
    return Answers(data, answered, problems)


def _number(raw: str, whole: bool) -> int | float | None:
    text = raw.replace("€", "").replace(" ", "")
    if "," in text:  # Dutch: 1.550,50
        text = text.replace(".", "").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    if whole:
        return int(value) if value == int(value) else None
    return int(value) if value == int(value) else value


def _read_children(raw: str, data: dict, answered: set[str], problems: dict[str, str]) -> None:
    answered.add("children")
    parts = [p for p in raw.replace(";", ",").replace(" ", ",").split(",") if p]
    ages = [_number(p, True) for p in parts]
    if any(a is None for a in ages):
        problems["children"] = N_("Write the ages as whole numbers, separated by commas.")
        return
    data["children"] = [{"age": age, "lives_with_client": True} for age in ages]


def _read_co_residents(form: Mapping[str, str], data: dict, answered: set[str], problems: dict[str, str]) -> None:
    """Rows of age, relation and student finance; a row left empty is nobody."""
    answered.add("co_residents")
    people = []
    for row in range(1, CO_RESIDENT_ROWS + 1):
        age, relation = (form.get(f"co_age_{row}") or "").strip(), form.get(f"co_relation_{row}") or ""
        if not age and not relation:
            continue
        number = _number(age, True)
        if number is None or relation not in dict(QUESTIONS["co_residents"].choices):
            problems["co_residents"] = N_("For each person, write the age as a whole number and choose the relation.")
            return
        people.append({"age": number, "relation": relation, "student_finance": form.get(f"co_student_{row}") == "yes"})
    data["co_residents"] = people


def _read_sleeps_elsewhere(form: Mapping[str, str], data: dict, answered: set[str], problems: dict[str, str]) -> None:
    answered.add("sleeps_elsewhere")
    host, nights = form.get("host") or "", (form.get("nights_per_week") or "").strip()
    if not host or host == "none":
        return
    number = _number(nights or "0", True)
    if host not in dict(HOSTS) or number is None:
        problems["sleeps_elsewhere"] = N_("Choose whose home, and write the nights as a whole number.")
        return
    data["sleeps_elsewhere"] = {"host": host, "nights_per_week": number,
                                "host_on_bijstand": form.get("host_on_bijstand") == "yes"}
    host_age = _number(form.get("host_age") or "", True)
    if host_age is not None:
        data["sleeps_elsewhere"]["host_age"] = host_age


def next_questions(checked: Checked, answered: set[str]) -> list[str]:
    """Unanswered questions that could still change a verdict on the client's needs, most decisive first.

    A fact left out is unknown, so exactly the undetermined verdicts can still move: their questions
    (verdicts.questions) are the ones to ask, ordered by how many of the doors that matter each decides.
    """
    needed = _needed_keys(checked)
    ranked = []
    for name, decides in questions(checked.result, checked.compiled, checked.facts):
        count = len(needed & set(decides))
        if count and name in QUESTIONS and name not in answered:
            ranked.append((name, count))
    order = list(QUESTIONS)
    return [name for name, _ in sorted(ranked, key=lambda item: (-item[1], order.index(item[0])))][:MAX_NEXT]


def _needed_keys(checked: Checked) -> set[str]:
    """The doors for the needs nothing covers yet (gaps and undecided needs), and the ones they wait for."""
    needs = set(checked.result.gaps) | set(checked.result.undecided)
    by_key = {v.provision.key: v for v in checked.result.verdicts}
    keys = {v.provision.key for v in checked.result.verdicts
            if set(v.provision.spec.covers) & needs and v.outcome != "eligible"}
    frontier = list(keys)
    while frontier:
        for granter in by_key[frontier.pop()].blocked_by:
            if granter not in keys:
                keys.add(granter)
                frontier.append(granter)
    return keys
