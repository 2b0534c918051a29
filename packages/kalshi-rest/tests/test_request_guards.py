"""Strict about what is sent: every guard fails with a typed error naming the parameter, and no request leaves."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from kalshi_auth import KalshiAuth
from kalshi_rest import KalshiClient, KalshiRequestError
from kalshi_rest._core import encode_query
from kalshi_rest.models import (
    BatchCancelOrdersV2Request,
    BatchCancelOrdersV2RequestOrder,
    CreateOrderV2Request,
    DecreaseOrderV2Request,
)


@functools.cache
def _auth() -> KalshiAuth:
    return KalshiAuth("key-id", rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


@pytest.fixture
def client(sent: list[httpx.Request]) -> Iterator[KalshiClient]:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"markets": [], "cursor": "", "orders": []})

    with KalshiClient(auth=_auth(), transport=httpx.MockTransport(handler)) as c:
        yield c


def _refused(sent: list[httpx.Request], parameter: str, call: Callable[[], object]) -> None:
    with pytest.raises(KalshiRequestError) as info:
        call()
    assert info.value.parameter == parameter, info.value
    assert parameter in str(info.value)
    assert sent == []


@pytest.mark.parametrize("order_id", ["", " ", ".", "..", "a/b", "../orders", "id with space", "x\x00"])
def test_unsafe_path_ids_never_reach_a_route(client: KalshiClient, sent: list[httpx.Request], order_id: str) -> None:
    # `DELETE .../orders/.` would be normalised to the cancel-all route
    _refused(sent, "order_id", lambda: client.orders.cancel_v2(order_id))


def test_other_path_ids_are_percent_encoded(client: KalshiClient, sent: list[httpx.Request]) -> None:
    client.markets.get("KX%?#1")
    assert sent[0].url.raw_path == b"/trade-api/v2/markets/KX%25%3F%231"


@pytest.mark.parametrize("value", [True, False, 1.0, "1"])
def test_booleans_and_other_types_are_not_integers(
    client: KalshiClient, sent: list[httpx.Request], value: object
) -> None:
    _refused(sent, "subaccount", lambda: client.orders.cancel_all(subaccount=value))  # type: ignore[arg-type]


@pytest.mark.parametrize(("limit", "ok"), [(0, True), (1000, True), (1001, False), (-1, False)])
def test_ranges_come_from_the_spec(client: KalshiClient, sent: list[httpx.Request], limit: int, ok: bool) -> None:
    if ok:
        client.markets.list(limit=limit)
        assert sent[0].url.params["limit"] == str(limit)
    else:
        _refused(sent, "limit", lambda: client.markets.list(limit=limit))


def test_item_limits_and_item_ranges(client: KalshiClient, sent: list[httpx.Request]) -> None:
    def history(percentiles: list[int]) -> object:
        return client.events.forecast_percentile_history(
            "S", "E", percentiles=percentiles, start_ts=1, end_ts=2, period_interval=60
        )

    _refused(sent, "percentiles", lambda: history(list(range(11))))
    _refused(sent, "percentiles", lambda: history([10_000]))
    _refused(sent, "percentiles", lambda: history([True]))  # type: ignore[list-item]
    _refused(sent, "event_ticker", lambda: client.orders.list(event_ticker=",".join(f"E{i}" for i in range(101))))


@pytest.mark.parametrize("tickers", [["A", ""], ["A", "B,C"], ["A", 1], ["A", " "], "A,,B"])
def test_comma_joined_lists_refuse_bad_elements(
    client: KalshiClient, sent: list[httpx.Request], tickers: object
) -> None:
    _refused(sent, "tickers", lambda: client.markets.list(tickers=tickers))  # type: ignore[arg-type]


def test_repeated_list_parameters_refuse_empty_items(client: KalshiClient, sent: list[httpx.Request]) -> None:
    _refused(sent, "tickers", lambda: client.markets.orderbooks(tickers=["A", ""]))
    _refused(sent, "tickers", lambda: client.markets.orderbooks(tickers=[f"T{i}" for i in range(101)]))


def test_an_empty_list_leaves_the_parameter_out(client: KalshiClient, sent: list[httpx.Request]) -> None:
    client.markets.list(tickers=[])  # type: ignore[arg-type]
    client.markets.list(tickers=["A", "B"])  # type: ignore[arg-type]
    assert "tickers" not in sent[0].url.params
    assert sent[1].url.params["tickers"] == "A,B"


def test_closed_request_enums(client: KalshiClient, sent: list[httpx.Request]) -> None:
    _refused(sent, "status", lambda: client.markets.list(status="bogus"))  # type: ignore[arg-type]


def test_auto_route_needs_the_market_ticker(client: KalshiClient, sent: list[httpx.Request]) -> None:
    _refused(sent, "exchange_index", lambda: client.orders.cancel_v2("o-1", exchange_index=-1))
    with pytest.raises(ValidationError, match="needs the market ticker"):
        BatchCancelOrdersV2RequestOrder(order_id="o-1", exchange_index=-1)
    BatchCancelOrdersV2RequestOrder(order_id="o-1", exchange_index=-1, market_ticker="KX-1")
    assert sent == []


def _order(**changes: object) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ticker": "KX-1",
        "client_order_id": "c-1",
        "side": "bid",
        "count": Decimal("1"),
        "price": Decimal("0.5600"),
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    return fields | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": Decimal("-0.01")}, ">= 0"),
        ({"price": Decimal("0.56001")}, "0.0001 grid"),
        ({"price": Decimal("NaN")}, "finite"),
        ({"count": Decimal("-1")}, ">= 0"),
        ({"subaccount": True}, "int"),
        ({"exchange_index": -1, "ticker": ""}, "market ticker"),
    ],
)
def test_order_models_refuse_bad_prices_and_counts(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CreateOrderV2Request(**_order(**changes))


def test_price_grid_accepts_sub_cent_ticks() -> None:
    assert CreateOrderV2Request(**_order(price=Decimal("0.0001"))).price == Decimal("0.0001")
    assert CreateOrderV2Request(**_order(price=Decimal("0.56000"))).price == Decimal("0.56")


def test_decrease_takes_exactly_one_of_reduce_by_and_reduce_to() -> None:
    for kwargs in ({}, {"reduce_by": Decimal(1), "reduce_to": Decimal(2)}):
        with pytest.raises(ValidationError, match="exactly one of reduce_by or reduce_to"):
            DecreaseOrderV2Request(**kwargs)  # type: ignore[arg-type]
    assert DecreaseOrderV2Request(reduce_to=Decimal(0)).reduce_to == 0


def test_a_dict_request_goes_through_the_request_model(client: KalshiClient, sent: list[httpx.Request]) -> None:
    with pytest.raises(KalshiRequestError, match="CreateOrderV2Request"):
        client.orders.create_v2(request=_order(price=0.56))  # type: ignore[arg-type]
    with pytest.raises(KalshiRequestError) as info:
        client.orders.create_v2(request=_order(price=Decimal("0.561234")))  # type: ignore[arg-type]
    assert info.value.parameter == "price"
    with pytest.raises(KalshiRequestError):
        client.orders.batch_cancel_v2(request={"orders": [{"order_id": "o", "subaccount": True}]})  # type: ignore[arg-type]
    assert sent == []
    client.orders.batch_cancel_v2(request={"orders": [{"order_id": "o", "subaccount": 1}]})  # type: ignore[arg-type]
    assert json.loads(sent[0].content) == {"orders": [{"order_id": "o", "subaccount": 1}]}
    assert BatchCancelOrdersV2Request.model_validate(json.loads(sent[0].content)).orders[0].order_id == "o"


def test_naive_datetimes_are_sent_as_utc_with_an_offset() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    aware = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert encode_query({"t": naive}) == encode_query({"t": aware}) == [("t", "2026-01-02T03:04:05+00:00")]
