"""One error type for bad input, printed as one line: file, place, problem, likely fix."""

from __future__ import annotations

import difflib
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


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """A 'did you mean X?' hint for a misspelled name, or a pointer to the list of names."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else ""
