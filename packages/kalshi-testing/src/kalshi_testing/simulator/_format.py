"""Wire formatting shared by the simulator's surfaces: fixed-point strings and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

__all__ = ["count", "dollars", "parse_amount", "parse_count", "parse_price", "rfc3339", "seconds"]

_DOLLAR_Q = Decimal("0.0001")
_COUNT_Q = Decimal("0.01")


def dollars(value: Decimal) -> str:
    """Format dollars as Kalshi does on the wire: a string with 4 decimals, e.g. `"0.5600"`."""
    return str(value.quantize(_DOLLAR_Q, rounding=ROUND_HALF_EVEN))


def count(value: Decimal) -> str:
    """Format a contract count as a string with 2 decimals, e.g. `"10.00"`."""
    return str(value.quantize(_COUNT_Q, rounding=ROUND_HALF_EVEN))


def rfc3339(ms: int) -> str:
    """Epoch milliseconds as RFC 3339 UTC text with a `Z` suffix."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _fixed(value: object, max_places: int, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{what} must be a fixed-point string")
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{what} {value!r} is not a decimal number") from None
    if not parsed.is_finite():
        raise ValueError(f"{what} must be finite")
    exponent = parsed.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > max_places:
        raise ValueError(f"{what} {value!r} has more than {max_places} decimals")
    return parsed


def parse_price(value: object) -> Decimal:
    """Parse a request price (FixedPointDollars, at most 4 decimals); raises ValueError."""
    return _fixed(value, 4, "price")


def parse_count(value: object) -> Decimal:
    """Parse a request count (FixedPointCount, at most 2 decimals); raises ValueError."""
    return _fixed(value, 2, "count")


def parse_amount(value: object) -> Decimal:
    """Parse a request dollar amount (FixedPointDollars, at most 4 decimals, not negative); raises ValueError."""
    parsed = _fixed(value, 4, "amount")
    if parsed < 0:
        raise ValueError("amount must not be negative")
    return parsed


def seconds(text: str) -> int:
    """Epoch seconds of an RFC 3339 timestamp."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
