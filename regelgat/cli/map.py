"""`regelgat map`: every region of client situations that no provision covers, proven complete."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from regelgat.cli.app import DATE, _assume_option, _date, _load, _rulesets_option

SOLVER_TIMEOUT_EXIT = 3


@click.command("map")
@click.argument("need", type=click.Choice(["housing", "income", "care", "debt_help"]))
@click.option("--date", type=DATE, default=None, help="Rules date, YYYY-MM-DD (default: today).")
@click.option("--where", default=None, help='Only the gaps of clients who meet a condition, e.g. \'age >= 45\'.')
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True)
@click.option("--loops", is_flag=True, help="Also list the regions where a referral loop traps the client.")
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=1), default=120, show_default=True,
              help="Seconds the solver may take in all.")
@click.option("--scenario", "scenario_file", type=click.Path(path_type=Path), default=None,
              help="Also count each region's members in this scenario's population (a scenario YAML).")
@click.option("--size", type=int, default=None, help="With --scenario: number of profiles (default: the scenario's).")
@click.option("--from", "date_from", type=DATE, default=None,
              help="With --to: the regions that opened and closed between two rules dates, and why.")
@click.option("--to", "date_to", type=DATE, default=None, help="With --from: the later rules date.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of text, Markdown and HTML (default: from the locale; JSON stays English).")
@_assume_option
@_rulesets_option
def map_command(need: str, date, where: str | None, fmt: str, loops: bool, timeout_s: float,
                scenario_file: Path | None, size: int | None, date_from, date_to, lang: str | None,
                assume: tuple[str, ...], rulesets_dir: Path | None) -> None:
    """Map every situation in which nothing covers NEED, as a few readable regions.

    Each region lists its conditions, the clauses that shut each door in it, and its simplest
    member as a profile for `regelgat check`. The solver (z3) proves the map complete; if it runs
    out of time the map says so and the exit code is 3. Text, Markdown and HTML come in Dutch or
    English (--lang); the JSON contract is English.
    """
    from regelgat.map import report
    from regelgat.map.regions import gap_map, parse_where
    from regelgat.rules.compiled import compile_rules

    parse_where(where)  # bad input first, before any work
    if date_from or date_to:
        _change(need, date_from, date_to, where, fmt, timeout_s, rulesets_dir,
                {"--date": date, "--loops": loops, "--scenario": scenario_file}, lang)
        return
    scenario = None
    if scenario_file is not None:
        from regelgat.population.scenario import load_scenario

        scenario = load_scenario(scenario_file).with_overrides(size=size)
    compiled = compile_rules(_load(rulesets_dir), _date(date), practice="practice" in assume)
    result = gap_map(compiled, need, where, timeout_s, loops)
    if scenario is not None:
        from regelgat.map.shares import region_shares

        result.population = region_shares(compiled, result, scenario)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(result), indent=2, ensure_ascii=False))
    else:
        words = _words(lang, [compiled], scenario)
        click.echo({"text": report.to_text, "markdown": report.to_markdown, "html": report.to_html}[fmt](result, words))
    _exit_if_incomplete(result.complete, timeout_s)


def _words(lang: str | None, compiled: list, scenario=None):
    """The reader's language (--lang, else the locale's) with the rules' and the scenario's own Dutch."""
    from regelgat.batch.wording import Words
    from regelgat.i18n import language_from_locale
    from regelgat.rules.translations import bound_texts

    from regelgat.rules.translations import load_texts

    lang = lang or language_from_locale()
    texts = dict(load_texts(compiled[0].rulesets, lang).messages)  # every text, such as a value's assumption
    texts |= {k: v for rules in compiled for k, v in bound_texts(rules, lang).items()}
    return Words(lang, {**texts, **(scenario.texts(lang) if scenario is not None else {})})


def _exit_if_incomplete(complete: bool, timeout_s: float) -> None:
    if not complete:
        click.echo(f"error: the solver ran out of time after {timeout_s:g} s; the map above is NOT complete "
                   "(give a larger --timeout or a narrower --where)", err=True)
        sys.exit(SOLVER_TIMEOUT_EXIT)


def _change(need: str, date_from, date_to, where: str | None, fmt: str, timeout_s: float,
            rulesets_dir: Path | None, unused: dict, lang: str | None) -> None:
    """`map NEED --from D1 --to D2`: the regions that opened and closed, each traced to its rule changes."""
    from regelgat.check.single import default_rulesets_dir
    from regelgat.io.errors import InputError
    from regelgat.map import change_report
    from regelgat.map.change import change_map
    from regelgat.rules.at_date import RulesAt

    if not (date_from and date_to):
        raise InputError("--from" if date_to else "--to", "", "--from and --to go together",
                         "give both rules dates, e.g. --from 2025-08-01 --to 2026-01-15")
    given = [flag for flag, value in unused.items() if value]
    if given:
        raise InputError(given[0], "", f"{given[0]} does not combine with --from and --to",
                         f"drop {given[0]}, or map one date without --from and --to")
    folder = rulesets_dir or default_rulesets_dir()
    before = RulesAt.at("before", folder, _date(date_from))
    after = RulesAt.at("after", folder, _date(date_to))
    if fmt == "json":  # the contract: causes in English
        result = change_map(before, after, need, where, timeout_s)
        click.echo(json.dumps(change_report.to_json(result), indent=2, ensure_ascii=False))
    else:
        words = _words(lang, [before.compiled, after.compiled])
        result = change_map(before, after, need, where, timeout_s, _say(words))
        render = {"text": change_report.to_text, "markdown": change_report.to_markdown, "html": change_report.to_html}
        click.echo(render[fmt](result, words))
    _exit_if_incomplete(result.complete, timeout_s)


def _say(words):
    """A change map's causes in the reader's words, keeping the ids a region's clauses use."""
    from babel.numbers import format_decimal

    from regelgat.rules.changes import Say

    def money(value: float | None) -> str:
        locale = "nl_NL" if words.lang == "nl" else "en_GB"
        if value is None:
            return words("none")
        return format_decimal(value, format="#,##0" if value == int(value) else "#,##0.00", locale=locale)  # as money()

    return Say(gettext=words, text=words.rule, money=money) if words.lang != "en" else Say()
