"""The text a social worker reads after `regelgat check`: one row per provision, then gaps and loops."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from regelgat.check.single import Checked
from regelgat.check.household import household
from regelgat.client.questions import assumed_text, question
from regelgat.rules.unknowns import rule_fields, assumed, questions
from regelgat.rules.verdicts import Verdict, amount_flags, requirement_text, verdict_amount, waiting_routes

_STYLE = {"eligible": "green", "ineligible": "red", "blocked": "yellow", "undetermined": "blue"}
_KIND_STYLE = {"attainable": "green", "harmful": "red", "impossible": "dim"}
FLAG = "[!]"


def _decided_by(verdict: Verdict, checked: Checked) -> Text:
    text = Text()
    if verdict.outcome == "eligible":
        met = [r for r in verdict.reasons if r.status == "pass"]
        text.append(f"all {len(met)} applicable criteria met")
        if verdict.provision.spec.waiting_time:
            text.append(f"\nwaiting time: {verdict.provision.spec.waiting_time}", style="italic")
        return text
    for index, reason in enumerate(verdict.deciding):
        if index:
            text.append("\n")
        rule = reason.rule
        text.append(rule.text, style="bold")
        text.append(f" ({rule.rule.kind})")
        if rule.group == "requirement":
            text.append(f"\n  waits for {rule.rule.granters_text}")
            if rule.rule.unless:
                text.append(f", or: {rule.rule.unless}")
        elif reason.status == "unknown":
            asked = sorted(rule_fields(rule, checked.compiled, checked.facts))
            text.append("\n  not known yet: " + ("; ".join(question(f) for f in asked) or "a fact it needs is missing"))
        else:
            text.append(f"\n  would need: {requirement_text(reason, checked.compiled)}")
            current = checked.values_read(rule)
            if current:
                text.append(f"  (now {current})", style="dim")
        text.append(f"\n  {rule.rule.source}", style="cyan")
    return text


def _routes_text(verdict: Verdict, checked: Checked) -> Text:
    """Why a door the client needs is blocked: each route it waits along, to the clause that refuses."""
    text = Text(f"Why {verdict.provision.spec.title} waits:", style="bold")
    for route, looped in waiting_routes(verdict, checked.result):
        text.append("\n  ").append(" -> ".join(v.provision.key for v in route[1:]))
        last = route[-1]
        if looped:
            text.append(": back to the start, a referral loop", style="red")
        elif last.deciding:
            refusing = last.deciding[0].rule
            holds = "holds" if refusing.group == "exclusion" else "does not hold"
            text.append(f", which refuses because this {holds}: ").append(refusing.text, style="red")
    return text


def _routes_parts(checked: Checked) -> list[Text]:
    """Every route out of each gap (fact -> value, what it costs, what it opens), and a perverse incentive's rules."""
    routes, parts = checked.routes, []
    for need, found in routes.by_need.items():
        text = Text(f"Routes out of the {need} gap (nearest first): ", style="bold")
        text.append("none: no change of facts opens a door" if not found else "", style="red")
        for route in found:
            text.append(f"\n  {route.kind}", style=_KIND_STYLE[route.kind]).append(": ")
            text.append(", ".join(f"{c.fact} -> {c.to!r} ({c.kind})" for c in route.changes))
            text.append(f"  opens {', '.join(route.opens)}", style="dim")
        parts.append(text)
        if need in routes.perverse:
            text = Text(f"Perverse incentive ({need}): ", style="bold red").append(
                "no attainable route; the nearest are harmful. The rules that only a harmful change passes:")
            for rule in routes.perverse_rules[need]:
                text.append(f"\n  {rule.ruleset}/{rule.provision}/{rule.rule.id}: ").append(rule.text)
                text.append(f"\n    {rule.rule.source}", style="cyan")
            parts.append(text)
    return parts


def euros(value: float) -> str:
    return f"EUR {value:,.2f}"


def _amount_text(verdict: Verdict, checked: Checked) -> Text:
    """`EUR 801.50 a month` under an eligible provision's outcome, with what is reserved."""
    if verdict.outcome != "eligible":
        return Text()
    bound = checked.compiled.amount_of(verdict.provision.key)
    if bound is None:
        return Text()
    value = verdict_amount(verdict, checked.compiled, checked.facts)
    if value is None:
        return Text("\namount unknown", style="dim")
    text = Text(f"\n{euros(value)} a month", style="bold")
    if bound.flags:
        text.append(f" {FLAG}", style="magenta")
    reserved = checked.facts.get(bound.spec.reserved) if bound.spec.reserved else None
    if reserved:
        text.append(f"\n(of which {euros(reserved)} reserved, paid in June)", style="dim")
    return text


def _household_text(checked: Checked) -> Text:
    h = household(checked)
    text = Text("Household income a month: ", style="bold")
    text.append("not given" if h.income_before is None else f"{euros(h.income_before)} before provisions")
    if h.income_after is not None:
        text.append(f", {euros(h.income_after)} after")
        if h.paid:
            text.append(" (" + ", ".join(f"{v.provision.spec.id} {euros(a)}" for v, a in h.paid) + ")", style="dim")
    if h.social_minimum is not None:
        text.append(f"\n  social minimum {euros(h.social_minimum)}: {h.minimum_text}")
        text.append(f"\n  {h.minimum_source}", style="cyan")
    if h.shortfall is not None:
        text.append(f"\n  Shortfall: {euros(h.shortfall)} a month below the social minimum, "
                    "and no provision covers the need for income", style="red")
    return text


def _effect_cost(effect, checked: Checked) -> Text:
    cost = checked.compiled.amount_of_effect(effect)
    value = checked.facts.get(cost.name) if cost else None
    return Text(f"\n  In euros: {euros(value)} a month less ({cost.text})", style="bold") if value else Text()


def render(checked: Checked, console: Console) -> None:
    """Print one client's check as a social worker reads it: verdict table, gaps, loops, effects, flags."""
    result, profile = checked.result, checked.profile
    console.print(f"[bold]regelgat check[/bold]  profile [bold]{profile.id}[/bold]  rules date {result.date}")
    asked = questions(result, checked.compiled, checked.facts)
    if asked:
        console.print("[bold]Questions that decide the undetermined verdicts[/bold] (most decisive first):")
        for name, decides in asked:
            console.print(f"  - {question(name)}  [dim]({name}; decides {', '.join(decides)})[/dim]")
    table = Table(box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
    table.add_column("Provision", ratio=3, overflow="fold")
    table.add_column("Covers", ratio=1)
    table.add_column("Outcome", min_width=12, no_wrap=True)
    table.add_column("Decided by, and its source", ratio=6, overflow="fold")
    # The doors for the client's own needs first; the other provisions after a rule.
    relevant = [v for v in result.verdicts if set(v.provision.spec.covers) & set(profile.needs)]
    others = [v for v in result.verdicts if v not in relevant]
    for index, verdict in enumerate(relevant + others):
        if relevant and index == len(relevant):
            table.add_section()
        spec = verdict.provision.spec
        outcome = Text(verdict.outcome, style=_STYLE[verdict.outcome])
        if verdict.flags:
            outcome.append(f" {FLAG}", style="magenta")
        outcome.append(_amount_text(verdict, checked))
        table.add_row(f"{spec.title}\n[dim]{verdict.provision.key}[/dim]", ", ".join(spec.covers) or "-",
                      outcome, _decided_by(verdict, checked))
    console.print(table)
    flagged = [v for v in result.verdicts if v.flags or amount_flags(v, checked.compiled)]
    if flagged:
        console.print(f"[magenta]{FLAG}[/magenta] rests on an unconfirmed assumption:")
        for verdict in flagged:
            for flag in verdict.flags:
                console.print(f"  {verdict.provision.key}: {flag}", markup=False)
            for flag in amount_flags(verdict, checked.compiled):
                if flag not in verdict.flags:
                    console.print(f"  {verdict.provision.key} (amount): {flag}", markup=False)
    for verdict in result.verdicts:
        for name in assumed(verdict, checked.compiled, set(checked.assumed_fields)):
            console.print(f"  {verdict.provision.key}: assumed: {assumed_text(name)}", markup=False)
    parts = []
    if profile.needs:
        parts.append(Text("Gaps (needs nothing covers): ", style="bold").append(
            ", ".join(result.gaps) if result.gaps else "none", style="red" if result.gaps else "green"))
        if result.undecided:
            parts.append(Text("Not yet decided (a door is undetermined): ", style="bold").append(
                ", ".join(result.undecided), style="blue"))
    parts.append(Text("Referral loops: ", style="bold").append(
        "none" if not result.loops else "; ".join(" -> ".join((*loop, loop[0])) for loop in result.loops),
        style="red" if result.loops else "green"))
    for verdict in relevant:
        if verdict.outcome == "blocked":
            parts.append(_routes_text(verdict, checked))
    parts += _routes_parts(checked)
    parts.append(_household_text(checked))
    for effect in result.effects:
        parts.append(Text("Effect on others: ", style="bold").append(effect.text).append(
            _effect_cost(effect, checked)).append(f"\n  {effect.rule.source}", style="cyan"))
    host = profile.sleeps_elsewhere.host.replace("_", " ") if profile.sleeps_elsewhere else ""
    for effect in checked.effects_if_staying:
        parts.append(Text(f"If the client slept at the {host}'s home most nights: ", style="bold").append(
            effect.text).append(_effect_cost(effect, checked)).append(f"\n  {effect.rule.source}", style="cyan"))
    console.print(Panel(Group(*parts), title="Summary", expand=True))
