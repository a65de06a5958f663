"""A git version of the rulesets folder, unpacked into a temporary folder: the base (and head) of a
pull request, so that a diff can show what the change does to people before it is merged.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from regelgat.io.errors import InputError


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError("git", "", "git is not installed", "install git, or compare two dates instead", code="git-missing") from None


def rulesets_at_revision(rulesets_dir: Path, revision: str, into: Path) -> Path:
    """Extract the rulesets folder as it was at REVISION (git archive) into INTO; return its path."""
    rulesets_dir = Path(rulesets_dir).resolve()
    anchor = rulesets_dir if rulesets_dir.is_dir() else rulesets_dir.parent
    top = _git(["rev-parse", "--show-toplevel"], anchor)
    if top.returncode != 0:
        raise InputError(str(rulesets_dir), "", "not inside a git repository",
                         "run from the repository, or compare two dates instead", code="not-a-repository")
    root = Path(top.stdout.decode().strip())
    relative = rulesets_dir.relative_to(root).as_posix()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    if commit.returncode != 0:
        raise InputError(revision, "", "not a git revision here", "give a branch, tag or commit, e.g. origin/main")
    archive = _git(["archive", "--format=tar", commit.stdout.decode().strip(), "--", relative], root)
    if archive.returncode != 0:
        raise InputError(f"{revision}:{relative}", "", f"the rulesets folder does not exist at {revision}",
                         "give a revision that has it")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / relative


def revision_label(rulesets_dir: Path, revision: str) -> str:
    """A revision as shown in a report: the name given, with its short commit id."""
    anchor = Path(rulesets_dir).resolve()
    out = _git(["rev-parse", "--short", f"{revision}^{{commit}}"], anchor if anchor.is_dir() else anchor.parent)
    short = out.stdout.decode().strip() if out.returncode == 0 else ""
    return f"{revision} ({short})" if short and short != revision else revision


def temporary_folder() -> tempfile.TemporaryDirectory:
    """A temporary folder for unpacked revisions, removed when the diff is done."""
    return tempfile.TemporaryDirectory(prefix="regelgat-diff-")
