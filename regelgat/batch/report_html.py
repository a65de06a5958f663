"""report.html of a batch run, from its summary.

One self-contained file (inline CSS, inline SVG charts, no scripts, no external files) that
prints on A4, so an advocate can attach it to a letter. Every figure in it comes from the
summary, and every refusing criterion is shown with its legal source.
"""

from __future__ import annotations

import html
from typing import Any

from regelgat.batch.summary_model import CriterionStats, GroupInfo, Summary
from regelgat.batch import wording
from regelgat.batch.highlights import TOP, closed, filters, headline, needs_in, open_doors, pct, per_group_top, profile_yaml


_CSS = """
:root { --ink: #1d2330; --muted: #5b6477; --line: #d9dde5; --accent: #b3261e; --bar: #c0392b;
        --bar2: #e67e22; --bar3: #2e86c1; --bar4: #7d3c98; --bg: #ffffff; --soft: #f5f6f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg);
       margin: 0 auto; max-width: 1000px; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 20px 0 6px; }
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


_COLORS = ["var(--bar)", "var(--bar2)", "var(--bar3)", "var(--bar4)"]


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _bars_by_group(summary: Summary, group: GroupInfo, needs: list[str]) -> str:
    """Horizontal grouped bars: per label, one bar per need with its gap share."""
    labels = [l for l in group.labels if summary.by_group[group.name][l].profiles]
    series = [(f"gap_{n}_share", f"{wording.words(n)} gap") for n in needs] + [("nothing_share", "qualifies for nothing")]
    colors = _COLORS[:len(needs)] + ["#555"]
    bar_h, gap_h, left, width = 14, 12, 150, 820
    plot = width - left - 60
    height = len(labels) * (len(series) * bar_h + gap_h) + 30
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Gap rates by {_e(wording.words(group.name))}">']
    for tick in (0, 25, 50, 75, 100):
        x = left + plot * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 22}" stroke="#e3e6ec"/>'
                     f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">{tick}%</text>')
    y = 4
    for label in labels:
        entry = summary.by_group[group.name][label]
        block = len(series) * bar_h
        parts.append(f'<text x="{left - 8}" y="{y + block / 2 + 4:.1f}" font-size="13" text-anchor="end">'
                     f'{_e(label)}</text>')
        for (key, name), color in zip(series, colors):
            share = getattr(entry, key)
            w = plot * share
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}">'
                         f'<title>{_e(label)}: {_e(name)} {pct(share)}</title></rect>'
                         f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 4}" font-size="11">{pct(share)}</text>')
            y += bar_h
        y += gap_h
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{_e(n)}</span>' for (_, n), c in zip(series, colors))
    return f'<div class="chart"><div class="legend">{legend}</div>{"".join(parts)}</div>'


def _bars_criteria(criteria: list[CriterionStats]) -> str:
    rows = criteria[:TOP]
    left, width, bar_h = 330, 820, 26
    plot = width - left - 60
    height = len(rows) * bar_h + 8
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Criteria that refuse most often">']
    for i, c in enumerate(rows):
        y = 4 + i * bar_h
        text = c.text if len(c.text) <= 48 else c.text[:46] + "…"
        w = plot * c.share
        parts.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12.5" text-anchor="end">{i + 1}. {_e(text)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{bar_h - 8}" fill="var(--bar)">'
                     f'<title>{_e(c.provision)} / {_e(c.criterion)}: {pct(c.share)}</title></rect>'
                     f'<text x="{left + w + 5:.1f}" y="{y + 15}" font-size="11.5">{pct(c.share)}</text>')
    parts.append("</svg>")
    return f'<div class="chart">{"".join(parts)}</div>'


def render_html(summary: Summary) -> str:
    """report.html: one self-contained page (inline CSS and SVG, no scripts) that prints on A4."""
    scenario = summary.scenario
    needs = needs_in(summary)
    overall = summary.overall
    body = [f"<h1>{_e(scenario.title)}</h1>",
            f'<p class="meta">{summary.profiles:,} simulated profiles · rules in force on {_e(scenario.date)} · '
            f'seed {scenario.seed} · {len(summary.rulesets)} rulesets · made with regelgat</p>']
    if scenario.description:
        body.append(f"<p>{_e(scenario.description)}</p>")
    lines = headline(summary)
    body.append(f'<div class="lead"><p class="big">{pct(overall.any_gap_share)} have a need that no scheme '
                f'covers; {pct(overall.nothing_share)} qualify for nothing they need.</p>'
                + "".join(f"<p>{_e(line)}</p>" for line in lines) + "</div>")

    body += _html_groups(summary, needs)
    body += _html_criteria(summary)
    body += _html_doors_and_loops(summary)
    body += _html_patterns(summary)
    body.append(_html_footer(summary))
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(scenario.title)}"
            f"</title><style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n")


def _html_groups(summary: Summary, needs: list[str]) -> list[str]:
    """Gap rates by group: a bar chart and a table per group."""
    body: list[str] = []
    body.append("<h2>Gap rates by group</h2>")
    for group in summary.groups:
        if group.name == "all":
            continue
        body.append(f"<h3>By {_e(wording.words(group.name))}</h3>")
        body.append(_bars_by_group(summary, group, needs))
        head = "".join(f'<th class="num">{_e(wording.words(n))} gap</th>' for n in needs)
        rows = []
        for label in group.labels:
            entry = summary.by_group[group.name][label]
            if not entry.profiles:
                continue
            cells = "".join(f'<td class="num">{pct(entry.gap_share(n))} ({entry.gap(n):,})</td>' for n in needs)
            rows.append(f'<tr><td>{_e(label)}</td><td class="num">{entry.profiles:,}</td>{cells}'
                        f'<td class="num">{pct(entry.nothing_share)}</td></tr>')
        body.append(f'<table><tr><th>{_e(wording.words(group.name))}</th><th class="num">profiles</th>{head}'
                    f'<th class="num">nothing</th></tr>{"".join(rows)}</table>')
    return body


def _html_criteria(summary: Summary) -> list[str]:
    """The criteria that refuse most often, overall and per group, and those closed to all."""
    body: list[str] = []
    body.append("<h2>Criteria that refuse most often</h2>")
    body.append("<p>How often each criterion refused a provision that the client needed (or that a needed "
                "provision waits for), as a share of all profiles, with the rule it encodes and its source.</p>")
    body.append(_bars_criteria(filters(summary)))
    rows = []
    for i, c in enumerate(filters(summary)[:15], 1):
        rows.append(f'<tr><td class="num">{i}</td><td>{_e(c.text)}<div class="source">{_e(c.provision_title)} · '
                    f'{_e(c.kind)}</div></td><td class="num">{pct(c.share)}<br>{c.count:,}</td>'
                    f'<td><a href="{_e(c.source.url)}">{_e(c.source.title)}</a></td></tr>')
    body.append('<table><tr><th class="num">#</th><th>criterion</th><th class="num">share</th><th>source</th></tr>'
                + "".join(rows) + "</table>")
    if closed(summary):
        items = "".join(f'<li><b>{_e(c.provision_title)}</b>: {_e(c.text)} <span class="source">'
                        f'(<a href="{_e(c.source.url)}">{_e(c.source.title)}</a>)</span></li>'
                        for c in closed(summary))
        body.append("<h3>Closed to (nearly) everyone in this population</h3><p>These criteria refuse at least 99% of "
                    f"the profiles their provision could help here, so they are left out above.</p><ul>{items}</ul>")

    for group in summary.groups[1:]:
        rows = "".join(
            f'<tr><td>{_e(label)}</td><td>' + "<br>".join(
                f'{_e(c.text if len(c.text) <= 90 else c.text[:88] + "…")} <span class="source">'
                f'({_e(c.provision_title)})</span> <b>{pct(n / size)}</b>' for c, n in top) + "</td></tr>"
            for label, size, top in per_group_top(summary, group))
        body.append(f"<h3>Most refusing criteria by {_e(wording.words(group.name))}</h3>"
                    f"<table><tr><th>{_e(wording.words(group.name))}</th><th>criteria that refuse most often (share of the group)"
                    f"</th></tr>{rows}</table>")
    return body


def _html_doors_and_loops(summary: Summary) -> list[str]:
    """The provisions that shut most doors, and the referral loops."""
    body: list[str] = []
    body.append("<h2>Provisions that shut most doors</h2>")
    body.append("<p>Refused (ineligible, or blocked by an unmet prerequisite) while the client needs what the "
                "provision covers.</p>")
    rows = [f'<tr><td>{_e(p.title)}<div class="source">{_e(p.provision)}</div></td><td>{_e(", ".join(p.covers))}'
            f'</td><td class="num">{pct(p.shut_share)}</td><td class="num">{p.shut_doors:,}</td></tr>'
            for p in open_doors(summary)[:15]]
    body.append('<table><tr><th>provision</th><th>covers</th><th class="num">share</th><th class="num">profiles</th></tr>'
                + "".join(rows) + "</table>")

    body.append("<h2>Referral loops</h2>")
    if summary.loops:
        rows = [f'<tr><td>{" → ".join(_e(t) for t in loop.titles + loop.titles[:1])}</td>'
                f'<td class="num">{pct(loop.share)}</td><td class="num">{loop.count:,}</td></tr>'
                for loop in summary.loops]
        body.append('<table><tr><th>loop: each waits for the next</th><th class="num">share</th>'
                    '<th class="num">profiles</th></tr>' + "".join(rows) + "</table>")
    else:
        body.append("<p>No referral loops in this population.</p>")
    return body


def _html_patterns(summary: Summary) -> list[str]:
    """Gap patterns, each with its refusals and most typical and simplest profile."""
    body: list[str] = []
    body.append("<h2>Gap patterns</h2>")
    body.append("<p>A pattern is the needs left uncovered together with the first criterion that refused each "
                "provision covering them (and each provision those wait for). For each: the most typical "
                "profile (closest to the pattern's average) and the simplest one (fewest special fields).</p>")
    titles = wording.provision_titles(summary)
    for rank, pattern in enumerate(summary.patterns[:TOP], 1):
        items = []
        for refusal in [r for r in pattern.refusals if not r.closed_to_all]:
            reasons = "; ".join(
                _e(wording.refusal(d, titles))
                + f' <span class="source">(<a href="{_e(d.source.url)}">{_e(d.source.title)}</a>)</span>'
                for d in refusal.deciding)
            items.append(f"<li><b>{_e(refusal.title)}</b>: {reasons}</li>")
        shut = [r.title for r in pattern.refusals if r.closed_to_all]
        if shut:
            items.append(f'<li class="source">Also closed, as to nearly everyone here: {_e("; ".join(shut))}</li>')
        profiles = "".join(
            f"<div><b>{'Most typical' if kind == 'typical' else 'Simplest'}</b><pre>{_e(profile_yaml(getattr(pattern, kind)))}</pre></div>"
            for kind in ("typical", "simplest") if getattr(pattern, kind) is not None)
        body.append(f'<div class="pattern"><h3>{rank}. {_e(", ".join(wording.words(g) for g in pattern.gaps))} gap — {pct(pattern.share)} '
                    f'({pattern.count:,} profiles)</h3><ul>{"".join(items)}</ul>'
                    f'<div class="profiles">{profiles}</div></div>')
    return body


def _html_footer(summary: Summary) -> str:
    """How the figures were made: scenario, seed, engine, cross-check and rulesets."""
    scenario = summary.scenario
    check = summary.check
    checked = check.cross_checked_with_durable_rules
    return ("<footer>" + " ".join([
        f"Simulated with regelgat from scenario <code>{_e(scenario.id)}</code> (seed {scenario.seed}): the same "
        "scenario and seed give the same profiles and figures.",
        f"Engine: {_e(check.engine)}" + (f"; {checked:,} sampled profiles re-decided one by one by "
                                                          "durable_rules with no difference." if checked else "."),
        "Rulesets: " + "; ".join(_e(f"{r.title} ({r.agency})") for r in summary.rulesets) + ".",
        "These are simulated profiles, not people: the figures show how the rules treat the population the "
        "scenario describes."]) + "</footer>")
