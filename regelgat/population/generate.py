"""Generate a scenario's population column by column with numpy, and derive the facts rules read.

Reproducible by construction: profiles are made in blocks of BLOCK rows, and each column of
block b draws from its own stream, `SeedSequence(seed, spawn_key=(b, crc32(column)))`. So the
same scenario and seed give the same profiles whatever the number of workers, a run of size n
is the first n profiles of any larger run, and adding a varying field leaves the others as they
were. List fields (children, co-residents) are fixed-width slots with a count.

`derive` reproduces every derived fact of facts.py for whole columns; tests/test_generate.py
proves it equal to `facts.profile_facts` on materialised profiles, and a batch run re-checks a
sample. A derived fact added to facts.py without a column form here is computed profile by
profile (correct, slow, and announced once).
"""

from __future__ import annotations

import warnings
import zlib
from typing import Any

import numpy as np

from regelgat.client.facts import DERIVED_FACTS, FACT_TYPES, PROFILE_FACTS
from regelgat.client.profile import Profile
from regelgat.population.profile_columns import ProfileColumns, column_vocab, materialise, slots_of
from regelgat.population.scenario_model import SLOT_FIELDS, Dist, FieldInfo, FieldPlan, Scenario
from regelgat.rules import expressions
from regelgat.rules.columns import Columns, evaluate

BLOCK = 1 << 16  # profiles per generation block; part of the reproducibility contract
CHILD_MIN_GAP = 15  # a generated child is at least this many years younger than the client


def _stream(seed: int, block: int, column: str) -> np.random.Generator:
    sequence = np.random.SeedSequence(seed, spawn_key=(block, zlib.crc32(column.encode())))
    return np.random.Generator(np.random.PCG64(sequence))


def _constants(dist: Dist | None, constant: Any) -> list:
    """Every literal a plan can produce (for text vocabularies)."""
    if dist is None:
        return [constant]
    out: list = []
    if "value" in dist.model_fields_set:
        out.append(dist.value)
    if dist.choice:
        out += list(dist.choice)
    for case in dist.cases or ():
        out += _constants(case, None)
    if isinstance(dist.otherwise, Dist):
        out += _constants(dist.otherwise, None)
    else:
        out.append(dist.otherwise)
    return out


class _Block:
    """Draws the columns of one block."""

    def __init__(self, scenario: Scenario, block: int) -> None:
        self.scenario, self.block, self.n = scenario, block, BLOCK
        self.cols = ProfileColumns(BLOCK, start=block * BLOCK, scenario_id=scenario.id)

    def dtype(self, info: FieldInfo):
        return {"bool": bool, "int": np.int64, "float": np.float64}.get(info.kind, np.int16)

    def fill(self, plan: FieldPlan, column: str | None = None) -> None:
        column = column or plan.column
        info = plan.info
        vocab = column_vocab(_constants(plan.dist, plan.constant), info)
        if vocab is not None:
            self.cols.vocab[column] = vocab
        if plan.dist is None:
            values, present = self.constant(info, vocab, plan.constant)
        else:
            values, present = self.draw(plan.dist, info, vocab, column)
        self.cols.values[column] = values
        if info.optional:
            self.cols.present[column] = present if present is not None else np.ones(self.n, bool)

    def constant(self, info: FieldInfo, vocab: tuple | None, value: Any) -> tuple[np.ndarray, np.ndarray | None]:
        if value is None:
            return np.zeros(self.n, self.dtype(info)), np.zeros(self.n, bool)
        if vocab is not None:
            value = vocab.index(value)
        return np.full(self.n, value, dtype=self.dtype(info)), None

    def draw(self, dist: Dist, info: FieldInfo, vocab: tuple | None, column: str):
        seed = self.scenario.seed
        if dist.when is not None:
            other = dist.otherwise if isinstance(dist.otherwise, Dist) else Dist(value=dist.otherwise)
            first = dist.model_copy(update={"when": None, "otherwise": None, "missing": None})
            cases = [(dist.when, first), (None, other)]
        elif dist.cases is not None:
            cases = [(case.when, case) for case in dist.cases]
        else:
            cases = None
        if cases is not None:
            values = np.zeros(self.n, self.dtype(info))
            present = np.zeros(self.n, bool) if info.optional else None
            todo = np.ones(self.n, bool)
            for index, (when, case) in enumerate(cases):
                if when is None:
                    take = todo
                else:
                    node = expressions.bind(expressions.parse(when, PROFILE_FACTS, {}), {})
                    take = todo & evaluate(node, self.cols).t
                case_values, case_present = self.draw_one(case, info, vocab, f"{column}#case{index}")
                values = np.where(take, case_values, values)
                if present is not None:
                    present = np.where(take, True if case_present is None else case_present, present)
                todo &= ~take
        else:
            values, present = self.draw_one(dist, info, vocab, column)
        if dist.missing:
            kept = _stream(seed, self.block, f"{column}#missing").random(self.n) >= dist.missing
            present = kept if present is None else present & kept
        return values, present

    def draw_one(self, dist: Dist, info: FieldInfo, vocab: tuple | None, column: str):
        kind = dist.kinds()[0]
        n = self.n
        if kind == "value":
            return self.constant(info, vocab, dist.value)
        rng = _stream(self.scenario.seed, self.block, column)
        if kind == "choice":
            options = list(dist.choice)
            weights = np.array([dist.choice[o] for o in options], dtype=float)
            cumulative = np.cumsum(weights / weights.sum())
            draws = rng.random(n)
            if len(options) <= 16:  # a few comparisons beat a binary search per profile
                picks = np.zeros(n, dtype=np.intp)
                for edge in cumulative[:-1]:
                    picks += draws >= edge
            else:
                picks = np.minimum(np.searchsorted(cumulative, draws, side="right"), len(options) - 1)
            present = np.array([o is not None for o in options])[picks] if None in options else None
            table = [0 if o is None else (vocab.index(o) if vocab is not None else o) for o in options]
            return np.array(table, dtype=self.dtype(info))[picks], present
        if kind == "chance":
            return rng.random(n) < dist.chance, None
        if kind == "integer":
            low, high = dist.integer
            return rng.integers(low, high + 1, n, dtype=np.int64).astype(self.dtype(info)), None
        if kind == "float":
            low, high = dist.float_
            return np.round(rng.uniform(low, high, n), dist.round), None
        normal = dist.normal
        lows = [v for v in (normal.min, info.lo) if v is not None]
        highs = [v for v in (normal.max, info.hi) if v is not None]
        values = rng.normal(normal.mean, normal.sd, n)
        values = np.clip(values, max(lows) if lows else None, min(highs) if highs else None)
        if info.kind == "int":
            return np.rint(values).astype(np.int64), None
        return np.round(values, dist.round), None


def generate_block(scenario: Scenario, block: int) -> ProfileColumns:
    """All BLOCK profiles of block `block` (rows block*BLOCK ...)."""
    maker = _Block(scenario, block)
    for name in scenario.order:
        maker.fill(scenario.scalars[name])
    cols = maker.cols
    for name, slot in scenario.slots.items():
        if slot.fixed is not None:
            cols.values[f"{name}.count"] = np.full(BLOCK, len(slot.fixed), np.int64)
            for j, item in enumerate(slot.fixed):
                for key, info in SLOT_FIELDS[name].items():
                    maker.fill(FieldPlan(f"{name}.{j}.{key}", info, constant=item[key]))
            continue
        maker.fill(slot.count)
        count = cols.values[f"{name}.count"]
        if slot.when is not None:
            node = expressions.bind(expressions.parse(slot.when, PROFILE_FACTS, {}), {})
            count[~evaluate(node, cols).t] = 0
        for j in range(slot.slots):
            for key, plan in slot.items.items():
                maker.fill(plan, f"{name}.{j}.{key}")
            if name == "children" and slot.items["age"].dist is not None:
                ages = cols.values[f"{name}.{j}.age"]
                np.minimum(ages, np.maximum(cols.values["age"] - CHILD_MIN_GAP, 0), out=ages)
    for plan in scenario.sleeps.values():
        maker.fill(plan)
    for plan in scenario.needs.values():
        maker.fill(plan)
    return cols


def sized_block(scenario: Scenario, block: int) -> ProfileColumns:
    """Block `block` cut to the scenario's size (the last block is usually short): how every reader of
    a whole population walks it, one block in memory whatever the size."""
    pop = generate_block(scenario, block)
    size = min(BLOCK, scenario.size - block * BLOCK)
    return pop if size == BLOCK else pop.take(np.arange(size))


def generate_range(scenario: Scenario, start: int, stop: int) -> ProfileColumns:
    """Profiles start .. stop - 1, cut from the blocks that hold them."""
    first, last = start // BLOCK, (stop - 1) // BLOCK
    parts = []
    for block in range(first, last + 1):
        pop = generate_block(scenario, block)
        lo = max(start - block * BLOCK, 0)
        hi = min(stop - block * BLOCK, BLOCK)
        parts.append(pop.take(np.arange(lo, hi)) if (lo, hi) != (0, BLOCK) else pop)
    if len(parts) == 1:
        out = parts[0]
    else:
        out = ProfileColumns(sum(p.n for p in parts),
                         {k: np.concatenate([p.values[k] for p in parts]) for k in parts[0].values},
                         {k: np.concatenate([p.present[k] for p in parts]) for k in parts[0].present},
                         parts[0].vocab, scenario_id=scenario.id)
    out.start = start
    return out


# ---- derived facts, column-wise ----------------------------------------------------------------

def _slot_matrix(pop: ProfileColumns, name: str, key: str) -> np.ndarray:
    k = slots_of(pop, name)
    if k == 0:
        return np.zeros((0, pop.n), dtype=pop.values.get(f"{name}.count", np.zeros(0, np.int64)).dtype)
    return np.stack([pop.values[f"{name}.{j}.{key}"] for j in range(k)])


def _active(pop: ProfileColumns, name: str) -> np.ndarray:
    k = slots_of(pop, name)
    return np.arange(k)[:, None] < pop.values[f"{name}.count"][None, :]


def _code(pop: ProfileColumns, column: str, value: str) -> int:
    vocab = pop.vocab[column]
    return vocab.index(value) if value in vocab else -1


def _in(pop: ProfileColumns, column: str, values: tuple[str, ...]) -> np.ndarray:
    table = np.array([v in values for v in pop.vocab[column]], dtype=bool)
    return table[pop.values[column]]


def _children(pop: ProfileColumns):
    active = _active(pop, "children")
    home = active & _slot_matrix(pop, "children", "lives_with_client")
    return home, _slot_matrix(pop, "children", "age")


def _co(pop: ProfileColumns):
    active = _active(pop, "co_residents")
    return active, _slot_matrix(pop, "co_residents", "age"), _slot_matrix(pop, "co_residents", "relation"), \
        _slot_matrix(pop, "co_residents", "student_finance")


def _relation_code(pop: ProfileColumns, relation: str) -> int:
    key = "co_residents.0.relation"
    return pop.vocab[key].index(relation) if key in pop.vocab else -1


def _cost_sharers(pop: ProfileColumns, min_age: int, also_excluded: tuple[str, ...] = ()) -> np.ndarray:
    active, ages, relation, student = _co(pop)
    counted = active & (ages >= min_age) & ~student
    for excluded in ("partner", "lodger", *also_excluded):
        counted &= relation != _relation_code(pop, excluded)
    return counted.sum(axis=0).astype(np.int64)


def _ex_partner(pop: ProfileColumns) -> np.ndarray:
    active, _, relation, _ = _co(pop)
    return (active & (relation == _relation_code(pop, "ex_partner"))).any(axis=0)


def _joint_household_presumed(pop: ProfileColumns):
    ex, separated = _ex_partner(pop), _in(pop, "relationship", ("separated",))
    known = pop.present["years_since_separation"]
    recent = known & (pop.values["years_since_separation"] < 2)
    return ex & (separated | recent), ~ex | separated | known


def _partner(pop: ProfileColumns) -> np.ndarray:
    active, _, relation, _ = _co(pop)
    return (active & (relation == _relation_code(pop, "partner"))).any(axis=0)


def _sleeps(pop: ProfileColumns) -> np.ndarray:
    return pop.values["sleeps_elsewhere.present"]


def _youngest(pop: ProfileColumns):
    home, ages = _children(pop)
    big = np.where(home, ages, np.iinfo(np.int64).max)
    return (big.min(axis=0) if len(big) else np.zeros(pop.n, np.int64)), home.any(axis=0)


def _children_aged(pop: ProfileColumns, low: int, high: int) -> np.ndarray:
    home, ages = _children(pop)
    return (home & (ages >= low) & (ages <= high)).sum(axis=0).astype(np.int64)


def _partner_age(pop: ProfileColumns):
    active, ages, relation, _ = _co(pop)
    partner = active & (relation == _relation_code(pop, "partner"))
    low = np.where(partner, ages, -1)
    return (low.max(axis=0) if len(low) else np.zeros(pop.n, np.int64)), partner.any(axis=0)


_VECTOR: dict[str, Any] = {
    "pregnant": lambda p: p.values["pregnancy_weeks"] > 0,
    "children_at_home": lambda p: _children(p)[0].sum(axis=0).astype(np.int64),
    "minor_children_at_home": lambda p: (_children(p)[0] & (_children(p)[1] < 18)).sum(axis=0).astype(np.int64),
    "youngest_child_age": _youngest,
    "partner_at_home": _partner,
    "ex_partner_at_home": _ex_partner,
    "ex_spouse_at_home": lambda p: _ex_partner(p) & _in(p, "relationship", ("separated", "divorced")),
    "joint_household_presumed": _joint_household_presumed,
    "treated_as_married": lambda p: _in(p, "relationship", ("married", "registered_partner", "cohabiting"))
    | _partner(p),
    "cost_sharers": lambda p: _cost_sharers(p, 27),
    "cost_sharers_before_2023": lambda p: _cost_sharers(p, 21),
    "cost_sharers_in_couple": lambda p: _cost_sharers(p, 27, also_excluded=("ex_partner",)),
    "household_size": lambda p: 1 + _partner(p).astype(np.int64) + _children(p)[0].sum(axis=0),
    "homeless": lambda p: (_in(p, "housing", ("sofa_surfing", "shelter", "street", "unsuitable")), _given(p, "housing")),
    "yearly_income": lambda p: (np.where(p.present["income_gross_yearly"], p.values["income_gross_yearly"],
                                         np.round(p.values["income_net_monthly"] * 12, 2)),
                                p.present["income_gross_yearly"] | _given(p, "income_net_monthly")),
    "nights_elsewhere": lambda p: np.where(_sleeps(p), p.values["sleeps_elsewhere.nights_per_week"], 0),
    "host_on_bijstand": lambda p: _sleeps(p) & p.values["sleeps_elsewhere.host_on_bijstand"],
    "host_is_ex_partner": lambda p: _sleeps(p) & (p.values["sleeps_elsewhere.host"]
                                                  == _code(p, "sleeps_elsewhere.host", "ex_partner")),
    "host_age": lambda p: (p.values["sleeps_elsewhere.host_age"], _sleeps(p)),
    "partner_age": _partner_age,
    "children_aged_0_5": lambda p: _children_aged(p, 0, 5),
    "children_aged_6_11": lambda p: _children_aged(p, 6, 11),
    "children_aged_12_15": lambda p: _children_aged(p, 12, 15),
    "children_aged_16_17": lambda p: _children_aged(p, 16, 17),
    "residents": lambda p: 1 + _co(p)[0].sum(axis=0).astype(np.int64) + _children(p)[0].sum(axis=0),
    "months_in_work_known": lambda p: p.present["months_in_work"].copy(),
    "youth_care_ongoing": lambda p: (p.values["youth_care_before_18"] & ~p.present["months_since_youth_care_ended"],
                                     _given(p, "youth_care_before_18")),
}


def _given(pop: ProfileColumns, name: str) -> np.ndarray:
    """Where a profile field is given (a field that cannot be missing is given everywhere)."""
    present = pop.present.get(name)
    return present.copy() if present is not None else np.ones(pop.n, dtype=bool)
_warned: set[str] = set()


def derive(pop: ProfileColumns, names: list[str] | None = None) -> Columns:
    """The facts rules read, as columns: profile fields as generated plus derived facts.

    `names` limits the derived facts computed (default: all of them).
    """
    cols = Columns(pop.n, dict(pop.values), dict(pop.present), dict(pop.vocab))
    wanted = [n for n in DERIVED_FACTS if names is None or n in names]
    missing = [n for n in wanted if n not in _VECTOR]
    for name in wanted:
        if name not in _VECTOR:
            continue
        out = _VECTOR[name](pop)
        if isinstance(out, tuple):
            cols.values[name], cols.present[name] = out
        else:
            cols.values[name] = out
    if missing:
        _derive_slowly(pop, cols, missing)
    return cols


def _derive_slowly(pop: ProfileColumns, cols: Columns, names: list[str]) -> None:
    new = [n for n in names if n not in _warned]
    if new:
        _warned.update(new)
        warnings.warn(f"derived fact(s) {', '.join(new)} have no column form in regelgat/population/generate.py; "
                      "computing them profile by profile (slow)", stacklevel=3)
    profiles = materialise(pop)
    for name in names:
        kind, func = FACT_TYPES[name].kind, DERIVED_FACTS[name][1]
        raw = [func(p) for p in profiles]
        present = np.array([v is not None for v in raw])
        filled = [v if v is not None else 0 for v in raw]
        cols.values[name] = np.array(filled, dtype=bool if kind == "bool" else float)
        if FACT_TYPES[name].optional:
            cols.present[name] = present


def generate_profiles(scenario: Scenario, size: int | None = None, seed: int | None = None) -> list[Profile]:
    """The first `size` profiles of a scenario (default: its size) as Profile objects.

    For small populations (snapshots, diffs, tests); batches stay in columns.
    """
    scenario = scenario.with_overrides(size=size, seed=seed)
    return materialise(generate_range(scenario, 0, scenario.size))

