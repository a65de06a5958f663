"""Gap patterns: a signature of which doors shut for which first reasons, read back into words.

A gap pattern is a set of uncovered needs together with why: for each provision that covers
one of those needs, and each provision one of those waits for (an unmet prerequisite), the first
criterion (in the ruleset's order) that refused it, or the prerequisite that held it up. The
signature is those bits, packed; its id is a short hash of them, the same in summary.json and in
the row files.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from regelgat.batch.chunk_stats import Layout
from regelgat.client.profile import NEEDS
from regelgat.engines.vector import VectorEngine


def pattern_id(sig: str) -> str:
    """The short, stable id of a pattern signature (hex), as the summary and the row files show it."""
    return hashlib.blake2b(bytes.fromhex(sig), digest_size=6).hexdigest()


def decode_pattern(layout: Layout, sig: str) -> tuple[list[str], list[tuple[int, list[int]]]]:
    """A signature read back: the gapped needs, and per provision the reasons that refused it."""
    engine = layout.engine
    raw = np.frombuffer(bytes.fromhex(sig), dtype=np.uint8)
    bits = np.unpackbits(raw, bitorder="little")[: len(NEEDS) + len(engine.reasons)].astype(bool)
    gaps = [need for k, need in enumerate(NEEDS) if bits[k]]
    refused: dict[int, list[int]] = {}
    for r in np.flatnonzero(bits[len(NEEDS):]).tolist():
        refused.setdefault(int(engine.reason_provision[r]), []).append(r)
    return gaps, sorted(refused.items())


def pattern_info(layout: Layout, sig: str) -> dict[str, Any]:
    """A signature in full: the gapped needs and, per provision, what refused it, with sources."""
    engine = layout.engine
    gaps, refused = decode_pattern(layout, sig)
    refusals = []
    for p, reasons in refused:
        provision = engine.provisions[p]
        requirement = all(engine.reason_group[r] == "requirement" for r in reasons)
        refusals.append({
            "provision": provision.key, "title": provision.spec.title, "covers": list(provision.spec.covers),
            "outcome": "blocked" if requirement else "ineligible",
            "deciding": [reason_info(engine, r) for r in reasons],
        })
    info = {"gaps": gaps, "refusals": refusals}
    info["label"] = pattern_label(info)
    return info


def refusals_label(gaps: list[str], refusals: list[dict]) -> str:
    """The one-line description of a pattern from its gaps and per-door refusals."""
    shown = [x for x in refusals if not x.get("closed_to_all")]
    label = "; ".join(f"{x['provision'].split('/')[-1]}: {', '.join(x['deciding'])}" for x in shown)
    return f"{' + '.join(gaps)} gap: {label or 'closed to everyone'}"


def pattern_label(info: dict[str, Any]) -> str:
    """`housing + income gap: algemene_bijstand: income_below_norm_single; mo_adult: ...`, leaving out
    doors that are closed to (nearly) everyone in the population."""
    return refusals_label(info["gaps"], [
        {"provision": x["provision"], "closed_to_all": x.get("closed_to_all"),
         "deciding": [d["waits_for"].split("/")[-1] if d.get("waits_for") else d["criterion"] for d in x["deciding"]]}
        for x in info["refusals"]])


def reason_info(engine: VectorEngine, r: int) -> dict[str, Any]:
    """One criterion (reason row r) with its text, kind and legal source, for the summary."""
    rule = engine.reasons[r]
    out = {"criterion": rule.rule.id, "group": engine.reason_group[r], "text": rule.text or rule.rule.text,
           "kind": rule.rule.kind, "source": {"title": rule.rule.source.title, "url": rule.rule.source.url}}
    if engine.reason_group[r] == "requirement":
        out["waits_for"] = rule.rule.granters_text
    if rule.flags:
        out["assumptions"] = list(rule.flags)
    return out
