"""Reform files: a proposal to change the bundled rules, written in the ruleset format.

A reform never edits a ruleset. It names the rulesets it touches and, for each, the parameters
it adds or gives new dated values, the provisions it adds, and the criteria or exclusions it
replaces, adds or removes, all as the ruleset format has them (pydantic models from
rules/ruleset.py, so the JSON Schema of a reform is checked the same way). The proposal itself
is cited and dated, and values that are proposals rather than law carry an `assumption:`.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from regelgat.rules.ruleset import Criterion, Parameter, Provision, Source

_ID = r"^[a-z0-9][a-z0-9_-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Proposal(_Model):
    """Who proposed the reform, when, and where it can be read."""

    by: str = Field(min_length=2, description="Who proposes it (a person's role, an organisation, a bill).")
    date: dt.date = Field(description="When it was proposed or published.")
    source: Source


class RuleChange(_Model):
    """One criterion or exclusion of a provision: set (replace the one with the same id, or add it) or remove."""

    provision: str = Field(pattern=_ID, description="The provision id in this ruleset.")
    set: Criterion | None = Field(None, description="The criterion as the ruleset format writes it.")
    remove: str | None = Field(None, pattern=_ID, description="The id of a criterion or exclusion to drop.")

    @model_validator(mode="after")
    def _one(self):
        if (self.set is None) == (self.remove is None):
            raise ValueError("give either set: (a criterion) or remove: (an id), not both or neither")
        return self


class RulesetChange(_Model):
    """What a reform changes in one bundled ruleset."""

    parameters: dict[str, Parameter] = Field(
        {}, description="New parameters, or new dated values of existing ones (a value from a date replaces "
                        "the value in force from that date).")
    provisions: tuple[Provision, ...] = Field((), description="Provisions the reform adds.")
    criteria: tuple[RuleChange, ...] = Field((), description="Criteria the reform sets or removes.")
    exclusions: tuple[RuleChange, ...] = Field((), description="Exclusions the reform sets or removes.")


class ReformFile(_Model):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=3)
    title_nl: str = Field(min_length=3, description="The title in Dutch.")
    summary: str = Field(min_length=3, description="What the reform does and for whom, in plain words.")
    summary_nl: str = Field(min_length=3, description="The summary in Dutch.")
    proposal: Proposal
    valid_from: dt.date = Field(description="The reformed rules hold from this date; compare on it or later.")
    assumption: str | None = Field(None, description="Why the reform as a whole is not confirmed, if it is not.")
    rulesets: dict[str, RulesetChange] = Field(min_length=1, description="Ruleset id -> what changes in it.")
    nl: dict[str, str] = Field({}, description="Dutch for the English titles and texts the reform adds.")
