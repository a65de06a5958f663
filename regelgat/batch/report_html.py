"""report.html of a batch run, from its summary.

One self-contained file (inline CSS, inline SVG charts, no scripts, no external files) that
prints on A4, so an advocate can attach it to a letter. Every figure in it comes from the
summary, and every refusing criterion is shown with its legal source.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from regelgat.batch.plain_summary import first_sentence, plain_summary
from regelgat.batch.report_sensitivity import sensitivity_lines
from regelgat.batch.route_report import harmful_line, routes_html
from regelgat.batch.summary_model import CriterionStats, GroupInfo, Summary
from regelgat.batch import weeks_report, wording
from regelgat.batch.highlights import (ALSO_SHUT, CRITERIA_BASE, MEANT_ONLY, NOT_MEANT_TEXT, SHORTFALL_HEAD, SHORTFALL_TEXT,
                                       SHORTFALL_TITLE, TOP, closed, filters, headline, needs_in, not_meant_for,
                                       open_doors, per_group_top, profile_yaml, shortfall_rows)
from regelgat.batch.wording import ENGLISH, Words


_CSS = """
:root { --ink: #1d2330; --muted: #5b6477; --line: #d9dde5; --accent: #b3261e; --bar: #c0392b;
        --bar2: #e67e22; --bar3: #2e86c1; --bar4: #7d3c98; --bg: #ffffff; --soft: #f5f6f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg);
       margin: 0 auto; max-width: 1000px; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.summary { font-size: 16.5px; margin: 8px 0 12px; }
p.meta { color: var(--muted); margin: 0 0 16px; }
.lead { background: var(--soft); border-left: 5px solid var(--accent); padding: 12px 16px; margin: 16px 0; }
.lead p { margin: 4px 0; }
.lead .big { font-size: 20px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.source { color: var(--muted); font-size: 12.5px; }
a { color: #1f5fa8; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; fill: var(--ink); }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; }
.pattern { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 12px 0; break-inside: avoid; }
.pattern h3 { margin-top: 0; }
.pattern ul { margin: 6px 0; padding-left: 20px; }
.profiles { display: flex; gap: 12px; flex-wrap: wrap; }
.profiles div { flex: 1 1 300px; }
pre { background: var(--soft); padding: 8px 10px; font-size: 12.5px; overflow-x: auto; margin: 4px 0; white-space: pre-wrap; }
.chart { break-inside: avoid; margin: 8px 0 16px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11.5pt; }
  h2 { break-after: avoid; }
  a { color: inherit; }
  a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 9pt; color: var(--muted); word-break: break-all; }
  .lead, th, .pattern, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { size: A4; margin: 16mm 14mm; }
"""


LABEL_CHARS = 44  # characters a line of a criterion's label holds left of the bars (12.5 px text in 320 px)
_COLORS = ["var(--bar)", "var(--bar2)", "var(--bar3)", "var(--bar4)"]


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _tag(tag: str, text: str, css: str = "") -> str:
    """An element holding escaped text (a heading, a table head), with an optional class."""
    attribute = f' class="{css}"' if css else ""
    return f"<{tag}{attribute}>{_e(text)}</{tag}>"


def _bars_by_group(summary: Summary, group: GroupInfo, needs: list[str], w: Words) -> str:
    """Horizontal grouped bars: per label, one bar per need with its gap share."""
    labels = [l for l in group.labels if summary.by_group[group.name][l].profiles]
    series = ([(f"gap_{n}_share", w("{need} gap").format(need=w.name(n))) for n in needs]
              + [("nothing_share", w("qualifies for nothing"))])
    colors = _COLORS[:len(needs)] + ["#555"]
    bar_h, gap_h, left, width = 14, 12, 150, 820
    plot = width - left - 60
    height = len(labels) * (len(series) * bar_h + gap_h) + 30
    title = w("Gap rates by {group}").format(group=w.name(group.name))
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">']
    for tick in (0, 25, 50, 75, 100):
        x = left + plot * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 22}" stroke="#e3e6ec"/>'
                     f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">{tick}%</text>')
    y = 4
    for label in labels:
        entry = summary.by_group[group.name][label]
        block = len(series) * bar_h
        parts.append(f'<text x="{left - 8}" y="{y + block / 2 + 4:.1f}" font-size="13" text-anchor="end">'
                     f'{_e(w.label(label))}</text>')
        for (key, name), color in zip(series, colors):
            share = getattr(entry, key)
            width_bar = plot * share
            parts.append(f'<rect x="{left}" y="{y}" width="{width_bar:.1f}" height="{bar_h - 2}" fill="{color}">'
                         f'<title>{_e(w.label(label))}: {_e(name)} {w.pct(share)}</title></rect>'
                         f'<text x="{left + width_bar + 4:.1f}" y="{y + bar_h - 4}" font-size="11">'
                         f'{w.pct(share)}</text>')
            y += bar_h
        y += gap_h
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{_e(n)}</span>' for (_, n), c in zip(series, colors))
    return f'<div class="chart"><div class="legend">{legend}</div>{"".join(parts)}</div>'


def _bars_criteria(criteria: list[CriterionStats], w: Words) -> str:
    """The top criteria as bars, each label its criterion's first sentence wrapped onto lines (never cut:
    the table below quotes every criterion whole)."""
    rows = criteria[:TOP]
    left, width, line_h = 330, 820, 15
    plot = width - left - 60
    labels = [textwrap.wrap(f"{i}. {first_sentence(w.rule(c.text))}", LABEL_CHARS) for i, c in enumerate(rows, 1)]
    height = sum(len(lines) * line_h + 12 for lines in labels) + 8
    label = w("Criteria that refuse most often")
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(label)}">']
    y = 4
    for c, lines in zip(rows, labels):
        full = w.rule(c.text)
        block = len(lines) * line_h + 12
        width_bar = plot * c.share_in_scope
        spans = "".join(f'<tspan x="{left - 8}" dy="{0 if k == 0 else line_h}">{_e(line)}</tspan>'
                        for k, line in enumerate(lines))
        middle = y + block / 2
        parts.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12.5" text-anchor="end">{spans}'
                     f'<title>{_e(full)}</title></text>'
                     f'<rect x="{left}" y="{middle - 9:.1f}" width="{width_bar:.1f}" height="18" fill="var(--bar)">'
                     f'<title>{_e(w.rule(c.provision_title))}: {_e(full)} {w.pct(c.share_in_scope)}</title></rect>'
                     f'<text x="{left + width_bar + 5:.1f}" y="{middle + 4:.1f}" font-size="11.5">'
                     f'{w.pct(c.share_in_scope)}</text>')
        y += block
    parts.append("</svg>")
    return f'<div class="chart">{"".join(parts)}</div>'


def render_html(summary: Summary, w: Words = ENGLISH) -> str:
    """report.html: one self-contained page (inline CSS and SVG, no scripts) that prints on A4."""
    scenario = summary.scenario
    needs = needs_in(summary)
    overall = summary.overall
    meta = w("{profiles} simulated profiles · rules in force on {date} · seed {seed} · {rulesets} rulesets · "
             "made with regelgat").format(profiles=w.num(summary.profiles), date=scenario.date, seed=scenario.seed,
                                          rulesets=len(summary.rulesets))
    body = [f"<h1>{_e(w.rule(scenario.title))}</h1>", f'<p class="summary">{_e(plain_summary(summary, w))}</p>',
            f'<p class="meta">{_e(meta)}</p>']
    if scenario.description:
        body.append(f"<p>{_e(w.rule(scenario.description))}</p>")
    big = w("Of all {profiles} profiles, {gap} have a need that no scheme covers and {nothing} qualify for nothing "
            "they need.").format(profiles=w.num(summary.profiles), gap=w.pct(overall.any_gap_share),
                                 nothing=w.pct(overall.nothing_share))
    body.append(f'<div class="lead"><p class="big">{_e(big)}</p>'
                + "".join(f"<p>{_e(line)}</p>" for line in headline(summary, w) + harmful_line(summary, w)) + "</div>")

    body += _html_groups(summary, needs, w)
    body += _html_shortfall(summary, w)
    body += _html_criteria(summary, w)
    body += _html_doors_and_loops(summary, w)
    body += routes_html(summary, w)
    body += _html_patterns(summary, w)
    if summary.sensitivity is not None:
        lines = sensitivity_lines(summary, w)
        body.append(f"<h2>{_e(w('How robust the figures are'))}</h2><ul>"
                    + "".join(f"<li>{_e(line)}</li>" for line in lines[:-1]) + f"</ul><p>{_e(lines[-1])}</p>")
    body += weeks_report.html_section(summary, w)
    body.append(_html_footer(summary, w))
    return (f"<!DOCTYPE html><html lang=\"{w.lang}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(w.rule(scenario.title))}"
            f"</title><style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n")


def _html_shortfall(summary: Summary, w: Words) -> list[str]:
    """How far below the social minimum those with an income gap live: a table per group."""
    tables = shortfall_rows(summary, w)
    if not tables:
        return []
    body = [_tag("h2", w(SHORTFALL_TITLE)), "<p>" + _e(w(SHORTFALL_TEXT)) + "</p>"]
    head = "".join(_tag("th", w(h), "num") for h in SHORTFALL_HEAD)
    for name, rows in tables:
        cells = "".join(f"<tr><td>{_e(label)}</td>" + "".join(f'<td class="num">{_e(c)}</td>' for c in row) + "</tr>"
                        for label, row in rows)
        body.append("<table><tr>" + _tag("th", w.name(name)) + head + "</tr>" + cells + "</table>")
    return body


def _html_groups(summary: Summary, needs: list[str], w: Words) -> list[str]:
    """Gap rates by group: a bar chart and a table per group; each share is of the row's profiles."""
    body: list[str] = []
    body.append(_tag("h2", w("Gap rates by group")))
    body.append("<p>" + _e(w("Each share is of the profiles in that row (the count is in the column 'profiles').")) + "</p>")
    for group in summary.groups:
        if group.name == "all":
            continue
        body.append(_tag("h3", w("By {group}").format(group=w.name(group.name))))
        body.append(_bars_by_group(summary, group, needs, w))
        head = "".join(_tag("th", w("{need} gap").format(need=w.name(n)), "num") for n in needs)
        rows = []
        for label in group.labels:
            entry = summary.by_group[group.name][label]
            if not entry.profiles:
                continue
            cells = "".join(f'<td class="num">{w.pct(entry.gap_share(n))} ({w.num(entry.gap(n))})</td>' for n in needs)
            rows.append(f'<tr><td>{_e(w.label(label))}</td><td class="num">{w.num(entry.profiles)}</td>{cells}'
                        f'<td class="num">{w.pct(entry.nothing_share)}</td></tr>')
        body.append("<table><tr>" + _tag("th", w.name(group.name)) + _tag("th", w("profiles"), "num") + head
                    + _tag("th", w("nothing"), "num") + "</tr>" + "".join(rows) + "</table>")
    return body


def _html_criteria(summary: Summary, w: Words) -> list[str]:
    """The criteria that refuse most often, overall and per group, and those closed to all."""
    body: list[str] = []
    body.append(_tag("h2", w("Criteria that refuse most often")))
    body.append("<p>" + _e(w(CRITERIA_BASE).format(profiles=w.num(summary.profiles))) + "</p>")
    body.append(_bars_criteria(filters(summary), w))
    rows = []
    for i, c in enumerate(filters(summary)[:15], 1):
        meant = w("{share} of {base}").format(share=w.pct(c.share_of_in_scope), base=w.num(c.in_scope))
        rows.append(f'<tr><td class="num">{i}</td><td>{_e(w.rule(c.text))}<div class="source">'
                    f'{_e(w.rule(c.provision_title))} · {_e(w.name(c.kind))}</div></td><td class="num">'
                    f'{w.pct(c.share_in_scope)}<br>{w.num(c.count_in_scope)}</td><td class="num">{_e(meant)}</td>'
                    f'<td><a href="{_e(c.source.url)}">{_e(w.rule(c.source.title))}</a></td></tr>')
    body.append("<table><tr>" + _tag("th", "#", "num") + _tag("th", w("criterion")) + _tag("th", w("share"), "num")
                + _tag("th", w("of those it is meant for"), "num") + _tag("th", w("source")) + "</tr>"
                + "".join(rows) + "</table>")
    if not_meant_for(summary):
        items = "".join(f'<li><b>{_e(w.rule(c.provision_title))}</b>: {_e(w.rule(c.text))} ('
                        + _e(w("left out {count} of the {base} who need what it covers").format(
                            count=w.num(c.count), base=w.num(c.relevant))) + f", {w.pct(c.share_of_relevant)})</li>"
                        for c in not_meant_for(summary))
        body.append(_tag("h3", w("Not meant for them")) + "<p>" + _e(w(NOT_MEANT_TEXT)) + f"</p><ul>{items}</ul>")
    if closed(summary):
        items = "".join(f'<li><b>{_e(w.rule(c.provision_title))}</b>: {_e(w.rule(c.text))} <span class="source">'
                        f'(<a href="{_e(c.source.url)}">{_e(w.rule(c.source.title))}</a>)</span></li>'
                        for c in closed(summary))
        body.append(_tag("h3", w("Closed to (nearly) everyone in this population")) + "<p>"
                    + _e(w("These criteria refuse at least 99 percent of the profiles their provision could help here, so "
                           "they are left out above.")) + f"</p><ul>{items}</ul>")

    for group in summary.groups[1:]:
        rows = "".join(
            f'<tr><td>{_e(w.label(label))}</td><td>' + "<br>".join(
                f'{_e(_short(w.rule(c.text), 90))} <span class="source">'
                f'({_e(w.rule(c.provision_title))})</span> <b>{w.pct(n / size)}</b>' for c, n in top) + "</td></tr>"
            for label, size, top in per_group_top(summary, group))
        name = w.name(group.name)
        body.append(_tag("h3", w("Most refusing criteria by {group}").format(group=name)) + "<table><tr>"
                    + _tag("th", name) + _tag("th", w("criteria that refuse most often (share of the group)"))
                    + f"</tr>{rows}</table>")
    return body


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 2] + "…"


def _html_doors_and_loops(summary: Summary, w: Words) -> list[str]:
    """The provisions that shut most doors, and the referral loops."""
    body: list[str] = []
    body.append(_tag("h2", w("Provisions that shut most doors")))
    body.append("<p>" + _e(w("Refused (ineligible, or blocked by an unmet prerequisite) while the client needs what "
                             "the provision covers.") + " " + w(MEANT_ONLY) + " " + w("Share of all {profiles} profiles.").format(
        profiles=w.num(summary.profiles))) + "</p>")
    rows = [f'<tr><td>{_e(w.rule(p.title))}</td>'  # the title alone: the tables' CSV carries the id
            f'<td>{_e(", ".join(w.name(c) for c in p.covers))}'
            f'</td><td class="num">{w.pct(p.shut_in_scope_share)}</td><td class="num">{w.num(p.shut_in_scope)}</td></tr>'
            for p in open_doors(summary)[:15]]
    body.append("<table><tr>" + _tag("th", w("provision")) + _tag("th", w("covers")) + _tag("th", w("share"), "num")
                + _tag("th", w("profiles"), "num") + "</tr>" + "".join(rows) + "</table>")

    body.append(_tag("h2", w("Referral loops")))
    if summary.loops:
        body.append(_tag("p", w("Share of all {profiles} profiles.").format(profiles=w.num(summary.profiles))))
        rows = [f'<tr><td>{" → ".join(_e(w.rule(t)) for t in loop.titles + loop.titles[:1])}</td>'
                f'<td class="num">{w.pct(loop.share)}</td><td class="num">{w.num(loop.count)}</td></tr>'
                for loop in summary.loops]
        body.append("<table><tr>" + _tag("th", w("loop: each waits for the next")) + _tag("th", w("share"), "num")
                    + _tag("th", w("profiles"), "num") + "</tr>" + "".join(rows) + "</table>")
    else:
        body.append(_tag("p", w("No referral loops in this population.")))
    return body


def _html_patterns(summary: Summary, w: Words) -> list[str]:
    """Gap patterns, each with its refusals and most typical and simplest profile."""
    body: list[str] = []
    body.append(_tag("h2", w("Gap patterns")))
    body.append("<p>" + _e(w("A pattern is the needs left uncovered together with the first criterion that refused "
                             "each provision covering them (and each provision those wait for). For each: the most "
                             "typical profile (closest to the pattern's average) and the simplest one (fewest "
                             "special fields).") + " " + w("Share of all {profiles} profiles.").format(
        profiles=w.num(summary.profiles))) + "</p>")
    titles = wording.provision_titles(summary)
    for rank, pattern in enumerate(summary.patterns[:TOP], 1):
        items = []
        for refusal in [r for r in pattern.refusals if not r.closed_to_all]:
            reasons = "; ".join(
                _e(wording.refusal(d, titles, w))
                + f' <span class="source">(<a href="{_e(d.source.url)}">{_e(w.rule(d.source.title))}</a>)</span>'
                for d in refusal.deciding)
            items.append(f"<li><b>{_e(w.rule(refusal.title))}</b>: {reasons}</li>")
        shut = [w.rule(r.title) for r in pattern.refusals if r.closed_to_all]
        if shut:
            items.append('<li class="source">' + _e(w(ALSO_SHUT).format(
                titles="; ".join(shut))) + "</li>")
        profiles = "".join(
            "<div>" + _tag("b", w("Most typical") if kind == "typical" else w("Simplest"))
            + f"<pre>{_e(profile_yaml(getattr(pattern, kind)))}</pre></div>"
            for kind in ("typical", "simplest") if getattr(pattern, kind) is not None)
        gaps = w("{needs} gap").format(needs=", ".join(w.name(g) for g in pattern.gaps))
        count = w("{count} of all {profiles} profiles ({share})").format(
            count=w.num(pattern.count), profiles=w.num(summary.profiles), share=w.pct(pattern.share))
        body.append(f'<div class="pattern"><h3>{rank}. {_e(gaps)} — {_e(count)}</h3>'
                    f'<ul>{"".join(items)}</ul><div class="profiles">{profiles}</div></div>')
    return body


def _html_footer(summary: Summary, w: Words) -> str:
    """How the figures were made: scenario, seed, engine, cross-check and rulesets."""
    scenario = summary.scenario
    check = summary.check
    checked = check.cross_checked_with_durable_rules
    return ("<footer>" + " ".join([
        _e(w("Simulated with regelgat from scenario {scenario} (seed {seed}): the same scenario and seed give the "
             "same profiles and figures.").format(scenario=scenario.id, seed=scenario.seed)),
        _e(w("Engine: {engine}.").format(engine=check.engine)
           + (" " + w("{count} sampled profiles were re-decided one by one by durable_rules with no difference.")
              .format(count=w.num(checked)) if checked else "")),
        _e(w("Rulesets:") + " " + "; ".join(f"{w.rule(r.title)} ({r.agency})" for r in summary.rulesets) + "."),
        _e(w("These are simulated profiles, not people: the figures show how the rules treat the population the "
             "scenario describes."))]) + "</footer>")
