"""The people a diff or a snapshot runs: a scenario's seeded population, or profile files.

SCENARIO_OR_PROFILES is one of: a scenario YAML (its seeded population, made by
`regelgat.population.generate.generate_profiles`), a single profile file, a YAML list of profiles, or a
folder of profile files.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regelgat.io import datafiles
from regelgat.io.errors import InputError
from regelgat.client.profile import Profile

_PROFILE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Population:
    path: Path
    kind: str  # "scenario" | "profiles"
    profiles: list[Profile]
    size: int | None = None
    seed: int | None = None
    date: dt.date | None = None  # the scenario's own rules date, when it has one
    dimensions: list[Dimension] = field(default_factory=list)  # the scenario's groups
    ruleset_ids: tuple[str, ...] | None = None  # the scenario runs only these rulesets

    @property
    def label(self) -> str:
        """The population as a report names it: its path, size and seed."""
        extra = f", seed {self.seed}" if self.seed is not None else ""
        return f"{self.path} ({len(self.profiles):,} profiles{extra})"

    def groups_of(self, profile: Profile, facts: dict[str, Any]) -> list[tuple[str, str]]:
        """(dimension, label) pairs: the scenario's groups, else the profile id's group."""
        if not self.dimensions:
            return [("profile", id_group(profile.id))]
        return [(d.name, d.label(facts.get(d.fact))) for d in self.dimensions]


@dataclass(frozen=True)
class Dimension:
    """One way to break results down: a fact, cut into bands if it is a number."""

    name: str
    fact: str
    edges: tuple[float, ...] | None = None
    labels: tuple[str, ...] = ()

    def label(self, value: Any) -> str:
        """The label of one value: its band for numbers, else the value; 'missing' when absent."""
        if value is None:
            return "missing"
        if self.edges is not None and not isinstance(value, bool):
            return self.labels[bisect.bisect_right(self.edges, value)]
        return str(value).lower() if isinstance(value, bool) else str(value)

    @classmethod
    def of_fact(cls, fact: str) -> "Dimension":
        """A dimension for --group-by FACT: ages and money in familiar bands, other facts by value."""
        from regelgat.client.facts import FACT_TYPES

        if fact not in FACT_TYPES:
            from regelgat.io.errors import did_you_mean

            raise InputError("", "", f"unknown fact {fact!r}",
                             did_you_mean(fact, FACT_TYPES) or "run `regelgat facts` to list them", setting="group_by")
        if FACT_TYPES[fact].kind != "number":
            return cls(fact, fact)
        if "age" in fact:
            edges: tuple[float, ...] = (18, 21, 27, 67)
            labels = ("under 18", "18-20", "21-26", "27-66", "67+")
        elif any(word in fact for word in ("income", "rent", "assets")):
            edges = (500, 1000, 1500, 2000, 3000)
            labels = ("under 500", "500 to 1,000", "1,000 to 1,500", "1,500 to 2,000", "2,000 to 3,000", "3,000+")
        else:
            edges = (1, 2, 3, 5)
            labels = ("0", "1", "2", "3-4", "5+")
        return cls(fact, fact, edges, labels)


def id_group(profile_id: str) -> str:
    """A profile id's group: the id without a trailing number (`young-mother-0042` -> `young-mother`)."""
    return re.sub(r"[-_#.:]?\d+$", "", profile_id) or profile_id


def load_population(path: Path | str, size: int | None = None, seed: int | None = None) -> Population:
    """The people of a diff or snapshot from a scenario, a profile file, a list of profiles or a folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in _PROFILE_SUFFIXES and p.is_file())
        if not files:
            raise InputError(str(path), "", "no profile files in this folder", "give a scenario or profile files")
        profiles = [_profile_file(p) for p in files]
        return Population(path, "profiles", _unique(profiles, path))
    data, locate = datafiles.read(path)
    if isinstance(data, list):
        profiles = [datafiles.validate(Profile, item, path, lambda loc, i=i: locate((i, *loc)))
                    for i, item in enumerate(data)]
        return Population(path, "profiles", _unique(profiles, path))
    if isinstance(data, dict) and "age" in data:
        return Population(path, "profiles", [datafiles.validate(Profile, data, path, locate)])
    if isinstance(data, dict):
        return _scenario(path, size, seed)
    raise InputError(str(path), "", "neither a scenario nor a profile", "give a scenario YAML, a profile, or a folder")


def scenario_settings(path: Path | str) -> tuple[int, int, dt.date] | None:
    """A scenario's own size, seed and date, without generating it; None if PATH is not a scenario."""
    path = Path(path)
    if path.is_dir():
        return None
    data, _ = datafiles.read(path)
    if not isinstance(data, dict) or "age" in data:
        return None
    from regelgat.population.scenario import load_scenario

    scenario = load_scenario(path)
    return scenario.size, scenario.seed, scenario.date


def _profile_file(path: Path) -> Profile:
    data, locate = datafiles.read(path)
    return datafiles.validate(Profile, data, path, locate)


def _unique(profiles: list[Profile], path: Path) -> list[Profile]:
    seen: set[str] = set()
    for profile in profiles:
        if profile.id in seen:
            raise InputError(str(path), f"profile {profile.id}", "profile id is used twice", "give each profile its own id")
        seen.add(profile.id)
    return profiles


def _scenario(path: Path, size: int | None, seed: int | None) -> Population:
    try:
        from regelgat.population.generate import generate_profiles
        from regelgat.population.scenario import load_scenario
    except ImportError:  # the scenario engine is another module; say so instead of a traceback
        raise InputError(str(path), "", "this looks like a scenario, but scenario support is not installed",
                         "give a profile file or a folder of profiles") from None
    scenario = load_scenario(path)
    profiles = generate_profiles(scenario, size=size, seed=seed)
    if not profiles:
        raise InputError(str(path), "", "the scenario made no profiles", "give a size above 0")
    dimensions = [Dimension(g.name, g.fact, g.bands, tuple(g.labels)) for g in getattr(scenario, "groups", [])]
    ids = getattr(scenario.spec, "rulesets", None) if hasattr(scenario, "spec") else None
    return Population(path, "scenario", _dedupe(profiles), size=len(profiles),
                      seed=seed if seed is not None else getattr(scenario, "seed", None),
                      date=getattr(scenario, "date", None), dimensions=dimensions,
                      ruleset_ids=tuple(ids) if ids else None)


def _dedupe(profiles: list[Profile]) -> list[Profile]:
    """Generated profiles should have unique ids; if not, number the repeats."""
    seen: dict[str, int] = {}
    out = []
    for profile in profiles:
        count = seen.get(profile.id, 0)
        seen[profile.id] = count + 1
        out.append(profile if not count else profile.model_copy(update={"id": f"{profile.id}~{count}"}))
    return out
