"""report.md of a batch run, from its summary: the same findings as report.html, as Markdown."""

from __future__ import annotations

from regelgat.batch import weeks_report, wording
from regelgat.batch.plain_summary import plain_summary
from regelgat.batch.report_sensitivity import sensitivity_markdown
from regelgat.batch.route_report import harmful_line, routes_markdown
from regelgat.batch.summary_model import Summary
from regelgat.batch.highlights import (ALSO_SHUT, CRITERIA_BASE, MEANT_ONLY, NOT_MEANT_TEXT, SHORTFALL_HEAD, SHORTFALL_TEXT,
                                       SHORTFALL_TITLE, TOP, closed, filters, headline, loop_text, needs_in,
                                       not_meant_for, open_doors, per_group_top, profile_yaml, shortfall_rows)
from regelgat.batch.wording import ENGLISH, Words


def render_markdown(summary: Summary, w: Words = ENGLISH) -> str:
    """report.md: the run's findings as Markdown, ready to paste into a letter or an issue."""
    scenario = summary.scenario
    needs = needs_in(summary)
    out = [f"# {w.rule(scenario.title)}", "", plain_summary(summary, w), ""]
    if scenario.description:
        out += [w.rule(scenario.description), ""]
    out += [w("{profiles} simulated profiles (seed {seed}), rules in force on {date}, run by regelgat through "
              "{rulesets} rulesets.").format(profiles=w.num(summary.profiles), seed=scenario.seed,
                                             date=scenario.date, rulesets=len(summary.rulesets)), ""]
    out += ["## " + w("In short"), ""] + [f"- {line}" for line in headline(summary, w) + harmful_line(summary, w)] + [""]
    out += _md_groups(summary, needs, w)
    out += _md_shortfall(summary, w)
    out += _md_criteria(summary, w)
    out += ["", "## " + w("Provisions that shut most doors"), "",
            w("Refused (ineligible or blocked) while the client needs what the provision covers.")
            + " " + w(MEANT_ONLY) + " " + w("Share of all {profiles} profiles.").format(
                profiles=w.num(summary.profiles)), "",
            _md_row([w("share"), w("provision"), w("covers")]), "|---|---|---|"]
    for p in open_doors(summary)[:15]:
        out.append(f"| {w.pct(p.shut_in_scope_share)} | {_md_escape(w.rule(p.title))} | "
                   f"{', '.join(w.name(c) for c in p.covers)} |")
    out += ["", "## " + w("Referral loops"), ""]
    if summary.loops:
        for loop in summary.loops:
            out.append(f"- {w.pct(loop.share)} ({w.num(loop.count)}): " + loop_text(loop, w))
    else:
        out.append(w("No referral loop was found."))
    out += routes_markdown(summary, w)
    out += _md_patterns(summary, w)
    out += sensitivity_markdown(summary, w)
    out += weeks_report.markdown(summary, w)
    out += _md_method(summary, w)
    return "\n".join(out)


def _md_method(summary: Summary, w: Words) -> list[str]:
    """How the figures were made: seed, engine, cross-check, rulesets."""
    scenario = summary.scenario
    check = summary.check
    checked = check.cross_checked_with_durable_rules
    return ["## " + w("Method"), "",
            "- " + w("Profiles generated from `{scenario}` with numpy (seed {seed}); the same seed gives the same "
                     "profiles and results.").format(scenario=scenario.id, seed=scenario.seed),
            "- " + w("Engine: {engine}.").format(engine=check.engine)
            + (" " + w("{count} sampled profiles were re-decided one by one by durable_rules with no difference.")
               .format(count=w.num(checked)) if checked else ""),
            "- " + w("Rulesets:") + " " + "; ".join(f"{w.rule(r.title)} ({r.agency})" for r in summary.rulesets),
            ""]


def _md_shortfall(summary: Summary, w: Words) -> list[str]:
    """How far below the social minimum, one table per group."""
    tables = shortfall_rows(summary, w)
    if not tables:
        return []
    out = ["## " + w(SHORTFALL_TITLE), "", w(SHORTFALL_TEXT), ""]
    for name, rows in tables:
        out += ["| " + " | ".join([w.name(name), *(w(h) for h in SHORTFALL_HEAD)]) + " |", "|" + "---|" * 5]
        out += ["| " + " | ".join([label, *cells]) + " |" for label, cells in rows] + [""]
    return out


def _md_groups(summary: Summary, needs: list[str], w: Words) -> list[str]:
    """Gap rates, one table per group; each share is of the group's profiles."""
    out: list[str] = []
    out += ["## " + w("Gap rates by group"), "",
            w("Each share is of the profiles in that row (the count is in the column 'profiles')."), ""]
    for group in summary.groups:
        if group.name == "all":
            continue
        out += ["### " + w("By {group}").format(group=w.name(group.name)), "",
                "| " + " | ".join([w.name(group.name), w("profiles"), w("any gap"),
                                   *(w("{need} gap").format(need=w.name(n)) for n in needs), w("nothing")]) + " |",
                "|" + "---|" * (4 + len(needs))]
        for label in group.labels:
            entry = summary.by_group[group.name][label]
            if entry.profiles:
                out.append("| " + " | ".join([w.label(label), w.num(entry.profiles), w.pct(entry.any_gap_share),
                                              *(w.pct(entry.gap_share(n)) for n in needs),
                                              w.pct(entry.nothing_share)]) + " |")
        out.append("")
    return out


def _md_criteria(summary: Summary, w: Words) -> list[str]:
    """The criteria that refuse most often, overall and per group, and those closed to all."""
    out: list[str] = []
    out += ["## " + w("Criteria that refuse most often"), "",
            w(CRITERIA_BASE).format(profiles=w.num(summary.profiles)), "",
            _md_row([w("share"), w("of those it is meant for"), w("provision"), w("criterion"), w("kind"),
                     w("source")]), "|---|---|---|---|---|---|"]
    for c in filters(summary)[:15]:
        meant = w("{share} of {base}").format(share=w.pct(c.share_of_in_scope), base=w.num(c.in_scope))
        out.append(f"| {w.pct(c.share_in_scope)} | {meant} | {_md_escape(w.rule(c.provision_title))} | "
                   f"{_md_escape(w.rule(c.text))} | {w.name(c.kind)} | [{_md_escape(w.rule(c.source.title))}]({c.source.url}) |")
    if not_meant_for(summary):
        out += ["", w(NOT_MEANT_TEXT), ""]
        out += [f"- {_md_escape(w.rule(c.provision_title))}: {_md_escape(w.rule(c.text))} ("
                + w("left out {count} of the {base} who need what it covers").format(
                    count=w.num(c.count), base=w.num(c.relevant)) + f", {w.pct(c.share_of_relevant)})"
                for c in not_meant_for(summary)]
    if closed(summary):
        out += ["", w("Closed to (nearly) everyone in this population whom the provision could help:"), ""]
        out += [f"- {_md_escape(w.rule(c.provision_title))}: {_md_escape(w.rule(c.text))} "
                f"([{_md_escape(w.rule(c.source.title))}]({c.source.url}))" for c in closed(summary)]
    for group in summary.groups[1:]:
        out += ["", "### " + w("Most refusing criteria by {group}").format(group=w.name(group.name)), "",
                _md_row([w.name(group.name), w("criterion (share of the group)")]), "|---|---|"]
        for label, size, top in per_group_top(summary, group):
            cells = "; ".join(f"{_md_escape(w.rule(c.provision_title))}: {_md_escape(w.rule(c.text))} "
                              f"({w.pct(n / size)})" for c, n in top)
            out.append(f"| {w.label(label)} | {cells} |")
    return out


def _md_patterns(summary: Summary, w: Words) -> list[str]:
    """Gap patterns with their refusals and most typical and simplest profile."""
    out: list[str] = []
    out += ["", "## " + w("Gap patterns"), "",
            w("A pattern is the needs left uncovered together with the first criterion that refused each "
              "provision covering them (and each provision those wait for)."),
            w("Share of all {profiles} profiles.").format(profiles=w.num(summary.profiles)), ""]
    titles = wording.provision_titles(summary)
    for rank, pattern in enumerate(summary.patterns[:TOP], 1):
        gaps = ", ".join(w.name(g) for g in pattern.gaps)
        out += [f"### {rank}. {w.pct(pattern.share)} ({w.num(pattern.count)}): "
                + w("{needs} gap").format(needs=gaps), ""]
        for refusal in [r for r in pattern.refusals if not r.closed_to_all]:
            reasons = "; ".join(wording.refusal(d, titles, w) + f" ([{w.rule(d.source.title)}]({d.source.url}))"
                                for d in refusal.deciding)
            out.append(f"- **{w.rule(refusal.title)}**: {reasons}")
        shut = [w.rule(r.title) for r in pattern.refusals if r.closed_to_all]
        if shut:
            out.append("- " + w(ALSO_SHUT).format(titles="; ".join(shut)))
        for kind in ("typical", "simplest"):
            if getattr(pattern, kind) is not None:
                out += ["", w("Most typical profile:") if kind == "typical" else w("Simplest profile:"), "",
                        "```yaml", profile_yaml(getattr(pattern, kind)), "```"]
        out.append("")
    return out


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
