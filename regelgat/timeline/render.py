"""A simulated timeline as JSON (the public contract), as text and as a self-contained HTML page.

Text and HTML draw a Gantt-style band per need and per provision: one mark per week, so a gap in
time is visible at a glance, and list every stretch without cover with the clauses that make it.
Everything a person reads comes in Dutch or English (`Wording`); JSON keys and codes (statuses,
needs, provision keys) stay the same in both, so the contract is one.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from babel.dates import format_date

from regelgat.i18n import N_, money
from regelgat.rules.translations import RulesetTexts
from regelgat.timeline.phrases import Wording
from regelgat.timeline.simulate import Cell, Simulation

ENGLISH = Wording("en", RulesetTexts("en"))
MARKS = {"covered": "#", "waiting": "~", "uncovered": ".", "ineligible": " "}
# Marked for the catalog: the statuses and verdict outcomes as words.
STATUSES = (N_("covered"), N_("waiting"), N_("uncovered"), N_("ineligible"), N_("blocked"), N_("undetermined"))
LEGEND = N_("# covered   ~ waiting (paid later)   . uncovered (never paid)   blank: not eligible")
BIJSTAND = N_("bijstand (social assistance, Participatiewet) missed for good: {amount}")
MAY = N_("of which {amount} MAY be paid back: discretionary, not a right")
MAY_WORD, DISCRETIONARY = N_("may"), N_("discretionary")


def to_json(sim: Simulation, w: Wording = ENGLISH) -> dict[str, Any]:
    shown = _shown(sim)
    weeks = [{
        "start": week.start.isoformat(),
        "needs": {n: {"status": c.status, "by": list(c.by)} for n, c in week.needs.items()},
        "income": week.income,
        "entitled": week.entitled,
        "norm": week.norm,
        "provisions": {k: week.provisions[k].status for k in shown},
        "rent_arrears_months": week.rent_arrears_months,
    } for week in sim.weeks]
    needs = list(sim.weeks[0].needs) if sim.weeks else []
    possible = sum(wk.entitled for wk in sim.weeks if any(c.back_pay for c in wk.needs.values()) and wk.income == 0)
    return {
        "id": sim.timeline.spec.id,
        "lang": w.lang,
        "start": sim.timeline.spec.start.isoformat(),
        "date_rules": sim.date_rules,
        "weeks": weeks,
        "uncovered_weeks": {n: sum(wk.needs[n].status == "uncovered" for wk in sim.weeks) for n in needs},
        "income_missed": round(sum(wk.entitled - wk.income for wk in sim.weeks), 2),
        "possible_back_pay": round(possible, 2),
        "income_delayed": round(sum(wk.delayed for wk in sim.weeks), 2),
        "stretches": stretches(sim, w),
    }


def to_json_text(sim: Simulation, w: Wording = ENGLISH) -> str:
    return json.dumps(to_json(sim, w), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def stretches(sim: Simulation, w: Wording = ENGLISH) -> list[dict[str, Any]]:
    """Runs of weeks a need is not covered, one per cause; each names the clauses that make it."""
    out: list[dict[str, Any]] = []
    for need in (sim.weeks[0].needs if sim.weeks else {}):
        run: list[tuple[dt.date, Cell]] = []
        for week in [*sim.weeks, None]:
            cell = week.needs[need] if week else None
            if run and (cell is None or _key(cell) != _key(run[0][1])):
                out.append(_stretch(need, run, w))
                run = []
            if cell is not None and cell.status != "covered":
                run.append((week.start, cell))
    return out


def _key(cell: Cell) -> tuple:
    return cell.status, cell.cause, cell.back_pay


def _stretch(need: str, run: list[tuple[dt.date, Cell]], w: Wording) -> dict[str, Any]:
    cell = run[0][1]
    item = {"need": need, "start": run[0][0].isoformat(),
            "end": (run[-1][0] + dt.timedelta(days=6)).isoformat(), "status": cell.status, "weeks": len(run),
            "cause": w(cell.cause), "clauses": [{"title": t, "url": u} for t, u in cell.clauses],
            "flags": [w.flag(f) for f in cell.flags]}
    if cell.back_pay:
        item["back_pay"] = {"possible": True, "discretionary": True, "text": w(cell.back_pay)}
    return item


def _shown(sim: Simulation) -> list[str]:
    """Provisions worth a band: those the events name, or eligible in some week."""
    named = {e.provision for e in sim.timeline.events if e.provision}
    return sorted(named | {k for wk in sim.weeks for k, c in wk.provisions.items() if c.status != "ineligible"})


def _need(need: str, w: Wording) -> str:
    return w.ui(need.replace("_", " "))


def _bands(sim: Simulation, w: Wording) -> list[tuple[str, str, list[str]]]:
    """(label, kind, status per week) for each need, then each provision shown."""
    rows = [(w.ui(N_("need: {need}")).format(need=_need(n, w)), "need", [wk.needs[n].status for wk in sim.weeks])
            for n in (sim.weeks[0].needs if sim.weeks else {})]
    return rows + [(k, "provision", [wk.provisions[k].status for wk in sim.weeks]) for k in _shown(sim)]


def _month_ruler(sim: Simulation, w: Wording) -> str:
    """The first letter of each month above the week it starts in."""
    locale = "nl_NL" if w.lang == "nl" else "en_GB"
    return "".join(format_date(wk.start, "MMM", locale=locale)[0].upper() if wk.start.day <= 7 else " "
                   for wk in sim.weeks)


def _totals(data: dict[str, Any], w: Wording) -> tuple[str, str]:
    """The uncovered weeks per need, and the bijstand missed (with what MAY be paid back)."""
    weeks = ", ".join(f"{_need(n, w)} {c}" for n, c in data["uncovered_weeks"].items())
    missed = w.ui(BIJSTAND).format(amount=money(data["income_missed"], w.lang))
    if data["possible_back_pay"]:
        missed += f" ({w.ui(MAY).format(amount=money(data['possible_back_pay'], w.lang))})"
    return w.ui(N_("uncovered weeks: {weeks}")).format(weeks=weeks), missed


def _heading(item: dict[str, Any], w: Wording) -> str:
    return w.ui(N_("{need} {status} {start} .. {end} ({weeks} weeks)")).format(
        need=_need(item["need"], w), status=w.ui(item["status"]), start=item["start"], end=item["end"],
        weeks=item["weeks"])


def to_text(sim: Simulation, w: Wording = ENGLISH) -> str:
    data = to_json(sim, w)
    spec = sim.timeline.spec
    bands = _bands(sim, w)
    width = max((len(label) for label, _, _ in bands), default=10)
    lines = [w.ui(N_("timeline {id}: {weeks} weeks from {start} (rules: {rules})")).format(
        id=spec.id, weeks=spec.weeks, start=spec.start, rules=w.ui(_RULES[sim.date_rules])), "",
        f"{'':{width}}  {_month_ruler(sim, w)}"]
    lines += [f"{label:{width}}  {''.join(MARKS[s] for s in cells)}" for label, _, cells in bands]
    lines += ["", w.ui(LEGEND), "", *_totals(data, w), ""]
    for item in data["stretches"]:
        lines.append(f"{_heading(item, w)}: {item['cause']}")
        lines += [f"    {w.texts(c['title'])} <{c['url']}>" for c in item["clauses"]]  # JSON keeps the English
        if "back_pay" in item:
            lines.append(f"    [{w.ui(MAY_WORD)}] {item['back_pay']['text']}")
        lines += [f"    [!] {flag}" for flag in item["flags"]]
    return "\n".join(lines) + "\n"


_RULES = {"each-week": N_("each week the rules in force that week"), "as-of": N_("the rules of the start date")}
_CSS = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
        "td{padding:0;height:1.3em}td.l{padding-right:1em;white-space:nowrap;font-size:.9em}"
        ".w{width:.8em;border-right:1px solid #fff}.covered{background:#2e7d32}.waiting{background:#f9a825}"
        ".uncovered{background:#c62828}.ineligible{background:#eee}li{margin-bottom:.6em}")


def to_html(sim: Simulation, w: Wording = ENGLISH) -> str:
    """One page, no external resources: styles inline, nothing fetched."""
    data, esc = to_json(sim, w), html.escape
    rows = []
    for label, kind, cells in _bands(sim, w):
        tds = "".join(f'<td class="w {s}" title="{esc(wk.start.isoformat())}: {esc(w.ui(s))}"></td>'
                      for s, wk in zip(cells, sim.weeks))
        rows.append(f'<tr class="{kind}"><td class="l">{esc(label)}</td>{tds}</tr>')
    items = []
    for item in data["stretches"]:
        clauses = "".join(f'<br><a href="{esc(c["url"])}">{esc(w.texts(c["title"]))}</a>' for c in item["clauses"])
        back = (f"<br><b>{esc(w.ui(MAY_WORD))}</b> ({esc(w.ui(DISCRETIONARY))}): "
                f"{esc(item['back_pay']['text'])}" if "back_pay" in item else "")
        flags = "".join(f"<br>[!] {esc(f)}" for f in item["flags"])
        items.append(f"<li><b>{esc(_heading(item, w))}</b>: {esc(item['cause'])}{clauses}{back}{flags}</li>")
    spec = sim.timeline.spec
    title = w.ui(N_("Timeline {id}")).format(id=spec.id)
    intro = w.ui(N_("{weeks} weeks from {start}; rules: {rules}. Green: covered; amber: waiting (paid later); "
                    "red: uncovered (never paid); grey: not eligible.")).format(
        weeks=spec.weeks, start=spec.start, rules=w.ui(_RULES[sim.date_rules]))
    weeks, missed = _totals(data, w)
    stretches_heading = w.ui(N_("Stretches without cover"))
    return (f"<!DOCTYPE html><html lang=\"{w.lang}\"><head><meta charset=\"utf-8\"><title>regelgat: "
            f"{esc(title)}</title><style>{_CSS}</style></head><body><h1>{esc(title)}</h1><p>{esc(intro)}</p>"
            f"<table>{''.join(rows)}</table><p>{esc(weeks)}.<br>{esc(missed)}.</p>"
            f"<h2>{esc(stretches_heading)}</h2><ul>{''.join(items)}</ul></body></html>\n")
