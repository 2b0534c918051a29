"""Status errors, body caps, the retry budget, pool exhaustion, logging, event hooks and the clock hint."""

from __future__ import annotations

import asyncio
import email.utils
import functools
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import Backoff, KalshiAuth, KalshiConfig
from kalshi_rest import (
    AsyncKalshiClient,
    KalshiAPIError,
    KalshiAuthError,
    KalshiClient,
    KalshiNotFoundError,
    KalshiPoolTimeoutError,
    KalshiResponseError,
    KalshiServerError,
    RetryPolicy,
)


@functools.cache
def _auth() -> KalshiAuth:
    return KalshiAuth("key-id-secret", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _client(handler: Callable[[httpx.Request], httpx.Response], **config: Any) -> KalshiClient:
    config.setdefault("retry_base_delay", 0.0)
    config.setdefault("retry_max_delay", 0.0)
    client = KalshiClient(auth=_auth(), config=KalshiConfig(**config), transport=httpx.MockTransport(handler))
    client._sleep = lambda seconds: None
    return client


@pytest.mark.parametrize("status", [400, 401, 404, 409, 429, 500, 503])
def test_every_status_error_has_status_code_and_retry_after(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": "7"}, json={"code": "c", "message": "m"})

    with _client(handler, max_retries=0) as client, pytest.raises(KalshiAPIError) as info:
        client.markets.get("KX-1")
    assert info.value.status_code == status
    assert info.value.retry_after == 7.0


def test_a_404_names_method_and_path_but_never_the_query() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"code": "not_found", "message": f"no {request.url}"})

    with _client(handler) as client, pytest.raises(KalshiNotFoundError) as info:
        client.orders.list(ticker="SECRET-TICKER")
    text = str(info.value)
    assert "GET /trade-api/v2/portfolio/orders" in text
    assert "SECRET-TICKER" not in text and "ticker=" not in text
    assert (info.value.method, info.value.path) == ("GET", "/trade-api/v2/portfolio/orders")


def test_messages_are_cut_to_one_kib_and_error_bodies_read_at_most_16_kib() -> None:
    huge = "x" * 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=b'{"message": "' + huge.encode() + b'"}')

    with _client(handler) as client, pytest.raises(KalshiAPIError) as info:
        client.markets.get("KX-1")
    assert len(info.value.message) <= 1024
    assert len(str(info.value)) < 1200
    assert len(info.value.body) == 16 * 1024


def test_a_2xx_body_over_the_cap_is_refused() -> None:
    body = b'{"markets": [], "cursor": "' + b"c" * 5000 + b'"}'
    with _client(lambda r: httpx.Response(200, content=body), max_response_bytes=4096) as client:
        with pytest.raises(KalshiResponseError, match="larger than 4096 bytes"):
            client.markets.list()
    with _client(lambda r: httpx.Response(200, content=body)) as client:
        assert client.markets.list().cursor == "c" * 5000


def test_the_total_retry_budget_stops_retries() -> None:
    calls: list[float] = []
    now = [0.0]

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(now[0])
        now[0] += 2.0  # each attempt takes two seconds
        return httpx.Response(503)

    with _client(handler, max_retries=10, retry_budget=5.0) as client:
        client._core.monotonic = lambda: now[0]
        with pytest.raises(KalshiServerError):
            client.markets.get("KX-1")
    assert len(calls) == 3  # at 0, 2, 4 s; a fourth would start past the 5 s budget


def test_pool_exhaustion_is_its_own_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.PoolTimeout("no connection available", request=request)

    with _client(handler, max_retries=0) as client, pytest.raises(KalshiPoolTimeoutError, match="never sent"):
        client.markets.get("KX-1")


def _http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


@pytest.mark.parametrize(
    ("server_offset", "body", "hint"),
    [
        (-120.0, {"code": "unauthorized"}, True),
        (0.0, {"code": "unauthorized"}, False),
        (None, {"code": "invalid_timestamp", "message": "request timestamp expired"}, True),
    ],
)
def test_a_401_suggests_the_clock_when_the_server_says_so(server_offset: float | None, body: Any, hint: bool) -> None:
    headers = {} if server_offset is None else {"Date": _http_date(server_offset)}
    with _client(lambda r: httpx.Response(401, headers=headers, json=body)) as client:
        with pytest.raises(KalshiAuthError) as info:
            client.portfolio.balance()
    assert ("clock may be off" in str(info.value)) is hint


def test_a_401_compares_the_signed_timestamp_with_the_server_date() -> None:
    """A signer whose clock is 10 minutes slow, on a machine whose wall clock is right: the hint
    still names the clock, because the signed timestamp is what the server judged."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from kalshi_auth import KalshiAuth

    slow = KalshiAuth(
        "0f0e0d0c-0b0a-4909-8807-060504030201",
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        clock=lambda: int(time.time() * 1000) - 600_000,
    )
    handler = lambda r: httpx.Response(401, headers={"Date": _http_date(0)}, json={"code": "unauthorized"})  # noqa: E731
    with KalshiClient(auth=slow, config=KalshiConfig(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(KalshiAuthError) as info:
            client.portfolio.balance()
    assert "clock may be off" in str(info.value)
    assert re.search(r"-(599|600|601) s", str(info.value))


def test_retry_delays_come_from_the_shared_backoff() -> None:
    policy = RetryPolicy(3, 0.5, 8.0, random=lambda: 0.5)
    assert isinstance(policy.backoff, Backoff)
    assert [policy.delay(n) for n in range(5)] == [Backoff(0.5, 8.0, random=lambda: 0.5).delay(n) for n in range(5)]
    assert policy.delay(0, retry_after=2.0) == 2.25


def test_one_debug_line_per_attempt_and_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    responses = iter([httpx.Response(503), httpx.Response(200, json={"markets": [], "cursor": ""})])
    with caplog.at_level(logging.DEBUG, logger="kalshi.rest"), _client(lambda r: next(responses)) as client:
        client.markets.list(tickers=["KX-SECRET-QUERY"])
    attempts = [r for r in caplog.records if r.name == "kalshi.rest" and r.levelno == logging.DEBUG]
    assert [r.getMessage().split(" in ")[0] for r in attempts] == [
        "GET /trade-api/v2/markets -> 503",
        "GET /trade-api/v2/markets -> 200",
    ]
    assert "(attempt 2)" in attempts[1].getMessage()
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("KX-SECRET-QUERY", "key-id-secret", "KALSHI-ACCESS", "signature"):
        assert secret not in text
    assert not logging.getLogger("kalshi.rest").handlers  # the library never configures logging


def test_event_hooks_see_every_attempt_sync() -> None:
    seen: list[str] = []
    responses = iter([httpx.Response(502), httpx.Response(200, json={"markets": [], "cursor": ""})])
    hooks = {
        "request": [lambda r: seen.append(f"> {r.method}")],
        "response": [lambda r: seen.append(f"< {r.status_code}")],
    }
    client = KalshiClient(transport=httpx.MockTransport(lambda r: next(responses)), event_hooks=hooks)
    client._sleep = lambda seconds: None
    with client:
        client.markets.list()
    assert seen == ["> GET", "< 502", "> GET", "< 200"]


def test_event_hooks_may_be_coroutines_on_the_async_client() -> None:
    seen: list[int] = []

    async def on_response(response: httpx.Response) -> None:
        seen.append(response.status_code)

    async def run() -> None:
        transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"markets": [], "cursor": ""}))
        async with AsyncKalshiClient(transport=transport, event_hooks={"response": [on_response]}) as client:
            await client.markets.list()
            await client.with_options(timeout=2.0).markets.list()

    asyncio.run(run())
    assert seen == [200, 200]


def test_event_hooks_are_checked() -> None:
    from kalshi_auth import KalshiConfigError

    with pytest.raises(KalshiConfigError, match="'request' and 'response'"):
        KalshiClient(event_hooks={"send": []})
