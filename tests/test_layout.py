"""The package layout keeps its shape: imports run one way between packages, and no module grows too big.

Imports are read with `ast` (every import statement, also inside functions), so the test sees what
the code would load without running it.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "regelgat"
MODULES = sorted(PACKAGE.rglob("*.py"))
NEVER = {  # package -> packages it must never import
    "io": {"client", "rules", "engines", "check", "population", "batch", "guard", "cli"},
    "rules": {"batch", "cli", "check", "guard", "population", "engines"},
    "population": {"engines", "batch", "check", "guard", "cli"},
    "engines": {"batch", "cli", "check", "guard", "population"},
}


def _package(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "regelgat" and len(parts) > 1 and (PACKAGE / parts[1]).is_dir():
                found.add(parts[1])
    return found


def _graph() -> dict[str, dict[str, list[str]]]:
    """package -> imported package -> the modules that import it."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in MODULES:
        own = _package(path)
        for other in _imported_packages(path) - {own}:
            graph[own][other].append(str(path.relative_to(ROOT)))
    return graph


def test_dependencies_run_one_way():
    graph = _graph()
    for package, forbidden in NEVER.items():
        wrong = {other: modules for other, modules in graph[package].items() if other in forbidden}
        assert not wrong, f"{package} must not import {sorted(wrong)}: {wrong}"


def test_no_import_cycle_between_packages():
    graph = _graph()
    state: dict[str, str] = {}

    def visit(package: str, path: list[str]) -> None:
        state[package] = "open"
        for other in graph.get(package, {}):
            if state.get(other) == "open":
                cycle = path[path.index(other):] + [other] if other in path else [package, other]
                raise AssertionError(f"import cycle between packages: {' -> '.join(cycle)}")
            if other not in state:
                visit(other, [*path, other])
        state[package] = "done"

    for package in list(graph):
        if package not in state:
            visit(package, [package])


def test_the_tree_shows_the_pipeline():
    top_modules = [p.name for p in PACKAGE.glob("*.py")]
    packages = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    assert len(top_modules) <= 6, top_modules
    assert len(packages) >= 6, packages


def test_no_file_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert not long, f"split these modules: {long}"


def test_no_issue_numbers_in_the_code():
    pattern = re.compile(r"\bissue\s*#?\s*\d+", re.IGNORECASE)
    found = [f"{p.relative_to(ROOT)}:{i}" for p in MODULES
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, found
