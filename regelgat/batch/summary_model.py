"""The batch summary as a typed model: the contract of summary.json, for the reports and any later reader.

`summary.finish` assembles the figures; `Summary` checks their shape and is what report.py and
every other reader consume (attributes, not string keys). `Summary.to_json` writes the file:
sorted keys, keys that a run did not set left out, so the same run gives the same bytes.
The JSON Schema is documented in docs/summary-format.md (`regelgat schema --summary --markdown`),
and a test keeps that page equal to the model.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from regelgat.batch.weeks_model import TimelineSummary



class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    """The legal source a criterion or effect cites."""

    title: str
    url: str | None = None


class ScenarioInfo(_Model):
    """What was simulated: the scenario and the settings of this run."""

    id: str
    title: str
    description: str = Field(description="The scenario's description on one line ('' if none).")
    size: int = Field(description="Number of profiles.")
    seed: int
    date: str = Field(description="Rules date, YYYY-MM-DD.")
    reading: str = Field("rules", description=(
        "rules: reported practice that no rule confirms refused no one (the default); practice: it was "
        "applied as rules (`--assume practice`)."))
    fixed: dict[str, Any] = Field(description="Profile fields that are the same for everyone.")
    varying: list[str] = Field(description="Profile fields that vary.")


class RulesetInfo(_Model):
    id: str
    title: str
    agency: str


class RowsInfo(_Model):
    """Where the profile-level results are."""

    format: str = Field(description="parquet, jsonl or none.")
    files: str | None = Field(description="Glob of the row files under the output folder, or null.")
    profile_id: str = Field(description="How a profile id is made: <scenario>-<index>.")


class GroupInfo(_Model):
    name: str = Field(description="Group name; 'all' is the whole population.")
    labels: list[str]


class GroupStats(_Model):
    """Counts for the profiles with one label of a group; `<x>_share` is the count over `profiles`."""

    profiles: int
    need_housing: int
    gap_housing: int
    gap_housing_share: float
    need_income: int
    gap_income: int
    gap_income_share: float
    need_care: int
    gap_care: int
    gap_care_share: float
    need_debt_help: int
    gap_debt_help: int
    gap_debt_help_share: float
    any_gap: int = Field(description="Profiles with at least one need that no provision covers.")
    any_gap_share: float
    nothing: int = Field(description="Profiles that qualify for nothing they need.")
    nothing_share: float
    in_loop: int = Field(description="Profiles caught in a referral loop.")
    shortfall_profiles: int = Field(0, description="Profiles with an income gap and a known social minimum (the "
                                                   "bijstand norm for the household): those a shortfall is measured for.")
    shortfall_median: float | None = Field(None, description="Median euros a month below the social minimum among "
                                                             "them, rounded up to the euro; null if none.")
    shortfall_over_100: int = Field(0, description="Of them, more than EUR 100 a month below the social minimum.")
    shortfall_over_100_share: float = Field(0.0, description="shortfall_over_100 over shortfall_profiles.")
    shortfall_over_500: int = Field(0, description="Of them, more than EUR 500 a month below the social minimum.")
    shortfall_over_500_share: float = Field(0.0, description="shortfall_over_500 over shortfall_profiles.")

    def need(self, need: str) -> int:
        """How many have this need."""
        return getattr(self, f"need_{need}")

    def gap(self, need: str) -> int:
        """How many have this need and nothing covers it."""
        return getattr(self, f"gap_{need}")

    def gap_share(self, need: str) -> float:
        """The share of the group with a gap for this need."""
        return getattr(self, f"gap_{need}_share")


ByGroup = dict[str, dict[str, int]]  # group name -> label -> count


class ProvisionStats(_Model):
    """A provision and the doors it shut: refused (ineligible or blocked) while the client needs what it covers."""

    provision: str = Field(description="<ruleset id>/<provision id>.")
    title: str
    covers: list[str]
    eligible: int
    closed_to_all: bool = Field(description="Admits (nearly) no one in this population.")
    shut_doors: int
    shut_share: float
    shut_by_group: ByGroup
    shut_in_scope: int = Field(0, description="Of shut_doors, those the provision is meant for (who meet its "
                                              "scope criteria): what the ranking counts.")
    shut_in_scope_share: float = Field(0.0, description="shut_in_scope over all profiles.")


class Reason(_Model):
    """One criterion, exclusion or prerequisite, with its words and source."""

    criterion: str
    group: str = Field(description="criterion, exclusion or requirement.")
    text: str
    kind: str = Field(description="statute, local_policy or practice.")
    source: Source
    waits_for: str | None = Field(None, description="For a prerequisite: the provisions that grant it.")
    assumptions: list[str] | None = Field(None, description="Unconfirmed assumptions it rests on.")


class CriterionStats(Reason):
    """A criterion that refused someone, and how often, overall and by group."""

    provision: str
    provision_title: str
    count: int = Field(description="Profiles it refused where the door mattered (a need it covers).")
    share: float
    by_group: ByGroup
    relevant: int = Field(description="Profiles for whom its provision mattered.")
    share_of_relevant: float
    closed_to_all: bool = Field(description="Refuses (nearly) everyone it could help: a door closed by design.")
    clause: str | None = Field(None, description="The law's words, when the ruleset quotes them.")
    scope: bool = Field(False, description="It names whom the provision is for (`scope: true` in the ruleset): "
                                           "listed apart, never ranked as a door that shut.")
    in_scope: int = Field(0, description="Profiles for whom its provision mattered and who pass every scope "
                                         "criterion of that provision: those the provision is meant for.")
    count_in_scope: int = Field(0, description="Of them, profiles it refused: what the ranking counts.")
    share_in_scope: float = Field(0.0, description="count_in_scope over all profiles.")
    share_of_in_scope: float = Field(0.0, description="count_in_scope over in_scope.")
    by_group_in_scope: ByGroup = Field(default_factory=dict, description="count_in_scope by group.")
    in_scope_by_group: ByGroup = Field(default_factory=dict, description="in_scope by group.")


class Refusal(_Model):
    """Why one provision refused the profiles of a gap pattern."""

    provision: str
    title: str
    covers: list[str]
    outcome: str = Field(description="ineligible or blocked.")
    deciding: list[Reason]
    closed_to_all: bool


class Pattern(_Model):
    """A gap pattern: the needs left uncovered and the first refusal of each door, with its profiles."""

    id: str = Field(description="Short hash of the pattern; the row files carry the same id.")
    gaps: list[str]
    count: int
    share: float
    label: str
    typical_id: str | None = None
    simplest_id: str | None = None
    typical: dict[str, Any] | None = Field(None, description="The most typical profile (fields off their default).")
    simplest: dict[str, Any] | None = Field(None, description="The simplest profile (fields off their default).")
    refusals: list[Refusal] | None = Field(None, description="Set for the most common patterns.")
    by_group: ByGroup | None = None


class Loop(_Model):
    """A referral loop: each provision waits for the next, back to the first."""

    loop: list[str]
    count: int
    share: float
    titles: list[str]
    by_group: ByGroup


class Effect(_Model):
    """An effect on others (a host's benefit, ...) and how many profiles cause it."""

    effect: str
    text: str
    count: int
    share: float
    source: Source


class RouteChange(_Model):
    fact: str
    to: Any
    kind: str = Field(description="attainable, harmful or impossible (regelgat/client/fact_changes.yaml).")
    words: str = Field(description="The change in words: 'it would open if the client ...'.")
    words_nl: str = Field(description="The same in Dutch: 'het zou opengaan als de cliënt ...'.")


class RouteRule(_Model):
    """A criterion that only a harmful change passes: the rule that rewards getting worse."""

    provision: str
    criterion: str
    text: str
    source: Source


class ExampleRoute(_Model):
    kind: str = Field(description="attainable, harmful or impossible: the worst of its changes.")
    changes: list[RouteChange]
    opens: list[str]


class RouteExample(_Model):
    """One profile whose nearest route out of the gap is harmful, with its routes searched exactly."""

    profile_id: str
    profile: dict[str, Any] = Field(description="The profile's fields off their default.")
    kind: str = Field(description="The exact search's nearest route kind for this profile.")
    routes: list[ExampleRoute] = Field(description="Its nearest routes, at most four.")
    rules: list[RouteRule] = Field(description="The criteria only the harmful changes pass.")


class NeedRoutes(_Model):
    """How near the way out of a need's gaps is: the kind of each gap case's nearest route."""

    need: str
    gap_cases: int = Field(description="Profiles with this need that nothing covers: the base of the shares.")
    nearest: dict[str, int] = Field(description="Gap cases by the kind of their nearest route: attainable, "
                                                "harmful, impossible, none (no change of facts opens a door).")
    harmful_share: float = Field(description="Gap cases whose nearest route is harmful, over gap_cases: the "
                                             "perverse incentives.")
    by_group: dict[str, dict[str, dict[str, int]]] = Field(
        description="Group -> label -> {gap_cases, harmful}.")
    examples: list[RouteExample] = Field(description="The first profiles (by key) whose nearest route is harmful.")


class CheckInfo(_Model):
    """How the figures were checked."""

    engine: str = Field(description="vector (numpy) or durable (durable_rules).")
    sample_share: float
    mismatches: int
    cross_checked_with_durable_rules: int | None = Field(
        description="Profiles re-decided one by one by durable_rules (null with the durable engine).")


class SensitiveFlag(_Model):
    ruleset: str
    item: str = Field(description="The criterion, parameter or amount the assumption is on.")
    value: float = Field(description="The figure with this flag turned off.")


class FigureRange(_Model):
    """One headline figure, and how far it moves when one flag at a time is turned off."""

    figure: str = Field(description="any_gap, nothing, or gap_<need>.")
    value: float = Field(description="The figure as run (a share).")
    profiles: int = Field(description="What the share is of: all profiles, or those who need it (gap_<need>).")
    low: float = Field(description="Lowest value across the flags that decide verdicts (and the run).")
    high: float = Field(description="Highest value across the flags that decide verdicts (and the run).")
    most_sensitive: list[SensitiveFlag] = Field(description="The flags that move it most, most first.")


class FlagRun(_Model):
    ruleset: str
    item: str
    assumption: str
    decides_verdicts: bool = Field(description="Whether a rule carrying it refused or held up anyone in the run.")
    figures: dict[str, float] = Field(description="The headline figures with this flag turned off.")
    alternative_value: float | None = Field(None, description="A flagged parameter value: the value tried instead "
                                                              "(optional).")


class Sensitivity(_Model):
    """With `regelgat run --sensitivity`: the headline figures with each flagged assumption turned off."""

    reading: str = Field(description="What turning a flag off means, and how practice criteria were read.")
    flags: int = Field(description="Flags carried by a rule on the rules date.")
    flags_deciding: int = Field(description="Flags carried by a rule that refused or held up anyone.")
    flags_staying_on: int = Field(description="Flags this reading cannot turn off (on an amount's formula, or a "
                                              "value only amounts read, with no other dated value).")
    figures: list[FigureRange]
    by_flag: list[FlagRun]


class Summary(_Model):
    """summary.json: everything a report shows, for one run."""

    scenario: ScenarioInfo
    rulesets: list[RulesetInfo]
    rows: RowsInfo
    profiles: int
    groups: list[GroupInfo]
    by_group: dict[str, dict[str, GroupStats]] = Field(description="Group name -> label -> counts.")
    provisions: list[ProvisionStats] = Field(description="Most shut doors first.")
    criteria: list[CriterionStats] = Field(description="Most refusals among the people each provision is meant "
                                                       "for (count_in_scope) first, then most refusals.")
    patterns: list[Pattern] = Field(description="Most common first.")
    loops: list[Loop]
    effects: list[Effect]
    check: CheckInfo
    sensitivity: Sensitivity | None = Field(None, description="Only with --sensitivity (optional).")
    timeline: TimelineSummary | None = Field(None, description="Weeks without cover, when the scenario has events.")
    routes: list[NeedRoutes] | None = Field(None, description="Per need with gaps: how near the way out is.")

    @property
    def overall(self) -> GroupStats:
        """The counts for the whole population."""
        return self.by_group["all"]["all"]

    def as_data(self) -> dict[str, Any]:
        """Plain data, keys a run did not set left out: what summary.json holds."""
        return self.model_dump(mode="json", exclude_unset=True)

    def to_json(self) -> str:
        """summary.json's text: sorted keys, so that the same run gives the same bytes."""
        return json.dumps(self.as_data(), indent=1, sort_keys=True, ensure_ascii=False)


def summary_markdown() -> str:
    """docs/summary-format.md: what summary.json holds, with its JSON Schema."""
    schema = json.dumps(Summary.model_json_schema(), indent=2, ensure_ascii=False)
    return "\n".join([
        "# summary.json", "",
        "Generated by `regelgat schema --summary --markdown` from `regelgat/batch/summary_model.py`; do not edit "
        "by hand.", "",
        "`regelgat run` writes `summary.json` beside the reports: every figure the reports show, as data. "
        "Keys are sorted and the same scenario, seed and rules give the same bytes. Keys marked optional "
        "below are left out when they do not apply (a prerequisite's `waits_for`, the profiles of the "
        "less common patterns). Shares are counts divided by the profiles they are counted over, "
        "rounded to 6 decimals.", "",
        "```json", schema, "```", ""])
