"""Every REST client resolves URLs the same way, refuses mixed environments, and signs only for known hosts."""

from __future__ import annotations

import functools
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import DEMO, KalshiAuth, KalshiConfig, KalshiConfigError
from kalshi_klear import KlearClient
from kalshi_perps import PerpsClient
from kalshi_rest import KalshiClient


@functools.cache
def _auth() -> KalshiAuth:
    return KalshiAuth("key-id", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _make(kind: str, sent: list[httpx.Request], **kwargs: Any) -> Any:
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={}))  # type: ignore[func-returns-value]
    if kind == "klear":
        return KlearClient(admin_user_id="admin", access_token="token", transport=transport, **kwargs)
    cls = KalshiClient if kind == "prediction" else PerpsClient
    return cls(auth=_auth(), transport=transport, **kwargs)


KINDS = ["prediction", "perps", "klear"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "base_url", ["https://external-api.kalshi.com/trade-api/v2", "https://api.elections.kalshi.com/trade-api/v2"]
)
def test_demo_with_a_production_url_is_refused(kind: str, base_url: str) -> None:
    sent: list[httpx.Request] = []
    with pytest.raises(KalshiConfigError, match="production and demo"):
        _make(kind, sent, demo=True, config=KalshiConfig(base_url=base_url))
    assert sent == []


@pytest.mark.parametrize("kind", KINDS)
def test_rest_and_websocket_from_different_environments_are_refused(kind: str) -> None:
    with pytest.raises(KalshiConfigError, match="production and demo"):
        _make(
            kind, [], config=KalshiConfig(environment=DEMO, ws_url="wss://external-api-ws.kalshi.com/trade-api/ws/v2")
        )


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("prediction", "http://127.0.0.1:8080/trade-api/v2"),
        ("perps", "http://127.0.0.1:8080/trade-api/v2"),
        ("klear", "http://127.0.0.1:8080/klear-api/v1"),
    ],
)
def test_base_url_means_the_same_server_to_every_client(kind: str, expected: str) -> None:
    for demo in (False, True):  # loopback pairs with either environment
        client = _make(kind, [], demo=demo, config=KalshiConfig(base_url="http://127.0.0.1:8080/trade-api/v2"))
        assert client.base_url == expected
        client.close()


@pytest.mark.parametrize("kind", KINDS)
def test_signed_clients_refuse_unknown_hosts_unless_opted_in(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KALSHI_ALLOW_CUSTOM_HOST", raising=False)
    proxy = "https://proxy.example/trade-api/v2"
    with pytest.raises(KalshiConfigError, match="not a Kalshi host"):
        _make(kind, [], config=KalshiConfig(base_url=proxy))
    _make(kind, [], config=KalshiConfig(base_url=proxy, allow_custom_host=True)).close()
    KalshiClient(config=KalshiConfig(base_url=proxy)).close()  # unsigned: no credentials to leak
