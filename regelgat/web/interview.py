"""The short interview: form answers to a profile, and which question to ask next.

The page first asks what every case needs (`FIRST_QUESTIONS`). After each check it offers only the
questions whose answer could still change a verdict on the client's own needs, most decisive
first: it tries every other answer (for a number, each side of every limit a rule sets on it) and
counts the doors that would open or shut; then it counts the refusing clauses that read the answer (which could open together with
another answer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from regelgat.check.single import Checked
from regelgat.client.facts import profile_facts
from regelgat.client.profile import NEEDS, Profile
from regelgat.rules.amounts import add_amounts, profile_facts_read
from regelgat.rules.expressions import Compare, Not, evaluate, facts_read
from regelgat.rules.verdicts import decide
from regelgat.i18n import N_
from regelgat.web.questions import FACT_TO_FIELD, FIRST_QUESTIONS, HOSTS, QUESTIONS

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
        if name in ("id", "needs", "children", "sleeps_elsewhere") or not raw:
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
        elif raw in dict(question.choices):
            data[name] = raw
        else:
            problems[name] = N_("Choose one of the answers.")
    data["needs"] = [n for n in NEEDS if n in needs]
    answered.add("needs")
    _read_children(form.get("children") or "", data, answered, problems)
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
    """Unanswered questions that could change a verdict on the client's needs, most decisive first."""
    needed = _needed_keys(checked)
    if not needed:
        return []
    scores = {}
    for name, question in QUESTIONS.items():
        if name in answered or name in FIRST_QUESTIONS:
            continue
        # Doors one answer alone would move count most; a clause it decides together with others next.
        moved = _doors_moved(checked, name, needed, _answers_to_try(checked, name))
        score = 10 * moved + _deciding_reads(checked, name, needed)
        if score:
            scores[name] = score
    order = list(QUESTIONS)
    return sorted(scores, key=lambda n: (-scores[n], order.index(n)))[:MAX_NEXT]


def _needed_keys(checked: Checked) -> set[str]:
    """The shut provisions for the needs nothing covers yet, and the ones they wait for."""
    needs = set(checked.result.gaps)
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


def _answers_to_try(checked: Checked, name: str) -> list:
    """Every answer to a yes/no or a choice; for a number, each side of every limit a rule sets on it."""
    question = QUESTIONS[name]
    if question.kind == "yes_no":
        return [True, False]
    if question.kind == "choice":
        return [value for value, _ in question.choices]
    if question.kind not in ("number", "integer"):
        return []
    limits = {node.value for atom in checked.compiled.atoms for node in _comparisons(atom)
              if node.fact == name and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)}
    whole = int if question.kind == "integer" else float
    return sorted({whole(max(0, value + step)) for value in limits for step in (-1, 0, 1)})


def _comparisons(node) -> list[Compare]:
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, Not):
        return _comparisons(node.item)
    return [c for item in getattr(node, "items", ()) for c in _comparisons(item)]


def _doors_moved(checked: Checked, name: str, needed: set[str], values: list) -> int:
    """Most doors for the client's needs that another answer to this question would move."""
    current = getattr(checked.profile, name)
    before = {v.provision.key: v.outcome for v in checked.result.verdicts if v.provision.key in needed}
    best = 0
    for value in values:
        if value == current:
            continue
        try:
            other = Profile.model_validate({**checked.profile.model_dump(), name: value})
        except ValueError:
            continue
        facts = add_amounts(checked.compiled, profile_facts(other))  # conditions read amounts too
        result = decide(checked.compiled, [evaluate(a, facts) for a in checked.compiled.atoms], other.needs)
        moved = sum(1 for v in result.verdicts if v.provision.key in before and v.outcome != before[v.provision.key])
        best = max(best, moved + 2 * len(set(result.gaps) ^ set(checked.result.gaps)))
    return best


def _deciding_reads(checked: Checked, name: str, needed: set[str]) -> int:
    """How many deciding criteria of the needed doors read this number."""
    count = 0
    for verdict in checked.result.verdicts:
        if verdict.provision.key not in needed:
            continue
        for reason in verdict.deciding:
            atoms = [i for i in (reason.rule.condition, reason.rule.when) if i is not None]
            read = set().union(*(facts_read(checked.compiled.atoms[i]) for i in atoms)) if atoms else set()
            if name in {FACT_TO_FIELD.get(f, f) for f in profile_facts_read(checked.compiled, read)}:
                count += 1
    return count
