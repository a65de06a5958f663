"""What every report of a batch run picks out of the summary, so that the terminal, report.md and
report.html say the same: the headline sentences, the criteria that filter (and those closed to
everyone), the doors that shut, and the formatting of shares, loops and profiles.
"""

from __future__ import annotations

import yaml

from regelgat.batch.summary_model import GroupInfo, Loop, Summary
from regelgat.batch.wording import ENGLISH, Words
from regelgat.i18n import N_
from regelgat.client.profile import NEEDS

TOP = 10


def open_doors(summary: Summary) -> list[dict]:
    """Provisions that refused people who needed them, leaving out those closed to this whole population
    (a youth provision in a run of men aged 45-65 says nothing about the population)."""
    return [p for p in summary.provisions if p.shut_doors and not p.closed_to_all]


def needs_in(summary: Summary) -> list[str]:
    """The needs that anyone in this population has, in NEEDS order (the columns worth showing)."""
    overall = summary.overall
    return [need for need in NEEDS if overall.need(need)]


def filters(summary: Summary) -> list[dict]:
    """Criteria that refuse some of the people they could help: the ones that decide who falls through."""
    return [c for c in summary.criteria if not c.closed_to_all]


def closed(summary: Summary) -> list[dict]:
    """Criteria that refuse (nearly) everyone in this population whom their provision could help."""
    return [c for c in summary.criteria if c.closed_to_all]


def loop_text(loop: Loop, w: Words = ENGLISH) -> str:
    """A referral loop in words: each provision waits for the next, back to the first."""
    return " -> ".join(w.rule(title) for title in loop.titles + loop.titles[:1])


def per_group_top(summary: Summary, group: GroupInfo, k: int = 3) -> list[tuple[str, int, list[tuple[dict, int]]]]:
    """Per label of a group: its size and the k criteria that refuse most often there."""
    out = []
    for label in group.labels:
        size = summary.by_group[group.name][label].profiles
        if not size:
            continue
        ranked = sorted(((c, c.by_group[group.name][label]) for c in filters(summary)),
                        key=lambda item: (-item[1], item[0].provision, item[0].criterion))
        out.append((label, size, [(c, n) for c, n in ranked[:k] if n]))
    return out


def headline(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """The sentences an advocate quotes, each with its base."""
    overall = summary.overall
    lines = [w("{gap} of {total} profiles ({share}) have at least one need that no provision covers; "
               "{nothing} ({nothing_share}) qualify for nothing they need.").format(
        gap=w.num(overall.any_gap), total=w.num(summary.profiles), share=w.pct(overall.any_gap_share),
        nothing=w.num(overall.nothing), nothing_share=w.pct(overall.nothing_share))]
    for need in needs_in(summary):
        needing = overall.need(need)
        gap = overall.gap(need)
        lines.append(w("{need}: {gap} of the {needing} who need it ({share}) are left without.").format(
            need=w.name(need), gap=w.num(gap), needing=w.num(needing),
            share=w.pct(gap / needing if needing else 0)))
    if summary.loops:
        loop = summary.loops[0]
        lines.append(w("{count} profiles are caught in a referral loop; the most common: {loop} ({loop_count}).")
                     .format(count=w.num(overall.in_loop), loop=loop_text(loop, w), loop_count=w.num(loop.count)))
    return lines


def profile_yaml(profile: dict) -> str:
    """A profile as the YAML a social worker would pass to `regelgat check`."""
    return yaml.safe_dump(profile, sort_keys=False, allow_unicode=True, width=100).strip()



def shortfall_rows(summary: Summary, w: Words = ENGLISH) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Per group: (label, cells) of how far below the social minimum those with an income gap live:
    how many, the median shortfall, and the shares more than EUR 100 and EUR 500 below."""
    out = []
    for group in summary.groups:
        rows = []
        for label in group.labels:
            entry = summary.by_group[group.name][label]
            if entry.shortfall_profiles:
                median = f"€ {w.num(int(entry.shortfall_median))}" if w.lang == "nl" else f"EUR {entry.shortfall_median:,.0f}"
                rows.append((w.label(label), [w.num(entry.shortfall_profiles), median,
                                              w.pct(entry.shortfall_over_100_share), w.pct(entry.shortfall_over_500_share)]))
        if rows:
            out.append((group.name, rows))
    return out


SHORTFALL_HEAD = [N_("income gap"), N_("median below the minimum"), N_("more than EUR 100 below"),
                  N_("more than EUR 500 below")]
SHORTFALL_TEXT = N_("For the profiles whose need for income no provision covers: how far their own income falls "
                    "below the social minimum (the bijstand norm for their household, Participatiewet art. 20-22a), "
                    "in euros a month; the median is rounded up to the euro, each share is of the profiles in the "
                    "column 'income gap'.")
SHORTFALL_TITLE = N_("Below the social minimum")
