"""Reports of a batch run, from its summary: the terminal summary, and report.md and report.html
(report_markdown.py, report_html.py) written beside summary.json.
"""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from regelgat.batch import weeks_report
from regelgat.batch.highlights import TOP, closed, filters, headline, loop_text, needs_in, open_doors
from regelgat.batch.plain_summary import plain_summary
from regelgat.batch.report_html import render_html
from regelgat.batch.report_markdown import render_markdown
from regelgat.batch.report_sensitivity import sensitivity_lines
from regelgat.batch.report_tables import write_tables
from regelgat.batch.summary_model import Summary
from regelgat.batch.wording import ENGLISH, Words
from regelgat.io.atomic import write_atomic


def render_terminal(summary: Summary, console: Console, out_dir: str | None = None, w: Words = ENGLISH) -> None:
    """What `regelgat run` prints when it is done: headline, gap tables, patterns, criteria, doors, loops."""
    scenario = summary.scenario
    console.print(f"[bold]regelgat run[/bold]  {escape(w.rule(scenario.title))}  ("
                  + escape(w("{profiles} profiles, seed {seed}, rules date {date}").format(
                      profiles=w.num(summary.profiles), seed=scenario.seed, date=scenario.date)) + ")")
    console.print(plain_summary(summary, w), markup=False)
    for line in headline(summary, w):
        console.print(f"  {line}", markup=False)
    needs = needs_in(summary)
    _terminal_groups(summary, console, needs, w)
    table = Table(title=w("Top gap patterns (the first refusal of each door)"), box=box.SIMPLE, title_justify="left")
    table.add_column(w("share"), justify="right")
    table.add_column(w("count"), justify="right")
    table.add_column(w("pattern"))
    for pattern in summary.patterns[:TOP]:
        gaps = w("{needs} gap").format(needs=", ".join(w.name(g) for g in pattern.gaps))
        shut = "; ".join(w.rule(r.title) for r in pattern.refusals if not r.closed_to_all)
        table.add_row(w.pct(pattern.share), w.num(pattern.count), f"{gaps}: {shut}")
    console.print(table)
    table = Table(title=w("Criteria that refuse most often"), box=box.SIMPLE, title_justify="left")
    table.add_column(w("share"), justify="right")
    table.add_column(w("provision / criterion"))
    table.add_column(w("source"))
    for criterion in filters(summary)[:TOP]:
        text = w.rule(criterion.text)
        text = text if len(text) < 90 else text[:88] + "…"
        table.add_row(w.pct(criterion.share_in_scope), f"{escape(w.rule(criterion.provision_title))}\n"
                      f"[dim]{escape(text)}[/dim]", escape(w.rule(criterion.source.title)))
    console.print(table)
    if closed(summary):
        console.print(w("Closed to (nearly) everyone here:") + " " + "; ".join(
            f"{w.rule(c.provision_title)}: {w.rule(c.text)}" for c in closed(summary)), markup=False)
    table = Table(title=w("Provisions that shut most doors (refused while the client needs what it covers)"),
                  box=box.SIMPLE, title_justify="left")
    table.add_column(w("share"), justify="right")
    table.add_column(w("provision"))
    table.add_column(w("covers"))
    for provision in open_doors(summary)[:TOP]:
        table.add_row(w.pct(provision.shut_in_scope_share), w.rule(provision.title), ", ".join(w.name(c) for c in provision.covers))
    console.print(table)
    for loop in summary.loops[:TOP]:
        console.print("  " + w("loop ({share}): {loop}").format(share=w.pct(loop.share), loop=loop_text(loop, w)),
                      markup=False)
    for line in weeks_report.terminal_lines(summary, w):
        console.print(line, markup=False)
    check = summary.check
    if check.cross_checked_with_durable_rules:
        console.print("[green]cross-check:[/green] " + escape(w(
            "{count} sampled profiles re-decided by durable_rules, 0 differences").format(
            count=w.num(check.cross_checked_with_durable_rules))))
    for line in sensitivity_lines(summary, w):
        console.print("  " + w("robustness:") + " " + line, markup=False)
    if out_dir:
        console.print(w("reports:") + f" {out_dir}/report.html, {out_dir}/report.md, {out_dir}/tables/*.csv, {out_dir}/summary.json",
                      markup=False)


def write_reports(summary: Summary, out_dir, w: Words = ENGLISH) -> None:
    """Write report.md, report.html and every table as CSV (tables/) beside summary.json, each atomically."""
    out = Path(out_dir)
    write_atomic(out / "report.md", render_markdown(summary, w) + "\n")
    write_atomic(out / "report.html", render_html(summary, w))
    write_tables(summary, out, w)


def load_summary(path) -> Summary:
    """A run's summary.json read back as the model, for reports made again from it."""
    return Summary.model_validate_json(Path(path).read_text(encoding="utf-8"))


def _terminal_groups(summary: Summary, console: Console, needs: list[str], w: Words) -> None:
    """One table of gap rates per group; each share is of the row's profiles."""
    for group in summary.groups:
        if group.name == "all":
            continue
        table = Table(title=w("Gaps by {group}").format(group=w.name(group.name)), box=box.SIMPLE,
                      title_justify="left")
        table.add_column(w.name(group.name))
        table.add_column(w("profiles"), justify="right")
        table.add_column(w("any gap"), justify="right")
        for need in needs:
            table.add_column(w("{need} gap").format(need=w.name(need)), justify="right")
        table.add_column(w("nothing"), justify="right")
        for label in group.labels:
            entry = summary.by_group[group.name][label]
            if not entry.profiles:
                continue
            table.add_row(w.label(label), w.num(entry.profiles), w.pct(entry.any_gap_share),
                          *(w.pct(entry.gap_share(need)) for need in needs), w.pct(entry.nothing_share))
        console.print(table)
