"""`regelgat map`: every region of client situations that no provision covers, proven complete."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from regelgat.cli.app import DATE, _date, _load, _rulesets_option

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
@_rulesets_option
def map_command(need: str, date, where: str | None, fmt: str, loops: bool, timeout_s: float,
                scenario_file: Path | None, size: int | None, rulesets_dir: Path | None) -> None:
    """Map every situation in which nothing covers NEED, as a few readable regions.

    Each region lists its conditions, the clauses that shut each door in it, and its simplest
    member as a profile for `regelgat check`. The solver (z3) proves the map complete; if it runs
    out of time the map says so and the exit code is 3.
    """
    from regelgat.map import report
    from regelgat.map.regions import gap_map, parse_where
    from regelgat.rules.compiled import compile_rules

    parse_where(where)  # bad input first, before any work
    scenario = None
    if scenario_file is not None:
        from regelgat.population.scenario import load_scenario

        scenario = load_scenario(scenario_file).with_overrides(size=size)
    compiled = compile_rules(_load(rulesets_dir), _date(date))
    result = gap_map(compiled, need, where, timeout_s, loops)
    if scenario is not None:
        from regelgat.map.shares import region_shares

        result.population = region_shares(compiled, result, scenario)
    render = {"json": lambda m: json.dumps(report.to_json(m), indent=2, ensure_ascii=False),
              "text": report.to_text, "markdown": report.to_markdown, "html": report.to_html}[fmt]
    click.echo(render(result))
    if not result.complete:
        click.echo(f"error: the solver ran out of time after {timeout_s:g} s; the map above is NOT complete "
                   "(give a larger --timeout or a narrower --where)", err=True)
        sys.exit(SOLVER_TIMEOUT_EXIT)
