"""PerpsClient / AsyncPerpsClient: URLs, credentials, SEED-API usage, Decimal parsing, errors, costs."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from perps_support import Server

from kalshi_auth import AuthRequiredError, KalshiAuth, KalshiConfig, KalshiConfigError, KalshiError
from kalshi_perps import AsyncPerpsClient, PerpsClient
from kalshi_perps.models import CreateMarginOrderRequest, MarginFill, MarginMarket
from kalshi_rest import (
    BucketLimit,
    KalshiConflictError,
    KalshiResponseError,
    KalshiServerError,
    Page,
    RateLimiter,
)

MARKET: dict[str, Any] = {
    "ticker": "BTC-PERP",
    "market_id": "5b0e3d1c-0000-4000-8000-000000000001",
    "title": "Bitcoin perpetual",
    "status": "active",
    "contract_size": "0.001000",
    "underlying_multiplier": "1",
    "tick_size": "0.0100",
    "fractional_trading_enabled": True,
    "schedule": None,
    "exchange_index": 0,
    "market_version": 3,
    "funding_deadband": 0.0005,
    "funding_cap": 0.0075,
    "funding_limit_unit": "percentage",
    "funding_invalid_premium_handling": "dampen",
    "halt_sources": [],
    "price": "97012.5500",
    "bid": "97012.5000",
    "ask": "97013.0000",
    "bid_size_fp": "12.50",
    "ask_size_fp": "3.00",
    "volume": "1500.25",
    "open_interest": "820.00",
    "leverage_estimate": 19.999999999999996,
}

ORDER: dict[str, Any] = {
    "order_id": "ord-1",
    "user_id": "user-1",
    "client_order_id": "cid-1",
    "ticker": "BTC-PERP",
    "side": "bid",
    "price": "97000.1000",
    "fill_count": "1.00",
    "remaining_count": "2.50",
    "last_update_reason": "Trade",
}

BALANCE: dict[str, Any] = {
    "subaccount_balances": [
        {
            "subaccount": 0,
            "position_value": "1250.123456",
            "account_equity": "0",
            "maintenance_margin": "61.5000",
            "initial_margin": "0",
            "resting_orders_margin": "12.0000",
            "available_balance": "0",
        }
    ],
    "settled_funds": "5000.00",
}


def _client(server: Server, auth: KalshiAuth | None = None, **kw: Any) -> PerpsClient:
    return PerpsClient(auth=auth, transport=server.transport(), **kw)


# -- where requests go ------------------------------------------------------------------------------


def test_production_and_demo_use_the_perps_rest_url(server: Server) -> None:
    server.on("GET", "/margin/exchange/status", {"exchange_active": True, "trading_active": True})
    with _client(server) as prod, _client(server, demo=True) as demo:
        prod.exchange.status()
        demo.exchange.status()
    assert [r.url.host for r in server.seen] == ["external-api.kalshi.com", "external-api.demo.kalshi.co"]
    assert demo.base_url == KalshiConfig.demo().environment.perps_rest_url


def test_config_base_url_overrides_the_environment(server: Server) -> None:
    server.on("GET", "/margin/exchange/status", {"exchange_active": True, "trading_active": True})
    config = KalshiConfig(base_url="http://127.0.0.1:8080/trade-api/v2")
    with _client(server, config=config) as client:
        client.exchange.status()
    assert str(server.seen[0].url) == "http://127.0.0.1:8080/trade-api/v2/margin/exchange/status"


def test_requests_are_signed_over_the_full_path(server: Server, auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    server.on("GET", "/margin/balance", BALANCE)
    with _client(server, auth) as client:
        client.margin.balance(compute_available_balance=True)
    request = server.seen[0]
    assert request.url.query == b"compute_available_balance=true"
    ts = request.headers["KALSHI-ACCESS-TIMESTAMP"]
    message = f"{ts}GET/trade-api/v2/margin/balance".encode()
    signature = __import__("base64").b64decode(request.headers["KALSHI-ACCESS-SIGNATURE"])
    rsa_key.public_key().verify(
        signature,
        message,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
        hashes.SHA256(),
    )
    assert request.headers["KALSHI-ACCESS-KEY"] == "perps-test-key-0001"


# -- credentials from the environment --------------------------------------------------------------


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_from_env_reads_the_perps_variables(rsa_key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    path = tmp_path / "perps.pem"
    path.write_text(_pem(rsa_key))
    environ = {
        "KALSHI_PERPS_KEY_ID": "perps-key",
        "KALSHI_PERPS_PRIVATE_KEY_PATH": str(path),
        "KALSHI_KEY_ID": "prediction-key",  # the prediction variables are not read
    }
    client = PerpsClient.from_env(environ=environ, demo=True)
    assert client.is_authenticated
    assert client.base_url == "https://external-api.demo.kalshi.co/trade-api/v2"
    assert "perps-ke" in repr(client)
    assert "PRIVATE" not in repr(client)
    client.close()


def test_from_env_inline_key_demo_flag_and_base_url(rsa_key: rsa.RSAPrivateKey) -> None:
    environ = {
        "KALSHI_PERPS_KEY_ID": "perps-key",
        "KALSHI_PERPS_PRIVATE_KEY": _pem(rsa_key).replace("\n", "\\n"),
        "KALSHI_PERPS_DEMO": "true",
    }
    client = AsyncPerpsClient.from_env(environ=environ)
    assert client.is_authenticated
    assert client.base_url.startswith("https://external-api.demo.kalshi.co")
    local = PerpsClient.from_env(environ={"KALSHI_PERPS_API_BASE_URL": "http://127.0.0.1:9/trade-api/v2"})
    assert local.base_url == "http://127.0.0.1:9/trade-api/v2"
    assert not local.is_authenticated


def test_from_env_without_variables_is_unauthenticated() -> None:
    client = PerpsClient.from_env(environ={})
    assert not client.is_authenticated
    assert client.base_url == "https://external-api.kalshi.com/trade-api/v2"


def test_from_env_half_set_credentials_are_a_config_error() -> None:
    with pytest.raises(KalshiConfigError, match="KALSHI_PERPS_PRIVATE_KEY"):
        PerpsClient.from_env(environ={"KALSHI_PERPS_KEY_ID": "perps-key"})
    assert issubclass(KalshiConfigError, KalshiError)


# -- the SEED-API usage ------------------------------------------------------------------------------


def test_seed_sync_usage(server: Server, auth: KalshiAuth) -> None:
    server.on("GET", "/margin/exchange/status", {"exchange_active": True, "trading_active": False})
    server.on("GET", "/margin/markets", {"markets": [MARKET]})
    server.on("GET", "/margin/balance", BALANCE)
    with _client(server, auth) as perps:
        status = perps.exchange.status()
        markets = perps.markets.list(status="active")
        balance = perps.margin.balance()
    assert status.exchange_active is True
    assert status.trading_active is False
    assert isinstance(markets, Page)
    assert not markets.has_next
    (market,) = list(markets)
    assert (market.ticker, market.bid, market.ask) == ("BTC-PERP", Decimal("97012.5000"), Decimal("97013.0000"))
    assert server.seen[1].url.query == b"status=active"
    assert balance.settled_funds == Decimal("5000.00")
    assert balance.subaccount_balances[0].position_value == Decimal("1250.123456")


async def test_seed_async_orders_list_all_follows_the_cursor(server: Server, auth: KalshiAuth) -> None:
    second = {**ORDER, "order_id": "ord-2", "remaining_count": "0.01"}
    # The last page leaves `cursor` out instead of sending "" (docs/protocol/server-behaviours.md#values).
    server.on("GET", "/margin/orders", {"orders": [ORDER], "cursor": "c2"}, {"orders": [second]})
    async with AsyncPerpsClient(auth=auth, transport=server.transport()) as perps:
        orders = [o async for o in perps.orders.list_all()]
    assert [(o.order_id, o.price, o.remaining_count) for o in orders] == [
        ("ord-1", Decimal("97000.1000"), Decimal("2.50")),
        ("ord-2", Decimal("97000.1000"), Decimal("0.01")),
    ]
    assert [r.url.params.get("cursor") for r in server.seen] == [None, "c2"]


# -- Decimal everywhere ------------------------------------------------------------------------------


def test_bare_named_fixed_point_strings_are_decimal() -> None:
    market = MarginMarket.model_validate_json(json.dumps(MARKET))
    assert market.price == Decimal("97012.5500")
    assert market.volume == Decimal("1500.25")
    assert market.open_interest == Decimal("820.00")
    assert market.contract_size == Decimal("0.001000")
    assert market.underlying_multiplier == Decimal("1")
    fill = MarginFill.model_validate_json(
        json.dumps(
            {
                "fill_id": "f",
                "order_id": "o",
                "is_taker": True,
                "side": "ask",
                "count": "0.50",
                "created_time": "2026-11-24T09:00:00Z",
                "ticker": "BTC-PERP",
                "price": "97000.123456",
                "entry_price": "96000.5",
                "fees": "0.012345",
                "realized_pnl": "-12.34",
            }
        )
    )
    assert (fill.price, fill.entry_price, fill.fees, fill.realized_pnl) == (
        Decimal("97000.123456"),
        Decimal("96000.5"),
        Decimal("0.012345"),
        Decimal("-12.34"),
    )
    assert fill.created_time.tzinfo is not None


def test_json_number_ratios_parse_exactly(server: Server) -> None:
    # 0.1 + 0.2 style doubles keep the digits the server sent, with no float rounding.
    server.on(
        "GET",
        "/margin/funding_rates/estimate",
        '{"market_ticker":"BTC-PERP","funding_rate":0.30000000000000004,"mark_price":"97000.00",'
        '"next_funding_time":"2026-11-24T10:00:00Z","premium_index":"-0.000125"}',
    )
    server.on("GET", "/margin/markets/BTC-PERP", {"market": MARKET})
    with _client(server) as perps:
        estimate = perps.funding.estimate(ticker="BTC-PERP")
        market = perps.markets.get("BTC-PERP").market
    assert estimate.funding_rate == Decimal("0.30000000000000004")
    assert estimate.premium_index == Decimal("-0.000125")
    assert market.funding_deadband == Decimal("0.0005")
    assert market.leverage_estimate == Decimal("19.999999999999996")


def test_request_prices_must_be_decimal() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        CreateMarginOrderRequest(
            ticker="BTC-PERP",
            client_order_id="cid",
            side="bid",
            count=Decimal("1"),
            price=97000.1,  # type: ignore[arg-type]
            time_in_force="good_till_canceled",
            self_trade_prevention_type="maker",
        )


def test_create_order_sends_decimal_strings(server: Server, auth: KalshiAuth) -> None:
    server.on(
        "POST",
        "/margin/orders",
        {"order_id": "ord-9", "client_order_id": "cid-9", "fill_count": "0.00", "remaining_count": "1.50"},
        status=201,
    )
    request = CreateMarginOrderRequest(
        ticker="BTC-PERP",
        client_order_id="cid-9",
        side="ask",
        count=Decimal("1.5"),
        price=Decimal("97000.10"),
        time_in_force="immediate_or_cancel",
        self_trade_prevention_type="taker_at_cross",
        reduce_only=True,
        market_version=3,
    )
    with _client(server, auth) as perps:
        created = perps.orders.create(request=request)
    assert created.order_id == "ord-9"
    body = server.bodies()[0]
    assert body["price"] == "97000.10"
    assert body["count"] == "1.5"
    assert body["market_version"] == 3


# -- errors and retries ------------------------------------------------------------------------------


def test_private_endpoint_without_credentials_sends_nothing(server: Server) -> None:
    with _client(server) as perps, pytest.raises(AuthRequiredError):
        perps.margin.balance()
    assert server.seen == []


def test_market_version_mismatch_is_a_conflict(server: Server, auth: KalshiAuth) -> None:
    server.on(
        "POST",
        "/margin/orders",
        httpx.Response(409, json={"code": "market_version_mismatch", "message": "market version changed"}),
    )
    request = CreateMarginOrderRequest(
        ticker="BTC-PERP",
        client_order_id="cid",
        side="bid",
        count=1,
        price=Decimal("1.00"),
        time_in_force="fill_or_kill",
        self_trade_prevention_type="maker",
        market_version=2,
    )
    with _client(server, auth) as perps, pytest.raises(KalshiConflictError) as info:
        perps.orders.create(request=request)
    assert info.value.code == "market_version_mismatch"
    assert len(server.seen) == 1


def test_writes_are_never_retried_reads_are(server: Server, auth: KalshiAuth) -> None:
    config = KalshiConfig(max_retries=2, retry_base_delay=0.001, retry_max_delay=0.001)
    server.on("DELETE", "/margin/orders/ord-1", httpx.Response(503, json={"code": "unavailable", "message": "x"}))
    server.on(
        "GET",
        "/margin/orders/ord-1",
        httpx.Response(503, json={"code": "unavailable", "message": "x"}),
        {"order": ORDER},
    )
    with _client(server, auth, config=config) as perps:
        with pytest.raises(KalshiServerError):
            perps.orders.cancel("ord-1")
        assert len(server.seen) == 1
        order = perps.orders.get("ord-1").order
    assert order.remaining_count == Decimal("2.50")
    assert [r.method for r in server.seen] == ["DELETE", "GET", "GET"]


def test_cancel_all_answers_204_with_no_body(server: Server, auth: KalshiAuth) -> None:
    server.on("DELETE", "/margin/orders", httpx.Response(204))
    with _client(server, auth) as perps:
        assert perps.orders.cancel_all(subaccount=2) is None
    assert server.seen[0].url.query == b"subaccount=2"


def test_an_error_body_under_2xx_is_not_swallowed(server: Server, auth: KalshiAuth) -> None:
    server.on("GET", "/margin/balance", {"code": "internal", "message": "boom", **BALANCE})
    with _client(server, auth) as perps, pytest.raises(KalshiResponseError):
        perps.margin.balance()


def test_raw_response_keeps_headers(server: Server) -> None:
    server.on("GET", "/margin/markets", httpx.Response(200, json={"markets": [MARKET]}, headers={"x-request": "r1"}))
    with _client(server) as perps:
        raw = perps.markets.with_raw_response.list()
    assert raw.headers["x-request"] == "r1"
    assert next(iter(raw.parse())).ticker == "BTC-PERP"


# -- rate-limit costs (docs/protocol/rate-limits.md) ------------------------------------------------------


@pytest.mark.parametrize(("compute", "cost"), [(None, 5.0), (False, 5.0), (True, 50.0)])
def test_balance_costs_5_or_50_tokens(server: Server, auth: KalshiAuth, compute: bool | None, cost: float) -> None:
    clock = [0.0]
    limiter = RateLimiter(read=BucketLimit(100, 100), write=BucketLimit(100, 100), clock=lambda: clock[0])
    server.on("GET", "/margin/balance", BALANCE)
    with _client(server, auth, config=KalshiConfig(rate_limiter=limiter)) as perps:
        perps.margin.balance(compute_available_balance=compute)
    assert limiter.available("read") == pytest.approx(100 - cost)


def test_cancel_all_costs_10_write_tokens(server: Server, auth: KalshiAuth) -> None:
    clock = [0.0]
    limiter = RateLimiter(read=BucketLimit(100, 100), write=BucketLimit(100, 100), clock=lambda: clock[0])
    server.on("DELETE", "/margin/orders", httpx.Response(204))
    with _client(server, auth, config=KalshiConfig(rate_limiter=limiter)) as perps:
        perps.orders.cancel_all()
    assert limiter.available("write") == pytest.approx(90)
    assert limiter.available("read") == pytest.approx(100)


def test_a_limiter_sized_from_the_perps_limits(server: Server, auth: KalshiAuth) -> None:
    limits = {
        "usage_tier": "advanced",
        "read": {"refill_rate": 300, "bucket_capacity": 300},
        "write": {"refill_rate": 300, "bucket_capacity": 600},
        "grants": None,  # null where the spec wants an array reads as [] (docs/protocol/server-behaviours.md#values)
    }
    server.on("GET", "/account/limits/perps", limits)
    with _client(server, auth) as perps:
        answer = perps.account.limits()
    assert answer.grants == []
    clock = [0.0]
    limiter = RateLimiter.from_limits(answer, clock=lambda: clock[0])
    assert limiter.available("read") == 300
    assert limiter.available("write") == 600


def test_with_options_keeps_the_perps_url_and_key(server: Server, auth: KalshiAuth) -> None:
    server.on("GET", "/margin/exchange/status", {"exchange_active": True, "trading_active": True})
    with _client(server, auth, demo=True) as perps:
        fast = perps.with_options(timeout=2.0, max_retries=0)
        fast.exchange.status()
        assert isinstance(fast, PerpsClient)
        assert fast.base_url == perps.base_url == "https://external-api.demo.kalshi.co/trade-api/v2"
        assert fast.config.timeout == 2.0
    assert server.seen[0].headers["KALSHI-ACCESS-KEY"] == "perps-test-key-0001"


def test_an_empty_book_side_may_be_left_out(server: Server) -> None:
    server.on("GET", "/margin/markets/BTC-PERP/orderbook", {"orderbook": {"bids": [["97000.0000", "1.50"]]}})
    with _client(server) as perps:
        book = perps.markets.orderbook("BTC-PERP", depth=5).orderbook
    assert book.bids == [(Decimal("97000.0000"), Decimal("1.50"))]
    assert book.asks == []
    assert server.seen[0].url.query == b"depth=5"


def test_perps_is_declared_as_a_product() -> None:
    from kalshi_perps import PERPS_REST
    from kalshi_perps.resources._generated import OPERATION_METHODS

    assert PerpsClient.product is PERPS_REST is AsyncPerpsClient.product
    assert (PERPS_REST.endpoint, PERPS_REST.env_prefix, PERPS_REST.auth) == ("perps", "KALSHI_PERPS", "signed")
    table = PERPS_REST.operations()
    assert set(table) == set(OPERATION_METHODS)
    assert table["GetMarginMarkets"].path.endswith("/markets")
    assert PerpsClient(config=KalshiConfig.demo()).base_url == KalshiConfig.demo().endpoints("perps").rest_url


def test_a_private_call_without_credentials_names_the_perps_variables() -> None:
    with (
        PerpsClient() as perps,
        pytest.raises(AuthRequiredError, match=r"needs perps credentials: .*PerpsClient\.from_env"),
    ):
        perps.portfolio.positions()
