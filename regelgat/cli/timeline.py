"""`regelgat timeline`: one client through time, week by week."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("timeline")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--date-rules", type=click.Choice(["as-of", "each-week"]), default="each-week", show_default=True,
              help="each-week: every week uses the rules in force that week; as-of: the rules of the start date.")
@click.option("--rulesets", "rulesets_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of rulesets (default: the bundled ones).")
def timeline_command(file: Path, fmt: str, date_rules: str, rulesets_dir: Path | None) -> None:
    """Simulate the timeline FILE week by week: each need covered, waiting or uncovered.

    Shows a band per need and per provision, the bijstand missed for good, and every stretch
    without cover with the clauses that make it (see docs/timeline-format.md).
    """
    from regelgat.check.single import default_rulesets_dir
    from regelgat.rules.ruleset import load_rulesets
    from regelgat.timeline.render import to_html, to_json_text, to_text
    from regelgat.timeline.simulate import simulate
    from regelgat.timeline.spec import load_timeline

    rulesets = rulesets_dir or default_rulesets_dir()
    known = {f"{r.id}/{p.id}" for r in load_rulesets(rulesets) for p in r.spec.provisions}
    timeline = load_timeline(file, known)
    sim = simulate(timeline, rulesets, date_rules)
    click.echo({"json": to_json_text, "html": to_html, "text": to_text}[fmt](sim), nl=False)

