"""The people a reform or a sensitivity run decides: a scenario's seeded population as columns,
chunk by chunk, or profile files (one file, a YAML list, or a folder) as one chunk.

Columns, not Profile objects: a population of 100,000 is decided by the numpy engine in well
under a second, and only the few example profiles are ever materialised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from regelgat.batch.chunk import chunk_count
from regelgat.batch.tally import group_codes, group_labels
from regelgat.population.fixed import id_group, load_population, scenario_settings
from regelgat.population.generate import BLOCK, generate_block
from regelgat.population.profile_columns import ProfileColumns, population_from_profiles
from regelgat.population.scenario import load_scenario
from regelgat.population.scenario_model import Scenario

Groups = list[tuple[str, np.ndarray, tuple[str, ...]]]  # (name, label code per profile, labels)


@dataclass
class People:
    path: Path
    kind: str  # "scenario" | "profiles"
    n: int
    seed: int | None = None
    date: dt.date | None = None  # the scenario's rules date
    ruleset_ids: tuple[str, ...] | None = None  # the scenario runs only these rulesets
    group_meta: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    scenario: Scenario | None = None
    profiles: ProfileColumns | None = None
    profile_ids: list[str] = field(default_factory=list)

    def chunks(self) -> Iterator[tuple[ProfileColumns, Groups]]:
        """The population as columns, a generation block at a time, with each profile's group labels."""
        if self.scenario is not None:
            for index in range(chunk_count(self.n)):
                pop = generate_block(self.scenario, index)
                size = min(BLOCK, self.n - index * BLOCK)
                if size < BLOCK:
                    pop = pop.take(np.arange(size))
                yield pop, group_codes(self.scenario, pop)
            return
        pop = self.profiles
        labels = self.group_meta[1][1]
        ids = [id_group(i) for i in self.profile_ids]
        codes = np.array([labels.index(i) for i in ids], dtype=np.int64)
        yield pop, [("all", np.zeros(pop.n, dtype=np.int64), ("all",)), ("profile", codes, labels)]


def load_people(path: Path | str, size: int | None = None, seed: int | None = None) -> People:
    """A scenario (its seeded population, `size` and `seed` overriding its own) or profile files."""
    path = Path(path)
    if scenario_settings(path) is not None:
        scenario = load_scenario(path).with_overrides(size=size, seed=seed)
        return People(path, "scenario", scenario.size, scenario.seed, scenario.date,
                      tuple(scenario.spec.rulesets) if scenario.spec.rulesets else None,
                      group_labels(scenario), scenario=scenario)
    population = load_population(path)
    pop = population_from_profiles(population.profiles)
    labels = tuple(dict.fromkeys(id_group(p.id) for p in population.profiles))
    return People(path, "profiles", pop.n, group_meta=[("all", ("all",)), ("profile", labels)], profiles=pop,
                  profile_ids=[p.id for p in population.profiles])
