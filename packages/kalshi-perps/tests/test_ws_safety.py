"""Perps WebSocket safety: a delta's side must be bid or ask, URLs come from the shared resolver."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import KalshiAuth, KalshiConfig, KalshiConfigError
from kalshi_perps import PERPS, PerpsWebSocket
from kalshi_ws import KalshiProtocol, Resyncing

WALL = 1_700_000_000_000


def frame(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj).encode()


def active_book() -> tuple[KalshiProtocol, Any]:
    proto = KalshiProtocol(PERPS.channels, PERPS.messages)
    proto.connection_made(0.0)
    sub = proto.subscribe(
        "orderbook_delta", {"market_tickers": ["BTC"]}, 0.0, keeper=PERPS.keeper("orderbook_delta", {})
    )
    (cmd,) = [json.loads(b) for b in proto.data_to_send()]
    proto.receive(
        frame({"id": cmd["id"], "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": 4}}), 0, WALL
    )
    snap = {"market_ticker": "BTC", "bid": [["100.00", "5"]], "ask": [["101.00", "7"]]}
    proto.receive(frame({"type": "orderbook_snapshot", "sid": 4, "seq": 1, "msg": snap}), 0.1, WALL)
    proto.data_to_send()
    return proto, sub


@pytest.mark.parametrize("side", ["yes", "no", "BID", ""])
def test_a_perps_delta_whose_side_is_not_bid_or_ask_is_never_applied(side: str) -> None:
    proto, sub = active_book()
    book = sub.keeper.books["BTC"]
    body = {"market_ticker": "BTC", "price": "100.00", "delta": "3", "side": side}
    proto.receive(frame({"type": "orderbook_delta", "sid": 4, "seq": 2, "msg": body}), 0.2, WALL)
    assert not book.ready  # reset for a fresh snapshot; 3 was never added to the bids
    assert book.best_bid is None
    assert isinstance(sub.queue[-1], Resyncing)
    assert [json.loads(b)["cmd"] for b in proto.data_to_send()] == ["unsubscribe", "subscribe"]


def test_a_bid_delta_is_applied() -> None:
    proto, sub = active_book()
    body = {"market_ticker": "BTC", "price": "100.00", "delta": "3", "side": "bid"}
    proto.receive(frame({"type": "orderbook_delta", "sid": 4, "seq": 2, "msg": body}), 0.2, WALL)
    assert sub.keeper.books["BTC"].best_bid[1] == 8


def test_url_comes_from_the_resolver() -> None:
    for config in (KalshiConfig.demo(), KalshiConfig.production()):
        assert PerpsWebSocket(config=config).url == config.endpoints("perps").ws_url
    sim = KalshiConfig(ws_url="ws://127.0.0.1:9000")
    assert PerpsWebSocket(config=sim).url == "ws://127.0.0.1:9000/trade-api/ws/v2/margin"


def test_a_url_from_another_environment_is_refused() -> None:
    prod = KalshiConfig.production().endpoints("perps").ws_url
    with pytest.raises(KalshiConfigError, match="mixed"):
        PerpsWebSocket(config=KalshiConfig.demo(), url=prod)
    with pytest.raises(KalshiConfigError, match="loopback"):
        PerpsWebSocket(url="ws://example.com/trade-api/ws/v2/margin")


def test_credentials_never_go_to_a_custom_host(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = KalshiAuth("key-id", rsa_key)
    with pytest.raises(KalshiConfigError, match="refusing"):
        PerpsWebSocket(auth, url="wss://example.com/trade-api/ws/v2/margin")


def test_from_env_reads_the_ws_url_variable_and_refuses_a_mix() -> None:
    ws = PerpsWebSocket.from_env(environ={"KALSHI_PERPS_WS_URL": "ws://127.0.0.1:8123"})
    assert ws.url == "ws://127.0.0.1:8123/trade-api/ws/v2/margin"
    prod_host = KalshiConfig.production().endpoints("perps").ws_url
    with pytest.raises(KalshiConfigError, match="mixed"):
        PerpsWebSocket.from_env(environ={"KALSHI_PERPS_DEMO": "1", "KALSHI_PERPS_WS_URL": prod_host})
