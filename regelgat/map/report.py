"""The gap map as JSON (the public contract), text, Markdown and a self-contained HTML page.

JSON stays in English (its texts are part of the contract); text, Markdown and HTML come in the
reader's language (`Words`): the interface from the shared catalog, the rules' texts and titles from
the rulesets' Dutch catalogs. Fact names, provision keys, clause ids, sources and the witness stay as
they are written, so a region can be checked against the rules and the witness run as it stands.
"""

from __future__ import annotations

import html
from typing import Any

import yaml

from regelgat.batch.wording import ENGLISH, Words
from regelgat.client.profile import without_defaults
from regelgat.i18n import N_
from regelgat.map.literals import by_fact, conditions
from regelgat.map.regions import GapMap, Region
from regelgat.map.shares import Shares

PROOF = N_('Complete: the solver proved that no client situation{where} falls through outside these regions '
           '("gap and in no listed region" is unsatisfiable).')
INCOMPLETE = N_("NOT complete: the solver ran out of time; other gap situations may exist outside these regions.")
HOLDS = N_("holds {share} of {title} ({members} of {size} profiles)")
POPULATION = N_("Population: {title} (scenario {scenario}, {size} profiles, seed {seed}): {gaps} ({share}) have no "
                "provision for {need}")
ALL_IN, SOME_IN = N_("; every one of them lies in a region below."), N_("; {count} of them lie in a region below.")
NOT_COMPUTED = N_("(not computed: the solver ran out of time)")
LABELS = (N_("Gap regions"), N_("Referral loops within the gaps"), N_("Region {n}"), N_("Loop region {n}: {cycle}"),
          N_("shut by:"), N_("witness (regelgat check it):"), N_("provision"), N_("clause"), N_("source"),
          N_("No client can ever get: {provisions}"), N_("{count} region(s) where nothing covers {need}."))


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


def need_word(need: str, w: Words) -> str:
    """`debt_help` as the reader says it (schuldhulp); the need's code in English stays as it was."""
    return need if w.lang == "en" else w.name(need)


def _holds(gap_map: GapMap, members: int | None, w: Words) -> str:
    """'holds 12.3% of Divorced working men (12,345 of 100,000 profiles)', or '' without --scenario."""
    pop = gap_map.population
    if pop is None or members is None:
        return ""
    return w(HOLDS).format(share=_percent(pop.share(members), w), title=w.rule(pop.title), members=w.num(members),
                           size=w.num(pop.size))


def _percent(share: float, w: Words = ENGLISH) -> str:
    return w.pct(share) if share == 0 or share >= 0.001 else "< " + w.pct(0.001)


def population_line(gap_map: GapMap, w: Words = ENGLISH) -> str:
    """The population's part: how many fall through on the need, and that the regions hold them all."""
    pop = gap_map.population
    if pop is None:
        return ""
    line = w(POPULATION).format(title=w.rule(pop.title), scenario=pop.scenario, size=w.num(pop.size), seed=pop.seed,
                                gaps=w.num(pop.gaps), share=_percent(pop.share(pop.gaps), w),
                                need=need_word(gap_map.need, w))
    if pop.in_regions == pop.gaps:
        return line + w(ALL_IN)
    return line + w(SOME_IN).format(count=w.num(pop.in_regions))


def witness_yaml(region: Region, w: Words = ENGLISH) -> str:
    if region.witness is None:
        return w(NOT_COMPUTED)
    return yaml.safe_dump(without_defaults(region.witness), sort_keys=False, allow_unicode=True).rstrip()


def _sections(gap_map: GapMap, w: Words) -> list[tuple[str, list[tuple[str, Region, str]]]]:
    """(heading, [(name, region, its population share or '')]) for the gap and the loop regions."""
    pop = gap_map.population
    sections = [(w("Gap regions"), [(w("Region {n}").format(n=i), r, _holds(gap_map, pop and pop.regions[i - 1], w))
                                    for i, r in enumerate(gap_map.regions, 1)])]
    if gap_map.loops is not None:
        sections.append((w("Referral loops within the gaps"),
                         [(w("Loop region {n}: {cycle}").format(n=i, cycle=f"{' -> '.join(r.cycle)} -> {r.cycle[0]}"),
                           r, _holds(gap_map, pop and pop.loops[i - 1], w)) for i, r in enumerate(gap_map.loops, 1)]))
    return sections


def _heading(gap_map: GapMap, w: Words) -> tuple[str, str]:
    where = w(" with {where}").format(where=gap_map.where) if gap_map.where else ""
    title = w("Gap map: {need} on {date}{where}").format(need=need_word(gap_map.need, w),
                                                         date=gap_map.date.isoformat(), where=where)
    status = w(PROOF).format(where=where and f" ({gap_map.where})") if gap_map.complete else w(INCOMPLETE)
    return title, status


def to_text(gap_map: GapMap, w: Words = ENGLISH) -> str:
    title, status = _heading(gap_map, w)
    lines = [title, status, w("{count} region(s) where nothing covers {need}.").format(
        count=len(gap_map.regions), need=need_word(gap_map.need, w))]
    if gap_map.population is not None:
        lines.append(population_line(gap_map, w))
    if gap_map.dead:
        lines.append(w("No client can ever get: {provisions}").format(provisions=", ".join(gap_map.dead)))
    for heading, regions in _sections(gap_map, w):
        lines += ["", heading]
        for name, region, holds in regions:
            lines += ["", f"{name}:" + (f" {holds}" if holds else "")]
            lines += [f"  - {c}" for c in conditions(region.literals, w)]
            lines += clauses_text(region, w)
    return "\n".join(lines)


def _cited(source: str, w: Words) -> str:
    """A clause's `title <url>` with the title in the reader's language (the JSON keeps the English)."""
    title, sep, url = source.rpartition(" <")
    return f"{w.rule(title)}{sep}{url}" if sep else w.rule(source)


def clauses_text(region, w: Words = ENGLISH) -> list[str]:
    """The clauses that shut the doors in a region, and its witness: the same in a gap map and a change map."""
    return (["  " + w("shut by:")] + [f"    {c.provision}: {c.criterion} ({_cited(c.source, w)})" for c in region.clauses]
            + ["  " + w("witness (regelgat check it):")]
            + [f"    {line}" for line in witness_yaml(region, w).splitlines()])


def clauses_markdown(region, w: Words = ENGLISH) -> list[str]:
    return ([f"| {w('provision')} | {w('clause')} | {w('source')} |", "|---|---|---|"]
            + [f"| `{c.provision}` | `{c.criterion}` | {_cited(c.source, w)} |" for c in region.clauses]
            + ["", "```yaml", witness_yaml(region, w), "```", ""])


def clauses_html(region, w: Words = ENGLISH) -> list[str]:
    e = html.escape
    head = "".join(f"<th>{e(w(label))}</th>" for label in ("provision", "clause", "source"))
    return ([f"<table><tr>{head}</tr>"]
            + [f"<tr><td>{e(c.provision)}</td><td>{e(c.criterion)}</td><td>{e(_cited(c.source, w))}</td></tr>"
               for c in region.clauses]
            + ["</table>", f"<pre>{e(witness_yaml(region, w))}</pre>"])


def to_markdown(gap_map: GapMap, w: Words = ENGLISH) -> str:
    title, status = _heading(gap_map, w)
    lines = [f"# {title}", "", status, ""]
    if gap_map.population is not None:
        lines += [population_line(gap_map, w), ""]
    if gap_map.dead:
        lines += [w("No client can ever get: {provisions}").format(
            provisions=", ".join(f"`{d}`" for d in gap_map.dead)), ""]
    for heading, regions in _sections(gap_map, w):
        lines += [f"## {heading}", ""]
        for name, region, holds in regions:
            lines += [f"### {name}", ""] + ([f"*{holds}*", ""] if holds else [])
            lines += [f"- {c}" for c in conditions(region.literals, w)] + [""]
            lines += clauses_markdown(region, w)
    return "\n".join(lines)


def to_html(gap_map: GapMap, w: Words = ENGLISH) -> str:
    """One page, no scripts or outside resources: safe to mail or archive."""
    title, status = _heading(gap_map, w)
    e = html.escape
    body = [f"<h1>{e(title)}</h1>", f"<p><strong>{e(status)}</strong></p>"]
    if gap_map.population is not None:
        body.append(f"<p>{e(population_line(gap_map, w))}</p>")
    for heading, regions in _sections(gap_map, w):
        body.append(f"<h2>{e(heading)}</h2>")
        for name, region, holds in regions:
            body += [f"<h3>{e(name)}</h3>"] + ([f"<p><em>{e(holds)}</em></p>"] if holds else []) + ["<ul>"]
            body += [f"<li>{e(c)}</li>" for c in conditions(region.literals, w)] + ["</ul>"]
            body += clauses_html(region, w)
    return page(title, body, w)


def page(title: str, body: list[str], w: Words) -> str:
    style = "body{font-family:sans-serif;max-width:60em;margin:auto}td,th{border:1px solid #ccc;padding:2px 6px}"
    return (f'<!doctype html><html lang="{w.lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>")
