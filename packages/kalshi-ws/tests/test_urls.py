"""KalshiWebSocket takes its URL from the shared resolver and refuses mixed environments."""

from __future__ import annotations

import pytest

from kalshi_auth import KalshiConfig, KalshiConfigError
from kalshi_ws import KalshiWebSocket


def test_url_comes_from_the_resolver() -> None:
    for config in (KalshiConfig.demo(), KalshiConfig.production()):
        assert KalshiWebSocket(config=config).url == config.endpoints("prediction").ws_url
    assert (
        KalshiWebSocket(config=KalshiConfig(ws_url="ws://127.0.0.1:9000")).url == "ws://127.0.0.1:9000/trade-api/ws/v2"
    )


def test_rest_and_websocket_from_different_environments_are_refused() -> None:
    production_ws = KalshiConfig.production().websocket_url
    with pytest.raises(KalshiConfigError, match="mixed"):
        KalshiWebSocket(config=KalshiConfig.demo(), url=production_ws)
    with pytest.raises(KalshiConfigError, match="mixed"):
        KalshiConfig.demo(ws_url=production_ws)
    with pytest.raises(KalshiConfigError, match="wss"):
        KalshiWebSocket(url="https://demo-api.kalshi.co/trade-api/ws/v2")


def test_from_env() -> None:
    ws = KalshiWebSocket.from_env(environ={"KALSHI_WS_URL": "ws://127.0.0.1:8123"})
    assert ws.url == "ws://127.0.0.1:8123/trade-api/ws/v2"
    assert not ws.is_authenticated
    assert KalshiWebSocket.from_env(demo=True, environ={}).url == KalshiConfig.demo().websocket_url
    with pytest.raises(KalshiConfigError, match="mixed"):
        KalshiWebSocket.from_env(environ={"KALSHI_DEMO": "1", "KALSHI_WS_URL": KalshiConfig.production().websocket_url})


def test_reconnect_policy_is_the_shared_backoff() -> None:
    from kalshi_auth import Backoff
    from kalshi_ws import ReconnectPolicy

    policy = ReconnectPolicy(base_delay=0.5, max_delay=4.0, max_attempts=3)
    assert policy.backoff == Backoff(base_delay=0.5, max_delay=4.0, max_attempts=3)
    assert [policy.delay(n, rng=lambda low, high: high) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert all(0 <= policy.delay(n) <= 4.0 for n in range(1, 50))
    assert [policy.allows(n) for n in (1, 3, 4)] == [True, True, False]
    assert ReconnectPolicy(max_attempts=0).allows(10_000)  # 0 = unlimited, as before
