"""How an error reaches the user of the command line: one line on stderr, and an exit code.

The library raises `RegelgatError`s in plain words; it names the run setting an error is about
(`setting`) and the kind of problem (`code`), never a flag. This module alone knows the flags and
the commands, so a fix can say "--size" or "regelgat snapshot SCENARIO", and it picks the exit
code: 2 for bad input, 3 for a fault in regelgat itself (the engines disagree or misbehave).
"""

from __future__ import annotations

from regelgat.io.errors import Fault, RegelgatError

FLAGS = {  # run setting -> the flag that sets it
    "size": "--size", "seed": "--seed", "date": "--date", "out": "--out", "engine": "--engine",
    "check_rate": "--check-sample", "executor": "--executor", "scheduler": "--scheduler", "workers": "--workers",
    "group_by": "--group-by", "where": "--where", "rulesets": "--rulesets", "base": "--base", "head": "--head",
    "from": "--from", "to": "--to", "step": "--step",
}

FIXES = {  # problem code -> the fix in command-line words
    "rulesets-folder": "give the rulesets/ folder with --rulesets",
    "date-not-covered": "give another --date or add a value",
    "other-run": "give another --out, or --restart to discard it",
    "out-not-folder": "give --out a folder",
    "check-rate": "e.g. --check-sample 0.001",
    "scheduler-missing": "e.g. --scheduler tcp://10.0.0.5:8786",
    "scheduler-unreachable": "check the --scheduler address and that the scheduler runs",
    "git-missing": "install git, or compare dates with --from/--to",
    "not-a-repository": "run from the repository, or compare dates with --from/--to",
    "no-snapshot": "record one with: regelgat snapshot SCENARIO",
    "not-a-snapshot": "re-record it with regelgat snapshot",
    "foreign-file": "give another --file; nothing was written",
    "other-snapshot": "add --update to replace it, or give another --file",
    "not-a-run": "give a new or empty folder with --out; nothing was written",
    "unknown-fact": "run 'regelgat facts' to list the facts",
    "unknown-field": "run 'regelgat schema' to list the profile fields",
}

EXIT_INPUT, EXIT_FAULT = 2, 3


def one_line(error: RegelgatError) -> str:
    """The error as the CLI prints it: file (or flag), place, problem, and the fix in CLI words."""
    flag = FLAGS.get(error.setting or "", error.setting or "")
    where = [part for part in (error.file, error.place) if part]
    if flag and error.place == "" and flag not in where:
        where.append(flag)
    fix = FIXES.get(error.code or "", error.fix)
    text = f"{': '.join(where)}: {error.problem}" if where else error.problem
    return f"{text} ({fix})" if fix else text


def message(error: RegelgatError) -> str:
    """Every line the CLI prints for an error (several for a file with several problems)."""
    problems = getattr(error, "problems", None)
    if problems:
        lines = [one_line(p) for p in problems]
        extra = str(error).split("\n")[len(problems):]  # "N more problem(s) not shown"
        return "\n".join(lines + extra)
    return one_line(error)


def exit_code(error: RegelgatError) -> int:
    """2 for input the user can fix; 3 for a fault (a bug, or a solver out of time: never a result)."""
    return EXIT_FAULT if isinstance(error, Fault) else EXIT_INPUT
