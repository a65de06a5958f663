"""The gap map across a rule change as JSON, text, Markdown and a self-contained HTML page.

Text, Markdown and HTML in the reader's language (`Words`), as the gap map; JSON in English.
"""

from __future__ import annotations

import html
from typing import Any

from regelgat.batch.wording import ENGLISH, Words
from regelgat.i18n import N_
from regelgat.map.change import ChangeMap
from regelgat.map.literals import conditions
from regelgat.map.regions import Region
from regelgat.map.report import (INCOMPLETE, clauses_html, clauses_markdown, clauses_text, need_word, page,
                                 region_json)

PROOF = N_('Complete: the solver proved that these regions hold every client situation{where} whose {need} '
           'became a gap, or stopped being one, between the two dates.')
SIDES = (("opened", N_("Regions that opened (covered on {before}, a gap on {after})")),
         ("closed", N_("Regions that closed (a gap on {before}, covered on {after})")))
NAMES = {"opened": N_("Opened region {n}"), "closed": N_("Closed region {n}")}


def to_json(change: ChangeMap) -> dict[str, Any]:
    """`{need, from, to, complete, opened: [{conditions, facts, clauses, witness, causes}], closed: [...]}`."""
    out: dict[str, Any] = {"need": change.need, "from": change.before.isoformat(), "to": change.after.isoformat(),
                           "complete": change.complete}
    for side, _ in SIDES:
        out[side] = [{**region_json(r), "causes": list(r.causes)} for r in getattr(change, side)]
    return out


def _heading(change: ChangeMap, w: Words) -> tuple[str, str]:
    where = w(" with {where}").format(where=change.where) if change.where else ""
    title = w("Gap map of {need} from {before} to {after}{where}").format(
        need=need_word(change.need, w), before=change.before.isoformat(), after=change.after.isoformat(), where=where)
    status = (w(PROOF).format(where=where and f" ({change.where})", need=need_word(change.need, w)) if change.complete
              else w(INCOMPLETE))
    return title, status


def _sections(change: ChangeMap, w: Words) -> list[tuple[str, list[tuple[str, Region]]]]:
    dates = {"before": change.before.isoformat(), "after": change.after.isoformat()}
    return [(w(heading).format(**dates), [(w(NAMES[side]).format(n=i), r)
                                          for i, r in enumerate(getattr(change, side), 1)]) for side, heading in SIDES]


def to_text(change: ChangeMap, w: Words = ENGLISH) -> str:
    title, status = _heading(change, w)
    lines = [title, status, w("{opened} region(s) opened, {closed} closed.").format(
        opened=len(change.opened), closed=len(change.closed))]
    for heading, regions in _sections(change, w):
        lines += ["", heading]
        for name, region in regions:
            lines += ["", f"{name}:"] + [f"  - {c}" for c in conditions(region.literals, w)]
            lines += ["  " + w("because:")] + [f"    {c}" for c in region.causes]
            lines += clauses_text(region, w)
    return "\n".join(lines)


def to_markdown(change: ChangeMap, w: Words = ENGLISH) -> str:
    title, status = _heading(change, w)
    lines = [f"# {title}", "", status, ""]
    for heading, regions in _sections(change, w):
        lines += [f"## {heading}", ""]
        for name, region in regions:
            lines += [f"### {name}", ""] + [f"- {c}" for c in conditions(region.literals, w)]
            lines += ["", w("Because:"), ""] + [f"- {c}" for c in region.causes] + [""]
            lines += clauses_markdown(region, w)
    return "\n".join(lines)


def to_html(change: ChangeMap, w: Words = ENGLISH) -> str:
    """One page, no scripts or outside resources."""
    title, status = _heading(change, w)
    e = html.escape
    body = [f"<h1>{e(title)}</h1>", f"<p><strong>{e(status)}</strong></p>"]
    because = e(w("Because:"))
    for heading, regions in _sections(change, w):
        body.append(f"<h2>{e(heading)}</h2>")
        for name, region in regions:
            body += [f"<h3>{e(name)}</h3>", "<ul>"] + [f"<li>{e(c)}</li>" for c in conditions(region.literals, w)]
            body += ["</ul>", f"<p>{because}</p><ul>"] + [f"<li>{e(c)}</li>" for c in region.causes] + ["</ul>"]
            body += clauses_html(region, w)
    return page(title, body, w)
