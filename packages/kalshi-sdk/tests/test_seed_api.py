"""SEED-API.md's promises, exercised through the `kalshi` meta-package exactly as users type them."""

from __future__ import annotations

import json
import types
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import httpx
import pydantic
import pytest

import kalshi
from kalshi import (
    AsyncKalshiClient,
    AuthRequiredError,
    CreateOrderV2Request,
    KalshiClient,
    KalshiConfig,
    KalshiError,
    KalshiNotFoundError,
    Page,
    models,
)


def _sample(annotation: Any) -> Any:
    """A wire value for a field of this type (enough to satisfy a required field)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return args[0]
    if origin is Annotated:
        return _sample(args[0])
    if origin in (Union, types.UnionType):
        return _sample(next(a for a in args if a is not type(None)))
    if origin is list:
        return []
    if origin is dict:
        return {}
    if annotation is Decimal:
        return "0.5000"
    if annotation is datetime:
        return "2026-01-01T00:00:00Z"
    if annotation is bool:
        return False
    if annotation is int:
        return 0
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return {name: _sample(f.annotation) for name, f in annotation.model_fields.items() if f.is_required()}
    return "x"


MARKET = {
    **_sample(models.Market),
    "ticker": "KXTEST-1",
    "event_ticker": "KXTEST",
    "yes_bid_dollars": "0.4200",
    "yes_ask_dollars": "0.4500",
}


def handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/trade-api/v2")
    if path == "/markets":
        cursor = request.url.params.get("cursor")
        if cursor is None:
            return httpx.Response(200, json={"markets": [MARKET], "cursor": "page2"})
        return httpx.Response(200, json={"markets": [{**MARKET, "ticker": "KXTEST-2"}], "cursor": ""})
    if path == "/markets/NOPE":
        return httpx.Response(404, json={"code": "not_found", "message": "market not found", "details": ""})
    if path == "/portfolio/events/orders" and request.method == "POST":
        body = json.loads(request.content)
        assert body["price"] == "0.50"
        assert body["count"] == "10"
        return httpx.Response(
            201,
            json={
                "order_id": "ord-1",
                "client_order_id": body["client_order_id"],
                "fill_count": "0.00",
                "remaining_count": "10.00",
                "ts_ms": 1,
            },
        )
    return httpx.Response(500, json={"code": "unexpected", "message": path, "details": ""})


def test_unauthenticated_client_reads_public_data_and_refuses_private_calls() -> None:
    sent: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    with KalshiClient(demo=True, transport=httpx.MockTransport(recording)) as client:
        assert client.is_authenticated is False
        page = client.markets.list(status="open", limit=10)
        assert isinstance(page, Page)
        market = next(iter(page))
        assert market.ticker == "KXTEST-1"
        assert market.yes_bid == Decimal("0.4200")
        assert market.yes_ask == Decimal("0.4500")
        assert page.has_next
        assert page.cursor == "page2"
        second = client.markets.list(status="open", limit=10, cursor=page.cursor)
        assert [m.ticker for m in second] == ["KXTEST-2"]
        assert not second.has_next
        assert [m.ticker for m in client.markets.list_all(status="open")] == ["KXTEST-1", "KXTEST-2"]
        with pytest.raises(ValueError, match="max_pages"):
            list(client.markets.list_all(status="open", max_pages=0))
        with pytest.raises(KalshiNotFoundError) as info:
            client.markets.get("NOPE")
        assert info.value.status_code == 404
        before = len(sent)
        with pytest.raises(AuthRequiredError):
            client.portfolio.deposits()
        assert len(sent) == before  # refused before sending


def test_errors_share_the_root() -> None:
    for name in (
        "KalshiAuthError",
        "AuthRequiredError",
        "KalshiNotFoundError",
        "KalshiValidationError",
        "KalshiRateLimitError",
        "KalshiServerError",
        "KalshiWebSocketError",
        "KalshiConnectionError",
        "KalshiSequenceGapError",
        "KalshiBackpressureError",
        "KalshiSubscriptionError",
    ):
        assert issubclass(getattr(kalshi, name), KalshiError), name


def test_order_request_rejects_unknown_keys_and_floats() -> None:
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        CreateOrderV2Request(  # type: ignore[call-arg]
            ticker="T",
            client_order_id="c",
            side="bid",
            count=Decimal("1"),
            price=Decimal("0.5"),
            time_in_force="good_till_canceled",
            self_trade_prevention_type="taker_at_cross",
            tickr="typo",
        )
    with pytest.raises(TypeError):
        CreateOrderV2Request(
            ticker="T",
            client_order_id="c",
            side="bid",
            count=Decimal("1"),
            price=0.5,  # type: ignore[arg-type]
            time_in_force="good_till_canceled",
            self_trade_prevention_type="taker_at_cross",
        )


async def test_async_client_creates_an_order_and_iterates_pages(tmp_path: object) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    async with AsyncKalshiClient(
        key_id="key-1",
        private_key=pem,
        config=KalshiConfig.demo(),
        transport=httpx.MockTransport(handler),
    ) as client:
        assert client.is_authenticated
        order = await client.orders.create_v2(
            request=CreateOrderV2Request(
                ticker="KXTEST-1",
                client_order_id="intent-1",
                side="bid",
                count=Decimal("10"),
                price=Decimal("0.50"),
                time_in_force="good_till_canceled",
                self_trade_prevention_type="taker_at_cross",
            )
        )
        assert order.order_id == "ord-1"
        assert order.remaining_count == Decimal("10.00")
        assert order.fill_count == Decimal("0")
        tickers = [m.ticker async for m in client.markets.list_all(status="open")]
        assert tickers == ["KXTEST-1", "KXTEST-2"]


def test_fix_names() -> None:
    from kalshi import FixClient, FixEnvironment, MarginFixClient
    from kalshi.fix import ExecutionReport, NewOrderSingle, Side, decode_app_message

    order = NewOrderSingle(
        cl_ord_id="order-1", symbol="KXTEST-1", side=Side.BUY_YES, order_qty=Decimal("10"), price=Decimal("0.55")
    )
    assert order.price == Decimal("0.55")
    assert callable(decode_app_message)
    assert ExecutionReport.__name__ == "ExecutionReport"
    assert {FixClient.__name__, MarginFixClient.__name__} == {"FixClient", "MarginFixClient"}
    assert FixEnvironment.DEMO is not FixEnvironment.PRODUCTION


def test_websocket_names() -> None:
    from kalshi.ws import KalshiWebSocket

    ws = KalshiWebSocket(auth=None, config=KalshiConfig.demo())
    for channel in (
        "ticker",
        "trade",
        "orderbook_delta",
        "fill",
        "market_positions",
        "user_orders",
        "order_group",
        "market_lifecycle",
        "multivariate",
        "multivariate_lifecycle",
        "communications",
        "cfbenchmarks_value",
    ):
        assert hasattr(ws, "connect")
        assert channel  # the subscribe_* names are checked on the session class below
    from kalshi_ws import Session

    for channel in (
        "ticker",
        "trade",
        "orderbook_delta",
        "fill",
        "market_positions",
        "user_orders",
        "order_group",
        "market_lifecycle",
        "multivariate",
        "multivariate_lifecycle",
        "communications",
        "cfbenchmarks_value",
    ):
        assert callable(getattr(Session, f"subscribe_{channel}")), channel


def test_klear_client_sends_the_bearer_token() -> None:
    from kalshi import KlearClient

    seen: list[httpx.Request] = []

    def klear(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    client = KlearClient(admin_user_id="admin-1", access_token="tok-secret", transport=httpx.MockTransport(klear))
    with client:
        balance = client.settlement.balance()  # `{}` lacks the required fields: read as None and recorded
    assert balance.missing_fields
    assert seen[0].headers["Authorization"] == "Bearer admin-1:tok-secret"
    assert seen[0].url.path.startswith("/klear-api/v1/")
    assert "tok-secret" not in repr(client)


def test_record_against_the_simulator_then_replay_offline(tmp_path: Any) -> None:
    from kalshi.testing import KalshiExchangeSimulator, RecordingTransport, ReplayTransport

    fixtures = tmp_path / "fixtures"
    with KalshiExchangeSimulator() as sim:
        alice = sim.create_user("alice", balance="1000.00")
        config = KalshiConfig(base_url=sim.rest_url)
        recorder = RecordingTransport(fixtures)
        with KalshiClient(auth=alice.auth, config=config, transport=recorder) as client:
            live = [m.ticker for m in client.markets.list(status="open", limit=3)]
            balance = client.portfolio.balance()
    assert live
    assert list(fixtures.glob("*.json"))
    recorded = "".join(p.read_text() for p in fixtures.glob("*.json")).lower()
    assert "kalshi-access" not in recorded  # no key id, timestamp or signature header
    assert alice.auth.key_id.lower() not in recorded
    assert "private key" not in recorded
    # The simulator is gone: replay answers from the fixtures alone.
    with KalshiClient(auth=alice.auth, config=config, transport=ReplayTransport(fixtures)) as client:
        assert [m.ticker for m in client.markets.list(status="open", limit=3)] == live
        assert client.portfolio.balance() == balance
