"""`regelgat test`, `regelgat diff` and `regelgat snapshot`: the guards against rule changes.

Exit codes, for all three: 0 all cases pass / no change, 1 a case failed / a change found,
2 bad input (one line on stderr, raised as InputError and printed by cli.run).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from regelgat.cli.options import selected, selection_options

DATE = click.DateTime(formats=["%Y-%m-%d"])
_ENGINE = click.option("--engine", type=click.Choice(["python", "durable"]), default="python", show_default=True,
                       help="Who decides: the plain-Python reference or durable_rules (identical results).")


def _rulesets_option(func):
    return click.option("--rulesets", "rulesets_dir", type=click.Path(path_type=Path), default=None,
                        help="Folder of ruleset YAML files (default: the bundled rulesets/).")(func)


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_rulesets_option
@_ENGINE
@click.option("-k", "keyword", default=None, help="Run only the cases whose name contains this text.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Show every provision's criteria, for passing cases too.")
def test_command(paths: tuple[Path, ...], rulesets_dir: Path | None, engine: str, keyword: str | None,
                 fmt: str, verbose: bool) -> None:
    """Run the case files in PATHS (files or folders; default tests/cases/).

    A case gives a date, a profile and what should come out (docs/case-format.md). A failure
    shows the file and line, the case, expected against actual, and every criterion of the
    provisions concerned with its status and legal source.

    Exit code 0: every case passed. 1: a case failed. 2: bad input.
    """
    from regelgat.guard.case_report import format_result
    from regelgat.guard.cases import run_paths
    from regelgat.io.errors import InputError

    if not paths:
        default = Path("tests/cases")
        if not default.is_dir():
            raise InputError("tests/cases", "", "no case files given and no tests/cases/ folder here",
                             "give case files or folders: regelgat test PATHS")
        paths = (default,)
    results = run_paths(list(paths), rulesets_dir, engine, keyword)
    if not results:
        raise InputError(" ".join(map(str, paths)), "", "no cases found", "case files are YAML with a cases: list")
    errors = [r for r in results if r.error is not None]
    failed = [r for r in results if not r.passed]
    if fmt == "json":
        click.echo(json.dumps([_case_json(r) for r in results], indent=2, ensure_ascii=False))
    else:
        for result in results:
            if not result.passed or verbose:
                click.echo(format_result(result, all_provisions=verbose))
            else:
                click.echo(format_result(result))
        click.echo(f"{len(results)} cases: {len(results) - len(failed)} passed, {len(failed)} failed"
                   + (f" ({len(errors)} name something the rulesets lack)" if errors else ""))
    if errors:
        for result in errors:
            click.echo(f"error: {result.error}", err=True)
        sys.exit(2)
    sys.exit(1 if failed else 0)


def _case_json(result) -> dict:
    case = result.case
    out = {"file": str(case.file), "line": case.line, "name": case.name, "date": case.spec.date.isoformat(),
           "passed": result.passed, "author": case.author, "source": case.source}
    if result.error is not None:
        out["error"] = str(result.error)
    out["mismatches"] = [{"expectation": m.expectation, "expected": m.expected, "actual": m.actual}
                         for m in result.mismatches]
    if result.checked is not None:
        from regelgat.rules.verdicts import to_json

        checked = result.checked
        out["result"] = to_json(checked.result, checked.profile.id, checked.facts, checked.compiled)
    return out


@click.command("diff")
@click.argument("population", metavar="SCENARIO_OR_PROFILES", type=click.Path(path_type=Path))
@click.option("--from", "date_from", type=DATE, default=None, help="Rules date before, YYYY-MM-DD.")
@click.option("--to", "date_to", type=DATE, default=None, help="Rules date after, YYYY-MM-DD.")
@click.option("--base", default=None, metavar="GIT_REV", help="Compare the rulesets folder as it was at this git revision ...")
@click.option("--head", default=None, metavar="GIT_REV", help="... with this revision (default: the working tree).")
@click.option("--date", type=DATE, default=None,
              help="Rules date for both sides with --base (default: the scenario's date, else today).")
@_rulesets_option
@click.option("--size", type=int, default=None, help="Population size for a scenario (default: the scenario's).")
@click.option("--seed", type=int, default=None, help="Seed for a scenario (default: the scenario's).")
@click.option("--group-by", default=None, metavar="FACT",
              help="Count changes by this fact (e.g. age, housing) instead of the scenario's groups.")
@click.option("--examples", type=click.IntRange(0, 50), default=3, show_default=True,
              help="Example profiles per change.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write the report to a file.")
@selection_options
def diff_command(population: Path, date_from, date_to, base, head, date, rulesets_dir, size, seed, group_by,
                 examples, fmt, output, provisions, needs) -> None:
    """Who gains and who loses which provision between two rule states.

    Between two dates: regelgat diff --from 2025-03-01 --to 2025-08-01 SCENARIO_OR_PROFILES.
    Between two git versions of the rulesets folder (for a pull request):
    regelgat diff --base origin/main [--head HEAD] [--date DATE] SCENARIO_OR_PROFILES.

    SCENARIO_OR_PROFILES is a scenario YAML, a profile file, or a folder of profile files.
    Each change (a provision gained or lost, a new or closed gap, a new or resolved referral
    loop) is counted by group with example profiles, and traced to the parameter or
    criterion that changed. --format markdown is ready to paste as a pull-request comment.

    --provisions/--needs: only those provisions (or the doors of those needs) and their
    prerequisites, on both sides.

    Exit code 0: no outcome changed. 1: an outcome changed. 2: bad input.
    """
    from regelgat.check.single import default_rulesets_dir
    from regelgat.guard.diff import diff_population
    from regelgat.guard.diff_weeks import text_lines, weeks_diff
    from regelgat.guard.diff_weeks import to_json as weeks_json
    from regelgat.guard.git_rulesets import temporary_folder
    from regelgat.io.atomic import write_atomic
    from regelgat.guard.diff_report import to_json, to_markdown, to_text
    from regelgat.population.fixed import load_population

    from regelgat.io.errors import InputError

    if date is not None and date_from is not None and date_to is not None:
        raise InputError("--date", "", "--date with both --from and --to has no effect", "drop --date")
    if base is not None and (date_from is not None or date_to is not None):
        raise InputError("--base", "", "compares two git versions of the rules; --from/--to compare two dates",
                         "give either --base (and --date) or --from/--to, not both")
    if head is not None and base is None:
        raise InputError("--head", "", "--head needs --base", "add --base GIT_REV")
    if output:
        from regelgat.io.paths import output_file

        output_file(output, "--output")
    people = load_population(population, size, seed)
    day = date.date() if date else people.date
    with temporary_folder() as workdir:
        before, after = _sides(Path(rulesets_dir or default_rulesets_dir()), _day(date_from), _day(date_to), day,
                              base, head, Path(workdir), people.ruleset_ids)
        known = {p.key for side in (before, after) for p in side.compiled.provisions}
        for side in (before, after):
            side.compiled = selected(side.compiled, provisions, needs, known)
        report = diff_population(people, before, after, examples, group_by)
        weeks = weeks_diff(population, size, seed, before, after, people.ruleset_ids) \
            if people.kind == "scenario" else None
        if fmt == "json":
            data = to_json(report)
            if weeks is not None:
                data["weeks"] = weeks_json(weeks)
            text = json.dumps(data, indent=2, ensure_ascii=False)
        else:
            text = to_markdown(report) if fmt == "markdown" else to_text(report)
            if weeks is not None:
                fence = ("```", "```") if fmt == "markdown" else ("", "")
                text += "\n\n" + "\n".join([fence[0], *text_lines(weeks), fence[1]]).strip("\n")
    changed = report.changed or (weeks is not None and weeks.changed)
    if output:
        write_atomic(output, text + "\n")  # checked before the work started
        click.echo(f"wrote {output}: " + ("outcomes changed" if changed else "no outcome changed"))
    else:
        click.echo(text)
    sys.exit(1 if changed else 0)


def _day(value):
    return value.date() if value else None


@click.command("snapshot")
@click.argument("population", metavar="[SCENARIO_OR_PROFILES]", required=False, type=click.Path(path_type=Path))
@click.option("--check", "check_", is_flag=True, help="Compare with the recorded snapshot(s); write nothing.")
@click.option("--update", is_flag=True, help="Re-record existing snapshot(s) with their own settings (accept a change).")
@click.option("--file", "files", multiple=True, type=click.Path(path_type=Path),
              help="Snapshot file (default: tests/snapshots/<name>.json; with --check or --update and no "
                   "SCENARIO: every file in tests/snapshots/).")
@_rulesets_option
@click.option("--date", type=DATE, default=None, help="Rules date when recording (default: the scenario's date).")
@click.option("--size", type=int, default=None, help="Profiles to record (default: a scenario's first 1,000).")
@click.option("--seed", type=int, default=None, help="Seed when recording (default: the scenario's).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def snapshot_command(population: Path | None, check_: bool, update: bool, files: tuple[Path, ...],
                     rulesets_dir: Path | None, date, size, seed, fmt: str) -> None:
    """Record, or check, the access outcomes of a fixed, seeded population.

    regelgat snapshot SCENARIO records tests/snapshots/<scenario>.json: a fingerprint and the
    outcomes of each profile, the bound rules and amounts, and a hash per ruleset file.
    Commit it. regelgat snapshot --check decides the same profiles with the rulesets as they
    are now and fails when any outcome changed, printing the diff and how to accept it:
    regelgat snapshot --update re-records with the recorded settings.

    Exit code 0: no outcome changed (or recorded). 1: an outcome changed. 2: bad input.
    """
    from regelgat.cli import snapshot_report
    from regelgat.guard import snapshot as snap
    from regelgat.io.errors import InputError
    from regelgat.io.paths import output_file

    if check_ and update:
        raise InputError("regelgat snapshot", "", "--check and --update exclude each other", "give one of them")
    if not (check_ or update):
        if population is None:
            raise InputError("regelgat snapshot", "", "nothing to record", "give a scenario, or --check")
        if len(files) > 1:
            raise InputError("--file", "", "record writes one file", "give --file once")
        target = output_file(files[0] if files else snap.default_file(population), "--file")
        snap.refuse_replacing(target, population)
        data = snap.record(population, target, rulesets_dir, date.date() if date else None, size, seed)
        counts = _eligible_counts(data)
        click.echo(f"recorded {len(data['profiles']):,} profiles of {data['population']} on {data['date']} "
                   f"to {target} ({target.stat().st_size / 1024:.0f} KB)")
        for key, count in counts:
            click.echo(f"  {count:>6,} eligible for {key}")
        return
    targets = list(files) or ([snap.default_file(population)] if population else sorted(snap.DEFAULT_FOLDER.glob("*.json")))
    if not targets:
        raise InputError(str(snap.DEFAULT_FOLDER), "", "no snapshot files", "record one: regelgat snapshot SCENARIO")
    if update:
        for target in targets:
            if population is not None and snap.recorded_population(target) != str(Path(population).resolve()):
                data = snap.record(population, output_file(target, "--file"), rulesets_dir, _day(date), size, seed)
                click.echo(f"replaced {target}: now the snapshot of {data['population']} ({len(data['profiles']):,} "
                           f"profiles on {data['date']})")
                continue
            data = snap.read(target)
            settings = snap.settings_of(data, target, rulesets_dir)
            snap.record(settings.population, target, settings.rulesets, settings.date, settings.size, settings.seed)
            click.echo(f"re-recorded {target}: {len(data['profiles']):,} profiles on {settings.date}")
        return
    results = [snap.check(target, rulesets_dir) for target in targets]
    if fmt == "json":
        click.echo(json.dumps([snapshot_report.to_json(r) for r in results], indent=2, ensure_ascii=False))
    else:
        click.echo("\n\n".join(snapshot_report.to_text(r) for r in results))
    sys.exit(1 if any(r.changed for r in results) else 0)


def _eligible_counts(data: dict) -> list[tuple[str, int]]:
    columns = data["provisions"]
    counts = [0] * len(columns)
    for code in data["profiles"].values():
        for index, letter in enumerate(code.split()[1]):
            counts[index] += letter == "E"
    return list(zip(columns, counts))


def _sides(rulesets_dir: Path, date_from: dt.date | None, date_to: dt.date | None, date: dt.date | None,
          base: str | None, head: str | None, workdir: Path,
          only: tuple[str, ...] | None = None) -> tuple:
    """The two sides of a diff from the command-line choices: two dates, or two git revisions on one date."""
    from regelgat.guard.git_rulesets import revision_label, rulesets_at_revision
    from regelgat.io.errors import InputError
    from regelgat.rules.at_date import RulesAt

    if base is None and head is not None:
        raise InputError("--head", "", "--head needs --base", "give --base REV too")
    if base is None and (date_from is None or date_to is None):
        raise InputError("regelgat diff", "", "nothing to compare",
                         "give --from DATE --to DATE, or --base GIT_REV [--head GIT_REV]")
    day = date or dt.date.today()
    day_a, day_b = date_from or day, date_to or day
    if base is None:
        return RulesAt.at(str(day_a), rulesets_dir, day_a, only), RulesAt.at(str(day_b), rulesets_dir, day_b, only)
    dir_a = rulesets_at_revision(rulesets_dir, base, workdir / "base")
    shown = dir_a.relative_to(workdir / "base").as_posix()
    label_a = f"{revision_label(rulesets_dir, base)} on {day_a}"
    if head is None:
        dir_b, label_b = Path(rulesets_dir), f"working tree on {day_b}"
    else:
        dir_b = rulesets_at_revision(rulesets_dir, head, workdir / "head")
        label_b = f"{revision_label(rulesets_dir, head)} on {day_b}"
        return RulesAt.at(label_a, dir_a, day_a, only, shown), RulesAt.at(label_b, dir_b, day_b, only, shown)
    return RulesAt.at(label_a, dir_a, day_a, only, shown), RulesAt.at(label_b, dir_b, day_b, only)
