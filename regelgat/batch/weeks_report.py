"""The weeks-without-cover section of a run's reports (Markdown, HTML, terminal), from summary.timeline."""

from __future__ import annotations

import html

from regelgat.batch.summary_model import Summary
from regelgat.batch.weeks_model import GroupWeeks, TimelineSummary
from regelgat.batch.wording import ENGLISH, Words
from regelgat.i18n import N_

INTRO = N_("Week by week from {start} to {end} ({weeks} weeks), with the scenario's events. A week is "
           "uncovered when a need is not paid for and never will be; euros missed are the bijstand lost for "
           "good. A discretionary back-pay (a 'may') is shown apart and never counted as paid. Shares are of "
           "the profiles in that row with the need.")
COLUMNS = (N_("group"), N_("profiles"), N_("median weeks uncovered"), N_("median if any"),
           N_("4+ weeks uncovered"), N_("any uncovered"), N_("mean EUR missed"), N_("median EUR missed if any"),
           N_("may be paid back (EUR)"), N_("paid only later (EUR)"))


def _euros(value: float | int | None, w: Words) -> str:
    return "-" if value is None else w.num(round(value))


def _cells(entry: GroupWeeks, need: str, w: Words) -> list[str]:
    weeks = entry.needs[need]
    return [w.num(weeks.profiles), str(weeks.uncovered_median), _dash(weeks.uncovered_median_when_any),
            f"{w.pct(weeks.four_or_more_share)} ({w.num(weeks.four_or_more)})", w.pct(weeks.any_uncovered_share),
            _euros(entry.missed_mean, w), _euros(entry.missed_median_when_any, w),
            _euros(entry.possible_back_pay_total, w), _euros(entry.delayed_total, w)]


def _dash(value) -> str:
    return "-" if value is None else str(value)


def _rows(timeline: TimelineSummary, need: str, w: Words) -> list[tuple[str, list[str]]]:
    """(group: label, cells) for every label with profiles that have the need, the whole population first."""
    out = []
    for group, labels in timeline.by_group.items():
        for label, entry in labels.items():
            if entry.profiles and need in entry.needs:
                name = w("everyone") if group == "all" else f"{w.name(group)}: {w.name(label)}"
                out.append((group != "all", name, _cells(entry, need, w)))
    out.sort(key=lambda row: row[0])
    return [(name, cells) for _, name, cells in out]


def _needs(timeline: TimelineSummary) -> list[str]:
    return list(timeline.uncovered_histogram)


def _intro(timeline: TimelineSummary, w: Words) -> str:
    return w(INTRO).format(start=timeline.start, end=timeline.end, weeks=timeline.weeks)


def markdown(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """report.md's section (nothing when the scenario has no timeline)."""
    timeline = summary.timeline
    if timeline is None:
        return []
    out = ["## " + w("Weeks without cover"), "", _intro(timeline, w), ""]
    for need in _needs(timeline):
        out += [f"### {w.name(need).capitalize()}", "",
                "| " + " | ".join(w(c) for c in COLUMNS) + " |", "|---" * len(COLUMNS) + "|"]
        for name, cells in _rows(timeline, need, w):
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def html_section(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """report.html's section: a bar per number of weeks uncovered, and the table per group."""
    timeline = summary.timeline
    if timeline is None:
        return []
    body = [f"<h2>{html.escape(w('Weeks without cover'))}</h2>", f"<p>{html.escape(_intro(timeline, w))}</p>"]
    for need in _needs(timeline):
        body.append(f"<h3>{html.escape(w.name(need).capitalize())}</h3>")
        body.append(_histogram(timeline.uncovered_histogram[need], need, w))
        head = "".join(f'<th class="num">{html.escape(w(c))}</th>' for c in COLUMNS[1:])
        rows = "".join(f"<tr><td>{html.escape(name)}</td>"
                       + "".join(f'<td class="num">{html.escape(c)}</td>' for c in cells) + "</tr>"
                       for name, cells in _rows(timeline, need, w))
        body.append(f"<table><tr><th>{html.escape(w(COLUMNS[0]))}</th>{head}</tr>{rows}</table>")
    return body


def _histogram(counts: list[int], need: str, w: Words) -> str:
    """Profiles by weeks uncovered, as inline SVG bars (0 weeks left out: it dwarfs the rest)."""
    bars = counts[1:]
    top = max(bars) if bars and max(bars) else 1
    width, height, gap = 14, 80, 2
    parts = []
    for index, count in enumerate(bars):
        h = round(height * count / top)
        x = index * (width + gap)
        tip = html.escape(w("{weeks} weeks: {count}").format(weeks=index + 1, count=w.num(count)))
        parts.append(f'<rect x="{x}" y="{height - h}" width="{width}" height="{h}" fill="#b5523b">'
                     f"<title>{tip}</title></rect>")
    total = len(bars) * (width + gap)
    label = html.escape(w("profiles with 1 to {weeks} weeks of {need} uncovered").format(
        weeks=len(bars), need=w.name(need)))
    none = html.escape(w("{count} with none").format(count=w.num(counts[0])))
    return (f'<figure><svg role="img" aria-label="{label}" width="{total}" height="{height + 2}" '
            f'viewBox="0 0 {total} {height + 2}">{"".join(parts)}</svg><figcaption>{label}; {none}'
            f"</figcaption></figure>")


def terminal_lines(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """A few plain lines for the terminal summary."""
    timeline = summary.timeline
    if timeline is None:
        return []
    overall = timeline.by_group["all"]["all"]
    lines = [w("Weeks without cover, {start} to {end}:").format(start=timeline.start, end=timeline.end)]
    for need, weeks in overall.needs.items():
        lines.append("  " + w("{need}: {long} 4+ weeks uncovered, {any} any (median if any {median})").format(
            need=w.name(need), long=w.pct(weeks.four_or_more_share), any=w.pct(weeks.any_uncovered_share),
            median=_dash(weeks.uncovered_median_when_any)))
    lines.append("  " + w("bijstand missed for good: EUR {missed} (mean {mean}); may be paid back: EUR {back}; "
                          "paid only later: EUR {later}").format(
        missed=_euros(overall.missed_total, w), mean=_euros(overall.missed_mean, w),
        back=_euros(overall.possible_back_pay_total, w), later=_euros(overall.delayed_total, w)))
    return lines
