from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from rest_payloads import ok, order
from rest_support import Server

from kalshi_rest import AsyncKalshiClient, AuthRequiredError, KalshiClient, KalshiServerError
from kalshi_rest.models import (
    AmendOrderV2Request,
    BatchCancelOrdersV2Request,
    BatchCreateOrdersV2Request,
    CreateOrderV2Request,
    DecreaseOrderV2Request,
)

TICKER = "KXHIGHNY-26JAN02-T60"
CREATED = {
    "order_id": "ord-1",
    "client_order_id": "cid-1",
    "fill_count": "4.00",
    "remaining_count": "6.00",
    "average_fill_price": "0.5000",
    "average_fee_paid": "0.0175",
    "ts_ms": 1767322800123,
}


def create_request(**overrides: Any) -> CreateOrderV2Request:
    fields: dict[str, Any] = {
        "ticker": TICKER,
        "client_order_id": "cid-1",
        "side": "bid",
        "count": Decimal("10"),
        "price": Decimal("0.50"),
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    fields.update(overrides)
    return CreateOrderV2Request(**fields)


def body(server: Server, index: int = 0) -> Any:
    return json.loads(server.requests[index].content)


class TestOrders:
    def test_create_v2_posts_wire_strings_and_parses(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok(CREATED, status=201))
        created = client.orders.create_v2(request=create_request())
        assert created.order_id == "ord-1"
        assert created.fill_count == Decimal("4.00")
        assert created.remaining_count == Decimal("6.00")
        request = server.requests[0]
        assert (request.method, request.url.path) == ("POST", "/trade-api/v2/portfolio/events/orders")
        assert body(server) == {
            "ticker": TICKER,
            "client_order_id": "cid-1",
            "side": "bid",
            "count": "10",
            "price": "0.50",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "taker_at_cross",
        }
        assert server.signatures_ok == [True]

    def test_create_v2_float_price_fails_before_sending(self, client: KalshiClient, server: Server) -> None:
        with pytest.raises(TypeError):
            client.orders.create_v2(request=create_request(price=0.5))
        assert server.requests == []

    def test_create_v2_is_never_retried(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"code": "service_unavailable", "message": "try later"}, status=503))
        with pytest.raises(KalshiServerError):
            client.orders.create_v2(request=create_request())
        assert len(server.requests) == 1

    def test_create_v2_without_credentials_sends_nothing(self, public_client: KalshiClient, server: Server) -> None:
        with pytest.raises(AuthRequiredError):
            public_client.orders.create_v2(request=create_request())
        assert server.requests == []

    def test_amend_and_decrease_put_subaccount_in_query(self, client: KalshiClient, server: Server) -> None:
        server.script += [
            ok({"order_id": "ord-1", "remaining_count": "8.00", "fill_count": "0.00", "ts_ms": 1}),
            ok({"order_id": "ord-1", "remaining_count": "5.00", "ts_ms": 2}),
        ]
        amended = client.orders.amend_v2(
            "ord-1",
            request=AmendOrderV2Request(ticker=TICKER, side="bid", price=Decimal("0.55"), count=Decimal("8")),
            subaccount=3,
        )
        assert amended.remaining_count == Decimal("8.00")
        decreased = client.orders.decrease_v2("ord-1", request=DecreaseOrderV2Request(reduce_by=Decimal("3")))
        assert decreased.remaining_count == Decimal("5.00")
        assert server.requests[0].url.path == "/trade-api/v2/portfolio/events/orders/ord-1/amend"
        assert dict(server.requests[0].url.params) == {"subaccount": "3"}
        assert body(server, 0)["price"] == "0.55"
        assert server.requests[1].url.path == "/trade-api/v2/portfolio/events/orders/ord-1/decrease"
        assert body(server, 1) == {"reduce_by": "3"}

    def test_cancel_v2_deletes_with_routing_query(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"order_id": "ord-1", "client_order_id": "cid-1", "reduced_by": "6.00", "ts_ms": 3}))
        cancelled = client.orders.cancel_v2("ord-1", exchange_index=-1, market_ticker=TICKER)
        assert cancelled.reduced_by == Decimal("6.00")
        request = server.requests[0]
        assert (request.method, request.url.path) == ("DELETE", "/trade-api/v2/portfolio/events/orders/ord-1")
        assert dict(request.url.params) == {"exchange_index": "-1", "market_ticker": TICKER}

    def test_batch_create_reports_each_entry(self, client: KalshiClient, server: Server) -> None:
        server.script.append(
            ok(
                {
                    "orders": [
                        {**CREATED, "error": None},
                        {
                            "order_id": None,
                            "client_order_id": "cid-2",
                            "error": {"code": "invalid_price", "message": "x"},
                        },
                    ]
                },
                status=201,
            )
        )
        result = client.orders.batch_create_v2(
            request=BatchCreateOrdersV2Request(orders=[create_request(), create_request(client_order_id="cid-2")])
        )
        assert result.orders[0].remaining_count == Decimal("6.00")
        assert result.orders[1].error is not None
        assert result.orders[1].error.code == "invalid_price"
        assert [o["client_order_id"] for o in body(server)["orders"]] == ["cid-1", "cid-2"]

    def test_batch_cancel_is_a_delete_with_a_body(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"orders": [{"order_id": "ord-1", "reduced_by": "6.00", "ts_ms": 4}]}))
        request = BatchCancelOrdersV2Request.model_validate({"orders": [{"order_id": "ord-1", "subaccount": 0}]})
        result = client.orders.batch_cancel_v2(request=request)
        assert result.orders[0].reduced_by == Decimal("6.00")
        assert server.requests[0].method == "DELETE"
        assert body(server) == {"orders": [{"order_id": "ord-1", "subaccount": 0}]}

    def test_cancel_all_answers_none_on_204(self, client: KalshiClient, server: Server) -> None:
        import httpx

        server.script.append(httpx.Response(204))
        assert client.orders.cancel_all(subaccount=2) is None  # type: ignore[func-returns-value]
        assert dict(server.requests[0].url.params) == {"subaccount": "2"}

    def test_list_and_get(self, client: KalshiClient, server: Server) -> None:
        server.script += [ok({"orders": [order("o-1"), order("o-2")], "cursor": ""}), ok({"order": order("o-1")})]
        page = client.orders.list(ticker=TICKER, status="resting")
        assert [o.order_id for o in page] == ["o-1", "o-2"]
        assert page[0].remaining_count_fp == Decimal("10.00")
        assert not page.has_next
        assert client.orders.get("o-1").order.yes_price_dollars == Decimal("0.5600")
        assert server.requests[1].url.path == "/trade-api/v2/portfolio/orders/o-1"


class TestAsyncOrders:
    async def test_create_v2(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script.append(ok(CREATED, status=201))
        created = await aclient.orders.create_v2(request=create_request(count=Decimal("2.50")))
        assert created.fill_count == Decimal("4.00")
        assert body(server)["count"] == "2.50"

    async def test_cancel_v2_and_cancel_all(self, aclient: AsyncKalshiClient, server: Server) -> None:
        import httpx

        server.script += [ok({"order_id": "o", "reduced_by": "1.00", "ts_ms": 1}), httpx.Response(204)]
        assert (await aclient.orders.cancel_v2("o")).reduced_by == Decimal("1.00")
        assert await aclient.orders.cancel_all() is None  # type: ignore[func-returns-value]
        assert [r.method for r in server.requests] == ["DELETE", "DELETE"]

    async def test_post_503_is_raised_after_one_send(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script.append(ok({"code": "unavailable"}, status=503))
        with pytest.raises(KalshiServerError):
            await aclient.orders.create_v2(request=create_request())
        assert len(server.requests) == 1

    async def test_list_all_orders(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script += [ok({"orders": [order("o-1")], "cursor": "c"}), ok({"orders": [order("o-2")], "cursor": ""})]
        ids = [o.order_id async for o in aclient.orders.list_all(ticker=TICKER)]
        assert ids == ["o-1", "o-2"]
