"""`regelgat reform`: what a proposed rule change would do to a population."""

from __future__ import annotations

from pathlib import Path

import click

from regelgat.cli.app import DATE, _assume_option, _rulesets_option


@click.command("reform")
@click.argument("reform_file", metavar="REFORM", type=click.Path(path_type=Path))
@click.argument("population", metavar="SCENARIO_OR_PROFILES", type=click.Path(path_type=Path))
@click.option("--date", type=DATE, default=None,
              help="Rules date, YYYY-MM-DD (default: the scenario's date, else the reform's valid_from).")
@_rulesets_option
@click.option("--size", type=int, default=None, help="Population size for a scenario (default: the scenario's).")
@click.option("--seed", type=int, default=None, help="Seed for a scenario (default: the scenario's).")
@click.option("--examples", type=click.IntRange(0, 50), default=3, show_default=True,
              help="Witness profiles per finding.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True)
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of the report (default: from the locale).")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write the report to a file.")
@_assume_option
def reform_command(reform_file: Path, population: Path, date, rulesets_dir, size, seed, examples, fmt, lang,
                   output, assume) -> None:
    """Run SCENARIO_OR_PROFILES through the bundled rules and through the rules as REFORM changes them.

    REFORM is a reform file (docs/reform-format.md; bundled: scenarios/reforms/). SCENARIO_OR_PROFILES
    is a scenario YAML, a profile file, a YAML list of profiles, or a folder of profile files.
    Reports whose gaps close and whose open, by group; who gains and who loses which provision
    (side effects), with witness profiles traced to the rule change; and what it takes: places
    (people times the provision's duration) and euros a month where a provision pays an amount.
    """
    from regelgat.check.single import default_rulesets_dir
    from regelgat.io.atomic import write_atomic
    from regelgat.io.errors import InputError
    from regelgat.reform.apply import apply_reform, load_reform
    from regelgat.reform.compare import compare, reform_sides
    from regelgat.reform.people import load_people
    from regelgat.reform.report import render, to_json
    from regelgat.rules.compiled import compile_rules
    from regelgat.rules.ruleset import load_rulesets
    from regelgat.i18n import language_from_locale

    if output:
        from regelgat.io.paths import output_file

        output_file(output, "--output")
    reform = load_reform(reform_file)
    folder = Path(rulesets_dir or default_rulesets_dir())
    rulesets = load_rulesets(folder)
    reformed = apply_reform(rulesets, reform)
    people = load_people(population, size, seed)
    day = date.date() if date else (people.date or reform.spec.valid_from)
    if day < reform.spec.valid_from:
        raise InputError(str(reform_file), "valid_from", f"the reform applies from {reform.spec.valid_from}, "
                         f"after the rules date {day}", f"give --date {reform.spec.valid_from} or later")
    if people.ruleset_ids:
        rulesets = [r for r in rulesets if r.id in people.ruleset_ids]
        reformed = [r for r in reformed if r.id in people.ruleset_ids]
    practice = "practice" in assume  # both sides read reported practice alike
    before, after = reform_sides(folder, compile_rules(rulesets, day, practice), compile_rules(reformed, day, practice),
                                 reform.id)
    data = to_json(compare(people, before, after, examples), reform)
    from regelgat.batch.wording import Words
    from regelgat.rules.translations import bound_texts

    lang = lang or language_from_locale()
    texts = {**bound_texts(after.compiled, lang), **(people.scenario.texts(lang) if people.scenario else {})}
    words = Words(lang, texts)
    if lang != "en" and fmt != "json":  # the JSON contract keeps the English lines with ids
        from regelgat.reform.words import in_words

        data = in_words(data, before, after, reform, words)
    text = render(data, reform, fmt, words)
    if output:
        write_atomic(output, text)  # checked before the work started
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
