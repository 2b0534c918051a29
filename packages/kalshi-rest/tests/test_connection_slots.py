"""Connection slots: an attempt is signed only once it holds one of the pool's connections, and a
call that cannot get one within the pool timeout fails typed, with nothing sent."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from rest_support import item_json

from kalshi_auth import KalshiConfig
from kalshi_rest import AsyncKalshiClient, KalshiClient, KalshiPoolTimeoutError

TINY = httpx.Limits(max_connections=1)


class ClockSigner:
    """Records when each attempt is signed (a timestamp signer's moment of truth)."""

    def __init__(self) -> None:
        self.signed_at: list[float] = []

    def headers(self, method: str, path: str) -> dict[str, str]:
        self.signed_at.append(time.monotonic())
        return {"Authorization": "Bearer t"}


def _config(timeout: float = 10.0) -> KalshiConfig:
    return KalshiConfig(base_url="http://127.0.0.1:9", limits=TINY, timeout=timeout, max_retries=0)


def test_a_queued_call_is_signed_after_the_call_ahead_of_it_finished() -> None:
    signer = ClockSigner()
    answered_at: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)
        answered_at.append(time.monotonic())
        return httpx.Response(200, json={"market": item_json("KX-1")})

    with KalshiClient(auth=signer, config=_config(), transport=httpx.MockTransport(handle)) as client:
        threads = [threading.Thread(target=client.markets.get, args=("KX-1",)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert len(signer.signed_at) == len(answered_at) == 4
    # With one connection, every signature after the first comes after an earlier answer.
    for signed, previous_answer in zip(sorted(signer.signed_at)[1:], sorted(answered_at), strict=False):
        assert signed >= previous_answer


def test_sync_no_slot_within_the_pool_timeout_is_a_pool_timeout_and_nothing_is_sent() -> None:
    release, arrived = threading.Event(), threading.Event()
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        arrived.set()
        release.wait(5)
        return httpx.Response(200, json={"market": item_json("KX-1")})

    with KalshiClient(config=_config(timeout=0.2), transport=httpx.MockTransport(handle)) as client:
        holder = threading.Thread(target=client.markets.get, args=("KX-1",))
        holder.start()
        assert arrived.wait(5)
        with pytest.raises(KalshiPoolTimeoutError, match="never sent"):
            client.with_options(max_retries=0).markets.get("KX-2")  # a copy shares the slots
        release.set()
        holder.join(5)
    assert seen == ["/trade-api/v2/markets/KX-1"]


async def test_async_no_slot_within_the_pool_timeout_is_a_pool_timeout_and_nothing_is_sent() -> None:
    release, arrived = asyncio.Event(), asyncio.Event()
    seen: list[str] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        arrived.set()
        await asyncio.wait_for(release.wait(), 5)
        return httpx.Response(200, json={"market": item_json("KX-1")})

    async with AsyncKalshiClient(config=_config(timeout=0.2), transport=httpx.MockTransport(handle)) as client:
        holder = asyncio.create_task(client.markets.get("KX-1"))
        await asyncio.wait_for(arrived.wait(), 5)
        with pytest.raises(KalshiPoolTimeoutError, match="never sent"):
            await client.markets.get("KX-2")
        release.set()
        await holder
    assert seen == ["/trade-api/v2/markets/KX-1"]


async def test_async_calls_beyond_the_pool_wait_their_turn_and_all_succeed() -> None:
    active = peak = 0

    async def handle(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.005)
        active -= 1
        return httpx.Response(200, json={"market": item_json("KX-1")})

    config = _config().replace(limits=httpx.Limits(max_connections=3))
    async with AsyncKalshiClient(config=config, transport=httpx.MockTransport(handle)) as client:
        results = await asyncio.gather(*(client.markets.get("KX-1") for _ in range(30)))
    assert len(results) == 30
    assert peak == 3


def test_an_adopted_http_client_is_not_limited_by_the_sdk() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))) as http:
        client = KalshiClient(config=_config(), http_client=http)
        assert client._slots is None


def test_an_unbounded_pool_has_unbounded_slots() -> None:
    config = _config().replace(limits=httpx.Limits(max_connections=None))
    with KalshiClient(config=config, transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))) as client:
        assert client._slots is None
