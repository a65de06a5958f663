"""Profiles as columns (what the generator makes and the engines read), and back to Profile objects.

A batch stays in columns from generation to counts; single profiles are materialised only
where one is shown or re-checked (samples, the durable_rules cross-check, diffs, snapshots).
List fields (children, co-residents) are fixed-width slots with a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from regelgat.client.profile import NEEDS, Profile
from regelgat.population.scenario_model import NEED_FIELDS, SCALARS, SLEEPS, SLOT_FIELDS, FieldInfo
from regelgat.rules.columns import Columns


@dataclass
class ProfileColumns(Columns):
    """Generated profile fields as columns. Rows are profiles start .. start + n - 1."""

    start: int = 0
    scenario_id: str = ""

    def take(self, rows: np.ndarray) -> "ProfileColumns":
        """The given rows only, as columns."""
        return ProfileColumns(len(rows), {k: v[rows] for k, v in self.values.items()},
                          {k: v[rows] for k, v in self.present.items()}, self.vocab, self.start,
                          self.scenario_id)


def column_vocab(plan_values: list, info: FieldInfo) -> tuple | None:
    """The values a coded column may hold: an enum's values, or the texts a plan can produce."""
    if info.kind == "enum":
        return info.values
    if info.kind == "text":
        return tuple(sorted({v for v in plan_values if isinstance(v, str)}))
    return None


def slots_of(pop: ProfileColumns, name: str) -> int:
    """How many list slots (children.0, children.1, ...) the columns hold for list field `name`."""
    j = 0
    while f"{name}.{j}.age" in pop.values:
        j += 1
    return j


def _python(pop: ProfileColumns, column: str, rows: np.ndarray) -> list:
    values = pop.values[column][rows].tolist()
    vocab = pop.vocab.get(column)
    if vocab is not None:
        values = [vocab[v] for v in values]
    present = pop.present.get(column)
    if present is not None:
        values = [v if ok else None for v, ok in zip(values, present[rows].tolist())]
    return values


def profile_dicts(pop: ProfileColumns, rows: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Profiles as plain dicts ready for Profile.model_validate, for the given rows."""
    rows = np.arange(pop.n) if rows is None else np.asarray(rows)
    scalar_names = [n for n in Profile.model_fields if n in pop.values]
    scalars = {n: _python(pop, n, rows) for n in scalar_names}
    lists = {}
    for name, infos in SLOT_FIELDS.items():
        counts = pop.values[f"{name}.count"][rows].tolist()
        k = slots_of(pop, name)
        items = {(j, key): _python(pop, f"{name}.{j}.{key}", rows) for j in range(k) for key in infos}
        lists[name] = [[{key: items[(j, key)][i] for key in infos} for j in range(counts[i])]
                       for i in range(len(rows))]
    sleeps = {key: _python(pop, f"sleeps_elsewhere.{key}", rows) for key in SLEEPS}
    needs = {need: pop.values[f"needs.{need}"][rows].tolist() for need in NEEDS}
    out = []
    for i, row in enumerate(rows.tolist()):
        data: dict[str, Any] = {"id": f"{pop.scenario_id}-{pop.start + row}"}
        for name in scalar_names:
            data[name] = scalars[name][i]
        data["children"] = lists["children"][i]
        data["co_residents"] = lists["co_residents"][i]
        data["sleeps_elsewhere"] = ({k: sleeps[k][i] for k in SLEEPS if k != "present"}
                                    if sleeps["present"][i] else None)
        data["needs"] = [need for need in NEEDS if needs[need][i]]
        out.append(data)
    return out


def materialise(pop: ProfileColumns, rows: np.ndarray | None = None) -> list[Profile]:
    """Validated Profile objects (strict) for the given rows of a population."""
    return [Profile.model_validate(d) for d in profile_dicts(pop, rows)]


def population_from_profiles(profiles: list[Profile], scenario_id: str = "profiles") -> ProfileColumns:
    """Columns for given Profile objects (hypothesis examples, profile files), as the generator makes them."""
    n = len(profiles)
    pop = ProfileColumns(n, scenario_id=scenario_id)

    def put(column: str, info: FieldInfo, raw: list) -> None:
        present = np.array([v is not None for v in raw], dtype=bool)
        filler = info.default if info.default is not None else None
        if filler is None:
            vocab = column_vocab(raw, info)
            filler = vocab[0] if vocab else 0
        values = [v if v is not None else filler for v in raw]
        vocab = column_vocab(values, info)
        if vocab is not None:
            pop.vocab[column] = vocab
            values = [vocab.index(v) for v in values]
        dtype = {"bool": bool, "int": np.int64, "float": np.float64}.get(info.kind, np.int16)
        pop.values[column] = np.array(values, dtype=dtype).reshape(n)
        if info.optional:
            pop.present[column] = present

    for name, info in SCALARS.items():
        put(name, info, [getattr(p, name) for p in profiles])
    for name, infos in SLOT_FIELDS.items():
        items = [getattr(p, name) for p in profiles]
        pop.values[f"{name}.count"] = np.array([len(i) for i in items], dtype=np.int64).reshape(n)
        for j in range(max([len(i) for i in items], default=0)):
            for key, info in infos.items():
                raw = [getattr(i[j], key) if j < len(i) else info.default for i in items]
                put(f"{name}.{j}.{key}", info, raw)
    stays = [p.sleeps_elsewhere for p in profiles]
    for key, info in SLEEPS.items():
        if key == "present":
            put("sleeps_elsewhere.present", info, [s is not None for s in stays])
        else:
            put(f"sleeps_elsewhere.{key}", info, [getattr(s, key) if s is not None else info.default for s in stays])
    for need, info in NEED_FIELDS.items():
        put(f"needs.{need}", info, [need in p.needs for p in profiles])
    return pop
