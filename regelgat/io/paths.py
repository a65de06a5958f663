"""Paths a user gives: check them before any work starts, and say in one line what is wrong with them.

The operating system's own errors (a name too long, a folder that is a file, /proc) would otherwise
surface as a Python traceback halfway through a run.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from regelgat.io.errors import InputError

_FIXES = {
    errno.ENAMETOOLONG: "use a shorter name: at most 255 characters per file or folder name",
    errno.EACCES: "check the permissions, or choose a folder you can write to",
    errno.EPERM: "check the permissions, or choose a folder you can write to",
    errno.EROFS: "the file system is read-only: choose another folder",
    errno.ENOSPC: "the disk is full: free some space",
    errno.ENOTDIR: "a part of the path is a file, not a folder: check the path",
    errno.EISDIR: "this is a folder: give a file name inside it",
    errno.ENOENT: "check the path",
}


def os_error(exc: OSError, place: str = "") -> InputError:
    """An operating-system error as a one-line input error: the file, what went wrong, what to do."""
    name = exc.filename if exc.filename is not None else ""
    return InputError(str(name), place, (exc.strerror or str(exc)).rstrip(".").lower(),
                      _FIXES.get(exc.errno, "check the path"))


def kind_of(path: Path) -> str:
    """'file', 'folder', 'missing' or 'other' (a device, a pipe); a path the OS refuses is an InputError."""
    try:
        if path.is_dir():
            return "folder"
        if path.is_file():
            return "file"
        return "other" if path.exists() else "missing"
    except OSError as exc:
        raise os_error(exc) from None


def output_folder(path: Path, option: str) -> Path:
    """A folder to write into: created if missing, refused when it is a file or cannot be written."""
    if kind_of(path) not in ("folder", "missing"):
        raise InputError(str(path), option, "is a file, not a folder", "give a folder for the output")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, option) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(str(path), option, "this folder cannot be written", _FIXES[errno.EACCES])
    return path


def output_file(path: Path, option: str) -> Path:
    """A file to write: refused when it is a folder, or when its folder cannot be made or written."""
    if kind_of(path) == "folder":
        raise InputError(str(path), option, "is a folder", "give a file name, e.g. " + str(path / "report.md"))
    if kind_of(path) == "other":
        raise InputError(str(path), option, "is not a regular file (a device or pipe)", "give a file name")
    if len(path.name.encode()) > 255:
        raise InputError(str(path)[:80] + "...", option, "the file name is too long", _FIXES[errno.ENAMETOOLONG])
    output_folder(path.parent if str(path.parent) else Path("."), option)
    return path


def shown_path(path: Path | None) -> str:
    """A path as reports and snapshot files show it: relative to the working directory when inside it,
    else absolute; "" for no path."""
    if path is None:
        return ""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
