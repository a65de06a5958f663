"""How the batch reports word a refusal and a field name, so a refusal never reads as its opposite.

A criterion's text says what must hold ("Your net income is below the norm"), an exclusion's what
shuts the door ("You have problematic debts"); printed bare after "ineligible", the first reads
as if it were the reason for refusing. Field and group names are snake_case in data, words on paper.
"""

from __future__ import annotations

from regelgat.batch.summary_model import Reason, Summary


def words(name: str) -> str:
    """`age_band` -> `age band`, `debt_help` -> `debt help`."""
    return name.replace("_", " ")


def refusal(deciding: Reason, titles: dict[str, str]) -> str:
    """One deciding reason of a shut door as a sentence about this person."""
    if deciding.waits_for:
        waits = " or ".join(titles.get(key, key) for key in deciding.waits_for.split(" or "))
        return f"waits for {waits}, which this person cannot get"
    if deciding.group == "exclusion":
        return f"shut because this applies to this person: “{deciding.text}”"
    return f"requires “{deciding.text}”, which this person does not meet"


def provision_titles(summary: Summary) -> dict[str, str]:
    """Provision key -> title, to name what a blocked door waits for."""
    return {p.provision: p.title for p in summary.provisions}
