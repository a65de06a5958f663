"""The gap map as JSON (the public contract), text, Markdown and a self-contained HTML page."""

from __future__ import annotations

import html
from typing import Any

import yaml

from regelgat.client.profile import without_defaults
from regelgat.map.literals import by_fact
from regelgat.map.regions import GapMap, Region
from regelgat.map.shares import Shares

PROOF = ('Complete: the solver proved that no client situation{where} falls through outside these regions '
         '("gap and in no listed region" is unsatisfiable).')
INCOMPLETE = "NOT complete: the solver ran out of time; other gap situations may exist outside these regions."


def to_json(gap_map: GapMap) -> dict[str, Any]:
    """`{need, date, complete, regions: [{conditions, facts, clauses, witness}], loops?, dead?}`."""
    pop = gap_map.population
    out: dict[str, Any] = {"need": gap_map.need, "date": gap_map.date.isoformat(), "complete": gap_map.complete,
                           "regions": [region_json(r, pop, pop and pop.regions[i]) for i, r in enumerate(gap_map.regions)]}
    if gap_map.loops is not None:
        out["loops"] = [{"cycle": list(r.cycle), **region_json(r, pop, pop and pop.loops[i])}
                        for i, r in enumerate(gap_map.loops)]
    if gap_map.dead:
        out["dead"] = list(gap_map.dead)
    if pop is not None:
        out["population"] = {"scenario": pop.scenario, "title": pop.title, "size": pop.size, "seed": pop.seed,
                             "gaps": pop.gaps, "in_regions": pop.in_regions}
    return out


def region_json(region: Region, pop: Shares | None = None, members: int | None = None) -> dict[str, Any]:
    out = {"conditions": region.conditions, "facts": by_fact(region.literals),
           "clauses": [{"provision": c.provision, "criterion": c.criterion, "source": c.source}
                       for c in region.clauses],
           "witness": without_defaults(region.witness) if region.witness else None}
    if pop is not None:
        out |= {"members": members, "share": round(pop.share(members), 6)}
    return out


def _holds(gap_map: GapMap, members: int | None) -> str:
    """'holds 12.3% of Divorced working men (12,345 of 100,000 profiles)', or '' without --scenario."""
    pop = gap_map.population
    if pop is None or members is None:
        return ""
    return f"holds {_percent(pop.share(members))} of {pop.title} ({members:,} of {pop.size:,} profiles)"


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%" if share == 0 or share >= 0.001 else "< 0.1%"


def population_line(gap_map: GapMap) -> str:
    """The population's part: how many fall through on the need, and that the regions hold them all."""
    pop = gap_map.population
    if pop is None:
        return ""
    line = (f"Population: {pop.title} (scenario {pop.scenario}, {pop.size:,} profiles, seed {pop.seed}): "
            f"{pop.gaps:,} ({_percent(pop.share(pop.gaps))}) have no provision for {gap_map.need}")
    if pop.in_regions == pop.gaps:
        return line + "; every one of them lies in a region below."
    return line + f"; {pop.in_regions:,} of them lie in a region below."


def witness_yaml(region: Region) -> str:
    if region.witness is None:
        return "(not computed: the solver ran out of time)"
    return yaml.safe_dump(without_defaults(region.witness), sort_keys=False, allow_unicode=True).rstrip()


def _sections(gap_map: GapMap) -> list[tuple[str, list[tuple[str, Region, str]]]]:
    """(heading, [(name, region, its population share or '')]) for the gap and the loop regions."""
    pop = gap_map.population
    sections = [("Gap regions", [(f"Region {i}", r, _holds(gap_map, pop and pop.regions[i - 1]))
                                 for i, r in enumerate(gap_map.regions, 1)])]
    if gap_map.loops is not None:
        sections.append(("Referral loops within the gaps",
                         [(f"Loop region {i}: {' -> '.join(r.cycle)} -> {r.cycle[0]}", r,
                           _holds(gap_map, pop and pop.loops[i - 1])) for i, r in enumerate(gap_map.loops, 1)]))
    return sections


def _heading(gap_map: GapMap) -> tuple[str, str]:
    where = f" with {gap_map.where}" if gap_map.where else ""
    title = f"Gap map: {gap_map.need} on {gap_map.date.isoformat()}{where}"
    status = PROOF.format(where=where and f" ({gap_map.where})") if gap_map.complete else INCOMPLETE
    return title, status


def to_text(gap_map: GapMap) -> str:
    title, status = _heading(gap_map)
    lines = [title, status, f"{len(gap_map.regions)} region(s) where nothing covers {gap_map.need}."]
    if gap_map.population is not None:
        lines.append(population_line(gap_map))
    if gap_map.dead:
        lines.append("No client can ever get: " + ", ".join(gap_map.dead))
    for heading, regions in _sections(gap_map):
        lines += ["", heading]
        for name, region, holds in regions:
            lines += ["", f"{name}:" + (f" {holds}" if holds else "")] + [f"  - {c}" for c in region.conditions]
            lines += clauses_text(region)
    return "\n".join(lines)


def clauses_text(region) -> list[str]:
    """The clauses that shut the doors in a region, and its witness: the same in a gap map and a change map."""
    return (["  shut by:"] + [f"    {c.provision}: {c.criterion} ({c.source})" for c in region.clauses]
            + ["  witness (regelgat check it):"] + [f"    {line}" for line in witness_yaml(region).splitlines()])


def clauses_markdown(region) -> list[str]:
    return (["| provision | clause | source |", "|---|---|---|"]
            + [f"| `{c.provision}` | `{c.criterion}` | {c.source} |" for c in region.clauses]
            + ["", "```yaml", witness_yaml(region), "```", ""])


def clauses_html(region) -> list[str]:
    e = html.escape
    return (["<table><tr><th>provision</th><th>clause</th><th>source</th></tr>"]
            + [f"<tr><td>{e(c.provision)}</td><td>{e(c.criterion)}</td><td>{e(c.source)}</td></tr>"
               for c in region.clauses]
            + ["</table>", f"<pre>{e(witness_yaml(region))}</pre>"])


def to_markdown(gap_map: GapMap) -> str:
    title, status = _heading(gap_map)
    lines = [f"# {title}", "", status, ""]
    if gap_map.population is not None:
        lines += [population_line(gap_map), ""]
    if gap_map.dead:
        lines += ["No client can ever get: " + ", ".join(f"`{d}`" for d in gap_map.dead), ""]
    for heading, regions in _sections(gap_map):
        lines += [f"## {heading}", ""]
        for name, region, holds in regions:
            lines += [f"### {name}", ""] + ([f"*{holds}*", ""] if holds else [])
            lines += [f"- {c}" for c in region.conditions] + [""]
            lines += clauses_markdown(region)
    return "\n".join(lines)


def to_html(gap_map: GapMap) -> str:
    """One page, no scripts or outside resources: safe to mail or archive."""
    title, status = _heading(gap_map)
    e = html.escape
    body = [f"<h1>{e(title)}</h1>", f"<p><strong>{e(status)}</strong></p>"]
    if gap_map.population is not None:
        body.append(f"<p>{e(population_line(gap_map))}</p>")
    for heading, regions in _sections(gap_map):
        body.append(f"<h2>{e(heading)}</h2>")
        for name, region, holds in regions:
            body += [f"<h3>{e(name)}</h3>"] + ([f"<p><em>{e(holds)}</em></p>"] if holds else []) + ["<ul>"] + [f"<li>{e(c)}</li>" for c in region.conditions] + ["</ul>"]
            body += clauses_html(region)
    style = "body{font-family:sans-serif;max-width:60em;margin:auto}td,th{border:1px solid #ccc;padding:2px 6px}"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>")
