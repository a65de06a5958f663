"""The fast path of `regelgat search`: thousands of candidate profiles decided at once by the numpy
engine, the simplest that falls through shrunk in batches, and the answer confirmed by durable_rules.

A hypothesis search decides one profile at a time (about 10 ms each with durable_rules, and as much
again to draw a profile), so a search that shrinks takes minutes. Here the values worth trying are
read from the rules themselves (each threshold a condition names, and just across it, as the routes
do; every value of a choice), candidates change a few facts of the usual profile at random (a fixed
seed: the same question gives the same answer), and the numpy engine decides a whole batch in the
time durable_rules takes for a few profiles. Shrinking tries every way to make the profile simpler in
one batch (a fact back to its usual answer, a number nearer to it, a lower age) and keeps the simplest
that still falls through, until nothing simpler does.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from regelgat.check.routes import candidate_values, dnf
from regelgat.client.facts import FACT_TYPES
from regelgat.client.profile import NEEDS, USUAL, Profile
from regelgat.engines.vector import VectorEngine
from regelgat.population.generate import derive
from regelgat.i18n import N_
from regelgat.population.profile_columns import ProfileColumns, materialise, population_from_profiles
from regelgat.population.scenario_model import SCALARS
from regelgat.rules import columns as colexpr
from regelgat.rules.compiled import CompiledRules
from regelgat.rules.expressions import Node

CANDIDATES = 4000  # profiles screened per round
ROUNDS = 3  # rounds of screening before giving up to hypothesis
CHANGED = 4  # facts a candidate changes from the usual profile, on average
GRID = (1, 2, 5, 10, 20, 50, 100, 500, 1000, 1500, 2000, 3000)  # plain numbers beside the rules' thresholds

Progress = Callable[..., None]  # progress(message, **figures): the message is a msgid, translated by the caller


def usual(name: str) -> Any:
    """A fact's usual answer (what a plain profile says), else the profile's default."""
    return USUAL[name] if name in USUAL else Profile.model_fields[name].get_default(call_default_factory=True)


def _literals(nodes: Sequence[Node]) -> dict[str, list[Node]]:
    """Every comparison the rules (and --where) make, by the fact it reads."""
    out: dict[str, list[Node]] = {}
    for node in nodes:
        for conj in dnf(node):
            for lit in conj:
                out.setdefault(lit.fact, []).append(lit)
    return out


def trial_values(compiled: CompiledRules, where: Node | None) -> dict[str, list[Any]]:
    """The values worth trying per profile fact, other than its usual answer: from the rules' conditions."""
    literals = _literals([*compiled.atoms, *([where] if where is not None else [])])
    values = {}
    for name, info in SCALARS.items():
        ftype = FACT_TYPES.get(name)
        if ftype is None or (ftype.kind == "text" and name not in literals):
            continue
        found = candidate_values(name, literals.get(name, ()))
        if info.kind in ("int", "float"):
            kind = int if info.kind == "int" else float
            found = sorted({kind(v) for v in [*found, *GRID] if v >= 0})
        values[name] = [v for v in found if v != usual(name) and _valid(name, v)]
    return {k: v for k, v in values.items() if v}


def _valid(name: str, value: Any) -> bool:
    """Whether a profile may hold this value (a threshold plus one can pass a field's upper bound)."""
    try:
        Profile.model_validate({"id": "v", "age": 30, name: value})
    except ValueError:
        return False
    return True


def simplicity(profile: Profile) -> tuple:
    """Fewer facts off their usual answer first, then the younger, then the shorter: a deterministic order."""
    special = {k: getattr(profile, k) for k in SCALARS if k != "age" and getattr(profile, k) != usual(k)}
    return len(special), profile.age, len(repr(special)), repr(special)


class Screen:
    """Decides batches of profiles, as columns, with the numpy engine: which fall through, within --where."""

    def __init__(self, compiled: CompiledRules, gaps: Sequence[str], where: Node | None, loop: bool,
                 values: dict[str, list[Any]]) -> None:
        self.engine = VectorEngine(compiled)
        self.gaps = [NEEDS.index(g) for g in gaps]
        self.needs, self.where, self.loop, self.values = list(gaps), where, loop, values
        # every text value a trial may set, so that the columns' vocabularies hold them all
        self.texts = [self.profile({name: v}) for name, vs in values.items() if SCALARS[name].kind == "text"
                      for v in vs]

    def profile(self, facts: dict[str, Any]) -> Profile:
        """A plain profile (the usual answers) with these facts, unchecked: the columns check nothing."""
        return Profile.model_construct(**{**{k: usual(k) for k in USUAL}, "age": 18, **facts, "id": "simplest",
                                          "needs": list(self.needs)})

    def copies(self, profile: Profile, n: int) -> ProfileColumns:
        """n copies of a profile as columns, to change fact by fact."""
        return population_from_profiles([profile, self.profile({}), *self.texts]).take(np.zeros(n, dtype=np.int64))

    def put(self, pop: ProfileColumns, name: str, rows: np.ndarray, values: list[Any]) -> None:
        vocab = pop.vocab.get(name)
        coded = [vocab.index(v) for v in values] if vocab is not None else values
        pop.values[name][rows] = coded
        if name in pop.present:
            pop.present[name][rows] = True

    def falls_through(self, pop: ProfileColumns) -> np.ndarray:
        """One yes/no per profile, decided together."""
        cols = derive(pop)
        decisions = self.engine.run(cols, np.stack([pop.values[f"needs.{need}"] for need in NEEDS]))
        keep = decisions.gaps[self.gaps].all(axis=0) if self.gaps else np.ones(pop.n, bool)
        if self.where is not None:
            keep &= colexpr.evaluate(self.where, cols).t
        if self.loop:
            unmet, blocked = self.engine.unmet(decisions), decisions.blocked_for_loops()
            for i in np.flatnonzero(keep):
                keep[i] = bool(self.engine.loops_for(unmet[:, i], blocked[:, i]))
        return keep


def screen(screen: Screen, seed: int, progress: Progress) -> Profile | None:
    """The simplest of the random candidates that falls through, or None after ROUNDS rounds."""
    rng = np.random.default_rng(seed)
    values = screen.values
    share = CHANGED / max(1, len(values))
    for round_ in range(ROUNDS):
        pop = screen.copies(screen.profile({}), CANDIDATES)
        for name in sorted(values):
            rows = np.flatnonzero(rng.random(CANDIDATES) < (1.0 if name == "age" else share))
            picks = rng.integers(len(values[name]), size=len(rows))
            screen.put(pop, name, rows, [values[name][i] for i in picks])
        found = np.flatnonzero(screen.falls_through(pop))
        progress(N_("{count} candidates decided by the numpy engine, {found} fall through"),
                 count=(round_ + 1) * CANDIDATES, found=len(found))
        if len(found):
            return min(materialise(pop, found), key=simplicity)
    return None


def shrink(screen: Screen, profile: Profile, progress: Progress) -> Profile:
    """Simpler and simpler, one batch of tries at a time, while the profile still falls through."""
    current = profile
    while True:
        tries = []
        for name in SCALARS:
            value = getattr(current, name)
            if name == "age":
                tries += [("age", a) for a in screen.values.get("age", []) if a < value]
            elif value != usual(name):
                tries.append((name, usual(name)))
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    tries += [(name, v) for v in screen.values.get(name, []) if abs(v) < abs(value)]
        if not tries:
            return current
        pop = screen.copies(current, len(tries))
        for row, (name, value) in enumerate(tries):
            if value is None:
                pop.present[name][row] = False
            else:
                screen.put(pop, name, np.array([row]), [value])
        keep = np.flatnonzero(screen.falls_through(pop))
        better = [p for p in materialise(pop, keep) if simplicity(p) < simplicity(current)] if len(keep) else []
        if not better:
            return current
        current = min(better, key=simplicity)
        progress(N_("shrinking: {count} facts off their usual answer"), count=simplicity(current)[0])
