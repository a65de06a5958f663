"""Profile-level results of a chunk: one row per profile, as Parquet or JSON lines.

The row files let an advocate go from a count in the report to the profiles behind it: each
row holds the profile's varying fields, group labels, needs, gaps, gap pattern id, loops and
one outcome column per provision.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from regelgat.batch.chunk_stats import Derived, Layout
from regelgat.batch.patterns import pattern_id
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import ELIGIBLE, OUTCOMES, Decisions
from regelgat.rules.columns import Columns
from regelgat.population.profile_columns import ProfileColumns

if TYPE_CHECKING:
    from regelgat.batch.chunk import Job


def _labels_from_bits(codes: np.ndarray, names: tuple[str, ...]) -> list[str]:
    return [",".join(n for k, n in enumerate(names) if code >> k & 1) for code in range(1 << len(names))]


def row_table(job: Job, layout: Layout, pop: ProfileColumns, decisions: Decisions, derived: Derived,
              cols: Columns | None = None):
    """The chunk's profile-level results as a pyarrow Table (dictionary-encoded where it repeats)."""
    import pyarrow as pa

    scenario = job.scenario
    columns: dict[str, Any] = {"index": pa.array(pop.start + np.arange(pop.n), pa.int64())}

    def coded(codes: np.ndarray, labels: list[str]) -> Any:
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(labels, pa.string()))

    for name, codes, labels in derived.groups[1:]:
        columns[f"group:{name}"] = coded(codes, list(labels))
    for name in scenario.varying():
        values = pop.values[name]
        present = pop.present.get(name)
        mask = None if present is None else ~present
        if name in pop.vocab:
            columns[name] = pa.DictionaryArray.from_arrays(pa.array(values.astype(np.int32), mask=mask),
                                                           pa.array(list(pop.vocab[name]), pa.string()))
        else:
            columns[name] = pa.array(values, mask=mask)
    for name in ("children", "co_residents"):
        if scenario.slots[name].count.dist is not None:
            columns[f"{name}_count"] = pa.array(pop.values[f"{name}.count"])
    if scenario.sleeps["present"].dist is not None:
        columns["sleeps_elsewhere"] = pa.array(pop.values["sleeps_elsewhere.present"])
    need_code = np.zeros(pop.n, dtype=np.int64)
    for k, need in enumerate(NEEDS):
        need_code |= pop.values[f"needs.{need}"].astype(np.int64) << k
    bit_labels = _labels_from_bits(need_code, NEEDS)
    columns["needs"] = coded(need_code, bit_labels)
    columns["gaps"] = coded(derived.gap_code, bit_labels)
    pattern_ids = [pattern_id(s) for s in derived.pattern_sigs]
    # "" where there is no pattern or loop. Loops are plain strings: pyarrow writes a dictionary page
    # of long strings with stray bytes that differ between processes, breaking byte-identical files.
    columns["pattern"] = coded(derived.pattern_local + 1, ["", *pattern_ids])
    loop_labels = [" | ".join(" -> ".join((*loop, loop[0])) for loop in loops) for loops in derived.loop_keys]
    columns["loops"] = pa.array(np.array(["", *loop_labels], dtype=object)[derived.loop_local + 1], pa.string())
    outcome_labels = pa.array(list(OUTCOMES), pa.string())
    for p, key in enumerate(layout.engine.keys):
        columns[key] = pa.DictionaryArray.from_arrays(pa.array(decisions.outcome[p].astype(np.int32)), outcome_labels)
    if cols is not None:
        columns.update(_amount_columns(layout, decisions, derived, cols))
    return pa.table(columns)


def _amount_columns(layout: Layout, decisions: Decisions, derived: Derived, cols: Columns) -> dict[str, Any]:
    """`amount:<provision>`: euros a month paid (0 when not eligible, null when a fact it needs is
    missing), as `regelgat check` reports `amount`; `shortfall`: euros below the social minimum
    where income is a gap (null elsewhere)."""
    import pyarrow as pa

    out: dict[str, Any] = {}
    for p, key in enumerate(layout.engine.keys):
        bound = layout.engine.compiled.amount_of(key)
        if bound is None:
            continue
        eligible = decisions.outcome[p] == ELIGIBLE
        known = cols.present.get(bound.name, np.ones(decisions.n, dtype=bool))
        out[f"amount:{key}"] = pa.array(np.where(eligible, cols.values[bound.name], 0.0), pa.float64(),
                                        mask=eligible & ~known)
    if derived.shortfall is not None:
        out["shortfall"] = pa.array(derived.shortfall, pa.float64(), mask=~derived.has_shortfall)
    return out


def encode_rows(job: Job, layout: Layout, pop: ProfileColumns, decisions: Decisions, derived: Derived,
                cols: Columns | None = None) -> bytes:
    """The chunk's row file as bytes (Parquet or JSON lines; empty when rows are not kept), made in the worker."""
    if job.rows == "none":
        return b""
    table = row_table(job, layout, pop, decisions, derived, cols)
    if job.rows == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        sink = io.BytesIO()
        coded = [f.name for f in table.schema if not (pa.types.is_integer(f.type) or pa.types.is_floating(f.type))]
        pq.write_table(table, sink, compression="snappy", write_statistics=False, use_dictionary=coded)
        return sink.getvalue()
    lines = [json.dumps(row, sort_keys=True, ensure_ascii=False) for row in table.to_pylist()]
    return ("\n".join(lines) + "\n").encode()


def row_suffix(rows: str) -> str:
    """The file suffix of row files in this format (none when rows are not written)."""
    return {"parquet": ".parquet", "jsonl": ".jsonl"}.get(rows, "")


def rows_ok(path: Path, expected: int) -> bool:
    """Whether a finished chunk's row file reads back whole with `expected` rows (for resuming a run)."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_metadata(path).num_rows == expected
        data = path.read_bytes()
        return data.endswith(b"\n") and data.count(b"\n") == expected and bool(json.loads(data.splitlines()[-1]))
    except Exception:  # a truncated or overwritten file, whatever the reader raises: redo the chunk
        return False
