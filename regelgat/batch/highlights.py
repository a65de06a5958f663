"""What every report of a batch run picks out of the summary, so that the terminal, report.md and
report.html say the same: the headline sentences, the criteria that filter (and those closed to
everyone), the doors that shut, and the formatting of shares, loops and profiles.
"""

from __future__ import annotations

import yaml

from regelgat.batch.summary_model import CriterionStats, GroupInfo, Loop, ProvisionStats, Summary
from regelgat.batch.wording import ENGLISH, Words
from regelgat.i18n import N_
from regelgat.client.profile import NEEDS

TOP = 10


def open_doors(summary: Summary) -> list[ProvisionStats]:
    """Provisions that refused people who needed them and whom they are meant for, leaving out those closed
    to this whole population (a youth provision in a run of men aged 45-65 says nothing about the population)."""
    return [p for p in summary.provisions if p.shut_in_scope and not p.closed_to_all]


def needs_in(summary: Summary) -> list[str]:
    """The needs that anyone in this population has, in NEEDS order (the columns worth showing)."""
    overall = summary.overall
    return [need for need in NEEDS if overall.need(need)]


def filters(summary: Summary) -> list[CriterionStats]:
    """Criteria that refuse some of the people their provision is meant for: the ones that decide who falls
    through, ranked by those refusals alone. A criterion that names whom a provision is for (scope) is no
    door that shut, and a refusal of someone the provision is not for does not count."""
    return [c for c in summary.criteria if not c.closed_to_all and not c.scope and c.count_in_scope]


def closed(summary: Summary) -> list[CriterionStats]:
    """Criteria that refuse (nearly) everyone in this population whom their provision is meant for."""
    return [c for c in summary.criteria if c.closed_to_all and not c.scope]


def not_meant_for(summary: Summary) -> list[CriterionStats]:
    """Scope criteria that left people out: provisions not meant for them, most first."""
    return sorted((c for c in summary.criteria if c.scope and c.count),
                  key=lambda c: (-c.count, c.provision, c.criterion))


def loop_text(loop: Loop, w: Words = ENGLISH) -> str:
    """A referral loop in words: each provision waits for the next, back to the first."""
    return " -> ".join(w.rule(title) for title in loop.titles + loop.titles[:1])


def per_group_top(summary: Summary, group: GroupInfo, k: int = 3) -> list[tuple[str, int, list[tuple[dict, int]]]]:
    """Per label of a group: its size and the k criteria that refuse most often there, among the people
    their provision is meant for."""
    out = []
    for label in group.labels:
        size = summary.by_group[group.name][label].profiles
        if not size:
            continue
        ranked = sorted(((c, c.by_group_in_scope[group.name][label]) for c in filters(summary)),
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
    lines.append(w("Reading: reported practice that no rule confirms was applied as rules (--assume practice).")
                 if summary.scenario.reading == "practice" else
                 w("Reading: reported practice that no rule confirms refused no one (run with --assume practice "
                   "for the pessimistic reading)."))
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

CRITERIA_BASE = N_("Only refusals of the people a provision is meant for count: those who need what it covers and "
                   "meet its scope criteria (its age band, a child at home, ...). Each share is of all {profiles} "
                   "profiles, and beside it of those the provision is meant for.")
NOT_MEANT_TEXT = N_("Not meant for them: these criteria say whom a provision is for, so the people they leave out "
                    "were not refused a door that was theirs, and are not ranked above.")
MEANT_ONLY = N_("Only the people a provision is meant for count (who meet its scope criteria, such as its age band).")
ALSO_SHUT = N_("Also shut, but not meant for them or closed to nearly everyone here: {titles}")
