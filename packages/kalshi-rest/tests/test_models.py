from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from kalshi_rest import models
from kalshi_rest.models import (
    AmendOrderV2Request,
    ApiKey,
    BatchCreateOrdersV2Request,
    CreateOrderV2Request,
    CreateQuoteRequest,
    GetMarketOrderbookResponse,
    GetMarketsResponse,
    GetTagsForSeriesCategoriesResponse,
    Market,
    Series,
)

MARKET: dict[str, Any] = {
    "ticker": "KXHIGHNY-26JAN02-T60",
    "event_ticker": "KXHIGHNY-26JAN02",
    "market_type": "binary",
    "yes_sub_title": "60 or above",
    "no_sub_title": "below 60",
    "created_time": "2026-01-01T12:00:00Z",
    "updated_time": "2026-01-01T12:30:00Z",
    "open_time": "2026-01-01T14:00:00Z",
    "close_time": "2026-01-02T23:00:00Z",
    "latest_expiration_time": "2026-01-09T23:00:00Z",
    "settlement_timer_seconds": 3600,
    "status": "active",
    "notional_value_dollars": "1.0000",
    "yes_bid_dollars": "0.5600",
    "yes_ask_dollars": "0.5800",
    "no_bid_dollars": "0.4200",
    "no_ask_dollars": "0.4400",
    "yes_bid_size_fp": "150.00",
    "yes_ask_size_fp": "2.50",
    "last_price_dollars": "0.575",
    "previous_yes_bid_dollars": "0.5500",
    "previous_yes_ask_dollars": "0.5700",
    "previous_price_dollars": "0.5600",
    "volume_fp": "12345.00",
    "volume_24h_fp": "345.00",
    "open_interest_fp": "999.99",
    "result": "",
    "can_close_early": True,
    "expiration_value": "",
    "rules_primary": "If the high is 60 or above...",
    "rules_secondary": "",
    "price_level_structure": "deci_cent",
    "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0010"}],
    "settlement_bounds_type": "default",
}


def order_request(**overrides: Any) -> CreateOrderV2Request:
    fields: dict[str, Any] = {
        "ticker": "KXHIGHNY-26JAN02-T60",
        "client_order_id": "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1",
        "side": "bid",
        "count": Decimal("10"),
        "price": Decimal("0.50"),
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    fields.update(overrides)
    return CreateOrderV2Request(**fields)


class TestResponseModels:
    def test_fixed_point_strings_become_exact_decimals(self) -> None:
        market = Market.model_validate_json(json.dumps(MARKET))
        assert market.yes_bid_dollars == Decimal("0.5600")
        assert str(market.yes_bid_dollars) == "0.5600"
        assert str(market.last_price_dollars) == "0.575"
        assert market.yes_ask_size_fp == Decimal("2.50")
        assert market.price_ranges[0].step == Decimal("0.0010")
        assert all(isinstance(v, Decimal) for v in (market.volume_fp, market.notional_value_dollars))

    def test_decimals_serialise_back_to_wire_strings(self) -> None:
        dumped = Market.model_validate(MARKET).model_dump(mode="json", exclude_none=True)
        assert dumped["yes_bid_dollars"] == "0.5600"
        assert dumped["price_ranges"] == [{"start": "0.0000", "end": "1.0000", "step": "0.0010"}]

    def test_unknown_fields_are_kept_and_reachable(self) -> None:
        market = Market.model_validate({**MARKET, "brand_new_field": {"x": 1}})
        assert market.brand_new_field == {"x": 1}  # type: ignore[attr-defined]
        assert market.model_extra == {"brand_new_field": {"x": 1}}

    def test_timestamps_are_aware(self) -> None:
        market = Market.model_validate({**MARKET, "open_time": "2026-01-01T09:00:00-05:00"})
        assert market.created_time == datetime(2026, 1, 1, 12, tzinfo=UTC)
        assert market.open_time.utcoffset() == timedelta(hours=-5)
        assert market.open_time == datetime(2026, 1, 1, 14, tzinfo=UTC)

    def test_naive_timestamps_are_taken_as_utc(self) -> None:
        market = Market.model_validate({**MARKET, "close_time": "2026-01-02T23:00:00"})
        assert market.close_time.tzinfo is not None
        assert market.close_time == datetime(2026, 1, 2, 23, tzinfo=UTC)
        wire = json.dumps({**MARKET, "close_time": "2026-01-02T23:00:00"})
        from_json = Market.model_validate_json(wire)
        assert from_json.close_time == datetime(2026, 1, 2, 23, tzinfo=UTC)
        assert from_json.close_time.utcoffset() == timedelta(0)

    @pytest.mark.parametrize("bad", ["not a time", "2026-13-45T00:00:00Z", True])
    def test_bad_timestamps_are_refused(self, bad: object) -> None:
        with pytest.raises(ValidationError, match="valid datetime"):
            Market.model_validate_json(json.dumps({**MARKET, "close_time": bad}))

    def test_new_enum_values_do_not_break_parsing(self) -> None:
        market = Market.model_validate({**MARKET, "status": "some_future_status"})
        assert market.status == "some_future_status"

    def test_spec_required_fields_read_as_none_and_are_recorded(self) -> None:
        broken = {k: v for k, v in MARKET.items() if k != "ticker"} | {"close_time": None}
        market = Market.model_validate(broken)
        assert market.ticker is None and market.close_time is None
        assert {"ticker", "close_time"} <= market.missing_fields
        assert Market.model_validate(MARKET).missing_fields == frozenset()

    def test_fields_the_server_omits_are_optional(self) -> None:
        trimmed = {k: v for k, v in MARKET.items() if k != "settlement_bounds_type"}
        assert Market.model_validate(trimmed).settlement_bounds_type is None

    @pytest.mark.parametrize("field", ["liquidity_dollars", "fractional_trading_enabled"])
    def test_removed_fields_are_not_required(self, field: str) -> None:
        info = Market.model_fields.get(field)
        assert info is None or not info.is_required()

    def test_series_without_categories_parses(self) -> None:
        series = Series.model_validate(
            {
                "ticker": "KXHIGHNY",
                "frequency": "daily",
                "title": "High temp NYC",
                "category": "Climate",
                "tags": None,
                "settlement_sources": None,
                "contract_url": "https://example.invalid/c",
                "contract_terms_url": "https://example.invalid/t",
                "fee_type": "quadratic",
                "fee_multiplier": 1.0,
                "additional_prohibitions": None,
            }
        )
        assert series.categories == [] and "categories" in series.missing_fields
        assert series.tags is None  # the spec marks it nullable: null stays None
        assert series.additional_prohibitions is None
        assert series.fee_multiplier == Decimal("1.0")

    def test_null_arrays_become_empty_lists(self) -> None:
        page = GetMarketsResponse.model_validate({"markets": None, "cursor": ""})
        assert page.markets == []
        market = Market.model_validate({**MARKET, "price_ranges": None})
        assert market.price_ranges == []
        key = ApiKey.model_validate({"api_key_id": "k", "name": "bot", "scopes": None})
        assert key.scopes == []

    def test_null_array_inside_a_map_becomes_empty(self) -> None:
        tags = GetTagsForSeriesCategoriesResponse.model_validate(
            {"tags_by_categories": {"Social": None, "Climate": ["Weather"]}}
        )
        assert tags.tags_by_categories == {"Social": [], "Climate": ["Weather"]}

    def test_orderbook_levels_are_decimal_pairs(self) -> None:
        book = GetMarketOrderbookResponse.model_validate(
            {"orderbook_fp": {"yes_dollars": [["0.1500", "100.00"]], "no_dollars": [["0.8400", "2.50"]]}}
        )
        price, size = book.orderbook_fp.yes_dollars[0]
        assert (price, size) == (Decimal("0.1500"), Decimal("100.00"))
        assert str(price) == "0.1500"


class TestRequestModels:
    def test_builds_and_serialises_to_wire_strings(self) -> None:
        request = order_request(count=Decimal("10.00"), price=Decimal("0.5600"))
        body = request.model_dump(mode="json", by_alias=True, exclude_none=True)
        assert body["count"] == "10.00"
        assert body["price"] == "0.5600"
        assert body["side"] == "bid"
        assert "expiration_time" not in body

    def test_unknown_field_fails_at_construction(self) -> None:
        with pytest.raises(ValidationError, match="extra_forbidden"):
            order_request(pricee=Decimal("0.5"))

    def test_float_price_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match=r"expected decimal\.Decimal, got float"):
            order_request(price=0.5)

    def test_float_count_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="got float"):
            order_request(count=10.0)

    def test_int_price_is_a_type_error_int_count_is_fine(self) -> None:
        with pytest.raises(TypeError, match="got int"):
            order_request(price=1)
        assert order_request(count=3).count == Decimal(3)

    def test_assignment_is_validated_too(self) -> None:
        request = order_request()
        with pytest.raises(TypeError, match="got float"):
            request.price = 0.55  # type: ignore[assignment]
        request.price = Decimal("0.55")
        assert request.price == Decimal("0.55")

    def test_float_inside_a_nested_request_is_a_type_error(self) -> None:
        with pytest.raises(TypeError):
            BatchCreateOrdersV2Request(orders=[order_request(), {**order_request().model_dump(), "price": 0.5}])  # type: ignore[list-item]

    def test_enum_values_are_checked(self) -> None:
        with pytest.raises(ValidationError, match="side"):
            order_request(side="yes")

    def test_required_fields_are_required(self) -> None:
        with pytest.raises(ValidationError, match="count"):
            AmendOrderV2Request(ticker="T", side="bid", price=Decimal("0.5"))  # type: ignore[call-arg]

    def test_unsuffixed_quote_bids_are_dollars(self) -> None:
        with pytest.raises(TypeError):
            CreateQuoteRequest(rfq_id="r", yes_bid=0.5, no_bid=Decimal("0.4"), rest_remainder=False)  # type: ignore[arg-type]
        quote = CreateQuoteRequest(rfq_id="r", yes_bid=Decimal("0.5"), no_bid=Decimal("0.4"), rest_remainder=False)
        assert quote.model_dump(mode="json")["yes_bid"] == "0.5"


class TestLazyModels:
    def test_unknown_name_is_attribute_error(self) -> None:
        with pytest.raises(AttributeError, match="NoSuchModel"):
            _ = models.NoSuchModel

    def test_every_exported_name_resolves(self) -> None:
        assert models.__all__ == sorted(models.__all__)
        for name in models.__all__:
            assert getattr(models, name) is not None

    def test_importing_the_package_loads_no_model_module(self) -> None:
        code = (
            "import sys, kalshi_rest, kalshi_rest.models;"
            "print(sorted(m for m in sys.modules if m.startswith('kalshi_rest.models._generated.')))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
        assert out.stdout.strip() == "[]"


def test_create_order_requires_a_client_order_id() -> None:
    fields = order_request().model_dump()
    del fields["client_order_id"]
    with pytest.raises(ValidationError, match="client_order_id"):
        CreateOrderV2Request(**fields)


def test_orderbook_side_left_out_when_empty_reads_as_empty() -> None:
    book = GetMarketOrderbookResponse.model_validate_json('{"orderbook_fp": {"no_dollars": [["0.4200", "7.50"]]}}')
    assert book.orderbook_fp.yes_dollars == []
    assert book.orderbook_fp.no_dollars == [(Decimal("0.4200"), Decimal("7.50"))]
    other = GetMarketOrderbookResponse.model_validate_json('{"orderbook_fp": {}}')
    assert other.orderbook_fp.yes_dollars == []
    assert other.orderbook_fp.yes_dollars is not book.orderbook_fp.yes_dollars
