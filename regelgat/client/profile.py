"""The client profile: the public contract a social worker fills in.

Validation is strict on purpose. durable_rules compares a string with a number as text
(`'5' >= 18` is true) and matches `== false` against 0, so a profile that reaches the
engine must already hold real numbers and real booleans. Unknown fields are refused so a
misspelling never silently becomes a default.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from regelgat.io.limits import MAX_ID_CHARS, MAX_LIST_ITEMS, MAX_SHORT_TEXT_CHARS

Need = Literal["housing", "income", "care", "debt_help"]
NEEDS: tuple[str, ...] = ("housing", "income", "care", "debt_help")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Child(_Strict):
    """A child of the client, born. An unborn child is `pregnancy_weeks` on the profile."""

    age: int = Field(ge=0, le=40, description="Age in whole years.")
    lives_with_client: bool = Field(True, description="Whether the child lives with the client.")


class CoResident(_Strict):
    """Another adult who shares the client's main residence (hoofdverblijf)."""

    age: int = Field(ge=0, le=120)
    relation: Literal[
        "partner", "ex_partner", "parent", "child", "sibling", "relative", "friend", "lodger", "other"
    ] = Field(description="How this person relates to the client. `lodger` means a commercial tenant "
                          "or landlord under a written contract at a commercial price.")
    student_finance: bool = Field(False, description="Receives studiefinanciering (or WTOS, or BBL).")


class SleepsElsewhere(_Strict):
    """Nights the client spends in another household, which can change that household's benefits."""

    host: Literal["ex_partner", "partner", "family", "friend"] = Field(
        description="Whose home the client sleeps in.")
    nights_per_week: int = Field(ge=0, le=7, description="Average nights per week spent there.")
    host_on_bijstand: bool = Field(False, description="The host household receives bijstand.")
    host_age: int = Field(40, ge=18, le=120, description="Age of the host.")


class Profile(_Strict):
    """One client's situation on the day of the check."""

    id: str = Field(min_length=1, max_length=MAX_ID_CHARS,
                    description="A label for this profile; not a personal identifier.")
    age: int = Field(ge=0, le=120, description="Age in whole years.")
    gender: Literal["female", "male", "x"] = "x"
    municipality: str | None = Field(None, max_length=MAX_SHORT_TEXT_CHARS,
                              description="Municipality of actual residence.")
    residence_status: Literal[
        "dutch", "eu_citizen", "residence_permit", "asylum_seeker", "undocumented"
    ] | None = None
    eu_jobseeker_or_first_3_months: bool | None = Field(
        None, description="Only for an EU/EEA citizen: in the first three months of residence, or here "
                          "only to look for work without having worked here (art. 24 lid 2 Directive "
                          "2004/38/EG). Such a citizen has no right to bijstand (art. 11 lid 2 Pw) or to "
                          "shelter as a Wmo provision (art. 1.2.2 Wmo 2015). Absent: not known.")
    relationship: Literal[
        "single", "married", "registered_partner", "cohabiting", "separated", "divorced", "widowed"
    ] = Field("single", description="`separated` means married but living apart for good "
                                    "(duurzaam gescheiden), which bijstand treats as single.")
    years_since_separation: float | None = Field(
        None, ge=0, le=100,
        description="Years since a marriage or joint household with an ex-partner ended; used by the "
                    "2026 joint-household presumption (art. 3 lid 4 a Pw).")
    pregnancy_weeks: int = Field(0, ge=0, le=45, description="Weeks pregnant; 0 means not pregnant.")
    children: list[Child] = Field([], max_length=MAX_LIST_ITEMS)
    co_residents: list[CoResident] = Field(
        [], max_length=MAX_LIST_ITEMS, description="The other adults who share the client's main residence.")
    income_net_monthly: float | None = Field(None, ge=0, le=1_000_000, description="Net income in euros per month.")
    income_gross_yearly: float | None = Field(
        None, ge=0, le=10_000_000,
        description="Gross yearly income (toetsingsinkomen) for toeslagen and housing limits. When "
                    "absent, regelgat uses 12 x net monthly income, a lower bound (flagged).")
    income_source: Literal[
        "employment", "self_employment", "benefit", "pension", "student_finance", "none"
    ] | None = None
    assets: float | None = Field(None, ge=-10_000_000, le=100_000_000,
                          description="Assets minus debts, in euros (art. 34 lid 1 a Pw).")
    housing: Literal[
        "own_rental", "owner_occupied", "with_parents", "sofa_surfing", "shelter", "street",
        "unsuitable", "institution"
    ] | None = Field(None, description="Where the client sleeps now. `unsuitable` covers a shed, a car "
                                        "or an allotment house.")
    registered_address: Literal["home", "postal", "none"] | None = Field(
        None, description="BRP registration: a residential address, a postal address (briefadres), "
                            "or none.")
    years_in_region: float | None = Field(None, ge=0, le=120,
                                   description="Years lived in the region, counting back from today.")
    self_reliant: bool | None = Field(None, description="Zelfredzaam, as a ZRM screening would judge.")
    addiction: bool | None = None
    psychiatric_disorder: bool | None = None
    domestic_violence: bool | None = Field(None, description="The client is a victim of domestic violence.")
    problematic_debts: bool | None = None
    in_debt_restructuring: bool | None = Field(None, description="In a Wsnp debt-restructuring scheme now.")
    student_finance: bool | None = Field(None, description="Entitled to studiefinanciering.")
    in_detention: bool = False
    needs: list[Need] = Field([], max_length=len(NEEDS),
                              description="What the client needs, each once. `housing` means a place to "
                                          "sleep; shelter counts.")

    # Fields added for the encoded rules. Each one is named in the rule that reads it.
    rent_monthly: float | None = Field(None, ge=0, le=100_000, description="Kale huur (bare rent) per month.")
    rental_contract: bool | None = Field(None, description="Has a rental contract for the home.")
    self_contained_home: bool | None = Field(
        None, description="Own entrance, kitchen, toilet and shower (zelfstandige woonruimte).")
    health_insured: bool | None = Field(None, description="Has Dutch basic health insurance.")
    weeks_since_reporting: int | None = Field(
        None, ge=0, le=1000, description="Weeks since reporting (melding) for bijstand; the under-27 "
                                      "search period counts from it.")
    search_period_waived: bool | None = Field(
        None, description="The college waived the 4-week search period (art. 41 lid 11 Pw, from 2026).")
    parents_can_support: bool | None = Field(
        None, description="The parents can pay for living costs, and asking them is reasonable "
                          "(art. 12 until 2025, art. 20 lid 3 from 2026).")
    lives_in_institution: bool = Field(False, description="Lives in an inrichting (care institution).")
    youth_care_before_18: bool | None = Field(None, description="Received jeugdhulp before turning 18.")
    months_since_youth_care_ended: int | None = Field(
        None, ge=0, le=1200, description="Months since youth care ended; absent if it has not ended.")
    detox_completed: bool | None = Field(None, description="Has completed addiction detox.")
    social_problems_resolved: bool | None = Field(
        None, description="Housing, income and debts are in order, as an addiction clinic asks.")
    freezing_weather: bool = Field(False, description="Tonight's felt temperature is below zero.")
    housing_problem_cause: Literal[
        "none", "divorce", "eviction", "homelessness", "pregnancy", "medical", "domestic_violence",
        "calamity", "shelter_outflow", "mantelzorg"
    ] | None = Field(None, description="The main cause of the housing problem, as an urgency desk asks.")
    good_faith_years: float | None = Field(
        None, ge=0, le=100, description="Years of good faith over the debts (for Wsnp entry).")
    amicable_route_tried: bool | None = Field(
        None, description="The amicable debt route (minnelijk traject) was tried or is evidently pointless.")
    sleeps_elsewhere: SleepsElsewhere | None = None
    months_in_work: int | None = Field(
        None, ge=0, le=1200,
        description="Months since the client's current paid work started. Given, it lets bijstand "
                    "leave part of the earnings uncounted (inkomstenvrijlating, art. 31 lid 2 n and r Pw); "
                    "absent, no such disregard is counted.")


    @field_validator("needs")
    @classmethod
    def _each_need_once(cls, needs: list[str]) -> list[str]:
        twice = next((need for index, need in enumerate(needs) if need in needs[:index]), None)
        if twice:
            raise ValueError(f"need {twice!r} is given twice (give each need once)")
        return needs


# What a generated population gives a fact its scenario does not set: the usual case. A profile
# that is checked never gets these: a fact it does not give is unknown, and a verdict that needs it
# is undetermined.
USUAL: dict[str, Any] = {
    "municipality": "Amsterdam", "residence_status": "dutch", "income_net_monthly": 0.0, "income_source": "none",
    "assets": 0.0, "housing": "own_rental", "registered_address": "home", "years_in_region": 0.0,
    "self_reliant": True, "addiction": False, "psychiatric_disorder": False, "domestic_violence": False,
    "problematic_debts": False, "in_debt_restructuring": False, "student_finance": False, "rent_monthly": 0.0,
    "rental_contract": False, "self_contained_home": False, "health_insured": True, "weeks_since_reporting": 0,
    "search_period_waived": False, "parents_can_support": True, "youth_care_before_18": False,
    "detox_completed": False, "social_problems_resolved": False, "housing_problem_cause": "none",
    "good_faith_years": 0.0, "amicable_route_tried": False,
}

# Facts whose absence is the ordinary case for nearly everyone keep a default; a verdict that rests
# on one the user did not give says so ("assumed: not in detention"; texts in questions.yaml).
ASSUMED: tuple[str, ...] = ("in_detention", "lives_in_institution", "freezing_weather", "pregnancy_weeks")


def without_defaults(profile: Profile) -> dict:
    """The profile as plain data, leaving out fields at their default: what makes this client special."""
    data = profile.model_dump(mode="json")
    return {name: value for name, value in data.items()
            if Profile.model_fields[name].is_required() or value != Profile.model_fields[name].default}


def _type_words(field) -> str:
    """A field's type in words: `integer 0 to 120`, `one of: single, married`."""
    import typing

    annotation = field.annotation
    args = typing.get_args(annotation)
    optional = type(None) in args
    if optional:
        annotation = next(a for a in args if a is not type(None))
    if typing.get_origin(annotation) is Literal:
        words = "one of: " + ", ".join(typing.get_args(annotation))
    elif typing.get_origin(annotation) is list:
        inner = typing.get_args(annotation)[0]
        inner_args = typing.get_args(inner)
        words = "list of " + (", ".join(inner_args) if inner_args else inner.__name__)
    else:
        words = {str: "text", int: "integer", float: "number", bool: "true/false"}.get(
            annotation, getattr(annotation, "__name__", str(annotation)))
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    if low is not None and high is not None:
        words += f" {low:,} to {high:,}"
    return words + (", or absent" if optional else "")


def profile_markdown() -> str:
    """The profile fields as a Markdown reference, generated so the docs cannot drift from the model."""
    def rows(model: type[BaseModel]) -> list[str]:
        out = []
        for name, field in model.model_fields.items():
            default = "required" if field.is_required() else f"`{field.default!r}`".replace("None", "absent")
            if model is Profile and name in ASSUMED:
                default += " (assumed)"
            out.append(f"| `{name}` | {_type_words(field)} | {default} | {field.description or ''} |")
        return out

    head = ["| field | type | default | meaning |", "|---|---|---|---|"]
    parts = ["# The client profile", "",
             "Generated by `regelgat schema --markdown`. Unknown fields are refused; numbers must be numbers "
             "and yes/no fields must be `true` or `false`.", "",
             "A field left out (`absent`) is **unknown**, never quietly false, true or 0: a verdict that needs it is "
             "`undetermined` and names the question that decides it. Only the few facts marked *(assumed)* keep a "
             "default, because their absence is the ordinary case for nearly everyone; a verdict that rests on one "
             "the profile did not give says so (`assumed: not in detention`). Populations generated from a "
             "scenario give every fact a value.", ""]
    for model in (Profile, Child, CoResident, SleepsElsewhere):
        parts += [f"## {model.__name__}", "", (model.__doc__ or "").strip(), "", *head, *rows(model), ""]
    return "\n".join(parts)
