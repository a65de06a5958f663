"""The gap map across a rule change as JSON, text, Markdown and a self-contained HTML page."""

from __future__ import annotations

import html
from typing import Any

from regelgat.map.change import ChangeMap
from regelgat.map.regions import Region
from regelgat.map.report import INCOMPLETE, clauses_html, clauses_markdown, clauses_text, region_json

PROOF = ('Complete: the solver proved that these regions hold every client situation{where} whose {need} '
         'became a gap, or stopped being one, between the two dates.')
SIDES = (("opened", "Regions that opened (covered on {before}, a gap on {after})"),
         ("closed", "Regions that closed (a gap on {before}, covered on {after})"))


def to_json(change: ChangeMap) -> dict[str, Any]:
    """`{need, from, to, complete, opened: [{conditions, facts, clauses, witness, causes}], closed: [...]}`."""
    out: dict[str, Any] = {"need": change.need, "from": change.before.isoformat(), "to": change.after.isoformat(),
                           "complete": change.complete}
    for side, _ in SIDES:
        out[side] = [{**region_json(r), "causes": list(r.causes)} for r in getattr(change, side)]
    return out


def _heading(change: ChangeMap) -> tuple[str, str]:
    where = f" with {change.where}" if change.where else ""
    title = f"Gap map of {change.need} from {change.before.isoformat()} to {change.after.isoformat()}{where}"
    status = PROOF.format(where=where and f" ({change.where})", need=change.need) if change.complete else INCOMPLETE
    return title, status


def _sections(change: ChangeMap) -> list[tuple[str, list[tuple[str, Region]]]]:
    dates = {"before": change.before.isoformat(), "after": change.after.isoformat()}
    return [(heading.format(**dates), [(f"{side.capitalize()} region {i}", r)
                                       for i, r in enumerate(getattr(change, side), 1)]) for side, heading in SIDES]


def to_text(change: ChangeMap) -> str:
    title, status = _heading(change)
    lines = [title, status, f"{len(change.opened)} region(s) opened, {len(change.closed)} closed."]
    for heading, regions in _sections(change):
        lines += ["", heading]
        for name, region in regions:
            lines += ["", f"{name}:"] + [f"  - {c}" for c in region.conditions]
            lines += ["  because:"] + [f"    {c}" for c in region.causes]
            lines += clauses_text(region)
    return "\n".join(lines)


def to_markdown(change: ChangeMap) -> str:
    title, status = _heading(change)
    lines = [f"# {title}", "", status, ""]
    for heading, regions in _sections(change):
        lines += [f"## {heading}", ""]
        for name, region in regions:
            lines += [f"### {name}", ""] + [f"- {c}" for c in region.conditions] + ["", "Because:", ""]
            lines += [f"- {c}" for c in region.causes] + [""]
            lines += clauses_markdown(region)
    return "\n".join(lines)


def to_html(change: ChangeMap) -> str:
    """One page, no scripts or outside resources."""
    title, status = _heading(change)
    e = html.escape
    body = [f"<h1>{e(title)}</h1>", f"<p><strong>{e(status)}</strong></p>"]
    for heading, regions in _sections(change):
        body.append(f"<h2>{e(heading)}</h2>")
        for name, region in regions:
            body += [f"<h3>{e(name)}</h3>", "<ul>"] + [f"<li>{e(c)}</li>" for c in region.conditions] + ["</ul>"]
            body += ["<p>Because:</p><ul>"] + [f"<li>{e(c)}</li>" for c in region.causes] + ["</ul>"]
            body += clauses_html(region)
    style = "body{font-family:sans-serif;max-width:60em;margin:auto}td,th{border:1px solid #ccc;padding:2px 6px}"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>")
