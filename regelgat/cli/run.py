"""`regelgat run`: a scenario's population through every ruleset, to a report an advocate can publish."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

from regelgat.cli.options import selected, selection_options
from regelgat.io.errors import InputError


def _interactive() -> bool:
    """A progress bar only for a person at a terminal: not in CI, not when output is piped."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@click.command("run")
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option("--size", type=int, default=None, help="Number of profiles (default: the scenario's size).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the scenario's seed).")
@click.option("--date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Rules date, YYYY-MM-DD (default: the scenario's date).")
@click.option("--workers", type=int, default=0, show_default=True,
              help="Worker processes for the local executor (0: one per core).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: runs/<scenario>). Run again to resume an interrupted run.")
@click.option("--engine", type=click.Choice(["vector", "durable"]), default="vector", show_default=True,
              help="vector: numpy over whole columns; durable: durable_rules, one profile at a time.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: a process pool on this machine; dask: a Dask cluster (give --scheduler).")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
@click.option("--check-sample", "check_rate", type=float, default=0.001, show_default=True,
              help="Share of profiles re-decided one by one by durable_rules (at most 200 a run, plus the rarest "
                   "outcome patterns of each chunk); any difference stops the run. 0: no cross-check.")
@click.option("--rows", type=click.Choice(["parquet", "jsonl", "none"]), default="parquet", show_default=True,
              help="Format of the profile-level results in OUT/rows/.")
@click.option("--restart", is_flag=True, help="Discard a previous run in OUT instead of resuming it.")
@click.option("--rulesets", "rulesets_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of ruleset YAML files (default: the bundled rulesets/).")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of the reports and the printed summary (default: from the locale).")
@click.option("--assume", type=click.Choice(["practice"]), multiple=True,
              help="practice: apply reported practice that no rule confirms as rules (the pessimistic reading). "
                   "By default it refuses no one; the reports say which reading they used.")
@click.option("--sensitivity", is_flag=True,
              help="Also decide the population with each flagged assumption turned off, one at a time, and report "
                   "the range of every headline figure (summary.json 'sensitivity', the reports).")
@selection_options
def run(scenario_file: Path, size, seed, date, workers, out_dir, engine, executor, scheduler, check_rate, rows,
        restart, rulesets_dir, lang, assume, sensitivity, provisions, needs) -> None:
    """Run the population of SCENARIO (a scenario YAML) through every ruleset.

    Writes profile-level results (OUT/rows/), summary.json, report.md and report.html, and prints
    a summary: gap rates per group, the criteria that refuse most often, the provisions that
    shut most doors, referral loops, and gap patterns with a typical and a simplest profile.
    --provisions/--needs: only those provisions (or the doors of those needs) and their
    prerequisites are evaluated.
    """
    from regelgat.batch.runner import RunOptions, run_batch
    from regelgat.io.errors import CrossCheckError
    from regelgat.check.single import default_rulesets_dir
    from regelgat.rules.compiled import compile_rules
    from regelgat.batch.report import render_terminal, write_reports
    from regelgat.rules.ruleset import load_rulesets
    from regelgat.population.scenario import load_scenario

    scenario = load_scenario(scenario_file).with_overrides(size=size, seed=seed, date=date.date() if date else None)
    if workers < 0:
        raise InputError("--workers", "", f"{workers} is negative", "give 0 (one per core) or more")
    if executor == "local" and scheduler:
        raise InputError("--scheduler", "", "--scheduler is for --executor dask", "add --executor dask")
    rulesets = load_rulesets(rulesets_dir or default_rulesets_dir())
    wanted = scenario.spec.rulesets
    if wanted:
        known = {r.id for r in rulesets}
        missing = [r for r in wanted if r not in known]
        if missing:
            raise InputError(str(scenario.path), "rulesets", f"no ruleset {missing[0]!r}",
                             f"known: {', '.join(sorted(known))}")
        rulesets = [r for r in rulesets if r.id in wanted]
    compiled = selected(compile_rules(rulesets, scenario.date, practice="practice" in assume), provisions, needs)
    _only_encoded_municipalities(scenario, compiled)
    from regelgat.io.paths import output_folder

    out = output_folder(out_dir or Path("runs") / scenario.id, "--out")
    console = Console(stderr=True)
    options = RunOptions(out=out, engine=engine, workers=workers, executor=executor, scheduler=scheduler,
                         check_rate=check_rate, rows=rows, restart=restart)
    try:
        if _interactive():
            result = _run_with_progress(scenario, compiled, options, console, run_batch)
        else:
            result = run_batch(scenario, compiled, options, print_fn=console.print)
    except CrossCheckError as exc:
        console.print(f"[bold red]cross-check failed:[/bold red] {exc}", markup=True, highlight=False)
        console.print("The numpy engine and durable_rules disagree: this is a bug in regelgat, not a result. "
                      "Please report it with the profile file.")
        sys.exit(3)
    if sensitivity:
        result.summary = _with_sensitivity(result.summary, scenario, compiled, out)
    words = report_words(scenario, compiled, lang)
    write_reports(result.summary, out, words)
    out_console = Console(width=max(Console().width, 110))
    render_terminal(result.summary, out_console, str(out), words)
    if compiled.answered is not None:  # --provisions/--needs: say what the counts cover
        w = words
        needs_shown = ", ".join(w.name(need) for need in compiled.answered) or w("none")
        console.print(w("Only the provisions asked about and their prerequisites were evaluated; gaps are counted "
                        "only for the needs all of whose doors were evaluated: {needs}.").format(needs=needs_shown))
    rate = scenario.size / result.seconds if result.seconds else 0
    console.print(f"{scenario.size:,} profiles in {result.seconds:.2f} s ({rate:,.0f} profiles/s, engine {engine})"
                  + (f"; resumed {result.resumed_chunks} finished chunk(s)" if result.resumed_chunks else ""))


def _only_encoded_municipalities(scenario, compiled) -> None:
    """A batch is decided column-wise, where a local door cannot wait for local rules that are not
    encoded: so a scenario may only simulate municipalities whose local rules are (check and the
    page handle any municipality, with the local doors undetermined)."""
    from regelgat.check.municipality import encoded_municipalities

    encoded = encoded_municipalities(compiled)
    varying = scenario.spec.vary.get("municipality")
    places = ([scenario.spec.fixed["municipality"]] if "municipality" in scenario.spec.fixed else []) + (
        list(varying.get("choice") or {}) + [varying.get("value")] if isinstance(varying, dict) else [])
    outside = [p for p in places if p is not None and p not in encoded]
    if encoded and outside:
        raise InputError(str(scenario.path), "municipality", f"{outside[0]!r}: local rules are encoded only for "
                         f"{', '.join(encoded)}", f"simulate {encoded[0]}, or check single clients of "
                         f"{outside[0]} with `regelgat check` (its local doors stay undetermined)")


def report_words(scenario, compiled, lang: str | None):
    """The reports' language: --lang, else the locale's; the rules' own texts from their catalogs, the
    scenario's from its nl: block."""
    from regelgat.batch.wording import Words
    from regelgat.i18n import language_from_locale
    from regelgat.rules.translations import bound_texts

    lang = lang or language_from_locale()
    return Words(lang, {**bound_texts(compiled, lang), **scenario.texts(lang)})


def _with_sensitivity(summary, scenario, compiled, out: Path):
    """The summary with the flags' sensitivity added, written to summary.json again."""
    from regelgat.batch.sensitivity import sensitivity
    from regelgat.batch.summary_model import Sensitivity
    from regelgat.io.atomic import write_atomic

    summary = summary.model_copy(update={"sensitivity": Sensitivity.model_validate(sensitivity(scenario, compiled))})
    write_atomic(out / "summary.json", summary.to_json().encode())
    return summary


def _run_with_progress(scenario, compiled, options, console: Console, run_batch):
    """The run with a progress bar (profiles done, profiles/s, time left), for a terminal."""
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                  MofNCompleteColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                  TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True) as bar:
        task = bar.add_task(scenario.id, total=scenario.size, rate="")
        first: dict = {}

        def progress(done: int, total: int) -> None:
            import time

            now = time.perf_counter()
            start = first.setdefault("t", (now, done))
            speed = (done - start[1]) / (now - start[0]) if now > start[0] else 0
            bar.update(task, completed=done, rate=f"{speed:,.0f} profiles/s" if speed else "")

        return run_batch(scenario, compiled, options, progress=progress, print_fn=console.print)
