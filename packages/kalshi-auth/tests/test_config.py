from __future__ import annotations

import pytest

from kalshi_auth import DEMO, PRODUCTION, KalshiConfig, KalshiConfigError


def test_defaults_and_factories() -> None:
    assert KalshiConfig().environment is PRODUCTION
    demo = KalshiConfig.demo(timeout=5.0)
    assert demo.environment is DEMO and demo.timeout == 5.0
    assert demo.rest_url == DEMO.rest_url and demo.websocket_url == DEMO.ws_url


def test_overrides_and_replace() -> None:
    config = KalshiConfig(base_url="http://127.0.0.1:8080/trade-api/v2/", ws_url="ws://127.0.0.1:8080/trade-api/ws/v2")
    assert config.rest_url == "http://127.0.0.1:8080/trade-api/v2"
    assert config.websocket_url == "ws://127.0.0.1:8080/trade-api/ws/v2"
    assert config.replace(max_retries=0).max_retries == 0
    assert config.max_retries == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"retry_max_delay": float("inf")}, "retry_max_delay"),
        ({"max_retries": -1}, "max_retries"),
        ({"extra_headers": {"kalshi-access-signature": "x"}}, "auth headers"),
        ({"extra_headers": {"Authorization": "x"}}, "auth headers"),
        ({"base_url": "http://evil.example/trade-api/v2"}, "plaintext"),
        ({"ws_url": "wss://x.example/ws"}, "path prefix"),
    ],
)
def test_invalid_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(KalshiConfigError, match=message):
        KalshiConfig(**kwargs)  # type: ignore[arg-type]


def test_frozen() -> None:
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        KalshiConfig().timeout = 1.0  # type: ignore[misc]
