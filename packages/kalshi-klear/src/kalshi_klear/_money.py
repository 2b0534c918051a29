"""Klear money types the spec's prose asks for and its schema does not state.

Klear money is integer centicents (1 USD = 10,000) almost everywhere, so those fields stay `int`.
The few request fields in US dollars must also be positive (the withdrawal `amount`, a
hypothetical position's `price`); `PositiveDollars` checks that at construction, before anything
is sent, on top of kalshi_rest's rule that request money is a `Decimal` and never a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

from kalshi_rest.extension import StrictDollars

__all__ = ["CENTICENTS_PER_DOLLAR", "PositiveDollars", "centicents_to_dollars"]

CENTICENTS_PER_DOLLAR = 10_000
"""Klear's money unit: 1 USD = 10,000 centicents."""


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError(f"must be a positive dollar amount, got {value}")
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError(f"a dollar amount has at most 4 decimals, got {value}")
    return value


PositiveDollars = Annotated[StrictDollars, AfterValidator(_positive)]
"""US dollars in a request: a `Decimal` > 0 with at most 4 decimals (wire: fixed-point string)."""


def centicents_to_dollars(centicents: int) -> Decimal:
    """Convert Klear's integer centicents to US dollars, exactly: `-1_234_500` -> `Decimal("-123.4500")`."""
    if isinstance(centicents, bool) or not isinstance(centicents, int):
        raise TypeError(f"centicents are an int, got {type(centicents).__name__}")
    return Decimal(centicents).scaleb(-4)
