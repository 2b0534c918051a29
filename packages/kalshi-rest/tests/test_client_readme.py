"""The README's usage, run against a mock transport with the generated resources (both faces)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from rest_support import Server, close, collect, json_response, resolve

from kalshi_auth import KalshiAuth
from kalshi_rest import AsyncKalshiClient, KalshiClient, KalshiConfig, KalshiNotFoundError, RateLimiter, RequestOptions
from kalshi_rest.models import CreateOrderV2Request

pytestmark = pytest.mark.parametrize("face", ["sync", "async"])

TS = "2026-01-02T15:00:00Z"


def market(ticker: str) -> dict[str, Any]:
    return {
        "ticker": ticker,
        "event_ticker": "KXHIGHNY-26JAN02",
        "market_type": "binary",
        "yes_sub_title": "60 or above",
        "no_sub_title": "below 60",
        "created_time": TS,
        "updated_time": TS,
        "open_time": TS,
        "close_time": TS,
        "latest_expiration_time": TS,
        "settlement_timer_seconds": 60,
        "status": "active",
        "notional_value_dollars": "1.0000",
        "yes_bid_dollars": "0.5600",
        "yes_ask_dollars": "0.5800",
        "no_bid_dollars": "0.4200",
        "no_ask_dollars": "0.4400",
        "yes_bid_size_fp": "10.00",
        "yes_ask_size_fp": "2.50",
        "last_price_dollars": "0.5700",
        "previous_yes_bid_dollars": "0.5500",
        "previous_yes_ask_dollars": "0.5700",
        "previous_price_dollars": "0.5600",
        "volume_fp": "100.00",
        "volume_24h_fp": "10.00",
        "open_interest_fp": "50.00",
        "result": "",
        "can_close_early": True,
        "expiration_value": "",
        "rules_primary": "If the high is 60 or above, Yes.",
        "rules_secondary": "",
        "price_level_structure": "linear_cent",
        "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}],
    }


def router(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/trade-api/v2")
    if path == "/markets":
        cursor = request.url.params.get("cursor")
        nxt = {None: "p2", "p2": ""}[cursor]
        tickers = ["KX-A", "KX-B"] if cursor is None else ["KX-C"]
        return json_response(200, {"markets": [market(t) for t in tickers], "cursor": nxt})
    if path == "/markets/KX-A":
        return json_response(200, {"market": market("KX-A")})
    if path.startswith("/markets/"):
        return json_response(404, {"code": "not_found", "message": "market not found"})
    if path == "/portfolio/events/orders" and request.method == "POST":
        body = json.loads(request.content)
        return json_response(
            201,
            {
                "order_id": "ord-1",
                "client_order_id": body["client_order_id"],
                "fill_count": "0.00",
                "remaining_count": body["count"],
                "ts_ms": 1767366000000,
            },
        )
    if path == "/account/limits":
        return json_response(
            200,
            {
                "usage_tier": "basic",
                "read": {"refill_rate": 200, "bucket_capacity": 200},
                "write": {"refill_rate": 100, "bucket_capacity": 100},
                "grants": [],
            },
        )
    if path == "/account/endpoint_costs":
        return json_response(
            200,
            {"default_cost": 10, "endpoint_costs": [{"method": "GET", "path": "/trade-api/v2/markets", "cost": 3}]},
        )
    raise AssertionError(f"unexpected {request.method} {path}")


def client_for(face: str, server: Server, **kw: Any) -> Any:
    server.default = router
    if face == "sync":
        return KalshiClient(transport=server.sync(), **kw)
    return AsyncKalshiClient(transport=server.asynchronous(), **kw)


async def test_quick_start(face: str, server: Server, auth: KalshiAuth) -> None:
    client = client_for(face, server, auth=auth, demo=True)
    page = await resolve(client.markets.list(status="open", limit=10))
    assert [m.ticker for m in page] == ["KX-A", "KX-B"]
    assert page.items[0].yes_bid_dollars == Decimal("0.5600")
    assert server.requests[0].url.params["status"] == "open"
    order = await resolve(
        client.orders.create_v2(
            request=CreateOrderV2Request(
                ticker=page.items[0].ticker,
                client_order_id="6f1c2d0e-0000-4000-8000-000000000001",
                side="bid",
                count=Decimal("10"),
                price=Decimal("0.50"),
                time_in_force="good_till_canceled",
                self_trade_prevention_type="taker_at_cross",
            )
        )
    )
    assert order.order_id == "ord-1"
    assert order.remaining_count == Decimal("10")
    sent = json.loads(server.requests[-1].content)
    assert sent["price"] == "0.50"
    assert sent["count"] == "10"
    assert all(server.signatures_ok)
    with pytest.raises(KalshiNotFoundError) as err:
        await resolve(client.markets.get("KX-NOPE"))
    assert err.value.status_code == 404
    await close(client)


async def test_pagination_section(face: str, server: Server) -> None:
    client = client_for(face, server)
    page = await resolve(client.markets.list(status="open", limit=100))
    assert page.has_next
    following = await resolve(client.markets.list(status="open", cursor=page.cursor))
    assert [m.ticker for m in following] == ["KX-C"]
    assert following.cursor is None
    everything = await collect(client.markets.list_all(status="open"))
    assert [m.ticker for m in everything] == ["KX-A", "KX-B", "KX-C"]
    with pytest.raises(ValueError, match="max_pages"):
        client.markets.list_all(status="open", max_pages=0)
    pytest.importorskip("pandas")
    frame = page.to_dataframe()
    assert frame["yes_bid_dollars"].tolist() == [Decimal("0.5600"), Decimal("0.5600")]
    await close(client)


async def test_options_and_raw_section(face: str, server: Server) -> None:
    client = client_for(face, server, config=KalshiConfig.demo(timeout=5.0, extra_headers={"X-App": "my-bot"}))
    market_a = await resolve(client.markets.get("KX-A", options=RequestOptions(timeout=1.0)))
    assert market_a.market.ticker == "KX-A"
    assert server.requests[-1].extensions["timeout"]["read"] == 1.0
    raw = await resolve(client.with_options(max_retries=0).markets.with_raw_response.get("KX-A"))
    assert raw.status_code == 200
    assert raw.parse().market.ticker == "KX-A"
    assert server.requests[-1].headers["X-App"] == "my-bot"
    await close(client)


async def test_rate_limit_section(face: str, server: Server, auth: KalshiAuth) -> None:
    probe = client_for(face, server, auth=auth)
    limiter = RateLimiter.from_limits(await resolve(probe.account.limits()), clock=lambda: 50.0)  # frozen clock
    limiter.update_costs(await resolve(probe.account.endpoint_costs()))
    assert limiter.available("read") == 200
    client = client_for(face, server, auth=auth, config=KalshiConfig(rate_limiter=limiter))
    await resolve(client.markets.list())
    assert limiter.available("read") == 197  # GetMarkets costs 3 per the server
    await close(probe)
    await close(client)
