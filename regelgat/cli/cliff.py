"""`regelgat cliff`: the household's disposable income as the client's earnings rise."""

from __future__ import annotations

import json
from pathlib import Path

import click

from regelgat.io.errors import InputError

DATE = click.DateTime(formats=["%Y-%m-%d"])
OUTPUTS = (".svg", ".html", ".png")


@click.command("cliff")
@click.argument("profile", type=click.Path(path_type=Path))
@click.option("--from", "start", type=float, default=0, show_default=True, help="Lowest net monthly earnings, euros.")
@click.option("--to", "stop", type=float, default=3000, show_default=True, help="Highest net monthly earnings, euros.")
@click.option("--step", type=float, default=25, show_default=True, help="Euros between two steps.")
@click.option("--date", type=DATE, default=None, help="Rules date, YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of the text, chart and page (default: from the locale).")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Also write the chart to FILE.svg or FILE.png, or the page to FILE.html.")
@click.option("--rulesets", "rulesets_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of ruleset YAML files (default: the bundled rulesets/).")
def cliff_command(profile: Path, start: float, stop: float, step: float, date, fmt: str, lang: str | None,
                  output: Path | None, rulesets_dir: Path | None) -> None:
    """Vary the net monthly earnings of the client in PROFILE and show the household's disposable
    income and marginal effective rate at each step.

    Everything else stays as the profile has it. Ranges where the rate is 100% or more (the
    armoedeval) are marked, and every provision that ends is named with the clause that ends it.
    --format json: the public JSON contract (docs/cliff.md).
    """
    import datetime as dt

    from rich.console import Console

    from regelgat.check.cliff import cliff, earnings_steps, to_json
    from regelgat.check.single import default_rulesets_dir, load_profile
    from regelgat.engines.durable import DurableEngine
    from regelgat.io.atomic import write_atomic
    from regelgat.io.paths import output_file
    from regelgat.rules.compiled import compile_rules
    from regelgat.rules.ruleset import load_rulesets
    from regelgat.rules.translations import load_texts
    from regelgat.web import cliff as render
    from regelgat.i18n import language_from_locale

    earnings_steps(start, stop, step)  # a bad range is refused before any file is read
    if output is not None:
        if output.suffix.lower() not in OUTPUTS:
            raise InputError(str(output), "--output", f"{output.suffix or 'no extension'} is not a chart or page",
                             "end the name in .svg, .png or .html")
        output_file(output, "--output")
    client = load_profile(profile)
    rulesets = load_rulesets(rulesets_dir or default_rulesets_dir())
    compiled = compile_rules(rulesets, date.date() if date else dt.date.today())
    lang = lang or language_from_locale()
    texts = load_texts(rulesets, lang)
    with DurableEngine(compiled) as engine:
        result = cliff(client, compiled, start, stop, step, engine)
    if output is not None:
        suffix = output.suffix.lower()
        if suffix == ".png":
            from regelgat.web.cliff_png import png

            write_atomic(output, png(result, texts, lang))
        else:
            write_atomic(output, render.svg(result, texts, lang) if suffix == ".svg"
                         else render.html(result, texts, lang))
    if fmt == "json":
        click.echo(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    elif fmt == "html":
        click.echo(render.html(result, texts, lang), nl=False)
    else:
        render.render_text(result, texts, lang, Console(width=max(Console().width, 100)))
