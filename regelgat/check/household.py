"""The household summary: income before and after the provisions, against the social minimum.

The social minimum is the amount a ruleset marks `social_minimum: true`: in the bundled rules the
bijstand norm for this household (Participatiewet art. 20-22a), the income the law guarantees to
live on. Only provisions that cover the need for income count towards it; huurtoeslag, zorgtoeslag
and the child benefits pay for rent, premium and children, and bijstand does not count them as
income either (art. 31 lid 2 b and d). The shortfall is reported when income is a need no
provision covers: how many euros a month the household lives below that minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regelgat.check.single import Checked
from regelgat.rules.verdicts import Verdict, verdict_amount


@dataclass(frozen=True)
class Household:
    income_before: float | None  # None: the profile does not give its income
    paid: tuple[tuple[Verdict, float | None], ...]  # eligible provisions with an amount (None: unknown)
    income_after: float | None  # before plus every amount paid; None if one is unknown
    income_support: float | None  # before plus what covers the need for income
    social_minimum: float | None
    minimum_text: str
    minimum_source: str
    shortfall: float | None  # only when income is a gap


def household(checked: Checked) -> Household:
    facts = checked.facts
    income = checked.profile.income_net_monthly
    before = None if income is None else float(income)
    paid = tuple((v, verdict_amount(v, checked.compiled, facts)) for v in checked.result.verdicts
                 if v.outcome == "eligible" and checked.compiled.amount_of(v.provision.key) is not None)
    known = before is not None and all(a is not None for _, a in paid)
    after = round(before + sum(a for _, a in paid), 2) if known else None
    income_paid = [a for v, a in paid if "income" in v.provision.spec.covers]
    support = round(before + sum(income_paid), 2) \
        if before is not None and all(a is not None for a in income_paid) else None
    minimum = next((a for a in checked.compiled.amounts if a.spec.social_minimum), None)
    level = facts.get(minimum.name) if minimum else None
    shortfall = None
    if "income" in checked.result.gaps and level is not None and support is not None:
        shortfall = round(max(0.0, level - support), 2)
    return Household(before, paid, after, support, level, minimum.text if minimum else "",
                     str(minimum.spec.source) if minimum else "", shortfall)


def household_json(h: Household) -> dict[str, Any]:
    return {
        "income_before": h.income_before,
        "provisions": {v.provision.key: a for v, a in h.paid},
        "income_after": h.income_after,
        "income_support": h.income_support,
        "social_minimum": h.social_minimum,
        "social_minimum_definition": h.minimum_text,
        "social_minimum_source": h.minimum_source,
        "shortfall": h.shortfall,
    }
