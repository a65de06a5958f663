"""The errors regelgat raises on purpose: one base class, and a few kinds that callers tell apart.

    RegelgatError                  file, place, problem, fix (and the setting or code it is about)
      InputError                   bad input: the user can fix it
        ProfileError, RulesetError, ScenarioError, CaseError    ... in that kind of file
        InputErrors                several problems in one file, reported together
      ExpressionError              a condition that does not parse or type-check
      Fault                        no trustworthy answer: a bug or a limit, never a result
        EngineFault                durable_rules misbehaved
        CrossCheckError            the numpy engine and durable_rules disagree
        (map.solver.SolverTimeout  z3 gave up before the map was complete)

Library code raises these with plain words and never names a command-line flag; `setting` names
the run setting an error is about ("size", "out", ...) and `code` a kind of problem, so that the
CLI alone (cli/errors.py) can name the flag, add a fix that mentions flags, and pick the exit code.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable


class RegelgatError(Exception):
    """Base of every error regelgat raises on purpose: where it is (file, place), what is wrong, what to do."""

    def __init__(self, file: str = "", place: str = "", problem: str = "", fix: str = "", *,
                 setting: str | None = None, code: str | None = None) -> None:
        self.file, self.place, self.problem, self.fix = str(file), place, problem, fix
        self.setting, self.code = setting, code
        super().__init__(str(self))

    def where(self) -> str:
        """File and place joined, else the setting the error is about."""
        return ": ".join(part for part in (self.file, self.place) if part) or (self.setting or "")

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.problem}" if where else self.problem
        return f"{text} ({self.fix})" if self.fix else text


class InputError(RegelgatError):
    """Bad input from a file or a setting: the user can fix it. The CLI prints one line and exits 2."""

    def __init__(self, file: str, place: str, problem: str, fix: str = "", *,
                 setting: str | None = None, code: str | None = None) -> None:
        super().__init__(file, place, problem, fix, setting=setting, code=code)


class ProfileError(InputError):
    """A client profile that does not validate."""


class RulesetError(InputError):
    """A ruleset file, or a folder of them, that cannot be loaded or bound to a date."""


class ScenarioError(InputError):
    """A scenario file whose structure or meaning is wrong, or a run setting it cannot take."""


class CaseError(InputError):
    """A case file that cannot be read or names what does not exist."""


class InputErrors(InputError):
    """Several problems in one file, reported together so that one run shows them all: one line each."""

    def __init__(self, problems: list[InputError], total: int) -> None:
        self.problems, self.total = problems, total
        first = problems[0]
        super().__init__(first.file, first.place, first.problem, first.fix)

    def __str__(self) -> str:
        lines = [InputError.__str__(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"{self.file}: {self.total - len(self.problems)} more problem(s) not shown "
                         "(fix these first)")
        return "\n".join(lines)


class ExpressionError(RegelgatError, ValueError):
    """A condition that does not parse or does not type-check; `fix` suggests the repair.

    Raised without a file: whoever parses the condition knows where it came from and re-raises it
    as an InputError naming the file and place.
    """

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__("", "", message, fix)

    def __str__(self) -> str:
        return self.problem


class Fault(RegelgatError, RuntimeError):
    """regelgat could not give a trustworthy answer (a bug, or a solver out of time): never a result."""


class EngineFault(Fault):
    """durable_rules fired both a condition and its negation: an engine bug, never a verdict."""

    def __init__(self, problem: str) -> None:
        super().__init__("", "", problem)


class CrossCheckError(Fault):
    """The numpy engine and durable_rules disagree on a profile: a bug, never a result.

    `profile` is the profile as data, so that it can be written out and reported."""

    def __init__(self, message: str, profile: dict, file: str = "") -> None:
        self.profile = profile
        super().__init__(file, "", message)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A 'did you mean X?' hint for a misspelled name, or a pointer to the list of names."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else ""


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlevel = 60, 60, 3


def clip(value: object, limit: int = 60) -> str:
    """repr() of a value, cut short (also deep or huge data): an error line stays one readable line."""
    text = _SHORT.repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
