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
from regelgat.client.profile import USUAL, Profile, without_defaults
from regelgat.client.strategies import profiles


def _falls_through(compiled: CompiledRules, gaps: Sequence[str], where: str | None, loop: bool):
    """The search's question for one profile: within --where, every need in `gaps` uncovered (and a loop)."""
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

    return falls_through


def simplest_from_witnesses(compiled: CompiledRules, gaps: Sequence[str], witnesses: Sequence[dict],
                            where: str | None = None, loop: bool = False) -> Profile | None:
    """The simplest profile that falls through, starting from the witnesses of a gap map's regions
    instead of a random search: the simplest witness that falls through, shrunk field by field towards
    the defaults. Milliseconds, where a search from scratch takes seconds; None when no witness falls
    through (then search from scratch)."""
    falls_through = _falls_through(compiled, gaps, where, loop)
    starts = sorted((Profile(**{**data, "id": "simplest", "needs": list(gaps)}) for data in witnesses), key=_simplicity)
    start = next((p for p in starts if falls_through(p)), None)
    return _shrunk(start, falls_through) if start is not None else None


def _shrunk(profile: Profile, keep) -> Profile:
    """Each field not at its default set back to it, where the profile still falls through."""
    changed = True
    while changed:
        changed = False
        for name in sorted(without_defaults(profile)):
            field = Profile.model_fields[name]
            if name in ("id", "needs") or field.is_required():
                continue
            usual = USUAL[name] if name in USUAL else field.get_default(call_default_factory=True)
            trial = profile.model_copy(update={name: usual})  # back to the usual answer, never to unknown
            if keep(trial):
                profile, changed = trial, True
    return profile


def _simplicity(profile: Profile) -> tuple:
    """Fewer special fields first, then the shorter profile, then the text: a deterministic order."""
    special = without_defaults(profile)
    return len(special), len(repr(special)), repr(special)


def simplest_gap_profile(compiled: CompiledRules, gaps: Sequence[str], where: str | None = None,
                         loop: bool = False, max_examples: int = 2000) -> Profile | None:
    """The minimal profile (after shrinking) whose gaps include `gaps`, or None if none was found."""
    falls_through = _falls_through(compiled, gaps, where, loop)
    # A gap needs every door definitely shut, so the simplest example gives every fact.
    candidates = profiles(unknowns=False).map(lambda p: p.model_copy(update={"id": "simplest", "needs": list(gaps)}))
    try:
        return hypothesis.find(candidates, falls_through, settings=settings(
            max_examples=max_examples, database=None, derandomize=True, deadline=None,  # no deadline: the
            suppress_health_check=list(HealthCheck)))  # answer must not depend on how busy the machine is
    except hypothesis.errors.NoSuchExample:
        return None
