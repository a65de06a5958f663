"""The run's summary: gap rates per group, the provisions that shut most doors, the criteria
that refuse most often, referral loops, gap patterns with their most typical and simplest
profile, and effects on others, made from the merged chunk stats.

Plain data with sorted keys: the same run gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from regelgat.batch.chunk_stats import Layout
from regelgat.batch.merge import Merger
from regelgat.batch import shortfall
from regelgat.batch.patterns import decode_pattern, pattern_id, pattern_info, reason_info, refusals_label
from regelgat.batch.route_summary import route_summary
from regelgat.client.profile import NEEDS, Profile, without_defaults
from regelgat.population.profile_columns import ProfileColumns, profile_dicts

CLOSED = 0.99  # a criterion that refuses this share of those it could help is "closed to all"


def _row_profile(layout: Layout, vocab: dict, index: int, row: dict) -> Profile:
    values = {k[4:]: np.array([v]) for k, v in row.items() if k.startswith("row.")}
    present = {k[8:]: np.array([v]) for k, v in row.items() if k.startswith("present.")}
    pop = ProfileColumns(1, values, present, vocab, start=index, scenario_id=layout.scenario.id)
    return Profile.model_validate(profile_dicts(pop)[0])


def _share(count: int, total: int) -> float:
    return round(count / total, 6) if total else 0.0


@dataclass
class _Totals:
    """What every section of the summary reads: the merged counts by feature, and the groups."""

    layout: Layout
    merger: Merger

    def __post_init__(self) -> None:
        self.engine = self.layout.engine
        self.total = self.merger.n
        self.group_meta = self.layout.group_labels
        self.features = {f: i for i, f in enumerate(self.layout.features)}

    def by_group(self, row: int) -> dict[str, dict[str, int]]:
        return {name: {label: int(self.merger.counts[name][l, row]) for l, label in enumerate(labels)}
                for name, labels in self.group_meta}

    def overall(self, row: int) -> int:
        return int(self.merger.counts["all"][0, row])


def finish(layout: Layout, merger: Merger, meta: dict[str, Any], detailed: int = 100) -> dict[str, Any]:
    """The summary: plain data with sorted keys, the same bytes for the same run."""
    t = _Totals(layout, merger)
    criteria, closed = _criteria(t)
    return {**meta, "profiles": t.total, "groups": [{"name": n, "labels": list(l)} for n, l in t.group_meta],
            "by_group": _groups(t), "provisions": _provisions(t), "criteria": criteria,
            "patterns": _patterns(t, closed, detailed), "loops": _loops(t), "effects": _effects(t),
            "routes": route_summary(t.layout, t.merger, t.by_group, t.overall, t.features)}


def _groups(t: _Totals) -> dict[str, dict[str, dict]]:
    """Per group and label: profiles, needs, gaps and their shares, nothing at all, caught in a loop."""
    groups_out = {}
    for name, labels in t.group_meta:
        table = t.merger.counts[name]
        groups_out[name] = {}
        for l, label in enumerate(labels):
            size = int(table[l, t.features["profile"]])
            entry = {"profiles": size}
            for need in NEEDS:
                entry[f"need_{need}"] = int(table[l, t.features[f"need:{need}"]])
                entry[f"gap_{need}"] = int(table[l, t.features[f"gap:{need}"]])
                entry[f"gap_{need}_share"] = _share(entry[f"gap_{need}"], size)
            entry["any_gap"] = int(table[l, t.features["any_gap"]])
            entry["any_gap_share"] = _share(entry["any_gap"], size)
            entry["nothing"] = int(table[l, t.features["nothing"]])
            entry["nothing_share"] = _share(entry["nothing"], size)
            entry["in_loop"] = int(table[l, t.features["in_loop"]])
            if name in t.merger.shortfall:
                entry.update(shortfall.describe(t.merger.shortfall[name][l]))
            groups_out[name][label] = entry
    return groups_out


def _provisions(t: _Totals) -> list[dict[str, Any]]:
    """Every provision with the doors it shuts (needs it covers but refuses), most first."""
    provisions = []
    for p, provision in enumerate(t.engine.provisions):
        shut = t.overall(t.features[f"shut:{provision.key}"])
        eligible = t.overall(t.features[f"eligible:{provision.key}"])
        provisions.append({"provision": provision.key, "title": provision.spec.title,
                           "covers": list(provision.spec.covers),
                           "eligible": eligible,
                           # admits (nearly) no one here, such as a youth provision for men aged 45-65
                           "closed_to_all": shut > 0 and eligible <= (1 - CLOSED) * (shut + eligible),
                           "shut_doors": shut, "shut_share": _share(shut, t.total),
                           "shut_in_scope": t.overall(t.features[f"shut_in_scope:{provision.key}"]),
                           "shut_in_scope_share": _share(t.overall(t.features[f"shut_in_scope:{provision.key}"]),
                                                         t.total),
                           "shut_by_group": t.by_group(t.features[f"shut:{provision.key}"])})
    provisions.sort(key=lambda x: (-x["shut_in_scope"], -x["shut_doors"], x["provision"]))
    return provisions


def info_scope(rule) -> bool:
    """Whether a bound rule names whom its provision is for (`scope: true`; prerequisites never do)."""
    return bool(getattr(rule.rule, "scope", False))


def _criteria(t: _Totals) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """Every criterion that refused someone, most first, and those closed to (nearly) all."""
    criteria = []
    closed: set[tuple[str, str]] = set()
    for r, rule in enumerate(t.engine.reasons):
        key = f"refused:{t.engine.keys[t.engine.reason_provision[r]]}/{rule.rule.id}"
        count = t.overall(t.features[key])
        if not count:
            continue
        info = reason_info(t.engine, r)
        provision_key = t.engine.keys[t.engine.reason_provision[r]]
        relevant = t.overall(t.features[f"relevant:{provision_key}"])
        meant = t.overall(t.features[f"in_scope:{provision_key}"])
        count_in_scope = t.overall(t.features["refused_in_scope:" + key[len("refused:"):]])
        info.update({"provision": provision_key,
                     "provision_title": t.engine.provisions[t.engine.reason_provision[r]].spec.title,
                     "count": count, "share": _share(count, t.total), "by_group": t.by_group(t.features[key]),
                     "relevant": relevant, "share_of_relevant": _share(count, relevant),
                     "scope": info_scope(rule), "in_scope": meant,
                     "count_in_scope": count_in_scope, "share_in_scope": _share(count_in_scope, t.total),
                     "share_of_in_scope": _share(count_in_scope, meant),
                     "by_group_in_scope": t.by_group(t.features["refused_in_scope:" + key[len("refused:"):]]),
                     "in_scope_by_group": t.by_group(t.features[f"in_scope:{provision_key}"]),
                     # refuses (nearly) everyone it is meant for here: a door closed by design, not a filter
                     # (a scope criterion: nearly everyone who needed the provision is not whom it is for)
                     "closed_to_all": relevant > 0 and count >= CLOSED * relevant if info_scope(rule)
                     else meant > 0 and count_in_scope >= CLOSED * meant})
        if info["scope"]:  # not meant for them: listed apart in the patterns too
            closed.add((provision_key, rule.rule.id))
        if info["closed_to_all"]:
            closed.add((provision_key, rule.rule.id))
        if rule.rule.clause:
            info["clause"] = " ".join(rule.rule.clause.split())
        criteria.append(info)
    # most refusals among those each provision is meant for first (batch/chunk_stats.meant_for)
    criteria.sort(key=lambda x: (-x["count_in_scope"], -x["count"], x["provision"], x["criterion"]))
    return criteria, closed


def _patterns(t: _Totals, closed: set[tuple[str, str]], detailed: int) -> list[dict[str, Any]]:
    """Gap patterns, most common first; the first `detailed` with profiles, refusals and groups."""
    layout, merger = t.layout, t.merger
    patterns = []
    for sig, pid in merger.patterns.items():
        count = int(merger.pattern_counts["all"][0, pid])
        gaps, refused = decode_pattern(layout, sig)
        refusals = [{"provision": t.engine.keys[p], "closed_to_all": all(
            (t.engine.keys[p], t.engine.reasons[r].rule.id) in closed for r in reasons),
            "deciding": [" or ".join(g.split("/")[-1] for g in t.engine.reasons[r].rule.granters)
                         if t.engine.reason_group[r] == "requirement"
                         else t.engine.reasons[r].rule.id for r in reasons]} for p, reasons in refused]
        info = {"id": pattern_id(sig), "gaps": gaps,
                "count": count, "share": _share(count, t.total), "_pid": pid, "_sig": sig}
        info["label"] = refusals_label(gaps, refusals)
        patterns.append(info)
    patterns.sort(key=lambda x: (-x["count"], x["id"]))
    typical, simplest = merger.typical_rows(), merger.simplest_rows()
    for rank, info in enumerate(patterns):
        pid, sig = info.pop("_pid"), info.pop("_sig")
        chosen = {"typical": (merger.samples, typical.get(pid)), "simplest": (merger.simplest, simplest.get(pid))}
        for kind, (store, position) in chosen.items():
            if position is None:
                continue
            index, row = merger.row_at(store, position)
            info[f"{kind}_id"] = f"{layout.scenario.id}-{index}"
            if rank < detailed:
                info[kind] = without_defaults(_row_profile(layout, merger.vocab, index, row))
        if rank < detailed:
            full = pattern_info(layout, sig)
            for refusal in full["refusals"]:
                refusal["closed_to_all"] = all((refusal["provision"], d["criterion"]) in closed
                                               for d in refusal["deciding"])
            info["refusals"] = full["refusals"]
            info["by_group"] = {name: {label: int(merger.pattern_counts[name][l, pid]) for l, label in enumerate(labels)}
                                for name, labels in t.group_meta}
    return patterns


def _loops(t: _Totals) -> list[dict[str, Any]]:
    """Referral loops with the profiles caught in each, most first."""
    loops = []
    for loop, lid in t.merger.loops.items():
        counts = {name: t.merger.loop_counts[name][:, lid] for name, _ in t.group_meta}
        count = int(counts["all"][0])
        loops.append({"loop": list(loop), "count": count, "share": _share(count, t.total),
                      "titles": [t.engine.provisions[t.engine.index[k]].spec.title if k in t.engine.index else k
                                 for k in loop],
                      "by_group": {name: {label: int(counts[name][l]) for l, label in enumerate(labels)}
                                   for name, labels in t.group_meta}})
    loops.sort(key=lambda x: (-x["count"], x["loop"]))
    return loops


def _effects(t: _Totals) -> list[dict[str, Any]]:
    """Effects on others (a host's benefit, ...) with how many profiles cause each."""
    effects = []
    for effect in t.engine.compiled.effects:
        count = t.overall(t.features[f"effect:{effect.key}"])
        effects.append({"effect": effect.key, "text": " ".join((effect.text or effect.rule.text).split()),
                        "count": count, "share": _share(count, t.total),
                        "source": {"title": effect.rule.source.title, "url": effect.rule.source.url}})
    return effects
