"""The people a diff or a snapshot runs: a scenario's seeded population, or profile files.

SCENARIO_OR_PROFILES is one of: a scenario YAML (its seeded population, made by
`regelgat.generate.generate_profiles`), a single profile file, a YAML list of profiles, or a
folder of profile files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import datafiles
from .errors import InputError
from .profile import Profile

_PROFILE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Population:
    path: Path
    kind: str  # "scenario" | "profiles"
    profiles: list[Profile]
    size: int | None = None
    seed: int | None = None
    date: dt.date | None = None  # the scenario's own rules date, when it has one
    groups: dict[str, str] = field(default_factory=dict)  # profile id -> group label, when the scenario says

    @property
    def label(self) -> str:
        extra = f", seed {self.seed}" if self.seed is not None else ""
        return f"{self.path} ({len(self.profiles):,} profiles{extra})"

    def group_of(self, profile: Profile) -> str:
        return self.groups.get(profile.id) or id_group(profile.id)


def id_group(profile_id: str) -> str:
    """A profile id's group: the id without a trailing number (`young-mother-0042` -> `young-mother`)."""
    return re.sub(r"[-_#.:]?\d+$", "", profile_id) or profile_id


def load_population(path: Path | str, size: int | None = None, seed: int | None = None) -> Population:
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
        from .generate import generate_profiles
        from .scenario import load_scenario
    except ImportError:  # the scenario engine is another module; say so instead of a traceback
        raise InputError(str(path), "", "this looks like a scenario, but scenario support is not installed",
                         "give a profile file or a folder of profiles") from None
    scenario = load_scenario(path)
    profiles = generate_profiles(scenario, size=size, seed=seed)
    if not profiles:
        raise InputError(str(path), "", "the scenario made no profiles", "give a size above 0")
    return Population(path, "scenario", _dedupe(profiles), size=len(profiles),
                      seed=seed if seed is not None else _attr(scenario, "seed"),
                      date=_as_date(_attr(scenario, "date")), groups=_groups(scenario, profiles))


def _attr(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _as_date(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _groups(scenario: Any, profiles: list[Profile]) -> dict[str, str]:
    """Group labels if the scenario module offers them (`group_of(scenario, profile)`), else none."""
    try:
        from . import generate
    except ImportError:
        return {}
    group_of = getattr(generate, "group_of", None)
    if group_of is None:
        return {}
    return {p.id: str(group_of(scenario, p)) for p in profiles}


def _dedupe(profiles: list[Profile]) -> list[Profile]:
    """Generated profiles should have unique ids; if not, number the repeats."""
    seen: dict[str, int] = {}
    out = []
    for profile in profiles:
        count = seen.get(profile.id, 0)
        seen[profile.id] = count + 1
        out.append(profile if not count else profile.model_copy(update={"id": f"{profile.id}~{count}"}))
    return out
