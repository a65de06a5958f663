"""The cliff: the household's disposable income as the client's net earnings rise, step by step.

Everything but the earnings stays as the profile has it. All steps are decided at once by the
numpy engine, one row per step, and a few of them again by durable_rules, the engine of record
for single checks: the two must agree to the cent. Where earning one euro more leaves the
household with a euro or less more (a marginal effective rate of 100% or above), that is the
armoedeval (poverty trap); where a provision ends, the clause that ends it is named.

Yearly income follows the earnings: a profile that gives its gross yearly income keeps its ratio
of gross yearly to net monthly; one that does not uses 12 x net monthly, as every check does.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from regelgat.check.household import household
from regelgat.check.single import check_profile
from regelgat.client.profile import NEEDS, Profile
from regelgat.engines.durable import DurableEngine
from regelgat.engines.vector import ELIGIBLE, VectorEngine
from regelgat.io.errors import CrossCheckError, InputError
from regelgat.io.limits import MAX_CLIFF_POINTS
from regelgat.population.generate import derive
from regelgat.population.profile_columns import population_from_profiles
from regelgat.rules.compiled import BoundRule, CompiledRules

TRAP = 1.0  # a marginal effective rate at or above this keeps nothing of a euro more
EARNINGS_MAX = 1_000_000  # the profile's own limit on income_net_monthly
CROSS_CHECKED = 8  # steps re-decided by durable_rules: the ends, and each side of every drop


@dataclass(frozen=True)
class Ending:
    """A provision that stops between two steps, and the clause that stops it."""

    earnings: float  # the first step without it
    provision: str  # <ruleset>/<provision>
    title: str
    criterion: str
    text: str  # the criterion in the ruleset's words (English; renderers translate)
    source: str
    url: str
    lost: float | None  # what it paid a month at the step before (None: no amount formula)
    rule: BoundRule | None = field(default=None, compare=False, repr=False)  # for translated texts


@dataclass(frozen=True)
class Point:
    earnings: float
    disposable: float | None  # None when an amount paid needs a fact the profile lacks
    marginal_rate: float | None  # over the step into this point; None at the first step
    ends: tuple[Ending, ...]
    paid: dict[str, float]  # provision -> euros a month, the eligible ones with an amount
    eligible: frozenset[str] = frozenset()  # every provision the client gets at this step


@dataclass
class Cliff:
    profile: Profile
    date: dt.date
    start: float
    stop: float
    step: float
    gross_factor: float | None  # gross yearly per euro of net monthly; None: 12 x net
    points: list[Point] = field(default_factory=list)
    cross_checked: list[float] = field(default_factory=list)

    def traps(self) -> list[tuple[float, float, float]]:
        """(from, to, highest rate) of each run of steps at a marginal rate of 100% or more."""
        out: list[tuple[float, float, float]] = []
        for before, point in zip(self.points, self.points[1:]):
            if point.marginal_rate is None or point.marginal_rate < TRAP - 1e-9:
                continue
            if out and out[-1][1] == before.earnings:
                out[-1] = (out[-1][0], point.earnings, max(out[-1][2], point.marginal_rate))
            else:
                out.append((before.earnings, point.earnings, point.marginal_rate))
        return out

    def endings(self) -> list[Ending]:
        return [e for p in self.points for e in p.ends]


def earnings_steps(start: float, stop: float, step: float) -> list[float]:
    """The earnings to evaluate, in cents, `stop` included when a step lands on it.

    Raises InputError, naming the setting, for a range that is empty, negative, too fine or too long.
    """
    for name, value in (("from", start), ("to", stop), ("step", step)):
        if not math.isfinite(value):
            raise InputError("", "", f"{value} is not a number of euros", "e.g. 25", setting=name)
    if start < 0:
        raise InputError("", "", f"earnings start at {start:g}, below 0", "start at 0 or more", setting="from")
    if stop > EARNINGS_MAX:
        raise InputError("", "", f"earnings end at {stop:g}, above the profile's limit of {EARNINGS_MAX:,}",
                         "end lower", setting="to")
    if stop <= start:
        raise InputError("", "", f"the range {start:g} to {stop:g} is empty", "give --to above --from",
                         setting="to")
    if step < 0.01:
        raise InputError("", "", f"a step of {step:g} euros is below one cent", "e.g. --step 25", setting="step")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_CLIFF_POINTS:
        raise InputError("", "", f"{count:,} steps is over the limit of {MAX_CLIFF_POINTS:,}",
                         f"take a larger step, e.g. --step {math.ceil((stop - start) / (MAX_CLIFF_POINTS - 1)):g}",
                         setting="step")
    return [round(start + i * step, 2) for i in range(count)]


def _gross_factor(profile: Profile) -> float | None:
    if profile.income_gross_yearly is None or profile.income_net_monthly <= 0:
        return None
    return profile.income_gross_yearly / profile.income_net_monthly


def profile_at(profile: Profile, earnings: float, factor: float | None) -> Profile:
    """The client with these net monthly earnings and nothing else changed (yearly income follows)."""
    source = profile.income_source if profile.income_source == "self_employment" else "employment"
    gross = None if factor is None else round(earnings * factor, 2)
    return profile.model_copy(update={"income_net_monthly": earnings, "income_source": source,
                                      "income_gross_yearly": gross})


def cliff(profile: Profile, compiled: CompiledRules, start: float = 0, stop: float = 3000,
          step: float = 25, engine: DurableEngine | None = None) -> Cliff:
    """Every step decided by numpy; a few re-decided with durable_rules (`engine`), which must agree."""
    earnings = earnings_steps(start, stop, step)
    factor = _gross_factor(profile)
    result = Cliff(profile, compiled.date, start, stop, step, factor)
    profiles = [profile_at(profile, e, factor) for e in earnings]
    vector = VectorEngine(compiled)
    pop = population_from_profiles(profiles, profile.id)
    cols = derive(pop)
    decisions = vector.run(cols, np.stack([pop.values[f"needs.{need}"] for need in NEEDS]))
    eligible = decisions.outcome == ELIGIBLE  # (provisions, steps)
    paid = _paid(vector, cols, eligible)
    first = vector.first_deciding(vector.deciding(decisions))
    for i, e in enumerate(earnings):
        amounts = {key: float(v[i]) for key, (v, known) in paid.items() if eligible[vector.index[key], i]}
        unknown = any(not known[i] for key, (_, known) in paid.items() if eligible[vector.index[key], i])
        disposable = None if unknown else round(e + sum(amounts.values()), 2)
        rate, ends = None, ()
        if i:
            before = result.points[-1]
            if disposable is not None and before.disposable is not None:
                rate = round(1 - (disposable - before.disposable) / (e - before.earnings), 4)
            ends = tuple(_ending(vector, first, p, i, e, before) for p in np.flatnonzero(eligible[:, i - 1] & ~eligible[:, i]))
        doors = frozenset(vector.keys[p] for p in np.flatnonzero(eligible[:, i]))
        result.points.append(Point(e, disposable, rate, ends, amounts, doors))
    if engine is not None:
        _cross_check(result, profiles, compiled, engine)
    return result


def _paid(vector: VectorEngine, cols, eligible: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """provision -> (amount, known) per step, for the provisions that have an amount formula."""
    out = {}
    for key in vector.keys:
        bound = vector.compiled.amount_of(key)
        if bound is not None:
            out[key] = (cols.values[bound.name], cols.present[bound.name])
    return out


def _ending(vector: VectorEngine, first: np.ndarray, p: int, i: int, earnings: float, before: Point) -> Ending:
    start, _, end = vector.spans[p]
    row = next((r for r in range(start, end) if first[r, i]), None)
    provision = vector.provisions[p]
    rule = vector.reasons[row] if row is not None else None
    return Ending(earnings, provision.key, provision.spec.title, rule.rule.id if rule else "",
                  rule.text if rule else "", rule.rule.source.title if rule else "",
                  rule.rule.source.url if rule else "", before.paid.get(provision.key), rule)


def _cross_check(result: Cliff, profiles: list[Profile], compiled: CompiledRules, engine: DurableEngine) -> None:
    """Re-decide the first and last steps and each side of every drop with durable_rules."""
    index = {p.earnings: i for i, p in enumerate(result.points)}
    chosen = [0, len(result.points) - 1]
    for ending in result.endings():
        chosen += [index[ending.earnings] - 1, index[ending.earnings]]
    chosen = sorted(set(chosen))[:CROSS_CHECKED]
    for i in chosen:
        checked = check_profile(profiles[i], compiled, engine)
        theirs = household(checked).income_after
        mine = result.points[i]
        doors = {v.provision.key for v in checked.result.verdicts if v.outcome == "eligible"}
        if theirs != mine.disposable or doors != mine.eligible:
            raise CrossCheckError(f"the cliff at {mine.earnings:.2f} a month: numpy gives disposable income "
                                  f"{mine.disposable}, durable_rules {theirs}", profiles[i].model_dump(mode="json"))
        result.cross_checked.append(mine.earnings)


def to_json(result: Cliff) -> dict[str, Any]:
    """The public JSON contract of `regelgat cliff` (docs/cliff.md)."""
    return {
        "profile": result.profile.id,
        "date": result.date.isoformat(),
        "from": result.start, "to": result.stop, "step": result.step,
        "yearly_income": ({"rule": "gross_per_net", "factor": round(result.gross_factor, 6)}
                          if result.gross_factor is not None else {"rule": "twelve_times_net", "factor": 12}),
        "points": [{"earnings": p.earnings, "disposable": p.disposable, "marginal_rate": p.marginal_rate,
                    "ends": [e.provision for e in p.ends], "amounts": p.paid} for p in result.points],
        "armoedeval": [{"from": a, "to": b, "highest_rate": r} for a, b, r in result.traps()],
        "drops": [{"earnings": e.earnings, "provision": e.provision, "title": e.title, "criterion": e.criterion,
                   "text": e.text, "source": e.source, "url": e.url, "lost": e.lost} for e in result.endings()],
        "cross_checked": result.cross_checked,
    }
