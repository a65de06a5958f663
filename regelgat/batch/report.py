"""Reports of a batch run, from its summary: the terminal summary, and report.md and report.html
(report_markdown.py, report_html.py) written beside summary.json.
"""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from regelgat.batch import wording
from regelgat.batch.highlights import TOP, closed, filters, headline, loop_text, needs_in, open_doors, pct
from regelgat.batch.report_html import render_html
from regelgat.batch.report_markdown import render_markdown
from regelgat.batch.summary_model import Summary
from regelgat.io.atomic import write_atomic


def render_terminal(summary: Summary, console: Console, out_dir: str | None = None) -> None:
    """What `regelgat run` prints when it is done: headline, gap tables, patterns, criteria, doors, loops."""
    scenario = summary.scenario
    console.print(f"[bold]regelgat run[/bold]  {scenario.title}  ({summary.profiles:,} profiles, "
                  f"seed {scenario.seed}, rules date {scenario.date})")
    for line in headline(summary):
        console.print(f"  {line}", markup=False)
    needs = needs_in(summary)
    _terminal_groups(summary, console, needs)
    table = Table(title="Top gap patterns (the first refusal of each door)", box=box.SIMPLE, title_justify="left")
    table.add_column("share", justify="right")
    table.add_column("count", justify="right")
    table.add_column("pattern")
    for pattern in summary.patterns[:TOP]:
        table.add_row(pct(pattern.share), f"{pattern.count:,}", pattern.label)
    console.print(table)
    table = Table(title="Criteria that refuse most often", box=box.SIMPLE, title_justify="left")
    table.add_column("share", justify="right")
    table.add_column("provision / criterion")
    table.add_column("source")
    for criterion in filters(summary)[:TOP]:
        text = criterion.text if len(criterion.text) < 90 else criterion.text[:88] + "…"
        table.add_row(pct(criterion.share), f"{criterion.provision} / {criterion.criterion}\n"
                      f"[dim]{escape(text)}[/dim]", escape(criterion.source.title))
    console.print(table)
    if closed(summary):
        console.print("Closed to (nearly) everyone here: " + "; ".join(
            f"{c.provision_title}: {c.criterion}" for c in closed(summary)), markup=False)
    table = Table(title="Provisions that shut most doors (refused while the client needs what it covers)",
                  box=box.SIMPLE, title_justify="left")
    table.add_column("share", justify="right")
    table.add_column("provision")
    table.add_column("covers")
    for provision in open_doors(summary)[:TOP]:
        table.add_row(pct(provision.shut_share), provision.title, ", ".join(provision.covers))
    console.print(table)
    if summary.loops:
        for loop in summary.loops[:TOP]:
            console.print(f"  loop ({pct(loop.share)}): {loop_text(loop)}", markup=False)
    check = summary.check
    if check.cross_checked_with_durable_rules:
        console.print(f"[green]cross-check:[/green] {check.cross_checked_with_durable_rules:,} sampled profiles "
                      "re-decided by durable_rules, 0 differences")
    if out_dir:
        console.print(f"reports: {out_dir}/report.html, {out_dir}/report.md, {out_dir}/summary.json")


def write_reports(summary: Summary, out_dir) -> None:
    """Write report.md and report.html beside summary.json, each atomically."""
    out = Path(out_dir)
    write_atomic(out / "report.md", render_markdown(summary) + "\n")
    write_atomic(out / "report.html", render_html(summary))


def load_summary(path) -> Summary:
    """A run's summary.json read back as the model, for reports made again from it."""
    return Summary.model_validate_json(Path(path).read_text(encoding="utf-8"))


def _terminal_groups(summary: Summary, console: Console, needs: list[str]) -> None:
    """One table of gap rates per group."""
    for group in summary.groups:
        if group.name == "all":
            continue
        table = Table(title=f"Gaps by {wording.words(group.name)}", box=box.SIMPLE, title_justify="left")
        table.add_column(wording.words(group.name))
        table.add_column("profiles", justify="right")
        table.add_column("any gap", justify="right")
        for need in needs:
            table.add_column(f"{need} gap", justify="right")
        table.add_column("nothing", justify="right")
        for label in group.labels:
            entry = summary.by_group[group.name][label]
            if not entry.profiles:
                continue
            table.add_row(label, f"{entry.profiles:,}", pct(entry.any_gap_share),
                          *(pct(entry.gap_share(need)) for need in needs), pct(entry.nothing_share))
        console.print(table)
