"""End to end: hundreds of REST calls through a tiny pool, against a simulator with a short
signature-freshness window. Each attempt is signed only once it holds a connection slot, so a
call that queued behind the others still carries a fresh timestamp (a stale one is a 401)."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from kalshi_auth import KalshiConfig
from kalshi_rest import AsyncKalshiClient, KalshiClient
from kalshi_testing import KalshiExchange

CALLS = 300
WINDOW_MS = 150
FED = "KXFED-26DEC-T3.50"


def _config(kalshi_exchange: KalshiExchange) -> KalshiConfig:
    sim = kalshi_exchange.simulator
    sim.keys.max_skew_ms = WINDOW_MS  # a request signed more than 150 ms before it arrives is refused
    return KalshiConfig(base_url=sim.rest_url, timeout=60.0, max_retries=0, limits=httpx.Limits(max_connections=2))


def _served(kalshi_exchange: KalshiExchange) -> int:
    sim = kalshi_exchange.simulator
    return sim.count_requests("GET", "/portfolio/balance") + sim.count_requests("GET", f"/markets/{FED}")


async def test_async_calls_queued_behind_a_tiny_pool_are_signed_fresh(kalshi_exchange: KalshiExchange) -> None:
    config = _config(kalshi_exchange)
    started = time.monotonic()
    async with AsyncKalshiClient(auth=kalshi_exchange.auth, config=config) as client:
        calls = [client.markets.get(FED) if i % 2 else client.portfolio.balance() for i in range(CALLS)]
        results = await asyncio.wait_for(asyncio.gather(*calls), 120)
    elapsed = time.monotonic() - started
    assert len(results) == CALLS and all(r is not None for r in results)
    assert _served(kalshi_exchange) == CALLS
    # The queue really was longer than the window: without the slot, the last calls would be stale.
    assert elapsed * 1000 > WINDOW_MS, elapsed


def test_sync_calls_from_many_threads_share_the_slots(kalshi_exchange: KalshiExchange) -> None:
    config = _config(kalshi_exchange)
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def on_request(request: httpx.Request) -> None:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)

    def on_response(response: httpx.Response) -> None:
        nonlocal in_flight
        with lock:
            in_flight -= 1

    hooks = {"request": [on_request], "response": [on_response]}
    with KalshiClient(auth=kalshi_exchange.auth, config=config, event_hooks=hooks) as client:
        clone = client.with_options(timeout=30.0)  # shares the pool, so it shares the slots

        def call(i: int) -> object:
            target = clone if i % 3 == 0 else client
            return target.markets.get(FED) if i % 2 else target.portfolio.balance()

        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(call, range(CALLS)))
    assert len(results) == CALLS and all(r is not None for r in results)
    assert _served(kalshi_exchange) == CALLS
    assert peak <= 2  # never more attempts holding a signed request than the pool has connections
