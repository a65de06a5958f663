"""Every table of a run's report as CSV, in OUT/tables/, for a spreadsheet or a chart of one's own.

The column names are the summary.json names (the same in Dutch and English, so a script reads either);
the texts in them (titles, criteria, labels in words) are in the report's language. Counts are whole
numbers and every share sits beside the count it is a share of, as a fraction with six decimals: a
CSV cell has no room to say "of the 11,285 who need housing", so the base is a column. The same run
gives the same bytes: rows in the summary's order, "\\n" line ends, no timestamps.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterable

from regelgat.batch.highlights import filters
from regelgat.batch.summary_model import Summary
from regelgat.batch.wording import ENGLISH, Words, provision_titles
from regelgat.client.profile import NEEDS
from regelgat.io.atomic import write_atomic


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if cell is None else f"{cell:.6f}" if isinstance(cell, float) else cell for cell in row])
    return buffer.getvalue()


def _labels(summary: Summary, w: Words):
    """(group, label, label in words) for every label with profiles, the whole population first."""
    for group in summary.groups:
        for label in group.labels:
            if summary.by_group[group.name][label].profiles:
                yield group.name, label, w.label(label)


def gap_rates(summary: Summary, w: Words) -> str:
    """'Gap rates by group': each share is of the row's profiles."""
    header = ["group", "label", "label_words", "profiles", "any_gap", "any_gap_share", "nothing", "nothing_share",
              "in_loop"] + [f"{kind}_{need}" for need in NEEDS for kind in ("need", "gap")] + \
             [f"gap_{need}_share" for need in NEEDS] + [f"gap_{need}_share_of_need" for need in NEEDS]
    rows = []
    for group, label, words in _labels(summary, w):
        e = summary.by_group[group][label]
        rows.append([group, label, words, e.profiles, e.any_gap, e.any_gap_share, e.nothing, e.nothing_share,
                     e.in_loop] + [value for need in NEEDS for value in (e.need(need), e.gap(need))]
                    + [e.gap_share(need) for need in NEEDS]
                    + [round(e.gap(need) / e.need(need), 6) if e.need(need) else None for need in NEEDS])
    return _csv(header, rows)


def shortfall(summary: Summary, w: Words) -> str:
    """'Below the social minimum': shares are of shortfall_profiles (the income gap cases)."""
    header = ["group", "label", "label_words", "shortfall_profiles", "shortfall_median", "shortfall_over_100",
              "shortfall_over_100_share", "shortfall_over_500", "shortfall_over_500_share"]
    rows = [[g, label, words, e.shortfall_profiles, e.shortfall_median, e.shortfall_over_100,
             e.shortfall_over_100_share, e.shortfall_over_500, e.shortfall_over_500_share]
            for g, label, words in _labels(summary, w)
            for e in [summary.by_group[g][label]] if e.shortfall_profiles]
    return _csv(header, rows)


def criteria(summary: Summary, w: Words) -> str:
    """'Criteria that refuse most often', every one of them, and those closed to all (closed_to_all)."""
    header = ["rank", "provision", "provision_title", "criterion", "text", "kind", "source_title", "source_url",
              "scope", "count_in_scope", "in_scope", "share_of_in_scope", "share_in_scope", "count", "profiles",
              "share", "relevant", "share_of_relevant", "closed_to_all"]
    shown = {id(c): rank for rank, c in enumerate(filters(summary), 1)}
    rows = [[shown.get(id(c)), c.provision, w.rule(c.provision_title), c.criterion, w.rule(c.text), c.kind,
             c.source.title, c.source.url, c.scope, c.count_in_scope, c.in_scope, c.share_of_in_scope,
             c.share_in_scope, c.count, summary.profiles, c.share, c.relevant, c.share_of_relevant,
             c.closed_to_all] for c in summary.criteria]
    return _csv(header, rows)


def criteria_by_group(summary: Summary, w: Words) -> str:
    """'Most refusing criteria by group', every ranked criterion that refused someone there that its provision
    is meant for, most first: share is of the group's profiles, share_of_in_scope of those meant for it."""
    header = ["group", "label", "label_words", "profiles", "provision", "criterion", "text", "count_in_scope",
              "share", "in_scope", "share_of_in_scope"]
    rows = []
    for group, label, words in _labels(summary, w):
        if group == "all":
            continue
        size = summary.by_group[group][label].profiles
        ranked = sorted(((c, c.by_group_in_scope[group][label]) for c in filters(summary)),
                        key=lambda item: (-item[1], item[0].provision, item[0].criterion))
        for c, n in ranked:
            meant = c.in_scope_by_group[group][label]
            if n:
                rows.append([group, label, words, size, c.provision, c.criterion, w.rule(c.text), n,
                             round(n / size, 6), meant, round(n / meant, 6)])
    return _csv(header, rows)


def provisions(summary: Summary, w: Words) -> str:
    """'Provisions that shut most doors': shares are of all profiles; the report ranks by shut_in_scope."""
    header = ["provision", "title", "covers", "eligible", "shut_in_scope", "shut_doors", "profiles",
              "shut_in_scope_share", "shut_share", "closed_to_all"]
    rows = [[p.provision, w.rule(p.title), " ".join(p.covers), p.eligible, p.shut_in_scope, p.shut_doors,
             summary.profiles, p.shut_in_scope_share, p.shut_share, p.closed_to_all] for p in summary.provisions]
    return _csv(header, rows)


def loops(summary: Summary, w: Words) -> str:
    """'Referral loops': share is of all profiles."""
    return _csv(["loop", "titles", "count", "profiles", "share"],
                [[" -> ".join(loop.loop), " -> ".join(w.rule(t) for t in loop.titles), loop.count, summary.profiles,
                  loop.share] for loop in summary.loops])


def patterns(summary: Summary, w: Words) -> str:
    """'Gap patterns': share is of all profiles; refusals name the first criterion that refused each door."""
    titles = provision_titles(summary)
    rows = []
    for rank, p in enumerate(summary.patterns, 1):
        refusals = "; ".join(f"{w.rule(titles.get(r.provision, r.provision))}: "
                             + ", ".join(d.criterion for d in r.deciding) for r in p.refusals or [])
        rows.append([rank, p.id, " ".join(p.gaps), p.count, summary.profiles, p.share, p.label, refusals,
                     p.typical_id, p.simplest_id])
    return _csv(["rank", "id", "gaps", "count", "profiles", "share", "label", "refusals", "typical_id",
                 "simplest_id"], rows)


def routes(summary: Summary, w: Words) -> str:
    """'Routes out of the gaps', overall and by group: shares are of the gap cases of that need."""
    header = ["need", "group", "label", "label_words", "gap_cases", "attainable", "harmful", "impossible", "none",
              "harmful_share"]
    rows = []
    for r in summary.routes or []:
        rows.append([r.need, "all", "all", w.label("all"), r.gap_cases,
                     *(r.nearest.get(k, 0) for k in ("attainable", "harmful", "impossible", "none")), r.harmful_share])
        for group, label, words in _labels(summary, w):
            cell = r.by_group.get(group, {}).get(label)
            if group != "all" and cell and cell["gap_cases"]:
                rows.append([r.need, group, label, words, cell["gap_cases"], None, cell["harmful"], None, None,
                             round(cell["harmful"] / cell["gap_cases"], 6)])
    return _csv(header, rows)


def sensitivity(summary: Summary, w: Words) -> str:
    """'How robust the figures are': each headline figure, its base and its range across the flags."""
    s = summary.sensitivity
    rows = [[f.figure, f.profiles, f.value, f.low, f.high,
             "; ".join(f"{m.ruleset}/{m.item}" for m in f.most_sensitive)] for f in (s.figures if s else [])]
    return _csv(["figure", "profiles", "value", "low", "high", "most_sensitive"], rows)


def weeks(summary: Summary, w: Words) -> str:
    """'Weeks without cover', per need and group: shares are of the row's profiles with the need."""
    header = ["need", "group", "label", "profiles", "uncovered_median", "uncovered_median_when_any",
              "four_or_more", "four_or_more_share", "any_uncovered", "any_uncovered_share", "missed_mean",
              "missed_median_when_any", "possible_back_pay_total", "delayed_total"]
    timeline = summary.timeline
    rows = []
    for need in (timeline.uncovered_histogram if timeline else []):
        for group, labels in timeline.by_group.items():
            for label, e in labels.items():
                if e.profiles and need in e.needs:
                    n = e.needs[need]
                    rows.append([need, group, label, n.profiles, n.uncovered_median, n.uncovered_median_when_any,
                                 n.four_or_more, n.four_or_more_share, n.any_uncovered, n.any_uncovered_share,
                                 e.missed_mean, e.missed_median_when_any, e.possible_back_pay_total, e.delayed_total])
    return _csv(header, rows)


TABLES = {"gap_rates": gap_rates, "shortfall": shortfall, "criteria": criteria,
          "criteria_by_group": criteria_by_group, "provisions": provisions, "loops": loops, "patterns": patterns,
          "routes": routes, "sensitivity": sensitivity, "weeks": weeks}


def tables(summary: Summary, w: Words = ENGLISH) -> dict[str, str]:
    """File name -> CSV text, for the tables this run has (a run without routes has no routes.csv)."""
    out = {}
    for name, make in TABLES.items():
        text = make(summary, w)
        if text.count("\n") > 1:
            out[f"{name}.csv"] = text
    return out


def write_tables(summary: Summary, out_dir, w: Words = ENGLISH) -> None:
    """OUT/tables/*.csv, each written whole or not at all."""
    folder = Path(out_dir) / "tables"
    folder.mkdir(exist_ok=True)
    for name, text in tables(summary, w).items():
        write_atomic(folder / name, text)
