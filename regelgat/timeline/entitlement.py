"""What the client would get from bijstand in a week: the norm for their household minus their income.

A stop-gap until verdicts carry amounts: it reads only the dated norm parameters the bijstand
ruleset already holds, so the week of 1 Jan or 1 Jul picks up the new norms, and the week of a
21st birthday the adult norm.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from regelgat.rules.compiled import CompiledRules

BIJSTAND = "participatiewet-bijstand"
WEEKS_PER_MONTH = 52 / 12


def norm_name(facts: dict[str, Any], aow_age: float) -> str:
    """Which norm parameter applies to the household (Participatiewet art. 20-22a, simplified)."""
    age, couple = facts["age"], bool(facts.get("treated_as_married"))
    if age >= aow_age:
        return "norm_couple_aow" if couple else "norm_single_aow"
    if age < 21:
        return "norm_youth_couple" if couple else "norm_youth_single"
    if couple:
        return "norm_couple"
    return "norm_cost_sharing" if facts.get("cost_sharers", 0) >= 1 else "norm_single"


def weekly_amount(compiled: CompiledRules, facts: dict[str, Any], date: dt.date,
                  supplement: bool) -> tuple[float, str]:
    """Euros a week and the norm it rests on; SUPPLEMENT adds the statutory youth supplement."""
    ruleset = next((r for r in compiled.rulesets if r.id == BIJSTAND), None)
    if ruleset is None:
        return 0.0, ""

    def value(name: str) -> float:
        found = ruleset.parameter_at(name, date) if name in ruleset.spec.parameters else None
        return found.value if found is not None else 0.0

    name = norm_name(facts, value("aow_age") or 67)
    if name == "norm_cost_sharing":
        people = min(1 + facts["cost_sharers"], 6)
        monthly = (0.4 + people * 0.3) / people * value("norm_couple")  # art. 22a lid 1
    else:
        monthly = value(name)
    if supplement and name.startswith("norm_youth"):
        monthly += value("youth_supplement")
    monthly = max(0.0, monthly - float(facts.get("income_net_monthly") or 0))
    return round(monthly / WEEKS_PER_MONTH, 2), name
