"""One error type for bad input, printed as one line: file, place, problem, likely fix."""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable


class InputError(Exception):
    """Bad input from a file or the command line. The CLI prints it on one line and exits 2."""

    def __init__(self, file: str, place: str, problem: str, fix: str = "") -> None:
        self.file, self.place, self.problem, self.fix = str(file), place, problem, fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.place) if part)
        text = f"{where}: {self.problem}" if where else self.problem
        return f"{text} ({self.fix})" if self.fix else text


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
