"""The three faces of a diff: text for a terminal, Markdown for a pull-request comment, JSON."""

from __future__ import annotations

from typing import Any

from regelgat.guard.diff import KINDS, DiffReport, Finding
from regelgat.io.paths import shown_path


def _groups(finding: Finding, limit: int = 6) -> str:
    parts = []
    for dimension, counter in finding.groups.items():
        items = counter.most_common()
        shown = ", ".join(f"{name} {count:,}" for name, count in items[:limit])
        more = f", {len(items) - limit} more" if len(items) > limit else ""
        parts.append(f"{dimension}: {shown}{more}")
    return "; ".join(parts)


def finding_lines(finding: Finding, indent: str = "") -> list[str]:
    """One finding as text: who, what changed, every cause, the groups and examples (diff and snapshot)."""
    lines = ["", indent + finding.headline, f"{indent}    {finding.change}"]
    lines += [f"{indent}    {'because' if index == 0 else '    and'} {cause}" for index, cause in enumerate(finding.causes)]
    lines.append(f"{indent}    by group: {_groups(finding)}")
    lines.append(f"{indent}    e.g. " + "; ".join(_example(e) for e in finding.examples))
    return lines


def _example(example) -> str:
    facts = ", ".join(f"{k} = {_value(v)}" for k, v in example.facts.items())
    return f"{example.profile} [{example.group}]" + (f" {facts}" if facts else "")


def _value(value: Any) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return "missing" if value is None else str(value)


def _sides(report: DiffReport) -> list[tuple[str, str]]:
    def folder(side) -> str:
        return side.shown or shown_path(side.rulesets_dir)

    return [("before", f"{report.before.label} (rulesets {folder(report.before)})"),
            ("after", f"{report.after.label} (rulesets {folder(report.after)})"),
            ("population", report.population.label)]


def summary(report: DiffReport) -> str:
    """The totals of a diff in one sentence."""
    total = len(report.population.profiles)
    if not report.changed:
        if report.unsimulated:
            return (f"No access outcome changes for any of {total:,} profiles on {report.before.date}; "
                    f"{len(report.unsimulated)} rule change(s) on other dates were not simulated.")
        return f"No access outcome changes for any of {total:,} profiles."
    return f"{report.affected:,} of {total:,} profiles change."


def totals(findings: list[Finding]) -> list[tuple[str, str, str, int]]:
    """(sign, verb, subject, profiles) per kind and subject, whatever the cause, in report order."""
    out: dict[tuple[str, str], int] = {}
    for finding in findings:
        out[(finding.kind, finding.subject)] = out.get((finding.kind, finding.subject), 0) + finding.count
    return [(KINDS[kind][0], KINDS[kind][1], subject, count) for (kind, subject), count in out.items()]


def to_text(report: DiffReport) -> str:
    """The diff for a terminal."""
    lines = ["regelgat diff"] + [f"  {name + ':':<11} {value}" for name, value in _sides(report)] + ["", summary(report)]
    for sign, verb, subject, count in totals(report.findings):
        lines.append(f"  {sign} {count:>6,} {verb} {subject}")
    if report.findings:
        lines += ["", "By cause:"]
    for finding in report.findings:
        lines += finding_lines(finding)
    lines += ["", "What changed in the rules (whoever it affects):"]
    lines += [f"  {line}" for line in report.rule_changes] or [f"  {_none_on(report)}"]
    if report.unsimulated:
        lines += ["", _UNSIMULATED.format(date=report.before.date)]
        lines += [f"  {line}" for line in report.unsimulated]
    return "\n".join(lines)


_UNSIMULATED = ("Changed on other dates, NOT simulated for this population (only {date} was; "
                "rerun with --date DATE to count whom a change affects):")


def _none_on(report: DiffReport) -> str:
    """No rule differs on the simulated date: 'nothing' only when nothing changed on any date either."""
    if report.unsimulated:
        return f"no change on {report.before.date}, the date simulated (see the changes on other dates below)"
    return "nothing"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: DiffReport) -> str:
    """A pull-request comment: a headline, one table row per change, then examples and rule changes."""
    total = len(report.population.profiles)
    lines = [f"### regelgat diff: {summary(report)}", ""]
    lines += [" · ".join(f"**{name.capitalize()}:** {_cell(value)}" for name, value in _sides(report)), ""]
    if report.losing:
        lines += [f"> **Warning:** {report.losing:,} of {total:,} profiles lose access (a provision, or they newly "
                  "fall into a gap or a referral loop). Check that this is intended.", ""]
    if report.findings:
        lines.append("Totals: " + "; ".join(f"{sign}{count:,} {verb} `{subject}`"
                                            for sign, verb, subject, count in totals(report.findings)))
        lines += ["", "| | change | profiles | by group | because |", "|---|---|---:|---|---|"]
        for finding in report.findings:
            sign, verb = KINDS[finding.kind]
            title = f" ({finding.title})" if finding.title else ""
            change = f"{verb} `{finding.subject}`{title}<br>{finding.change}"
            because = "<br>".join(_cell(c) for c in finding.causes) or "-"
            lines.append(f"| {'**−**' if sign == '-' else '**+**' if sign == '+' else '~'} | {_cell(change)} "
                         f"| {finding.count:,} ({finding.count / total:.1%}) | {_cell(_groups(finding))} | {because} |")
        lines += ["", "<details><summary>Example profiles</summary>", ""]
        for finding in report.findings:
            sign, verb = KINDS[finding.kind]
            lines.append(f"- {verb} `{finding.subject}`: " + "; ".join(f"`{_cell(_example(e))}`" for e in finding.examples))
        lines += ["", "</details>", ""]
    lines += ["<details><summary>What changed in the rules</summary>", ""]
    lines += [f"- {_cell(line)}" for line in report.rule_changes] or [f"- {_cell(_none_on(report))}"]
    if report.unsimulated:
        lines += ["", f"**{_cell(_UNSIMULATED.format(date=report.before.date))}**", ""]
        lines += [f"- {_cell(line)}" for line in report.unsimulated]
    lines += ["", "</details>", "", "<sub>Generated by `regelgat diff`. Exit code 1 means an outcome changed.</sub>"]
    return "\n".join(lines)


def to_json(report: DiffReport) -> dict[str, Any]:
    """The diff as data, for scripts and CI."""
    def side(s) -> dict[str, Any]:
        return {"label": s.label, "rulesets": str(s.rulesets_dir), "date": s.date.isoformat()}

    population = report.population
    return {
        "before": side(report.before),
        "after": side(report.after),
        "population": {"path": str(population.path), "kind": population.kind,
                       "profiles": len(population.profiles), "seed": population.seed},
        "changed": report.changed,
        "affected": report.affected,
        "losing": report.losing,
        "findings": [{
            "kind": f.kind, "subject": f.subject, "title": f.title, "change": f.change, "count": f.count,
            "causes": list(f.causes), "groups": {d: dict(c.most_common()) for d, c in f.groups.items()},
            "examples": [{"profile": e.profile, "group": e.group, "facts": e.facts} for e in f.examples],
        } for f in report.findings],
        "rule_changes": report.rule_changes,
        "rule_changes_not_simulated": report.unsimulated,
    }
