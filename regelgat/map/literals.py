"""The building blocks of a region: single comparisons on one fact, and their readable form.

The candidate literals are the comparisons the rules themselves make (and those of --where),
each with its negation, plus "missing" for an optional fact. A region is a conjunction of them,
so it reads in the rules' own thresholds: `income_net_monthly >= 1401.5`, not `> 1401.49`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from regelgat.client.facts import FACT_TYPES, FactType
from regelgat.i18n import N_

_AMOUNT = FactType("number", "an amount a ruleset computes (euros a month)", optional=True)


def fact_type(name: str) -> FactType:
    """The type of a fact conditions read: a profile or derived fact, else a computed amount."""
    return FACT_TYPES.get(name, _AMOUNT)
from regelgat.rules.compiled import BoundProvision, BoundRule, CompiledRules
from regelgat.rules.expressions import And, Compare, Member, Node, Or, describe, evaluate, negate
from regelgat.rules.verdicts import reason_status

_CANONICAL = {"==", "<", "<="}


@dataclass(frozen=True)
class Literal:
    """A comparison on one fact (`node`), whether an optional fact is given (`node` None), or, for a
    rule whose verdict no single comparison states, that the rule is met (`present`) or not."""

    fact: str  # the fact, or for a rule literal the rule's key: ruleset/provision/rule
    node: Node | None = None
    present: bool = True
    rule: BoundRule | None = None
    atoms: tuple[tuple[int, Node], ...] = ()  # a rule literal's conditions, by atom index
    provision: BoundProvision | None = None  # a provision literal: the client gets it (`present`) or not
    own: bool = False  # with `provision`: the provision accepts the client on its own criteria, or not

    def holds(self, facts: dict[str, Any], eligible: set[str] = frozenset()) -> bool:
        """Whether a profile's facts (as `profile_facts` gives them) meet this literal; `eligible`
        holds the provisions `regelgat check` finds eligible, for a provision literal."""
        if self.provision is not None and self.own:
            answers = {index: evaluate(node, facts) for index, node in self.atoms}
            rules = (*self.provision.criteria, *self.provision.exclusions)
            accepted = all(reason_status(r, answers, exclusion=r.group == "exclusion") in ("pass", "not_applicable")
                           for r in rules)
            return accepted == self.present
        if self.provision is not None:
            return (self.provision.key in eligible) == self.present
        if self.rule is not None:
            answers = {index: evaluate(node, facts) for index, node in self.atoms}
            status = reason_status(self.rule, answers, exclusion=self.rule.group == "exclusion")
            return (status in ("pass", "not_applicable")) == self.present
        if self.node is None:
            return (self.fact in facts) == self.present
        return evaluate(self.node, facts) is True


def rule_literals(compiled: CompiledRules, provisions: Iterable[BoundProvision], every: bool = False) -> list[Literal]:
    """Met / not met for each criterion and exclusion that is more than one comparison: in a region
    "income above the bijstand norm" is one condition, not a cell per age group and household."""
    out = []
    for provision in provisions:
        for rule in (*provision.criteria, *provision.exclusions):
            indices = [i for i in (rule.condition, rule.when) if i is not None]
            if not every and rule.when is None and isinstance(compiled.atoms[rule.condition], (Compare, Member)):
                continue
            atoms = tuple((i, compiled.atoms[i]) for i in indices)
            key = f"{provision.key}/{rule.rule.id}"
            out += [Literal(key, None, met, rule, atoms) for met in (False, True)]
    return out


def provision_literals(provisions: Iterable[BoundProvision]) -> list[Literal]:
    """Gets / does not get each provision that others wait for: "no bijstand" is one condition,
    not one region per reason bijstand can be refused."""
    return [Literal(p.key, None, gets, provision=p) for p in provisions for gets in (False, True)]


def own_literals(compiled: CompiledRules, provisions: Iterable[BoundProvision]) -> list[Literal]:
    """Accepted / refused on its own criteria, for each provision in a referral loop: the loop holds
    when one of them accepts the client but waits for another, whatever its criteria are."""
    out = []
    for p in provisions:
        indices = sorted({i for r in (*p.criteria, *p.exclusions) for i in (r.condition, r.when) if i is not None})
        atoms = tuple((i, compiled.atoms[i]) for i in indices)
        out += [Literal(f"{p.key}/own_criteria", None, ok, atoms=atoms, provision=p, own=True) for ok in (False, True)]
    return out


def leaves(nodes: Iterable[Node]) -> list[Compare | Member]:
    """Every comparison in the conditions, one canonical form per comparison, in a stable order."""
    found: dict[Compare | Member, None] = {}

    def walk(node: Node) -> None:
        if isinstance(node, (And, Or)):
            for item in node.items:
                walk(item)
            return
        if isinstance(node, Compare) and isinstance(node.value, bool):
            node = Compare(node.fact, "==", True)
        elif (isinstance(node, Compare) and node.op not in _CANONICAL) or (isinstance(node, Member) and node.negated):
            node = negate(node)
        found[node] = None

    for node in nodes:
        walk(node)
    return list(found)


def candidates(nodes: Iterable[Node]) -> list[Literal]:
    """Both sides of every comparison, and present/missing for every optional fact they read."""
    out: list[Literal] = []
    for leaf in leaves(nodes):
        out += [Literal(leaf.fact, leaf), Literal(leaf.fact, negate(leaf))]
    optional = sorted({lit.fact for lit in out if fact_type(lit.fact).optional})
    return out + [Literal(f, None, p) for f in optional for p in (True, False)]


def by_fact(literals: Iterable[Literal]) -> dict[str, str]:
    """One readable constraint per fact: `>= 18 and < 27`, `in ["shelter", "street"]`, `false`."""
    grouped: dict[str, list[Literal]] = {}
    for lit in literals:
        grouped.setdefault(lit.fact, []).append(lit)
    return {fact: _constraint(fact, lits) for fact, lits in sorted(grouped.items())}


def _constraint(fact: str, lits: list[Literal]) -> str:
    if lits[0].own:
        return "met" if lits[0].present else "not met"
    if lits[0].provision is not None:
        return "eligible" if lits[0].present else "not eligible"
    if lits[0].rule is not None:
        return "met" if lits[0].present else "not met"
    kind = fact_type(fact).kind
    if any(lit.node is None and not lit.present for lit in lits):
        return "missing"
    nodes = [lit.node for lit in lits if lit.node is not None]
    if not nodes:
        return "given"
    if kind == "bool":
        return "true" if evaluate(And(tuple(nodes)), {fact: True}) else "false"
    if kind == "enum":
        allowed = [v for v in FACT_TYPES[fact].values if evaluate(And(tuple(nodes)), {fact: v})]
        if len(allowed) == 1:
            return f'== "{allowed[0]}"'
        refused = [v for v in FACT_TYPES[fact].values if v not in allowed]
        shown = allowed if len(allowed) <= len(refused) else refused
        return ("in " if shown is allowed else "not in ") + "[" + ", ".join(f'"{v}"' for v in shown) + "]"
    return " and ".join(describe(n).split(" ", 1)[1] for n in _tightest(nodes))


def _tightest(nodes: list[Compare | Member]) -> list[Compare | Member]:
    """The strongest lower and upper bound, and every other comparison as it is."""
    lower = [n for n in nodes if isinstance(n, Compare) and n.op in (">", ">=")]
    upper = [n for n in nodes if isinstance(n, Compare) and n.op in ("<", "<=")]
    rest = [n for n in nodes if n not in lower and n not in upper]
    keep = []
    if lower:
        keep.append(max(lower, key=lambda n: (n.value, n.op == ">")))
    if upper:
        keep.append(min(upper, key=lambda n: (n.value, n.op != "<")))
    return keep + rest


def conditions(literals: Iterable[Literal], w=None) -> list[str]:
    """The region as readable conditions, one per fact; W (batch.wording.Words) words them in its language:
    interface words from the catalog, the rules' texts and titles from the rulesets' (default English)."""
    literals = list(literals)
    ui, rule = (w, w.rule) if w is not None else (_same, _same)
    rules = {lit.fact: lit for lit in literals if lit.rule is not None}
    provisions = {lit.fact: lit for lit in literals if lit.provision is not None and not lit.own}
    own = {lit.fact: lit for lit in literals if lit.own}
    out = []
    for fact, c in by_fact(literals).items():
        if fact in own:
            template = ACCEPTED if c == "met" else REFUSED
            out.append(ui(template).format(title=rule(own[fact].provision.spec.title),
                                           key=fact.replace("/own_criteria", "")))
        elif fact in rules:
            out.append(ui(MET if c == "met" else NOT_MET).format(text=rule(rules[fact].rule.text), key=fact))
        elif fact in provisions:
            template = ELIGIBLE if c == "eligible" else NOT_ELIGIBLE
            out.append(ui(template).format(title=rule(provisions[fact].provision.spec.title), key=fact))
        elif c in ("true", "false", "missing", "given"):
            out.append(fact if c == "true" else ui(_FACT[c]).format(fact=fact))
        else:  # a comparison: operators and values as written in the rules, the words translated
            words = c.replace(" and ", " " + ui("and") + " ")
            out.append(f"{fact} {ui('not in')}{words[6:]}" if words.startswith("not in ") else f"{fact} {words}")
    return out


def _same(text: str) -> str:
    return text


ACCEPTED, REFUSED = N_("accepted on its own criteria by {title} ({key})"), N_("refused on its own criteria by {title} ({key})")
MET, NOT_MET = N_("met: {text} ({key})"), N_("not met: {text} ({key})")
ELIGIBLE, NOT_ELIGIBLE = N_("eligible for {title} ({key})"), N_("not eligible for {title} ({key})")
_FACT = {"false": N_("not {fact}"), "missing": N_("{fact} missing"), "given": N_("{fact} given")}
_WORDS = (N_("and"), N_("not in"))
