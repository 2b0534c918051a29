"""Fixed-point wire values as `Decimal`, exactly.

Kalshi sends prices as fixed-point dollar strings (`"0.5600"`) and counts as fixed-point contract
strings (`"10.00"`). Responses parse them into `Decimal` without passing through float, keeping
the digits the server sent. Request fields take `Decimal` only: a float (or a str, or for prices an
int, which is too easily cents) raises `TypeError` at model construction, before anything is sent.
Counts also take `int`, which is exact. `model_validate_json` reads the wire strings back. On the
wire every `Decimal` is written in plain positional notation, never scientific.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, PlainSerializer, ValidationInfo
from pydantic_core import core_schema

__all__ = [
    "FixedPointCount",
    "FixedPointDollars",
    "FixedPointNumber",
    "StrictCount",
    "StrictDecimal",
    "StrictDollars",
    "StrictPositiveCount",
    "to_wire",
]


def to_wire(value: Decimal) -> str:
    """Write `value` as a plain positional string: `Decimal("1E+1")` -> `"10"`, `"0.5600"` kept."""
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    text = format(value, "f")
    return "0" if text == "-0" else text


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value}")
    return value


def _strict_decimal(value: object, info: ValidationInfo) -> Decimal:
    if isinstance(value, Decimal):
        return _finite(value)
    if isinstance(value, str) and info.mode == "json":
        # The wire form, read back by `model_validate_json`: exact, so accepted there only.
        try:
            return _finite(Decimal(value))
        except ArithmeticError:
            raise ValueError(f"not a decimal string: {value!r}") from None
    raise TypeError(
        f"expected decimal.Decimal, got {type(value).__name__} {value!r}: money and counts are Decimal, never float"
    )


def _strict_count(value: object, info: ValidationInfo) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        count = Decimal(value)
    else:
        count = _strict_decimal(value, info)
        if count.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(f"a count has at most 2 decimals, got {value}")
    if count < 0:
        raise ValueError(f"a count must be >= 0, got {value}")
    return count


def _strict_positive_count(value: object, info: ValidationInfo) -> Decimal:
    count = _strict_count(value, info)
    if count <= 0:
        raise ValueError(f"a count must be > 0, got {value}")
    return count


_PRICE_GRID = Decimal("0.0001")


def _strict_dollars(value: object, info: ValidationInfo) -> Decimal:
    amount = _strict_decimal(value, info)
    if amount < 0:
        raise ValueError(f"a dollar amount must be >= 0, got {value}")
    try:
        on_grid = amount % _PRICE_GRID == 0
    except ArithmeticError:
        on_grid = False
    if not on_grid:
        raise ValueError(f"a dollar amount must be on the 0.0001 grid, got {value}")
    return amount


class _WirePrices(dict[str, Decimal]):
    """The `Decimal` of each short dollar string already read (`"0.5600"`), shared: `Decimal` is immutable.

    Prices come from a small set (a cent or tenth-of-a-cent grid from 0 to 1), so a page of markets
    repeats the same few hundred strings; a hit is one dict lookup in C instead of building a
    `Decimal` and checking it is finite. Keys are the exact wire strings, so `"0.56"` and `"0.5600"`
    stay distinct. Bounded: long strings (balances) and anything past the cap are not kept.
    """

    __slots__ = ()

    _MAX_ENTRIES = 4096
    _MAX_KEY = 8

    def __missing__(self, text: str) -> Decimal:
        try:
            value = Decimal(text)
        except ArithmeticError:  # InvalidOperation is not a ValueError; the native branch reports it
            raise ValueError("not a decimal string") from None
        if not value.is_finite():
            raise ValueError("not a finite decimal")
        if len(text) <= self._MAX_KEY and len(self) < self._MAX_ENTRIES:
            self[text] = value
        return value


_PRICES = _WirePrices()


class _SharedPriceDecimals:
    """Read a wire dollar string through `_PRICES`; anything else takes pydantic's native `Decimal` path."""

    __slots__ = ()

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [
                core_schema.no_info_after_validator_function(_PRICES.__getitem__, core_schema.str_schema(strict=True)),
                handler(source),
            ],
            mode="left_to_right",
            custom_error_type="decimal_parsing",
        )


_WIRE = PlainSerializer(to_wire, return_type=str, when_used="json")

FixedPointDollars = Annotated[Decimal, _SharedPriceDecimals(), _WIRE]
"""A dollar amount from the server (wire: fixed-point string such as `"0.5600"`)."""

FixedPointCount = Annotated[Decimal, _WIRE]
"""A contract count from the server (wire: fixed-point string such as `"10.00"`)."""

FixedPointNumber = Annotated[Decimal, _WIRE]
"""A ratio the spec types as a JSON number (fee multipliers, strikes), read as `Decimal`."""

StrictDollars = Annotated[Decimal, BeforeValidator(_strict_dollars), _WIRE]
"""A dollar amount in a request: `Decimal` only (a float or int raises `TypeError`), >= 0, on the 0.0001 grid."""

StrictCount = Annotated[Decimal, BeforeValidator(_strict_count), _WIRE]
"""A contract count in a request: `Decimal` or `int`, >= 0, at most 2 decimals (a float raises `TypeError`)."""

StrictPositiveCount = Annotated[Decimal, BeforeValidator(_strict_positive_count), _WIRE]
"""A contract count that must be > 0 (perps order sizes); otherwise as `StrictCount`."""

StrictDecimal = Annotated[Decimal, BeforeValidator(_strict_decimal), _WIRE]
"""A decimal ratio in a request: `Decimal` only (a float raises `TypeError`)."""
