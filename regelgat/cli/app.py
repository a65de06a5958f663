"""The `regelgat` command line. Each command's docstring is its help text.

Exit codes: 0 success or no change, 1 a finding (a failed case, a changed snapshot),
2 bad input (one line on stderr naming the file, the place and the fix; never a traceback),
3 a fault in regelgat itself (the engines disagree or misbehave). cli/errors.py writes the lines.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
from rich.console import Console

from regelgat.cli.errors import exit_code, message
from regelgat.cli.options import selection_options
from regelgat.io.errors import RegelgatError

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _date(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _rulesets_option(func):
    return click.option("--rulesets", "rulesets_dir", type=click.Path(path_type=Path), default=None,
                        help="Folder of ruleset YAML files (default: the bundled rulesets/).")(func)


def _assume_option(func):
    return click.option(
        "--assume", type=click.Choice(["practice"]), multiple=True,
        help="practice: apply reported practice that no rule confirms as rules (the pessimistic reading). "
             "By default it refuses no one and shows as a risk.")(func)


def _load(rulesets_dir: Path | None):
    from regelgat.check.single import default_rulesets_dir
    from regelgat.rules.ruleset import load_rulesets

    return load_rulesets(rulesets_dir or default_rulesets_dir())


class _Commands(click.Group):
    """Turns an error anywhere below into one line on stderr and its exit code (cli/errors.py), never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RegelgatError as exc:
            for line in message(exc).splitlines():  # several problems in one file: one line each
                click.echo(f"error: {line}", err=True)
            sys.exit(exit_code(exc))
        except OSError as exc:  # a path the operating system refuses (too long, read-only, full disk)
            from regelgat.io.paths import os_error

            click.echo(f"error: {os_error(exc)}", err=True)
            sys.exit(2)

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "regelgat"
            click.echo(f"error: {exc.format_message()} (see '{command} --help')", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)  # --help and --version come back as exit codes


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="regelgat")
def main() -> None:
    """regelgat: find the gaps between eligibility rules.

    Run client profiles through cited, dated rulesets of Dutch housing, income and shelter
    schemes, and see who qualifies for nothing, which clause shuts each door, and which
    referral loops trap people.
    """


@main.command()
@click.argument("profile", type=click.Path(path_type=Path))
@click.option("--date", type=DATE, default=None, help="Rules date, YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--full", is_flag=True, help="Every provision in a table, with ids and conditions (for rule authors).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of the text (default: from the locale, LANG=nl_NL.UTF-8 gives Dutch).")
@_assume_option
@_rulesets_option
@selection_options
def check(profile: Path, date, fmt: str, full: bool, lang: str | None, assume: tuple[str, ...],
          rulesets_dir: Path | None, provisions: tuple[str, ...], needs: tuple[str, ...]) -> None:
    """Check one client PROFILE (YAML or JSON) against every provision.

    By default the short story: per need covered or not, the questions to ask next, each shut
    door of the client's needs with the one clause that shut it and its source, referral loops,
    and effects on other households. --full: every provision in a table. --format json: the
    public JSON contract. --provisions/--needs: only those provisions (or the doors of those
    needs) and their prerequisites.
    """
    from regelgat.check.single import check_json, check_with_durable, load_profile
    from regelgat.rules.selection import parse_list

    client = load_profile(profile)  # the client's file first: its errors matter most to the user
    rulesets = _load(rulesets_dir)
    checked = check_with_durable(client, _date(date), rulesets, parse_list(provisions), parse_list(needs),
                                 practice="practice" in assume)
    console = Console(width=max(Console().width, 120))
    from regelgat.i18n import language_from_locale

    lang = lang or language_from_locale()
    if fmt == "json":  # the texts in it (questions, assumed defaults) in the reader's language
        click.echo(json.dumps(check_json(checked, lang), indent=2, ensure_ascii=False))
    else:
        from regelgat.rules.translations import load_texts
        from regelgat.web.full import render_full
        from regelgat.web.story import render_story

        (render_full if full else render_story)(checked, load_texts(rulesets, lang), lang, console)


@main.command()
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@click.option("--write-catalogs", is_flag=True,
              help="Create or update DIRECTORY/nl/<ruleset>.po with every text to translate (keeps translations).")
@click.option("--deep", is_flag=True, help="Also prove, with the z3 solver, which provisions no client can get, "
                                           "which criteria never decide and which exclusions are shadowed.")
@click.option("--date", type=DATE, default=None, help="Rules date for --deep, YYYY-MM-DD (default: today).")
def lint(directory: Path | None, write_catalogs: bool, deep: bool, date) -> None:
    """Check every ruleset in DIRECTORY: schema, conditions, sources, parameter dates, ids, and,
    when DIRECTORY has an nl/ folder, a Dutch text for every title, criterion, effect and flag.
    With --deep, also what the rules can never make a difference to (proven by the z3 solver)."""
    from regelgat.check.single import default_rulesets_dir
    from regelgat.rules.lint import lint_rulesets

    if write_catalogs:
        from regelgat.rules.translations import write_catalog

        for ruleset in _load(directory):
            click.echo(f"wrote {write_catalog(ruleset)}")
    problems, summary = lint_rulesets(directory or default_rulesets_dir())
    if deep and not problems:
        from regelgat.map.hygiene import deep_findings
        from regelgat.map.solver import SolverTimeout
        from regelgat.rules.compiled import compile_rules

        try:
            findings = deep_findings(compile_rules(_load(directory), _date(date)))
        except SolverTimeout:
            click.echo("error: the solver ran out of time; the deep lint is NOT complete", err=True)
            sys.exit(3)
        problems += findings
        summary += f"; deep: {len(findings)} finding(s)"
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(summary)
    if problems:
        sys.exit(1)


@main.command()
@click.argument("needs", nargs=-1, required=True, type=click.Choice(["housing", "income", "care", "debt_help"]))
@click.option("--where", default=None, help='Restrict the search, e.g. \'age >= 45 and income_source == "employment"\'.')
@click.option("--loop", is_flag=True, help="Also require a referral loop.")
@click.option("--date", type=DATE, default=None, help="Rules date, YYYY-MM-DD (default: today).")
@click.option("--from-map", "map_file", type=click.Path(path_type=Path), default=None,
              help="Start from the witnesses of a gap map (the JSON of `regelgat map`): milliseconds, not seconds.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of what it found and of its progress (default: from the locale).")
@_assume_option
@_rulesets_option
def search(needs: tuple[str, ...], where: str | None, loop: bool, date, map_file: Path | None, lang: str | None,
           assume: tuple[str, ...], rulesets_dir: Path | None) -> None:
    """Find the simplest profile for whom nothing covers NEEDS (the numpy engine screens, durable_rules confirms).

    Prints the profile as YAML, ready for `regelgat check`, with comments that say which doors shut
    and which loop it is caught in; progress goes to stderr. Exits 1 if none was found.
    """
    import yaml

    from regelgat.check.search import simplest_from_witnesses, simplest_gap_profile
    from regelgat.cli.search_story import found_comments, progress_printer
    from regelgat.client.profile import without_defaults
    from regelgat.i18n import N_, language_from_locale, translations
    from regelgat.rules.compiled import compile_rules
    from regelgat.rules.translations import load_texts

    lang = lang or language_from_locale()
    progress = progress_printer(lang)
    witnesses = _map_witnesses(map_file, loop) if map_file is not None else []
    rulesets = _load(rulesets_dir)
    compiled = compile_rules(rulesets, _date(date), practice="practice" in assume)
    found = simplest_from_witnesses(compiled, needs, witnesses, where, loop, progress) if witnesses else None
    if found is None:
        if map_file is not None:
            progress(N_("no witness of the map falls through here (map with the same --where); searching from "
                        "scratch"))
        found = simplest_gap_profile(compiled, needs, where, loop, progress=progress)
    if found is None:
        click.echo(translations(lang).gettext(N_("no profile found with gaps {needs}")).format(needs=", ".join(needs)),
                   err=True)
        sys.exit(1)
    comments = found_comments(found, compiled, needs, loop, load_texts(rulesets, lang), lang)
    click.echo("\n".join(comments))
    click.echo(yaml.safe_dump(without_defaults(found), sort_keys=False, allow_unicode=True).rstrip())


def _map_witnesses(path: Path, loop: bool) -> list[dict]:
    """The witness profiles of a gap map's JSON (its loop regions' with --loop), checked as profiles."""
    import json

    from regelgat.client.profile import Profile
    from regelgat.io.errors import InputError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), "", f"not a gap map's JSON ({exc})",
                         "write one with: regelgat map NEED --format json > map.json") from None
    part = "loops" if loop else "regions"
    regions = data.get(part) if isinstance(data, dict) else None
    if not isinstance(regions, list):
        raise InputError(str(path), part, f"no {part} list", "use the JSON of `regelgat map" + (" --loops`" if loop else "`"))
    witnesses = []
    for i, region in enumerate(regions):
        witness = region.get("witness") if isinstance(region, dict) else None
        if witness is None:
            continue  # a region of a map the solver could not finish has none
        try:
            Profile(**witness)
        except (TypeError, ValueError) as exc:
            raise InputError(str(path), f"{part}[{i}].witness", f"not a valid profile ({str(exc).splitlines()[0]})",
                             "use the JSON of `regelgat map`, unedited") from None
        witnesses.append(witness)
    return witnesses


@main.command()
@click.option("--markdown", "markdown_path", is_flag=False, flag_value="docs/rules.md", default=None,
              type=click.Path(path_type=Path),
              help="Write the catalogue as Markdown (default path docs/rules.md) for review by a lawyer.")
@_rulesets_option
def rules(markdown_path: Path | None, rulesets_dir: Path | None) -> None:
    """List the rulesets, their provisions and criteria, with counts of sources and flags."""
    from rich.table import Table

    from regelgat.io.atomic import write_atomic
    from regelgat.rules.catalogue import counts, markdown

    loaded = _load(rulesets_dir)
    if markdown_path:
        from regelgat.io.paths import output_file

        write_atomic(output_file(markdown_path, "--markdown"), markdown(loaded))
        click.echo(f"wrote {markdown_path}")
        return
    table = Table("ruleset", "provisions (covers)", "criteria", "sources", "flags", title="regelgat rules")
    all_counts = [counts(ruleset) for ruleset in loaded]
    for ruleset, c in zip(loaded, all_counts):
        provisions = "\n".join(f"{p.id} ({', '.join(p.covers) or '-'})" for p in ruleset.spec.provisions)
        table.add_row(f"{ruleset.id}\n[dim]{ruleset.spec.title}[/dim]", provisions, str(c.criteria),
                      str(c.sources), str(c.flags))
    table.add_section()
    table.add_row(f"{len(loaded)} rulesets", f"{sum(c.provisions for c in all_counts)} provisions",
                  str(sum(c.criteria for c in all_counts)), str(sum(c.sources for c in all_counts)),
                  str(sum(c.flags for c in all_counts)))
    Console().print(table)


@main.command()
@click.option("--markdown", is_flag=True, help="Print it as Markdown (docs/profile.md, docs/summary-format.md).")
@click.option("--summary", is_flag=True, help="The schema of a batch run's summary.json instead.")
@click.option("--reform", is_flag=True, help="The schema of a reform file (docs/reform-format.md) instead.")
def schema(markdown: bool, summary: bool, reform: bool) -> None:
    """Print the JSON Schema of a client profile (or, with --summary, of summary.json; --reform, of a reform file)."""
    if reform:
        from regelgat.reform.model import ReformFile

        click.echo(json.dumps(ReformFile.model_json_schema(), indent=2))
        return
    if summary:
        from regelgat.batch.summary_model import Summary, summary_markdown

        click.echo(summary_markdown() if markdown else json.dumps(Summary.model_json_schema(), indent=2))
        return
    from regelgat.client.profile import Profile, profile_markdown

    click.echo(profile_markdown() if markdown else json.dumps(Profile.model_json_schema(), indent=2))


@main.command()
def facts() -> None:
    """List the facts a rule condition may read, with their types."""
    from regelgat.client.facts import FACT_TYPES

    for name, fact in sorted(FACT_TYPES.items()):
        kind = f"one of {', '.join(fact.values)}" if fact.kind == "enum" else fact.kind
        optional = " (may be missing)" if fact.optional else ""
        click.echo(f"{name}: {kind}{optional}. {fact.description}".rstrip(". ") + ".")


