"""A reform's findings as the JSON contract, plain text, Markdown and HTML, in Dutch or English.

Every share is printed with its base ("26,561 of the 49,345 with a housing gap (53.8%)"), and
every count is of this simulated population, which the report says. Interface strings come from
the shared gettext catalog (regelgat/i18n), the bundled rules' texts from their Dutch catalogs,
and the reform's own texts from its `nl:` mapping.
"""

from __future__ import annotations

import html
import json
from typing import Any

from regelgat.batch.wording import Words
from regelgat.i18n import N_
from regelgat.reform.apply import Reform
from regelgat.reform.compare import SECTIONS, Comparison, Tally

def _pct(w: Words, count: int, base: int) -> str:
    return w.pct(count / base) if base else "-"


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


def _lines(data: dict[str, Any], reform: Reform, w: Words, md: bool) -> list[str]:
    spec = reform.spec
    nl = dict(spec.nl) if w.lang == "nl" else {}
    dutch = w.lang == "nl"
    head = (lambda text, level=2: f"{chr(10) if level > 1 else ''}{'#' * level} {text}\n") if md else \
        (lambda text, level=2: text.upper() if level == 1 else f"\n{text}")
    people = data["population"]
    out = [head(w("Reform: {title}").format(title=spec.title_nl if dutch else spec.title), 1), "",
           " ".join((spec.summary_nl if dutch else spec.summary).split()), "",
           w("Proposed by: {by} ({date}; {source})").format(by=nl.get(spec.proposal.by, spec.proposal.by),
                                                           date=spec.proposal.date, source=spec.proposal.source),
           w("Applies from {start}; rules date {date}; population: {path} ({profiles} profiles).").format(
               start=spec.valid_from, date=data["date"], path=people["path"], profiles=w.num(people["profiles"])),
           w("Counts are of this simulated population, not of a city.")]
    if spec.assumption:
        why = " ".join(spec.assumption.split())
        out.append("[!] " + w("Unconfirmed: {why}").format(why=nl.get(why, why)))
    for flag in data["reform"]["flags"]:
        item, why = flag.split(": ", 1)
        out.append(f"[!] {item}: {nl.get(why, why)}")
    out += [head(w("What the reform changes in the rules"))] + [f"- {line}" for line in data["rule_changes"]]
    for section, title in SECTION_TITLES.items():
        out.append(head(w(title)))
        if not data[section]:
            out.append(w("none"))
        for subject, entry in data[section].items():
            out += _finding(w, nl, section, subject, entry)
    out.append(head(w("What it takes")))
    for place in data["cost"]["places"]:
        name = nl.get(place["title"], w.rule(place["title"]))
        if place["months"] is None:
            out.append(f"- {name}: " + w("{people} people who need it (the rules give no duration, so no "
                                         "place-months)").format(people=w.num(place["people"])))
        else:
            out.append(f"- {name}: " + w("{people} people who need it x {months} months = {total} place-months "
                                         "({years} place-years)").format(
                people=w.num(place["people"]), months=place["months"], total=w.num(place["place_months"]),
                years=w.num(round(place["place_months"] / 12))))
    for euros in data["cost"]["euros_a_month"]:
        out.append("- " + w("{provision}: EUR {before} a month before, EUR {after} after").format(
            provision=euros["provision"], before=w.num(round(euros["before"])), after=w.num(round(euros["after"]))))
    out += ["", w("{losing} of {profiles} profiles lose something (a provision, or a need that was covered).").format(
        losing=w.num(data["losing_profiles"]), profiles=w.num(people["profiles"])),
        w("Not modelled: what a new home or benefit changes later (an address, other doors).")]
    return out


SECTION_TITLES = {"closed_gaps": N_("Gaps that close"), "opened_gaps": N_("Gaps that open"),
                  "gains": N_("Who gains a provision"), "losses": N_("Who loses a provision (side effects)")}
BASES = {"closed_gaps": N_("{count} of the {base} with a {need} gap ({share})"),
         "opened_gaps": N_("{count} of the {base} whose {need} need was covered ({share})"),
         "gains": N_("{count} of the {base} not eligible before ({share})"),
         "losses": N_("{count} of the {base} eligible before ({share})")}


def _finding(w: Words, nl: dict[str, str], section: str, subject: str, entry: dict[str, Any]) -> list[str]:
    """One finding: its count against its base, per group, and two witness profiles."""
    title = entry.get("title")
    name = w.name(subject) if title is None else nl.get(title, w.rule(title))
    out = [f"- {name}: " + w(BASES[section]).format(count=w.num(entry["count"]), base=w.num(entry["base"]),
                                                    need=w.name(subject), share=_pct(w, entry["count"], entry["base"]))]
    for group, labels in entry["by_group"].items():
        parts = [f"{_label(w, label)} {w.num(v['count'])}/{w.num(v['base'])} ({_pct(w, v['count'], v['base'])})"
                 for label, v in labels.items()]
        out.append(f"  - {w.name(group)}: " + "; ".join(parts))
    for example in entry["examples"][:2]:
        why = (" " + w("because: {causes}").format(causes="; ".join(example["causes"]))) if example["causes"] else ""
        group = ", ".join(_label(w, label) for label in example["group"].split(", "))
        out.append("  - " + w("example {profile} ({group})").format(profile=example["profile"], group=group) + why)
    return out


def _label(w: Words, label: str) -> str:
    """A group label in words: the scenario's own Dutch, else the catalog's."""
    return w.rules.get(label) or w.name(label)


def render_text(data: dict[str, Any], reform: Reform, w: Words) -> str:
    return "\n".join(_lines(data, reform, w, md=False)) + "\n"


def render_markdown(data: dict[str, Any], reform: Reform, w: Words) -> str:
    return "\n".join(_lines(data, reform, w, md=True)) + "\n"


def render_html(data: dict[str, Any], reform: Reform, w: Words) -> str:
    """A self-contained page: the Markdown's lines as headings, paragraphs and lists."""
    body = []
    lang = w.lang
    for line in _lines(data, reform, w, md=True):
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


def render(data: dict[str, Any], reform: Reform, fmt: str, w: Words) -> str:
    """The report in one of the formats: json, text, markdown, html (the texts in w's language)."""
    if fmt == "json":
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    return {"text": render_text, "markdown": render_markdown, "html": render_html}[fmt](data, reform, w)
