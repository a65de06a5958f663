"""The compiled rules at one date as z3 formulas: the one module that imports z3.

A client situation is one value per fact. Facts derived from a profile's lists (children,
co-residents, sleeping elsewhere) become free variables tied to the profile facts by the
constraints in `_derived_constraints`, which say exactly which combinations a real profile can
produce. Each atom is encoded three-valued (holds, fails, or unknown when an optional fact is
missing), and the verdicts follow `regelgat.rules.verdicts.decide` step by step, so a formula here
is true for exactly the profiles that `regelgat check` decides the same way.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
import typing
from fractions import Fraction
from typing import Any, Iterable, Sequence

import z3

from regelgat.client.facts import DERIVED_FACTS, FACT_TYPES, FactType, scalar_annotation
from regelgat.client.profile import Profile
from regelgat.io.errors import Fault
from regelgat.rules import formulas
from regelgat.rules.compiled import BoundRule, CompiledRules
from regelgat.check.municipality import encoded_municipalities
from regelgat.map.reads import amounts_gaps_read, constants
from regelgat.rules.expressions import And, Compare, Member, Node, Num, Or

Formula = z3.BoolRef


class SolverTimeout(Fault):
    """z3 gave up before answering: whatever was found so far is not proven complete."""

    def __init__(self) -> None:
        super().__init__("", "", "the solver ran out of time; the answer is NOT complete")


def _number_sort(name: str) -> tuple[bool, float | None, float | None]:
    """(whole number?, lowest, highest) of a numeric fact, read from the profile model or the derivation."""
    if name in Profile.model_fields:
        field = Profile.model_fields[name]
        annotation = scalar_annotation(field.annotation)[0]
        low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
        return annotation is int, low, high
    annotation = scalar_annotation(typing.get_type_hints(DERIVED_FACTS[name][1])["return"])[0]
    return annotation is int, 0, None


def _const(value: Any) -> z3.ArithRef:
    return z3.RealVal(Fraction(repr(value)) if isinstance(value, float) else Fraction(value))


class Space:
    """Every client situation, and the verdicts of the compiled rules over it, as z3 formulas."""

    def __init__(self, compiled: CompiledRules, timeout_s: float = 120.0, also: Sequence[CompiledRules] = ()) -> None:
        """`also`: other rule states whose formulas meet these (a rule change): the text values they
        name get the same codes here, since z3 variables of the same name are one variable; and the
        amounts, whose formulas differ between rule states, get variables of their own (name@date)."""
        self.compiled = compiled
        amounts = {a.name for a in compiled.amounts}
        self.tag = f"@{compiled.date.isoformat()}" if also else ""
        self.deadline = time.monotonic() + timeout_s
        # Amounts are computed facts. Those that a provision covering a need reads (bijstand's
        # counted income, after the earnings disregard) are tied to the profile by their formulas
        # (`_amount_constraints`), so gap regions stay exact; the others are free numbers >= 0,
        # missing where unknown, which no gap depends on (huurtoeslag covers no need).
        self.types = {**FACT_TYPES, **{a.name: FactType("number", a.text, optional=True) for a in compiled.amounts}}
        self.texts = {name: sorted({str(v) for c in (compiled, *also) for v in constants(c, name)})
                      for name, fact in self.types.items() if fact.kind == "text"}
        self.vars: dict[str, z3.ExprRef] = {}
        self.present: dict[str, Formula] = {}
        background: list[Formula] = []
        for name, fact in self.types.items():
            z3_name = name + self.tag if name in amounts else name
            if fact.kind == "bool":
                self.vars[name] = z3.Bool(z3_name)
                if fact.optional:
                    self.present[name] = z3.Bool(f"{z3_name}__present")
                continue
            if fact.kind == "number":
                whole, low, high = _number_sort(name) if name in FACT_TYPES else (False, 0, None)
                var = self.vars[name] = z3.Int(z3_name) if whole else z3.Real(z3_name)
                lowest, highest = low, high
            else:  # an enum or a text is an index: text index 0 is "any value no rule names"
                var = self.vars[name] = z3.Int(name)
                lowest, highest = 0, len(fact.values) - 1 if fact.kind == "enum" else len(self.texts[name])
            if lowest is not None:
                background.append(var >= _const(lowest))
            if highest is not None:
                background.append(var <= _const(highest))
            if fact.optional:
                self.present[name] = z3.Bool(f"{z3_name}__present")
        self.background = z3.And(background + _derived_constraints(self) + _amount_constraints(self))
        # The map is of the municipalities whose local rules are encoded (or an unknown one): elsewhere
        # the local doors are undetermined (check/municipality.py), never part of a gap region.
        self.municipalities = encoded_municipalities(compiled)
        if self.municipalities and "municipality" in self.texts:
            self.background = z3.And(self.background, z3.Implies(self.known("municipality"), z3.Or(
                [self.vars["municipality"] == self.code("municipality", m) for m in self.municipalities])))
        self._atoms: dict[int, tuple[Formula, Formula]] = {}
        self.eligible = self._eligibility()
        self._base = z3.Solver()
        self._base.add(self.background)

    # ---- facts and conditions --------------------------------------------------------------------

    def whole(self, name: str) -> bool:
        """Whether a numeric fact takes whole numbers only."""
        return self.vars[name].is_int()

    def code(self, name: str, value: Any) -> int:
        """The index of an enum or text value."""
        fact = self.types[name]
        if fact.kind == "enum":
            return fact.values.index(value)
        return self.texts[name].index(value) + 1 if value in self.texts[name] else 0

    def _compare(self, name: str, op: str, value: Any) -> Formula:
        var, kind = self.vars[name], self.types[name].kind
        right = z3.BoolVal(value) if kind == "bool" else _const(value) if kind == "number" \
            else z3.IntVal(self.code(name, value))
        return {"==": lambda: var == right, "!=": lambda: var != right, "<": lambda: var < right,
                "<=": lambda: var <= right, ">": lambda: var > right, ">=": lambda: var >= right}[op]()

    def leaf(self, node: Compare | Member) -> Formula:
        """A comparison on a present fact, two-valued."""
        if isinstance(node, Compare):
            return self._compare(node.fact, node.op, node.value)
        inside = z3.Or([self._compare(node.fact, "==", v) for v in node.values])
        return z3.Not(inside) if node.negated else inside

    def known(self, name: str) -> Formula:
        return self.present.get(name, z3.BoolVal(True))

    def literal(self, fact: str, node: Node | None, present: bool = True) -> Formula:
        """A region's literal: a condition that holds, or whether an optional fact is present."""
        if node is None:
            return self.known(fact) if present else z3.Not(self.known(fact))
        return self.tri(node)[0]

    def tri(self, node: Node) -> tuple[Formula, Formula]:
        """(holds, fails) of a bound condition; neither when a fact it reads is missing (Kleene logic)."""
        if isinstance(node, (Compare, Member)):
            known, leaf = self.known(node.fact), self.leaf(node)
            return z3.And(known, leaf), z3.And(known, z3.Not(leaf))
        parts = [self.tri(item) for item in node.items]
        holds, fails = z3.And([p[0] for p in parts]), z3.Or([p[1] for p in parts])
        return (holds, fails) if isinstance(node, And) else (z3.Or([p[0] for p in parts]), z3.And([p[1] for p in parts]))

    def atom(self, index: int) -> tuple[Formula, Formula]:
        if index not in self._atoms:
            self._atoms[index] = self.tri(self.compiled.atoms[index])
        return self._atoms[index]

    # ---- verdicts, as in regelgat.rules.verdicts.decide -----------------------------------------

    def passes(self, rule: BoundRule) -> Formula:
        """The criterion or exclusion counts as met for sure (status pass or not_applicable)."""
        holds, fails = self.atom(rule.condition)
        met = fails if rule.group == "exclusion" else holds
        if rule.when is None:
            return met
        applies, not_applies = self.atom(rule.when)
        return z3.Or(not_applies, z3.And(applies, met))

    def could_pass(self, rule: BoundRule) -> Formula:
        """The rule does not definitely refuse (status pass, not_applicable or unknown)."""
        holds, fails = self.atom(rule.condition)
        refuses = holds if rule.group == "exclusion" else fails
        if rule.when is None:
            return z3.Not(refuses)
        return z3.Not(z3.And(self.atom(rule.when)[0], refuses))

    def waived(self, rule: BoundRule, possibly: bool = False) -> Formula:
        if rule.unless is None:
            return z3.BoolVal(False)
        return z3.Not(self.atom(rule.unless)[1]) if possibly else self.atom(rule.unless)[0]

    def own_ok(self, key: str, possibly: bool = False) -> Formula:
        """Its own criteria and exclusions are met for sure (or, `possibly`, none refuses for sure)."""
        rules = (*self.provision(key).criteria, *self.provision(key).exclusions)
        return z3.And([self.could_pass(r) if possibly else self.passes(r) for r in rules])

    def granted(self, rule: BoundRule, eligible: dict[str, Formula] | None = None) -> Formula:
        eligible = self.eligible if eligible is None else eligible
        return z3.Or([eligible.get(g, z3.BoolVal(False)) for g in rule.rule.granters])

    def _fixpoint(self, own: dict[str, Formula], possibly: bool) -> dict[str, Formula]:
        """The least fixpoint of decide(), unrolled: one round per provision with prerequisites, plus one."""
        inside = {p.key: z3.BoolVal(False) for p in self.compiled.provisions}
        for _ in range(1 + sum(1 for p in self.compiled.provisions if p.requires)):
            inside = {p.key: z3.And(own[p.key], *[z3.Or(self.waived(r, possibly), self.granted(r, inside))
                                                  for r in p.requires])
                      for p in self.compiled.provisions}
        return inside

    def _eligibility(self) -> dict[str, Formula]:
        """Definitely eligible (self.eligible) and, kept as self.possible, eligible for some answer to
        the unknown facts: a need is a gap only where no covering provision is possible."""
        self.possible = self._fixpoint({p.key: self.own_ok(p.key, True) for p in self.compiled.provisions}, True)
        return self._fixpoint({p.key: self.own_ok(p.key) for p in self.compiled.provisions}, False)

    def provision(self, key: str):
        return next(p for p in self.compiled.provisions if p.key == key)

    def refuses(self, key: str, rule: BoundRule) -> Formula:
        """This rule of the provision is one that decides against the client for sure (a deciding reason)."""
        if rule.group == "requirement":
            return z3.And(self.own_ok(key, True), z3.Not(self.waived(rule, True)),
                          z3.Not(self.granted(rule, self.possible)))
        return z3.Not(self.could_pass(rule))

    def gap(self, need: str) -> Formula:
        return z3.Not(z3.Or([self.possible[p.key] for p in self.compiled.provisions if need in p.spec.covers]))

    def blocked(self, key: str) -> Formula:
        """Blocked, and meets its own criteria for sure: what makes a cycle a referral loop."""
        return z3.And(self.own_ok(key), z3.Not(self.possible[key]))

    def edge(self, key: str, granter: str) -> Formula:
        """`key` is not eligible and waits for `granter` through a prerequisite that is definitely unmet."""
        provision = self.provision(key)
        unmet = [z3.And(z3.Not(self.waived(r, True)), z3.Not(self.granted(r, self.possible))) for r in provision.requires
                 if granter in r.rule.granters]
        return z3.And(z3.Not(self.eligible[key]), z3.Or(unmet))

    # ---- questions ---------------------------------------------------------------------------------

    def _check(self, solver: z3.Solver | z3.Optimize, *assumptions: Formula) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SolverTimeout()
        solver.set("timeout", max(1, int(remaining * 1000)))
        result = solver.check(*assumptions)
        if result == z3.unknown:
            raise SolverTimeout()
        return result == z3.sat

    @contextmanager
    def _scope(self, *formulas: Formula):
        """The shared solver, which keeps what it learns about the rules, with formulas added for a while."""
        self._base.push()
        try:
            self._base.add(*formulas)
            yield self._base
        finally:
            self._base.pop()

    def assume(self, formula: Formula) -> None:
        """Add a formula that holds for every situation from now on (another rule state's background)."""
        self._base.add(formula)

    def satisfiable(self, *formulas: Formula) -> bool:
        with self._scope(*formulas) as solver:
            return self._check(solver)

    def seed(self, *formulas: Formula) -> "Situation | None":
        """One situation where all formulas hold, or None if there is none."""
        with self._scope(*formulas) as solver:
            return Situation(self, solver.model()) if self._check(solver) else None

    def smallest_core(self, literals: Sequence[Formula], goal: Formula, wide: Iterable[int] = ()) -> list[int]:
        """Indices of a minimal subset of literals that forces the goal. The solver's core, with the
        `wide` literals added back, is cut down in index order: later literals are kept by preference."""
        marks = [z3.Bool(f"__lit{i}") for i in range(len(literals))]
        with self._scope(z3.Not(goal), *[z3.Implies(m, lit) for m, lit in zip(marks, literals)]) as solver:
            if self._check(solver, *marks):
                raise ValueError("the literals do not force the goal")
            core = {int(c.decl().name()[5:]) for c in solver.unsat_core()}
            chosen = sorted(core | set(wide))
            for i in list(chosen):  # drop what the core kept but the goal does not need
                trial = [j for j in chosen if j != i]
                if not self._check(solver, *[marks[j] for j in trial]):
                    chosen = trial
            return chosen

    def simplest(self, formulas: Sequence[Formula], defaults: dict[str, Any],
                  nearby: dict[str, list[Any]]) -> dict[str, Any]:
        """The situation in `formulas` closest to the defaults: greedily every fact at its default
        where the formulas allow it, then each other number at the allowed value of `nearby` (the
        thresholds around it) closest to its default."""
        with self._scope(*formulas) as solver:
            # each default, then (where a default must give way) the fact at least given, not unknown
            fixed = [self._equals(name, value) for name, value in defaults.items()] + \
                [self.present[name] for name, value in defaults.items() if value is not None and name in self.present]
            while not self._check(solver, *fixed):  # give up one default that the core shows in the way
                core = {c.decl().name() for c in solver.unsat_core()}
                fixed = [f for f in fixed if f.decl().name() not in core] + \
                    [f for f in fixed if f.decl().name() in core][1:]
            values = self._values(solver.model())
            for name, options in nearby.items():
                if name not in values or values[name] == defaults.get(name):
                    continue
                for option in sorted(options, key=lambda o: (abs(o - (defaults.get(name) or 0)), o)):
                    wanted = self._equals(name, option)
                    if self._check(solver, *fixed, wanted):
                        fixed.append(wanted)
                        break
            self._check(solver, *fixed)
            return self._values(solver.model())

    def _equals(self, name: str, value: Any) -> Formula:
        """A marker for `name == value`, usable as an assumption."""
        mark = z3.Bool(f"__is_{name}_{value}")
        wanted = z3.Not(self.present[name]) if value is None else z3.And(self.known(name), self._compare(name, "==", value))
        self._base.add(z3.Implies(mark, wanted))
        return mark

    def _values(self, model: z3.ModelRef) -> dict[str, Any]:
        values = {}
        for name, var in self.vars.items():
            if name in self.present and not z3.is_true(model.eval(self.present[name], model_completion=True)):
                continue
            value = model.eval(var, model_completion=True)
            fact = self.types[name]
            if fact.kind == "bool":
                values[name] = z3.is_true(value)
            elif fact.kind == "enum":
                values[name] = fact.values[value.as_long()]
            elif fact.kind == "text":
                values[name] = self.texts[name][value.as_long() - 1] if value.as_long() else None
            elif var.is_int():
                values[name] = value.as_long()
            else:
                values[name] = float(Fraction(value.numerator_as_long(), value.denominator_as_long()))
        return values


class Situation:
    """One client situation found by the solver."""

    def __init__(self, space: Space, model: z3.ModelRef) -> None:
        self.space, self.model = space, model

    def holds(self, formula: Formula) -> bool:
        return z3.is_true(self.model.eval(formula, model_completion=True))

    def which(self, formulas: Sequence[Formula]) -> list[int]:
        """The indices of the formulas that hold here."""
        return [i for i, f in enumerate(formulas) if self.holds(f)]

    def values(self) -> dict[str, Any]:
        return self.space._values(self.model)


def conjunction(formulas: Iterable[Formula]) -> Formula:
    return z3.And(list(formulas))


def disjunction(formulas: Iterable[Formula]) -> Formula:
    return z3.Or(list(formulas))


def negation(formula: Formula) -> Formula:
    return z3.Not(formula)


def _derived_constraints(space: Space) -> list[Formula]:
    """What a real profile can produce: each derived fact as the function of the profile in facts.py."""
    v, known = space.vars, space.known

    def among(name: str, values: tuple[str, ...]) -> Formula:
        return z3.Or([v[name] == space.code(name, value) for value in values])

    yearly_cents = z3.Int("yearly_income__cents")  # round(12 x net monthly, 2)
    rules = {
        "pregnant": v["pregnant"] == (v["pregnancy_weeks"] > 0),
        "children_at_home": v["children_at_home"] >= v["minor_children_at_home"],
        "minor_children_at_home": v["minor_children_at_home"] >= 0,
        "youngest_child_age": z3.And(known("youngest_child_age") == (v["children_at_home"] > 0),
                                     v["youngest_child_age"] <= 40,
                                     z3.Implies(known("youngest_child_age"),
                                                (v["youngest_child_age"] < 18) == (v["minor_children_at_home"] > 0))),
        "partner_at_home": z3.BoolVal(True),
        "ex_partner_at_home": z3.BoolVal(True),
        "treated_as_married": v["treated_as_married"] == z3.Or(
            among("relationship", ("married", "registered_partner", "cohabiting")), v["partner_at_home"]),
        "cost_sharers": v["cost_sharers"] >= 0,
        "cost_sharers_before_2023": v["cost_sharers_before_2023"] >= v["cost_sharers"],
        "cost_sharers_in_couple": z3.And(v["cost_sharers_in_couple"] >= 0,
                                         v["cost_sharers_in_couple"] <= v["cost_sharers"]),
        "ex_spouse_at_home": v["ex_spouse_at_home"] == z3.And(
            v["ex_partner_at_home"], among("relationship", ("separated", "divorced"))),
        "joint_household_presumed": z3.And(
            known("joint_household_presumed") == z3.Or(
                z3.Not(v["ex_partner_at_home"]), among("relationship", ("separated",)),
                known("years_since_separation")),
            z3.Implies(known("joint_household_presumed"), v["joint_household_presumed"] == z3.And(
                v["ex_partner_at_home"], z3.Or(among("relationship", ("separated",)),
                                               v["years_since_separation"] < 2)))),
        "household_size": v["household_size"] == 1 + z3.If(v["partner_at_home"], 1, 0) + v["children_at_home"],
        "homeless": z3.And(known("homeless") == known("housing"),
                           v["homeless"] == among("housing", ("sofa_surfing", "shelter", "street", "unsuitable"))),
        "yearly_income": z3.And(
            known("yearly_income") == z3.Or(known("income_gross_yearly"), known("income_net_monthly")),
            1200 * v["income_net_monthly"] - z3.ToReal(yearly_cents) <= _const(0.5),
            z3.ToReal(yearly_cents) - 1200 * v["income_net_monthly"] <= _const(0.5),
            v["yearly_income"] == z3.If(known("income_gross_yearly"), v["income_gross_yearly"],
                                        z3.ToReal(yearly_cents) / 100)),
        "nights_elsewhere": z3.And(v["nights_elsewhere"] <= 7, z3.Implies(
            z3.Not(known("host_age")),
            z3.And(v["nights_elsewhere"] == 0, z3.Not(v["host_on_bijstand"]), z3.Not(v["host_is_ex_partner"])))),
        "host_on_bijstand": z3.BoolVal(True),
        "host_is_ex_partner": z3.BoolVal(True),
        "host_age": z3.And(v["host_age"] >= 18, v["host_age"] <= 120),
        "partner_age": z3.And(known("partner_age") == v["partner_at_home"], v["partner_age"] <= 120),
        "children_aged_0_5": v["children_aged_0_5"] >= 0,
        "children_aged_6_11": v["children_aged_6_11"] >= 0,
        "children_aged_12_15": v["children_aged_12_15"] >= 0,
        "children_aged_16_17": v["minor_children_at_home"] == v["children_aged_0_5"] + v["children_aged_6_11"]
        + v["children_aged_12_15"] + v["children_aged_16_17"],
        "residents": v["residents"] >= v["household_size"] + v["cost_sharers"],
        "months_in_work_known": v["months_in_work_known"] == known("months_in_work"),
        "youth_care_ongoing": z3.And(known("youth_care_ongoing") == known("youth_care_before_18"),
                                     v["youth_care_ongoing"] == z3.And(
            v["youth_care_before_18"], z3.Not(known("months_since_youth_care_ended")))),
    }
    missing = sorted(set(DERIVED_FACTS) - set(rules))
    if missing:
        raise NotImplementedError(f"derived facts without a z3 encoding: {', '.join(missing)}")
    return list(rules.values())


def _formula(space: Space, node: formulas.Formula) -> tuple[z3.ArithRef, Formula]:
    """(value, known) of a bound amount formula, as `formulas.evaluate` computes it."""
    if isinstance(node, Num):
        return _const(node.value), z3.BoolVal(True)
    if isinstance(node, formulas.Fact):
        var = space.vars[node.name]
        return (z3.ToReal(var) if var.is_int() else var), space.known(node.name)
    if isinstance(node, formulas.Arith):
        (left, lk), (right, rk) = _formula(space, node.left), _formula(space, node.right)
        if node.op == "/":
            if not isinstance(node.right, Num):
                raise NotImplementedError("an amount a gap depends on divides by a fact; encode it in solver.py")
            return left / right, z3.And(lk, rk)
        return {"+": left + right, "-": left - right, "*": left * right}[node.op], z3.And(lk, rk)
    parts = [_formula(space, a) for a in node.args]
    known = z3.And([k for _, k in parts])
    args = [v for v, _ in parts]
    if node.name == "band":
        x, low, high = args
        inside = z3.If(x < high, x, high) - low
        return z3.If(inside > 0, inside, _const(0)), known
    result = args[0]
    for arg in args[1:]:
        result = z3.If(arg < result, arg, result) if node.name == "min" else z3.If(arg > result, arg, result)
    return result, known


def _amount_constraints(space: Space) -> list[Formula]:
    """Each amount a gap depends on as its cases (the first whose `when` holds; unknown where a
    `when` or the formula needs a missing fact; else 0), rounded half up to whole cents."""
    out = []
    needed = amounts_gaps_read(space.compiled)
    for amount in space.compiled.amounts:
        if amount.name not in needed:
            continue
        value, known = _const(0), z3.BoolVal(True)
        for when, formula in reversed(amount.cases):
            result, ok = _formula(space, formula)
            if when is None:
                value, known = result, ok
                continue
            holds, fails = space.tri(when)
            value, known = z3.If(holds, result, value), z3.If(holds, ok, z3.And(fails, known))
        cents = z3.Int(f"{amount.name}{space.tag}__cents")  # formulas.cents: floor(value x 100 + 0.5 + slack)
        shifted = value * 100 + _const(0.5 + formulas.HALF_CENT_SLACK)
        out.append(space.known(amount.name) == known)
        out.append(z3.Implies(known, z3.And(z3.ToReal(cents) <= shifted, shifted < z3.ToReal(cents) + 1,
                                            space.vars[amount.name] == z3.ToReal(cents) / 100)))
    return out
