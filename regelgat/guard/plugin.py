"""A pytest plugin: plain `pytest` collects case files and runs each case as one test.

Registered through the `pytest11` entry point, so anyone who installs regelgat and keeps case
files under a `cases/` folder in their tests gets them collected. A YAML file is a case file
when a folder between it and the rootdir is named in the `regelgat_case_dirs` ini option
(default: `cases`). Options: `--regelgat-rulesets DIR` (or the ini option `regelgat_rulesets`)
runs the cases against another folder of rulesets; `-p no:regelgat` turns the plugin off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regelgat.io.errors import InputError


def pytest_addoption(parser: pytest.Parser) -> None:
    """--regelgat-rulesets: run the case files against another rulesets folder."""
    group = parser.getgroup("regelgat", "regelgat case files")
    group.addoption("--regelgat-rulesets", default=None, metavar="DIR",
                    help="Run case files against this folder of rulesets (default: the case file's "
                         "`rulesets:` key, else the bundled rulesets).")
    parser.addini("regelgat_rulesets", "Folder of rulesets for case files, relative to the rootdir.", default="")
    parser.addini("regelgat_case_dirs", "Folder names whose YAML files are regelgat case files.",
                  type="linelist", default=["cases"])


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Collect case files (tests/cases/*.yaml), so that plain pytest runs them."""
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    config = parent.config
    names = set(config.getini("regelgat_case_dirs"))
    try:
        relative = file_path.relative_to(config.rootpath)
    except ValueError:
        relative = file_path
    if names & set(relative.parent.parts):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def _rulesets(config: pytest.Config) -> Path | None:
    option = config.getoption("--regelgat-rulesets")
    if option:
        return Path(option).resolve()
    ini = config.getini("regelgat_rulesets")
    return (config.rootpath / ini).resolve() if ini else None


class CaseFile(pytest.File):
    def collect(self):
        """One test per case in the file."""
        from regelgat.guard.cases import load_case_file

        try:
            cases = load_case_file(self.path)
        except InputError as exc:
            raise self.CollectError(f"error: {exc}") from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseFailed(Exception):
    """A case whose expectations did not hold; carries the result for the report."""


class CaseItem(pytest.Item):
    def __init__(self, *, case, **kwargs) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        """Run the case; a failure carries the formatted result."""
        from regelgat.guard.cases import run_case

        result = run_case(self.case, _rulesets(self.config))
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):
        """A failed case as `regelgat test` shows it, not as a Python traceback."""
        if isinstance(excinfo.value, CaseFailed):
            from regelgat.guard.case_report import format_result

            return format_result(excinfo.value.args[0])
        if isinstance(excinfo.value, InputError):
            return f"error: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        """The case file and line, for pytest's report."""
        return self.path, self.case.line - 1, f"case: {self.case.name}"


