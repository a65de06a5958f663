"""The routes section of report.md and report.html: how near the way out of each gap is.

Every share states its base: the gap cases of that need (in that group). A harmful nearest route
is a perverse incentive: the rules open a door only if the client's situation gets worse.
"""

from __future__ import annotations

import html

from regelgat.batch.summary_model import ExampleRoute, NeedRoutes, Summary
from regelgat.batch.wording import ENGLISH, Words, provision_titles
from regelgat.i18n import N_

KINDS = ("attainable", "harmful", "impossible", "none")
KIND_WORDS = {"attainable": N_("attainable"), "harmful": N_("harmful"), "impossible": N_("impossible"),
              "none": N_("no route")}
INTRO = N_("For every need that nothing covers: the nearest route out, the smallest set of changes in the "
           "client's facts that would open a door. Attainable: the client can do it (register, apply, wait, "
           "move in with someone). Harmful: it hurts the client (addiction, being judged not self-reliant, "
           "losing income, violence, pregnancy, separation). Impossible: no one can change it (age, years "
           "lived, the weather). A harmful nearest route is a perverse incentive. Shares are of the gap cases "
           "of that need.")


def harmful_line(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """The headline sentence per need with perverse incentives."""
    return [w("{need}: {harmful} of the {cases} gap cases ({share}) can get out only by getting worse: their "
              "nearest route is harmful.").format(need=w.name(r.need), harmful=w.num(r.nearest.get("harmful", 0)),
                                                  cases=w.num(r.gap_cases), share=w.pct(r.harmful_share))
            for r in summary.routes or [] if r.nearest.get("harmful")]


def _group_rows(routes: NeedRoutes, summary: Summary, w: Words) -> list[tuple[str, str, int, int]]:
    rows = []
    for group in summary.groups[1:]:
        for label in group.labels:
            cell = routes.by_group[group.name][label]
            if cell["gap_cases"]:
                rows.append((w.name(group.name), w.name(label), cell["gap_cases"], cell["harmful"]))
    return rows


def _route_words(route: ExampleRoute, w: Words, titles: dict[str, str]) -> str:
    """A route in a sentence, naming the doors it opens by their titles."""
    changes = f" {w('and')} ".join(f"{c.words if w.lang == 'en' else c.words_nl} ({w(KIND_WORDS[c.kind])})"
                                   for c in route.changes)
    doors = ", ".join(w.rule(titles.get(key, key)) for key in route.opens)
    return w("{kind}: {doors} would open if the client {changes}.").format(
        kind=w(KIND_WORDS[route.kind]), doors=doors, changes=changes)


def _share(r: NeedRoutes, kind: str, w: Words) -> str:
    count = r.nearest.get(kind, 0)
    return f"{w.pct(count / r.gap_cases)} ({w.num(count)})"


def routes_markdown(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """## Routes out of the gaps, as Markdown."""
    if not summary.routes:
        return []
    out = ["", "## " + w("Routes out of the gaps"), "", w(INTRO), "",
           "| " + " | ".join([w("need"), w("gap cases"), *(w(KIND_WORDS[k]) for k in KINDS)]) + " |",
           "|---|---|---|---|---|---|"]
    for r in summary.routes:
        out.append(f"| {w.name(r.need)} | {w.num(r.gap_cases)} | " + " | ".join(_share(r, k, w) for k in KINDS) + " |")
    for r in summary.routes:
        if not r.nearest.get("harmful"):
            continue
        out += ["", "### " + w("{need}: nearest route harmful, by group").format(need=w.name(r.need)), "",
                "| " + " | ".join([w("group"), w("label"), w("gap cases"), w("nearest route harmful")]) + " |",
                "|---|---|---|---|"]
        out += [f"| {g} | {label} | {w.num(cases)} | {w.pct(harm / cases)} ({w.num(harm)}) |"
                for g, label, cases, harm in _group_rows(r, summary, w)]
        out += ["", w("Examples:"), ""]
        for e in r.examples:
            out.append(f"- `{e.profile_id}` ({w('nearest route')}: {w(KIND_WORDS[e.kind])}):")
            out += [f"  - {_route_words(route, w, provision_titles(summary))}" for route in e.routes]
            out += [f"  - {w('rule behind it:')} {w.rule(c.text)} ([{w.rule(c.source.title)}]({c.source.url}))" for c in e.rules]
    return out


def routes_html(summary: Summary, w: Words = ENGLISH) -> list[str]:
    """<h2>Routes out of the gaps</h2>, as HTML."""
    e = html.escape
    if not summary.routes:
        return []
    head = "".join(f'<th class="num">{e(w(KIND_WORDS[k]))}</th>' for k in KINDS)
    body = [f"<h2>{e(w('Routes out of the gaps'))}</h2>", f"<p>{e(w(INTRO))}</p>",
            f'<table><tr><th>{e(w("need"))}</th><th class="num">{e(w("gap cases"))}</th>{head}</tr>']
    for r in summary.routes:
        body.append(f'<tr><td>{e(w.name(r.need))}</td><td class="num">{w.num(r.gap_cases)}</td>'
                    + "".join(f'<td class="num">{_share(r, k, w)}</td>' for k in KINDS) + "</tr>")
    body.append("</table>")
    for r in summary.routes:
        if not r.nearest.get("harmful"):
            continue
        title = w("{need}: nearest route harmful, by group").format(need=w.name(r.need))
        body.append(f"<h3>{e(title)}</h3><table><tr><th>{e(w('group'))}</th><th>{e(w('label'))}</th>"
                    f'<th class="num">{e(w("gap cases"))}</th><th class="num">{e(w("nearest route harmful"))}</th></tr>')
        body += [f'<tr><td>{e(g)}</td><td>{e(label)}</td><td class="num">{w.num(cases)}</td>'
                 f'<td class="num">{w.pct(harm / cases)} ({w.num(harm)})</td></tr>'
                 for g, label, cases, harm in _group_rows(r, summary, w)]
        body.append(f"</table><p>{e(w('Examples:'))}</p><ul>")
        for x in r.examples:
            routes = "".join(f"<li>{e(_route_words(route, w, provision_titles(summary)))}</li>" for route in x.routes)
            rules = "".join(f"<li>{e(w('rule behind it:'))} {e(w.rule(c.text))} <span class=\"source\">"
                            f'<a href="{e(c.source.url or "")}">{e(w.rule(c.source.title))}</a></span></li>' for c in x.rules)
            body.append(f"<li><code>{e(x.profile_id)}</code> ({e(w('nearest route'))}: {e(w(KIND_WORDS[x.kind]))})"
                        f"<ul>{routes}{rules}</ul></li>")
        body.append("</ul>")
    return body
