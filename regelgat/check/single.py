"""Check one client: load the profile, run it through durable_rules, assemble the verdicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from regelgat.io import datafiles
from regelgat.rules.amounts import add_amounts
from regelgat.rules.compiled import BoundRule, CompiledRules, compile_rules
from regelgat.rules.selection import select
from regelgat.engines.durable import DurableEngine
from regelgat.rules.expressions import evaluate, facts_read
from regelgat.client.facts import profile_facts
from regelgat.client.profile import ASSUMED, Profile
from regelgat.rules.ruleset import Ruleset, load_rulesets
from regelgat.rules.verdicts import Result, decide, effect_json, to_json
from regelgat.check.municipality import notice, unknowable

BUNDLED_RULESETS = Path(__file__).resolve().parents[2] / "rulesets"


def default_rulesets_dir() -> Path:
    """The bundled rulesets beside the package (editable install), else ./rulesets."""
    return BUNDLED_RULESETS if BUNDLED_RULESETS.is_dir() else Path("rulesets")


def load_profile(path: Path | str, overrides: dict[str, Any] | None = None) -> Profile:
    """Read and validate a client profile file; `overrides` replaces fields (a case's changes to a persona)."""
    data, locate = datafiles.read(path)
    if isinstance(data, dict) and overrides:
        data = {**data, **overrides}
    return datafiles.validate(Profile, data, path, locate)


@dataclass
class Checked:
    profile: Profile
    facts: dict[str, Any]
    compiled: CompiledRules
    atoms: list[bool | None]
    result: Result
    effects_if_staying: tuple[BoundRule, ...] = ()  # what would happen to the host if the client moved in

    @cached_property
    def routes(self):
        """Routes out of each uncovered need (check/routes.py), re-decided as this check decided."""
        from regelgat.check.routes import find_routes

        return find_routes(self.routes_search())

    def routes_search(self):
        """The search for routes: candidate changes from the rules, each re-decided on this profile."""
        from regelgat.check.routes import RouteSearch

        def redecide(profile: Profile, facts: dict[str, Any]) -> Result:
            return decide(self.compiled, [evaluate(a, facts) for a in self.compiled.atoms], profile.needs,
                          unknowable(profile.municipality, self.compiled))

        return RouteSearch(self.profile, self.facts, self.result, self.compiled, redecide)

    @property
    def assumed_fields(self) -> frozenset[str]:
        """The facts that kept their assumed default because the user did not give them."""
        return frozenset(f for f in ASSUMED if f not in self.profile.model_fields_set)

    def values_read(self, rule: BoundRule) -> str:
        """The client's own values for the facts a rule's condition reads: `age = 58, addiction missing`."""
        names = sorted(facts_read(self.compiled.atoms[rule.condition]))
        return ", ".join(f"{n} = {self.facts[n]}" if n in self.facts else f"{n} missing" for n in names)


def check_profile(profile: Profile, compiled: CompiledRules, engine: DurableEngine | None = None) -> Checked:
    """Decide one profile. With no engine given, the plain-Python reference evaluates the atoms."""
    def atoms_of(facts: dict[str, Any]) -> list[bool | None]:
        return engine.evaluate(facts) if engine else [evaluate(a, facts) for a in compiled.atoms]

    facts = add_amounts(compiled, profile_facts(profile))
    atoms = atoms_of(facts)
    checked = Checked(profile, facts, compiled, atoms,
                      decide(compiled, atoms, profile.needs, unknowable(profile.municipality, compiled)))
    if profile.sleeps_elsewhere and profile.sleeps_elsewhere.nights_per_week < 7:
        # Someone who sleeps some nights at another household is usually one step from moving in:
        # show what that would do to the host, which is often why the client stays away.
        staying = atoms_of(add_amounts(compiled, profile_facts(profile.model_copy(update={
            "sleeps_elsewhere": profile.sleeps_elsewhere.model_copy(update={"nights_per_week": 7})}))))
        current = set(checked.result.effects)
        checked.effects_if_staying = tuple(e for e in compiled.effects
                                           if staying[e.condition] is True and e not in current)
    return checked


def check_json(checked: Checked, lang: str = "en") -> dict[str, Any]:
    """The public JSON contract of a check, the same from `regelgat check --format json` and the API."""
    from regelgat.check.household import household, household_json  # it builds on Checked

    payload = to_json(checked.result, checked.profile.id, checked.facts, checked.compiled,
                      checked.assumed_fields, lang)
    payload["effects_if_staying"] = [effect_json(e, checked.compiled, checked.facts)
                                     for e in checked.effects_if_staying]
    payload["household"] = household_json(household(checked))
    elsewhere = notice(checked.profile.municipality, checked.compiled, lang)
    payload["notices"] = [elsewhere] if elsewhere else []
    payload.update(routes_json(checked))
    return payload


def routes_json(checked: Checked) -> dict[str, Any]:
    """`routes` per uncovered need (nearest first) and the `perverse` needs, as the JSON contract has them."""
    routes = checked.routes

    def clause(rule: BoundRule) -> dict[str, Any]:
        return {"provision": f"{rule.ruleset}/{rule.provision}", "criterion": rule.rule.id, "text": rule.text,
                "source": str(rule.rule.source)}

    return {
        "routes": {need: [{"changes": [{"fact": c.fact, "to": c.to, "kind": c.kind} for c in route.changes],
                           "kind": route.kind, "opens": list(route.opens),
                           "clauses": [clause(r) for r in route.clauses]} for route in found]
                   for need, found in routes.by_need.items()},
        "perverse": list(routes.perverse),
        "perverse_rules": {need: [clause(r) for r in rules] for need, rules in routes.perverse_rules.items()},
    }


def check_with_durable(profile: Profile, date: dt.date, rulesets: list[Ruleset] | None = None,
                       provisions: tuple[str, ...] = (), needs: tuple[str, ...] = (),
                       practice: bool = False) -> Checked:
    """Decide one profile with durable_rules, the engine of record for single checks (only the
    provisions asked for and their prerequisites, when some are: rules/selection.py; PRACTICE:
    reported practice applied as rules, the pessimistic reading)."""
    compiled = select(compile_rules(rulesets or load_rulesets(default_rulesets_dir()), date, practice),
                      provisions, needs)
    with DurableEngine(compiled) as engine:
        return check_profile(profile, compiled, engine)
