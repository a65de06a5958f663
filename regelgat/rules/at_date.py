"""Rules at a date: a folder of rulesets loaded, bound to a date and cached by content, and the
content digests that tell two versions of the rules (or of any input file) apart.

Cases, diffs, snapshots and batch runs all ask for the same thing, "these rulesets on this day",
and all need to know whether a file changed; this module is the one place that answers both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from regelgat.io.errors import RulesetError, did_you_mean
from regelgat.rules.compiled import CompiledRules, compile_rules
from regelgat.rules.ruleset import Ruleset, load_rulesets

_RULESETS: dict[tuple[str, str], list[Ruleset]] = {}
_COMPILED: dict[tuple, CompiledRules] = {}


def file_digest(path: Path) -> str:
    """The SHA-256 of one file's bytes (hex): recorded in snapshots to notice an edited ruleset."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def content_digest(paths: Iterable[Path]) -> str:
    """One SHA-256 over every file's name and bytes, in the order given: a key that sees every edit."""
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def ruleset_files(directory: Path) -> list[Path]:
    """The ruleset files of a folder, in name order."""
    return sorted(Path(directory).glob("*.yaml"))


def rulesets_digest(directory: Path) -> str:
    """The content digest of a folder of rulesets: the cache key of `rules_at`."""
    return content_digest(ruleset_files(directory))


def ruleset_hashes(directory: Path) -> dict[str, str]:
    """Per ruleset file, a short digest of its bytes, as a snapshot records them."""
    return {path.name: file_digest(path)[:16] for path in ruleset_files(directory)}


def rules_at(directory: Path, date: dt.date, only: tuple[str, ...] | None = None,
             practice: bool = False) -> CompiledRules:
    """The rulesets in DIRECTORY bound to DATE (only the ruleset ids in ONLY, if given; PRACTICE: reported
    practice applied as rules); cached by content."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        raise RulesetError(str(directory), "", "not a folder of rulesets", "give the folder that holds the rulesets",
                           setting="rulesets", code="rulesets-folder")
    digest = rulesets_digest(directory)
    key = (str(directory), digest)
    if key not in _RULESETS:
        _RULESETS[key] = load_rulesets(directory)
    if (*key, date, only, practice) not in _COMPILED:
        rulesets = _RULESETS[key]
        if only is not None:
            unknown = [i for i in only if i not in {r.id for r in rulesets}]
            if unknown:
                raise RulesetError(str(directory), "", f"no ruleset {unknown[0]!r} here",
                                   did_you_mean(unknown[0], [r.id for r in rulesets]) or "check the scenario's rulesets:")
            rulesets = [r for r in rulesets if r.id in only]
        _COMPILED[(*key, date, only, practice)] = compile_rules(rulesets, date, practice)
    return _COMPILED[(*key, date, only, practice)]


@dataclass
class RulesAt:
    """A folder of rulesets bound to a date: one side of a comparison between two rule states."""

    label: str
    rulesets_dir: Path
    date: dt.date
    compiled: CompiledRules
    shown: str = ""  # how to name the rulesets folder in a report (a git side lives in a temporary folder)

    @classmethod
    def at(cls, label: str, rulesets_dir: Path, date: dt.date, only: tuple[str, ...] | None = None,
           shown: str = "") -> "RulesAt":
        """The rulesets of a folder on a date, under a label such as 'before' or a git revision."""
        return cls(label, Path(rulesets_dir), date, rules_at(Path(rulesets_dir), date, only), shown)
