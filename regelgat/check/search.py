"""Gap search: the simplest profile that falls through a given set of needs.

The numpy engine screens thousands of candidates built from the values the rules name and shrinks
the simplest that falls through (check/screen.py); durable_rules confirms the answer. Only when that
finds nothing does hypothesis search and shrink, one profile at a time. The answer is the clearest
illustration an advocate can give ("a 18-year-old with no income and nothing else special is refused
everything"). Both ways are derandomised, so the same question gives the same answer.
"""

from __future__ import annotations

from typing import Callable, Sequence

from regelgat.check import screen as screening
from regelgat.rules import expressions
from regelgat.check.single import check_profile
from regelgat.i18n import N_
from regelgat.rules.compiled import CompiledRules
from regelgat.io.errors import InputError
from regelgat.client.facts import FACT_TYPES, profile_facts
from regelgat.client.profile import Profile, without_defaults

SEED = 14  # the screening's seed: fixed, so the same question gives the same answer
Progress = Callable[..., None]  # progress(msgid, **figures), shown by the caller in its language


def _quiet(message: str, **figures) -> None:
    return None


def parse_where(where: str | None):
    """A --where condition over the profile's facts, bound; a bad one is a one-line error."""
    if not where:
        return None
    try:
        return expressions.bind(expressions.parse(where, FACT_TYPES, {}), {})
    except expressions.ExpressionError as exc:
        raise InputError("", "", f"{exc} in {where!r}", exc.fix, setting="where") from None


def _falls_through(compiled: CompiledRules, gaps: Sequence[str], where: str | None, loop: bool):
    """The search's question for one profile: within --where, every need in `gaps` uncovered (and a loop)."""
    condition = parse_where(where)

    def falls_through(profile: Profile) -> bool:
        if condition is not None and expressions.evaluate(condition, profile_facts(profile)) is not True:
            return False
        result = check_profile(profile, compiled).result
        return set(gaps) <= set(result.gaps) and (bool(result.loops) or not loop)

    return falls_through


def simplest_from_witnesses(compiled: CompiledRules, gaps: Sequence[str], witnesses: Sequence[dict],
                            where: str | None = None, loop: bool = False, progress: Progress = _quiet) -> Profile | None:
    """The simplest profile that falls through, starting from the witnesses of a gap map's regions
    instead of a random search: the simplest witness that falls through, shrunk towards the usual
    answers. None when no witness falls through (then search from scratch)."""
    falls_through = _falls_through(compiled, gaps, where, loop)
    starts = sorted((Profile(**{**data, "id": "simplest", "needs": list(gaps)}) for data in witnesses),
                    key=screening.simplicity)
    start = next((p for p in starts if falls_through(p)), None)
    if start is None:
        return None
    screen = screening.Screen(compiled, gaps, parse_where(where), loop, screening.trial_values(compiled, parse_where(where)))
    found = _named(screening.shrink(screen, start, progress))
    return found if falls_through(found) else _shrunk(start, falls_through)


def _named(profile: Profile) -> Profile:
    return profile.model_copy(update={"id": "simplest"})


def _shrunk(profile: Profile, keep) -> Profile:
    """Each field not at its default set back to it, where the profile still falls through."""
    changed = True
    while changed:
        changed = False
        for name in sorted(without_defaults(profile)):
            field = Profile.model_fields[name]
            if name in ("id", "needs") or field.is_required():
                continue
            usual = screening.usual(name)
            if getattr(profile, name) == usual:
                continue  # already the usual answer (a judgement fact's default is unknown, not its usual answer)
            trial = profile.model_copy(update={name: usual})  # back to the usual answer, never to unknown
            if keep(trial):
                profile, changed = trial, True
    return profile


def simplest_gap_profile(compiled: CompiledRules, gaps: Sequence[str], where: str | None = None,
                         loop: bool = False, max_examples: int = 2000, progress: Progress = _quiet) -> Profile | None:
    """The minimal profile (after shrinking) whose gaps include `gaps`, or None if none was found."""
    falls_through = _falls_through(compiled, gaps, where, loop)
    screen = screening.Screen(compiled, gaps, parse_where(where), loop, screening.trial_values(compiled, parse_where(where)))
    start = screening.screen(screen, SEED, progress)
    if start is not None:
        found = _named(screening.shrink(screen, start, progress))
        if falls_through(found):
            progress(N_("confirmed one by one by durable_rules"))
            return found
    progress(N_("searching with hypothesis, one profile at a time (up to {count})"), count=max_examples)
    return _hypothesis(falls_through, gaps, max_examples, progress)


def _hypothesis(falls_through, gaps: Sequence[str], max_examples: int, progress: Progress) -> Profile | None:
    """The slow way: hypothesis draws profiles one by one and shrinks the first that falls through
    (imported here: loading hypothesis alone takes longer than the numpy screen)."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, settings

    from regelgat.client.strategies import profiles

    tried = [0]

    def counted(profile: Profile) -> bool:
        tried[0] += 1
        if tried[0] % 250 == 0:
            progress(N_("{count} profiles tried"), count=tried[0])
        return falls_through(profile)

    # A gap needs every door definitely shut, so the simplest example gives every fact.
    candidates = profiles(unknowns=False).map(lambda p: p.model_copy(update={"id": "simplest", "needs": list(gaps)}))
    try:
        return hypothesis.find(candidates, counted, settings=settings(
            max_examples=max_examples, database=None, derandomize=True, deadline=None,  # no deadline: the
            suppress_health_check=list(HealthCheck),  # answer must not depend on how busy the machine is
            phases=[Phase.explicit, Phase.generate, Phase.shrink]))  # no explain phase: it only adds comments
    except hypothesis.errors.NoSuchExample:
        return None
