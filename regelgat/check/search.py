"""Gap search: the simplest profile that falls through a given set of needs.

Hypothesis generates profiles and shrinks the first one that falls through to a minimal
example, which is the clearest illustration an advocate can give ("a 18-year-old with no
income and nothing else special is refused everything"). Searching is derandomised, so the
same question gives the same answer.
"""

from __future__ import annotations

from typing import Sequence

import hypothesis
from hypothesis import HealthCheck, settings

from regelgat.rules import expressions
from regelgat.check.single import check_profile
from regelgat.rules.compiled import CompiledRules
from regelgat.io.errors import InputError
from regelgat.client.facts import FACT_TYPES, profile_facts
from regelgat.client.profile import Profile
from regelgat.client.strategies import profiles


def simplest_gap_profile(compiled: CompiledRules, gaps: Sequence[str], where: str | None = None,
                         loop: bool = False, max_examples: int = 2000) -> Profile | None:
    """The minimal profile (after shrinking) whose gaps include `gaps`, or None if none was found."""
    condition = None
    if where:
        try:
            condition = expressions.bind(expressions.parse(where, FACT_TYPES, {}), {})
        except expressions.ExpressionError as exc:
            raise InputError("", "", f"{exc} in {where!r}", exc.fix, setting="where") from None

    def falls_through(profile: Profile) -> bool:
        if condition is not None and expressions.evaluate(condition, profile_facts(profile)) is not True:
            return False
        result = check_profile(profile, compiled).result
        return set(gaps) <= set(result.gaps) and (bool(result.loops) or not loop)

    candidates = profiles().map(lambda p: p.model_copy(update={"id": "simplest", "needs": list(gaps)}))
    try:
        return hypothesis.find(candidates, falls_through, settings=settings(
            max_examples=max_examples, database=None, derandomize=True, deadline=None,  # no deadline: the
            suppress_health_check=list(HealthCheck)))  # answer must not depend on how busy the machine is
    except hypothesis.errors.NoSuchExample:
        return None
