from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from kalshi_rest._fixed_point import (
    FixedPointCount,
    FixedPointDollars,
    FixedPointNumber,
    StrictCount,
    StrictDecimal,
    StrictDollars,
    to_wire,
)


class _In(BaseModel):
    price: StrictDollars
    count: StrictCount
    ratio: StrictDecimal | None = None


class _Out(BaseModel):
    price: FixedPointDollars
    count: FixedPointCount
    ratio: FixedPointNumber | None = None


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Decimal("0.5600"), "0.5600"),
        (Decimal("1E+1"), "10"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-0"), "0"),
        (Decimal("10.00"), "10.00"),
        (Decimal("123456789.123456"), "123456789.123456"),
    ],
)
def test_to_wire_is_plain_positional(value: Decimal, wire: str) -> None:
    assert to_wire(value) == wire
    assert "E" not in to_wire(value)


def test_to_wire_rejects_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        to_wire(Decimal("NaN"))


def test_response_strings_parse_exactly() -> None:
    out = _Out.model_validate_json(b'{"price": "0.5600", "count": "10.00", "ratio": 0.1}')
    assert out.price == Decimal("0.5600")
    assert str(out.price) == "0.5600"  # the digits the server sent, trailing zeros kept
    assert str(out.count) == "10.00"
    assert out.ratio == Decimal("0.1")  # a JSON number goes through its shortest text, not binary float
    assert out.model_dump(mode="json") == {"price": "0.5600", "count": "10.00", "ratio": "0.1"}


def test_sub_penny_prices_stay_exact() -> None:
    out = _Out.model_validate_json(b'{"price": "0.575", "count": "2.50"}')
    assert out.price * 100 == Decimal("57.500")


@pytest.mark.parametrize("bad", [0.5, 1.0, "0.50", 1, True])
def test_request_price_rejects_everything_but_decimal(bad: object) -> None:
    with pytest.raises(TypeError, match=r"expected decimal\.Decimal"):
        _In(price=bad, count=Decimal(1))  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [10.0, "10", True])
def test_request_count_rejects_float_str_bool(bad: object) -> None:
    with pytest.raises(TypeError, match=r"expected decimal\.Decimal"):
        _In(price=Decimal("0.5"), count=bad)  # type: ignore[arg-type]


def test_request_count_accepts_int_exactly() -> None:
    model = _In(price=Decimal("0.50"), count=10)  # type: ignore[arg-type]
    assert model.count == Decimal(10)
    assert isinstance(model.count, Decimal)
    assert model.model_dump_json() == '{"price":"0.50","count":"10","ratio":null}'


def test_request_count_has_at_most_two_decimals() -> None:
    with pytest.raises(ValidationError, match="at most 2 decimals"):
        _In(price=Decimal("0.5"), count=Decimal("1.001"))
    assert _In(price=Decimal("0.5"), count=Decimal("1.01")).count == Decimal("1.01")


@pytest.mark.parametrize("bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_request_rejects_non_finite(bad: Decimal) -> None:
    with pytest.raises(ValidationError, match="finite"):
        _In(price=bad, count=Decimal(1))


def test_request_round_trips_through_its_wire_json() -> None:
    original = _In(price=Decimal("0.0010"), count=Decimal("2.50"), ratio=Decimal("1.5"))
    wire = original.model_dump_json()
    assert wire == '{"price":"0.0010","count":"2.50","ratio":"1.5"}'
    assert _In.model_validate_json(wire) == original


def test_request_json_still_rejects_numbers() -> None:
    with pytest.raises(TypeError):
        _In.model_validate_json('{"price": 0.5, "count": "1"}')
    with pytest.raises(ValidationError, match="not a decimal string"):
        _In.model_validate_json('{"price": "abc", "count": "1"}')


def test_python_dump_keeps_decimals_json_dump_writes_strings() -> None:
    model = _In(price=Decimal("0.5600"), count=Decimal("1E+1"))
    assert model.model_dump() == {"price": Decimal("0.5600"), "count": Decimal("10"), "ratio": None}
    assert model.model_dump(mode="json") == {"price": "0.5600", "count": "10", "ratio": None}
    assert _In(**model.model_dump()) == model


class TestSharedPriceDecimals:
    """Response dollar strings go through a bounded cache of exact wire strings; nothing else changes."""

    def test_equal_values_with_different_digits_stay_distinct(self) -> None:
        first = _Out.model_validate_json(b'{"price": "0.56", "count": "1"}')
        second = _Out.model_validate_json(b'{"price": "0.5600", "count": "1"}')
        again = _Out.model_validate_json(b'{"price": "0.56", "count": "1"}')
        assert (str(first.price), str(second.price), str(again.price)) == ("0.56", "0.5600", "0.56")
        assert again.price is first.price  # the shared instance, served from the cache

    @pytest.mark.parametrize("bad", ['"NaN"', '"-Infinity"', '"sNaN"', '"abc"', '""', "true", "[]", "{}"])
    def test_bad_values_are_still_refused_every_time(self, bad: str) -> None:
        for _ in range(2):  # a refused string is never cached
            with pytest.raises(ValidationError, match="valid decimal"):
                _Out.model_validate_json(f'{{"price": {bad}, "count": "1"}}')

    def test_non_string_inputs_take_the_native_path(self) -> None:
        assert str(_Out.model_validate_json(b'{"price": 0.25, "count": "1"}').price) == "0.25"
        assert str(_Out.model_validate({"price": Decimal("0.5600"), "count": 1}).price) == "0.5600"
        assert _Out.model_validate({"price": 1, "count": 1}).price == Decimal(1)

    def test_the_cache_is_bounded(self) -> None:
        from kalshi_rest._fixed_point import _PRICES

        long_text = "123456789.1234"
        assert str(_Out.model_validate_json(f'{{"price": "{long_text}", "count": "1"}}'.encode()).price) == long_text
        assert long_text not in _PRICES  # balances and other long amounts are not kept
        for i in range(_PRICES._MAX_ENTRIES + 10):
            _Out.model_validate_json(f'{{"price": "{i}.01", "count": "1"}}'.encode())
        assert len(_PRICES) <= _PRICES._MAX_ENTRIES
        assert str(_Out.model_validate_json(b'{"price": "99999.01", "count": "1"}').price) == "99999.01"
