"""The `timeline` section of summary.json: weeks without cover and euros missed, per need and group.

Set only when the scenario has a `timeline:` block (batch/weeks.py makes it).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NeedWeeks(_Model):
    """How many weeks a need went uncovered (never paid), among the profiles with that need."""

    profiles: int = Field(description="Profiles with this need.")
    uncovered_median: int | None = Field(description="Median weeks uncovered.")
    uncovered_p90: int | None = Field(description="90th percentile of weeks uncovered.")
    uncovered_median_when_any: int | None = Field(description="Median weeks uncovered among those with any.")
    uncovered_mean: float
    any_uncovered: int = Field(description="Profiles with at least one week uncovered.")
    any_uncovered_share: float
    four_or_more: int = Field(description="Profiles with 4 weeks or more uncovered.")
    four_or_more_share: float
    waiting_mean: float = Field(description="Mean weeks waiting: eligible, paid only later.")


class GroupWeeks(_Model):
    """One group label's weeks and euros."""

    profiles: int
    needs: dict[str, NeedWeeks] = Field(description="Per need the profiles have.")
    missed_total: float = Field(description="Euros of bijstand missed for good, all profiles together.")
    missed_mean: float
    missed_median: int | None = Field(description="Median euros missed, to the EUR 10 below.")
    missed_p90: int | None = Field(description="90th percentile of euros missed, to the EUR 10 below.")
    missed_median_when_any: int | None = Field(
        description="Median euros missed among those who missed any (from EUR 10 up), to the EUR 10 below.")
    missed_any: int = Field(description="Profiles that missed any bijstand.")
    missed_any_share: float
    possible_back_pay_total: float = Field(
        description="Of the euros missed, what a discretionary back-pay MAY repay (never counted as paid).")
    possible_back_pay_profiles: int
    delayed_total: float = Field(description="Euros paid only later: weeks waited for, what an advance holds back.")


class TimelineSummary(_Model):
    """Weeks from the rules date: the scenario's events, and what they did to cover and income."""

    start: str = Field(description="First day of week 1 (the rules date), YYYY-MM-DD.")
    end: str
    weeks: int
    events: list[dict] = Field(description="The scenario's event distributions, in short.")
    uncovered_histogram: dict[str, list[int]] = Field(
        description="Per need: profiles with 0, 1, 2, ... weeks uncovered (whole population).")
    by_group: dict[str, dict[str, GroupWeeks]] = Field(description="Group name -> label -> figures.")
    euro_step: int = Field(description="Euro medians and percentiles are rounded down to this step.")
