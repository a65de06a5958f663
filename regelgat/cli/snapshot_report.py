"""What `regelgat snapshot --check` prints: the outcomes that moved, and the commands that accept an
intended change (re-record, commit) or trace it (`regelgat diff --base HEAD`). Command lines are
CLI wording, so they are written here, not in guard/snapshot.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regelgat.guard import snapshot as snap
from regelgat.guard.diff_report import finding_lines


def accept_command(result: snap.CheckResult) -> str:
    """The command that re-records this snapshot, when the change is intended."""
    command = f"regelgat snapshot --update --file {result.file}"
    recorded = Path(result.data["rulesets"])
    if result.settings.rulesets.resolve() != snap.find_recorded(str(recorded), result.file).resolve():
        command += f" --rulesets {result.settings.rulesets}"
    return command


def to_text(result: snap.CheckResult) -> str:
    """The check for a terminal, with how to accept an intended change."""
    data = result.data
    head = (f"snapshot {result.file}: {data['population']}, {result.profiles:,} profiles, rules date {data['date']}, "
            f"rulesets {result.settings.rulesets}")
    if not result.changed:
        lines = [f"{head}\n  no outcome changed."]
        if result.ruleset_files:
            lines.append(f"  (ruleset files differ from the recording: {', '.join(result.ruleset_files)}; "
                         f"no recorded outcome moved. Re-record to refresh the hashes: {accept_command(result)})")
        return "\n".join(lines)
    lines = [head, f"  OUTCOMES CHANGED: {result.affected:,} of {result.profiles:,} profiles."]
    for note in result.population_changes:
        lines.append(f"  population: {note}")
    if result.ruleset_files:
        lines.append(f"  ruleset files changed since the recording: {', '.join(result.ruleset_files)}")
    for finding in result.findings:
        lines += finding_lines(finding, indent="  ")
    if result.rule_changes:
        lines += ["", "  What changed in the rules on the snapshot date:"]
        lines += [f"    {c}" for c in result.rule_changes]
    lines += ["", "  If this change is intended, accept it by re-recording the snapshot and committing it:",
              f"    {accept_command(result)}",
              f"    git add {result.file}",
              "  For each change traced to the ruleset edit, with sources: "
              f"regelgat diff --base HEAD --date {data['date']} {data['population']}"]
    return "\n".join(lines)


def to_json(result: snap.CheckResult) -> dict[str, Any]:
    """The check as data, for scripts and CI."""
    return {
        "file": str(result.file), "population": result.data["population"], "date": result.data["date"],
        "rulesets": str(result.settings.rulesets), "profiles": result.profiles, "changed": result.changed,
        "affected": result.affected, "population_changes": result.population_changes,
        "ruleset_files": result.ruleset_files, "rule_changes": result.rule_changes,
        "findings": [{"kind": f.kind, "subject": f.subject, "change": f.change, "count": f.count,
                      "causes": list(f.causes), "groups": {d: dict(c) for d, c in f.groups.items()},
                      "examples": [e.profile for e in f.examples]} for f in result.findings],
        "accept": accept_command(result),
    }
