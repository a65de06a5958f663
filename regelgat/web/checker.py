"""Rules compiled once per rules date, and a warm durable_rules engine per date, shared by requests.

durable_rules' C extension is not known to be safe to call from two threads at once, so one lock
guards every engine; a check holds it for about a millisecond. Compiling and building the engine is what makes a
cold `regelgat check` slow, so a server does it once per date instead of once per client.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from regelgat.check.single import Checked, check_profile
from regelgat.client.profile import Profile
from regelgat.engines.durable import DurableEngine
from regelgat.rules.compiled import CompiledRules, compile_rules
from regelgat.rules.ruleset import Ruleset
from regelgat.rules.selection import select

MAX_DATES = 8  # rules dates (or date and selection) kept warm; a ninth evicts the oldest
Selection = tuple[tuple[str, ...], tuple[str, ...]]  # provisions, needs (rules/selection.py)


@dataclass
class _Warm:
    compiled: CompiledRules
    engine: DurableEngine


class Checker:
    """Decides profiles against the loaded rulesets, keeping compiled rules and engines warm."""

    def __init__(self, rulesets: list[Ruleset], today: dt.date | None = None) -> None:
        self.rulesets = rulesets
        self._warm: dict[tuple[dt.date, Selection, bool], _Warm] = {}
        self._lock = threading.RLock()
        self.warm_up(today or dt.date.today())

    def warm_up(self, date: dt.date, selection: Selection = ((), ()), practice: bool = False) -> _Warm:
        """The rules of `date` (cut down to a selection of provisions or needs; PRACTICE: reported practice
        applied as rules), compiled with their engine."""
        with self._lock:
            warm = self._warm.get((date, selection, practice))
            if warm is None:
                compiled = select(self.compiled(date, practice), *selection) if any(selection) else \
                    compile_rules(self.rulesets, date, practice)
                warm = _Warm(compiled, DurableEngine(compiled))
                if len(self._warm) >= MAX_DATES:
                    oldest = next(iter(self._warm))
                    self._warm.pop(oldest).engine.close()
                self._warm[(date, selection, practice)] = warm
            return warm

    def compiled(self, date: dt.date, practice: bool = False) -> CompiledRules:
        return self.warm_up(date, practice=practice).compiled

    def check(self, profile: Profile, date: dt.date, selection: Selection = ((), ()), practice: bool = False) -> Checked:
        with self._lock:
            warm = self.warm_up(date, selection, practice)
            return check_profile(profile, warm.compiled, warm.engine)

    def close(self) -> None:
        with self._lock:
            for warm in self._warm.values():
                warm.engine.close()
            self._warm.clear()
