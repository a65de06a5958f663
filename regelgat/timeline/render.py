"""A simulated timeline as JSON (the public contract), as text and as a self-contained HTML page.

Text and HTML draw a Gantt-style band per need and per provision: one mark per week, so a gap in
time is visible at a glance, and list every stretch without cover with the clauses that make it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from regelgat.timeline.simulate import Cell, Simulation

MARKS = {"covered": "#", "waiting": "~", "uncovered": ".", "ineligible": " "}
LEGEND = "# covered   ~ waiting (paid later)   . uncovered (never paid)   blank: not eligible"


def to_json(sim: Simulation) -> dict[str, Any]:
    shown = _shown(sim)
    weeks = [{
        "start": w.start.isoformat(),
        "needs": {n: {"status": c.status, "by": list(c.by)} for n, c in w.needs.items()},
        "income": w.income,
        "entitled": w.entitled,
        "norm": w.norm,
        "provisions": {k: w.provisions[k].status for k in shown},
        "rent_arrears_months": w.rent_arrears_months,
    } for w in sim.weeks]
    needs = list(sim.weeks[0].needs) if sim.weeks else []
    possible = sum(w.entitled for w in sim.weeks if any(c.back_pay for c in w.needs.values()) and w.income == 0)
    return {
        "id": sim.timeline.spec.id,
        "start": sim.timeline.spec.start.isoformat(),
        "date_rules": sim.date_rules,
        "weeks": weeks,
        "uncovered_weeks": {n: sum(w.needs[n].status == "uncovered" for w in sim.weeks) for n in needs},
        "income_missed": round(sum(w.entitled - w.income for w in sim.weeks), 2),
        "possible_back_pay": round(possible, 2),
        "income_delayed": round(sum(w.delayed for w in sim.weeks), 2),
        "stretches": stretches(sim),
    }


def to_json_text(sim: Simulation) -> str:
    return json.dumps(to_json(sim), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def stretches(sim: Simulation) -> list[dict[str, Any]]:
    """Runs of weeks a need is not covered, one per cause; each names the clauses that make it."""
    out: list[dict[str, Any]] = []
    for need in (sim.weeks[0].needs if sim.weeks else {}):
        run: list[tuple[dt.date, Cell]] = []
        for week in [*sim.weeks, None]:
            cell = week.needs[need] if week else None
            if run and (cell is None or _key(cell) != _key(run[0][1])):
                out.append(_stretch(need, run))
                run = []
            if cell is not None and cell.status != "covered":
                run.append((week.start, cell))
    return out


def _key(cell: Cell) -> tuple:
    return cell.status, cell.cause, cell.back_pay


def _stretch(need: str, run: list[tuple[dt.date, Cell]]) -> dict[str, Any]:
    cell = run[0][1]
    item = {"need": need, "start": run[0][0].isoformat(),
            "end": (run[-1][0] + dt.timedelta(days=6)).isoformat(), "status": cell.status, "weeks": len(run),
            "cause": cell.cause, "clauses": [{"title": t, "url": u} for t, u in cell.clauses],
            "flags": list(cell.flags)}
    if cell.back_pay:
        item["back_pay"] = {"possible": True, "discretionary": True, "text": cell.back_pay}
    return item


def _shown(sim: Simulation) -> list[str]:
    """Provisions worth a band: those the events name, or eligible in some week."""
    named = {e.provision for e in sim.timeline.events if e.provision}
    return sorted(named | {k for w in sim.weeks for k, c in w.provisions.items() if c.status != "ineligible"})


def _bands(sim: Simulation) -> list[tuple[str, str]]:
    rows = [(f"need {n}", "".join(MARKS[w.needs[n].status] for w in sim.weeks)) for n in sim.weeks[0].needs]
    rows += [(k, "".join(MARKS[w.provisions[k].status] for w in sim.weeks)) for k in _shown(sim)]
    return rows


def _month_ruler(sim: Simulation) -> str:
    marks = []
    for w in sim.weeks:
        first = w.start.day <= 7
        marks.append(w.start.strftime("%b")[0] if first else " ")
    return "".join(marks)


def to_text(sim: Simulation) -> str:
    data = to_json(sim)
    spec = sim.timeline.spec
    width = max(len(label) for label, _ in _bands(sim)) if sim.weeks else 10
    lines = [f"timeline {spec.id}: {spec.weeks} weeks from {spec.start} (rules: {sim.date_rules})", "",
             f"{'':{width}}  {_month_ruler(sim)}"]
    lines += [f"{label:{width}}  {band}" for label, band in _bands(sim)]
    lines += ["", LEGEND, "",
              "uncovered weeks: " + ", ".join(f"{n} {c}" for n, c in data["uncovered_weeks"].items()),
              f"bijstand missed for good: EUR {data['income_missed']:,.2f}"
              + (f" (of which EUR {data['possible_back_pay']:,.2f} MAY be paid back: discretionary, not a right)"
                 if data["possible_back_pay"] else ""), ""]
    for item in data["stretches"]:
        lines.append(f"{item['need']} {item['status']} {item['start']} .. {item['end']} ({item['weeks']} weeks): "
                     f"{item['cause']}")
        lines += [f"    {c['title']} <{c['url']}>" for c in item["clauses"]]
        if "back_pay" in item:
            lines.append(f"    [may] {item['back_pay']['text']}")
        lines += [f"    [!] {flag}" for flag in item["flags"]]
    return "\n".join(lines) + "\n"


_CSS = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
        "td{padding:0;height:1.3em}td.l{padding-right:1em;white-space:nowrap;font-size:.9em}"
        ".w{width:.8em;border-right:1px solid #fff}.covered{background:#2e7d32}.waiting{background:#f9a825}"
        ".uncovered{background:#c62828}.ineligible{background:#eee}li{margin-bottom:.6em}")


def to_html(sim: Simulation) -> str:
    """One page, no external resources: styles inline, nothing fetched."""
    data, esc = to_json(sim), html.escape
    rows = []
    for label, kind, cells in ([(f"need {n}", "need", [w.needs[n].status for w in sim.weeks])
                                for n in sim.weeks[0].needs] +
                               [(k, "provision", [w.provisions[k].status for w in sim.weeks]) for k in _shown(sim)]):
        tds = "".join(f'<td class="w {s}" title="{esc(w.start.isoformat())}: {s}"></td>'
                      for s, w in zip(cells, sim.weeks))
        rows.append(f'<tr class="{kind}"><td class="l">{esc(label)}</td>{tds}</tr>')
    items = []
    for item in data["stretches"]:
        clauses = "".join(f'<br><a href="{esc(c["url"])}">{esc(c["title"])}</a>' for c in item["clauses"])
        back = f"<br><b>may</b> (discretionary): {esc(item['back_pay']['text'])}" if "back_pay" in item else ""
        flags = "".join(f"<br>[!] {esc(f)}" for f in item["flags"])
        items.append(f"<li><b>{esc(item['need'])} {esc(item['status'])}</b> {esc(item['start'])} .. "
                     f"{esc(item['end'])} ({item['weeks']} weeks): {esc(item['cause'])}{clauses}{back}{flags}</li>")
    spec = sim.timeline.spec
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>regelgat timeline "
            f"{esc(spec.id)}</title><style>{_CSS}</style></head><body><h1>Timeline {esc(spec.id)}</h1>"
            f"<p>{spec.weeks} weeks from {spec.start}; rules: {esc(sim.date_rules)}. Green: covered; amber: "
            f"waiting (paid later); red: uncovered (never paid); grey: not eligible.</p>"
            f"<table>{''.join(rows)}</table><p>Uncovered weeks: "
            f"{esc(', '.join(f'{n} {c}' for n, c in data['uncovered_weeks'].items()))}. Bijstand missed for good: "
            f"EUR {data['income_missed']:,.2f}.</p><h2>Stretches</h2><ul>{''.join(items)}</ul></body></html>\n")
