"""report.md of a batch run, from its summary: the same findings as report.html, as Markdown."""

from __future__ import annotations

from regelgat.batch import wording
from regelgat.batch.summary_model import Summary
from regelgat.batch.highlights import (TOP, closed, filters, headline, loop_text, needs_in, open_doors, pct,
                                       per_group_top, profile_yaml)


def render_markdown(summary: Summary) -> str:
    """report.md: the run's findings as Markdown, ready to paste into a letter or an issue."""
    scenario = summary.scenario
    needs = needs_in(summary)
    out = [f"# {scenario.title}", ""]
    if scenario.description:
        out += [scenario.description, ""]
    out += [f"{summary.profiles:,} simulated profiles (seed {scenario.seed}), rules in force on "
            f"{scenario.date}, run by regelgat through {len(summary.rulesets)} rulesets.", ""]
    out += ["## In short", ""] + [f"- {line}" for line in headline(summary)] + [""]
    out += _md_groups(summary, needs)
    out += _md_criteria(summary)
    out += ["", "## Provisions that shut most doors", "",
            "Refused (ineligible or blocked) while the client needs what the provision covers.", "",
            "| share | provision | covers |", "|---|---|---|"]
    for p in open_doors(summary)[:15]:
        out.append(f"| {pct(p.shut_share)} | {_md_escape(p.title)} | {', '.join(p.covers)} |")
    out += ["", "## Referral loops", ""]
    if summary.loops:
        for loop in summary.loops:
            out.append(f"- {pct(loop.share)} ({loop.count:,}): " + loop_text(loop))
    else:
        out.append("None found.")
    out += _md_patterns(summary)
    check = summary.check
    out += ["## Method", "",
            f"- Profiles generated from `{scenario.id}` with numpy (seed {scenario.seed}); the same seed gives "
            "the same profiles and results.",
            f"- Engine: {check.engine}. "
            + (f"{check.cross_checked_with_durable_rules:,} sampled profiles were re-decided one by one by "
               "durable_rules with no difference." if check.cross_checked_with_durable_rules else ""),
            "- Rulesets: " + "; ".join(f"{r.title} ({r.agency})" for r in summary.rulesets), ""]
    return "\n".join(out)


def _md_groups(summary: Summary, needs: list[str]) -> list[str]:
    """Gap rates, one table per group."""
    out: list[str] = []
    out += ["## Gap rates by group", ""]
    for group in summary.groups:
        if group.name == "all":
            continue
        out += [f"### By {wording.words(group.name)}", "",
                "| " + " | ".join([wording.words(group.name), "profiles", "any gap",
                                   *(f"{wording.words(n)} gap" for n in needs), "nothing"]) + " |",
                "|" + "---|" * (4 + len(needs))]
        for label in group.labels:
            entry = summary.by_group[group.name][label]
            if entry.profiles:
                out.append("| " + " | ".join([label, f"{entry.profiles:,}", pct(entry.any_gap_share),
                                              *(pct(entry.gap_share(n)) for n in needs),
                                              pct(entry.nothing_share)]) + " |")
        out.append("")
    return out


def _md_criteria(summary: Summary) -> list[str]:
    """The criteria that refuse most often, overall and per group, and those closed to all."""
    out: list[str] = []
    out += ["## Criteria that refuse most often", "",
            "| share | provision | criterion | kind | source |", "|---|---|---|---|---|"]
    for c in filters(summary)[:15]:
        out.append(f"| {pct(c.share)} | {_md_escape(c.provision_title)} | {_md_escape(c.text)} | "
                   f"{c.kind} | [{_md_escape(c.source.title)}]({c.source.url}) |")
    if closed(summary):
        out += ["", "Closed to (nearly) everyone in this population whom the provision could help:", ""]
        out += [f"- {_md_escape(c.provision_title)}: {_md_escape(c.text)} "
                f"([{_md_escape(c.source.title)}]({c.source.url}))" for c in closed(summary)]
    for group in summary.groups[1:]:
        out += ["", f"### Most refusing criteria by {wording.words(group.name)}", "",
                f"| {wording.words(group.name)} | criterion (share of the group) |", "|---|---|"]
        for label, size, top in per_group_top(summary, group):
            cells = "; ".join(f"{_md_escape(c.provision_title)}: {_md_escape(c.criterion)} ({pct(n / size)})"
                              for c, n in top)
            out.append(f"| {label} | {cells} |")
    return out


def _md_patterns(summary: Summary) -> list[str]:
    """Gap patterns with their refusals and most typical and simplest profile."""
    out: list[str] = []
    out += ["", "## Gap patterns", "",
            "A pattern is the needs left uncovered together with the first criterion that refused each "
            "provision covering them (and each provision those wait for).", ""]
    titles = wording.provision_titles(summary)
    for rank, pattern in enumerate(summary.patterns[:TOP], 1):
        gaps = ", ".join(wording.words(g) for g in pattern.gaps)
        out += [f"### {rank}. {pattern.share * 100:.1f}% ({pattern.count:,}): {gaps} gap", ""]
        for refusal in [r for r in pattern.refusals if not r.closed_to_all]:
            reasons = "; ".join(wording.refusal(d, titles) + f" ([{d.source.title}]({d.source.url}))"
                                for d in refusal.deciding)
            out.append(f"- **{refusal.title}**: {reasons}")
        shut = [r.title for r in pattern.refusals if r.closed_to_all]
        if shut:
            out.append(f"- Also closed, as to nearly everyone here: {'; '.join(shut)}")
        for kind in ("typical", "simplest"):
            if getattr(pattern, kind) is not None:
                out += ["", f"Most {kind} profile:" if kind == "typical" else "Simplest profile:", "",
                        "```yaml", profile_yaml(getattr(pattern, kind)), "```"]
        out.append("")
    return out


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
