"""The one way regelgat writes an amount of money or a parameter value: 1,401.50 or 1,401, or 'none'."""

from __future__ import annotations


def money(value: float | None) -> str:
    """Thousands separated; cents only when there are any; `none` for a value that is not there."""
    if value is None:
        return "none"
    return f"{value:,.2f}" if value != int(value) else f"{int(value):,}"
