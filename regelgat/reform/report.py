"""A reform's findings as the JSON contract, plain text, Markdown and HTML, in Dutch or English.

Every share is printed with its base ("26,561 of the 49,345 with a housing gap, 53.8%"), and
every count is of this simulated population, which the report says.
"""

from __future__ import annotations

import html
import json
from typing import Any

from regelgat.reform.apply import Reform
from regelgat.reform.compare import SECTIONS, Comparison, Tally

WORDS = {
    "en": {
        "title": "Reform", "proposal": "Proposed by", "valid_from": "applies from", "date": "rules date",
        "population": "Population", "profiles": "profiles", "rule_changes": "What the reform changes in the rules",
        "closed_gaps": "Gaps that close", "opened_gaps": "Gaps that open", "gains": "Who gains a provision",
        "losses": "Who loses a provision (side effects)", "none": "none",
        "closed_gaps_base": "with a {subject} gap", "opened_gaps_base": "whose {subject} need was covered",
        "gains_base": "not eligible before", "losses_base": "eligible before",
        "of_the": "of the", "group": "group", "count": "count", "share": "share", "example": "example",
        "because": "because", "what_it_takes": "What it takes", "places": "places",
        "place_months": "{people:,} people who need it x {months} months = {total:,} place-months ({years:,.0f} place-years)",
        "places_unknown": "{people:,} people (no duration in the rules, so no place-months)",
        "euros": "{title}: EUR {before:,.0f} a month before, EUR {after:,.0f} after ({change:+,.0f})",
        "losing": "{losing:,} of {n:,} profiles lose something (a provision, or a need that was covered).",
        "not_modelled": "Not modelled: what a new home or benefit changes later (an address, other doors).",
        "assumption": "Unconfirmed", "simulated": "Counts are of this simulated population, not of Amsterdam.",
    },
    "nl": {
        "title": "Hervorming", "proposal": "Voorgesteld door", "valid_from": "geldt vanaf", "date": "peildatum",
        "population": "Populatie", "profiles": "profielen", "rule_changes": "Wat de hervorming in de regels verandert",
        "closed_gaps": "Gaten die dichtgaan", "opened_gaps": "Gaten die opengaan", "gains": "Wie een voorziening krijgt",
        "losses": "Wie een voorziening verliest (bijwerkingen)", "none": "geen",
        "closed_gaps_base": "met een gat voor {subject}", "opened_gaps_base": "van wie de behoefte {subject} gedekt was",
        "gains_base": "die er eerst geen recht op hadden", "losses_base": "die er eerst recht op hadden",
        "of_the": "van de", "group": "groep", "count": "aantal", "share": "aandeel", "example": "voorbeeld",
        "because": "omdat", "what_it_takes": "Wat het vraagt", "places": "plaatsen",
        "place_months": "{people:,} mensen die het nodig hebben x {months} maanden = {total:,} plaatsmaanden ({years:,.0f} plaatsjaren)",
        "places_unknown": "{people:,} mensen (de regels geven geen duur, dus geen plaatsmaanden)",
        "euros": "{title}: EUR {before:,.0f} per maand ervoor, EUR {after:,.0f} erna ({change:+,.0f})",
        "losing": "{losing:,} van de {n:,} profielen verliezen iets (een voorziening, of een behoefte die gedekt was).",
        "not_modelled": "Niet gemodelleerd: wat een nieuwe woning of uitkering later verandert (een adres, andere deuren).",
        "assumption": "Onbevestigd", "simulated": "Aantallen gelden voor deze gesimuleerde populatie, niet voor Amsterdam.",
    },
}
NEED_WORDS = {"en": {"housing": "housing", "income": "income", "care": "care", "debt_help": "debt help"},
              "nl": {"housing": "huisvesting", "income": "inkomen", "care": "zorg", "debt_help": "schuldhulp"}}


def _pct(count: int, base: int) -> str:
    return f"{100 * count / base:.1f}%" if base else "-"


def to_json(c: Comparison, reform: Reform) -> dict[str, Any]:
    """The public JSON contract of `regelgat reform --format json` (docs/reform-format.md)."""
    spec = reform.spec
    out: dict[str, Any] = {
        "reform": {"id": spec.id, "title": spec.title, "summary": " ".join(spec.summary.split()),
                   "proposal": {"by": spec.proposal.by, "date": spec.proposal.date.isoformat(),
                                "source": str(spec.proposal.source)},
                   "valid_from": spec.valid_from.isoformat(), "assumption": spec.assumption,
                   "flags": reform_flags(reform)},
        "date": c.after.date.isoformat(),
        "population": {"path": str(c.people.path), "kind": c.people.kind, "profiles": c.n, "seed": c.people.seed},
        "groups": [{"name": n, "labels": list(l)} for n, l in c.people.group_meta if n != "all"],
        "rule_changes": c.rule_changes,
        "losing_profiles": c.losing,
    }
    for section in SECTIONS:
        out[section] = {subject: _tally_json(c, section, subject, t) for subject, t in c.sections[section].items()
                        if t.count}
    out["cost"] = {"places": [_places(c, key, t) for key, t in c.sections["gains"].items()
                              if t.count and "housing" in c.covers[key]],
                   "euros_a_month": [{"provision": key, "before": round(a, 2), "after": round(b, 2),
                                      "change": round(b - a, 2)} for key, (a, b) in sorted(c.paid.items())
                                     if round(a, 2) != round(b, 2)]}
    return out


def reform_flags(reform: Reform) -> list[str]:
    """Every unconfirmed value or rule the reform adds: `<id>: <why>`, as the rulesets' flags read."""
    out = []
    for change in reform.spec.rulesets.values():
        for name, parameter in change.parameters.items():
            out += [f"{name}: {' '.join(v.assumption.split())}" for v in parameter.values.values() if v.assumption]
        rules = [r for p in change.provisions for g in (p.criteria, p.exclusions, p.requires, p.procedure) for r in g]
        rules += [c.set for c in (*change.criteria, *change.exclusions) if c.set is not None]
        out += [f"{r.id}: {' '.join(r.assumption.split())}" for r in rules if r.assumption]
    return out


def _tally_json(c: Comparison, section: str, subject: str, t: Tally) -> dict[str, Any]:
    groups = {}
    for name, labels in c.people.group_meta:
        if name == "all":
            continue
        groups[name] = {label: {"count": int(t.by_group[name][i]), "base": int(t.base_by_group[name][i]),
                                "share": round(int(t.by_group[name][i]) / int(t.base_by_group[name][i]), 6)
                                if t.base_by_group[name][i] else None}
                        for i, label in enumerate(labels) if t.base_by_group[name][i]}
    entry = {"count": t.count, "base": t.base, "share": round(t.count / t.base, 6) if t.base else None,
             "by_group": groups,
             "examples": [{"profile": e.profile, "group": e.group, "causes": e.causes, "facts": e.facts}
                          for e in t.examples]}
    if section in ("gains", "losses"):
        entry["title"] = c.titles[subject]
    return entry


def _places(c: Comparison, key: str, t: Tally) -> dict[str, Any]:
    months = c.months.get(key)
    return {"provision": key, "title": c.titles[key], "people": t.needing, "months": months,
            "place_months": t.needing * months if months is not None else None}


def _lines(data: dict[str, Any], reform: Reform, lang: str, md: bool) -> list[str]:
    t, needs = WORDS[lang], NEED_WORDS[lang]
    spec = reform.spec
    nl = dict(spec.nl) if lang == "nl" else {}
    title = spec.title_nl if lang == "nl" else spec.title
    head = (lambda text, level=2: f"{chr(10) if level > 1 else ''}{'#' * level} {text}\n") if md else (lambda text, level=2: text.upper()
                                                                         if level == 1 else f"\n{text}")
    out = [head(f"{t['title']}: {title}", 1), "",
           " ".join((spec.summary_nl if lang == "nl" else spec.summary).split()), "",
           f"{t['proposal']}: {nl.get(spec.proposal.by, spec.proposal.by)} ({spec.proposal.date}; {spec.proposal.source})",
           f"{t['valid_from']} {spec.valid_from}; {t['date']} {data['date']}; {t['population']}: "
           f"{data['population']['path']} ({data['population']['profiles']:,} {t['profiles']})",
           t["simulated"]]
    if spec.assumption:
        why = " ".join(spec.assumption.split())
        out.append(f"[!] {t['assumption']}: {nl.get(why, why)}")
    for flag in data["reform"]["flags"]:
        item, why = flag.split(": ", 1)
        out.append(f"[!] {item}: {nl.get(why, why)}")
    out += [head(t["rule_changes"])] + [f"- {line}" for line in data["rule_changes"]]
    for section in SECTIONS:
        out.append(head(t[section]))
        if not data[section]:
            out.append(t["none"])
        for subject, entry in data[section].items():
            name = needs.get(subject) or nl.get(entry.get("title", ""), entry.get("title", subject))
            base = t[f"{section}_base"].format(subject=needs.get(subject, subject))
            out.append(f"- {name}: {entry['count']:,} {t['of_the']} {entry['base']:,} {base} "
                       f"({_pct(entry['count'], entry['base'])})")
            for group, labels in entry["by_group"].items():
                parts = [f"{label} {v['count']:,}/{v['base']:,} ({_pct(v['count'], v['base'])})"
                         for label, v in labels.items()]
                out.append(f"  - {group.replace('_', ' ')}: " + "; ".join(parts))
            for example in entry["examples"][:2]:
                why = f" {t['because']}: {'; '.join(example['causes'])}" if example["causes"] else ""
                out.append(f"  - {t['example']} {example['profile']} ({example['group']}){why}")
    out.append(head(t["what_it_takes"]))
    for place in data["cost"]["places"]:
        name = nl.get(place["title"], place["title"])
        if place["months"] is None:
            out.append(f"- {name}: " + t["places_unknown"].format(people=place["people"]))
        else:
            out.append(f"- {name}: " + t["place_months"].format(people=place["people"], months=place["months"],
                                                                total=place["place_months"],
                                                                years=place["place_months"] / 12))
    for euros in data["cost"]["euros_a_month"]:
        out.append("- " + t["euros"].format(title=euros["provision"], before=euros["before"], after=euros["after"],
                                             change=euros["change"]))
    out += ["", t["losing"].format(losing=data["losing_profiles"], n=data["population"]["profiles"]),
            t["not_modelled"]]
    return out


def render_text(data: dict[str, Any], reform: Reform, lang: str) -> str:
    return "\n".join(_lines(data, reform, lang, md=False)) + "\n"


def render_markdown(data: dict[str, Any], reform: Reform, lang: str) -> str:
    return "\n".join(_lines(data, reform, lang, md=True)) + "\n"


def render_html(data: dict[str, Any], reform: Reform, lang: str) -> str:
    """A self-contained page: the Markdown's lines as headings, paragraphs and lists."""
    body = []
    for line in _lines(data, reform, lang, md=True):
        text = html.escape(line.lstrip("#- ").strip())
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{text}</h{level}>")
        elif line.startswith("  - "):
            body.append(f"<ul class='sub'><li>{text}</li></ul>")
        elif line.startswith("- "):
            body.append(f"<ul><li>{text}</li></ul>")
        elif line:
            body.append(f"<p>{text}</p>")
    style = "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}ul{margin:.2em 0}ul.sub{margin-left:1.5em;font-size:.92em}"
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>"
            f"{html.escape(reform.spec.title_nl if lang == 'nl' else reform.spec.title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def render(data: dict[str, Any], reform: Reform, fmt: str, lang: str) -> str:
    """The report in one of the formats: json, text, markdown, html."""
    if fmt == "json":
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    return {"text": render_text, "markdown": render_markdown, "html": render_html}[fmt](data, reform, lang)
