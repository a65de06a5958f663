"""`regelgat timeline`: one client through time, week by week."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("timeline")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--date-rules", type=click.Choice(["as-of", "each-week"]), default="each-week", show_default=True,
              help="each-week: every week uses the rules in force that week; as-of: the rules of the start date.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of what a person reads (default: from the locale, LANG=nl_NL.UTF-8 gives Dutch).")
@click.option("--rulesets", "rulesets_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of rulesets (default: the bundled ones).")
def timeline_command(file: Path, fmt: str, date_rules: str, lang: str | None, rulesets_dir: Path | None) -> None:
    """Simulate the timeline FILE week by week: each need covered, waiting or uncovered.

    Shows a band per need and per provision, the bijstand missed for good, and every stretch
    without cover with the clauses that make it (see docs/timeline-format.md). JSON keys and codes
    are the same in both languages; causes, back-pay and flags are in the chosen one.
    """
    from regelgat.check.single import default_rulesets_dir
    from regelgat.i18n import language_from_locale
    from regelgat.rules.translations import load_texts
    from regelgat.timeline.phrases import Wording
    from regelgat.rules.ruleset import load_rulesets
    from regelgat.timeline.render import to_html, to_json_text, to_text
    from regelgat.timeline.simulate import simulate
    from regelgat.timeline.spec import load_timeline

    rulesets = rulesets_dir or default_rulesets_dir()
    loaded = load_rulesets(rulesets)
    known = {f"{r.id}/{p.id}" for r in loaded for p in r.spec.provisions}
    timeline = load_timeline(file, known)
    sim = simulate(timeline, rulesets, date_rules)
    lang = lang or language_from_locale()
    wording = Wording(lang, load_texts(loaded, lang))
    click.echo({"json": to_json_text, "html": to_html, "text": to_text}[fmt](sim, wording), nl=False)

