"""Benchmark the kalshi-perps hot paths against their physical-limit baselines.

Run: `uv run python bench/bench_perps.py` (add `--quick` for a short run).

1. `perps.orders.list()`: a 1,000-order page through an in-process `httpx.MockTransport`, RSA-2048
   signing included, sync and async. Floor: RSA-PSS sign of the same pre-sign text + `json.loads`
   of the same body (the work no client can skip).
2. `perps.markets.orderbook(ticker)`: a 200-level-per-side book. Same floor.
3. WebSocket: decoding perps `ticker` and `orderbook_delta` frames into typed messages. Floor:
   `json.loads` of the same bytes.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kalshi_auth import KalshiAuth, pre_sign_text
from kalshi_perps import AsyncPerpsClient, PerpsClient

QUICK = "--quick" in sys.argv
ROUNDS = 5 if QUICK else 15


def _orders_body(n: int) -> bytes:
    orders = [
        {
            "order_id": f"3f6c2a10-0000-4000-8000-{i:012d}",
            "user_id": "8a1d7c2e-0000-4000-8000-000000000001",
            "client_order_id": f"cid-{i}",
            "ticker": "BTC-PERP" if i % 2 else "ETH-PERP",
            "side": "bid" if i % 2 else "ask",
            "price": f"{97000 + i % 500}.{i % 100:02d}00",
            "fill_count": f"{i % 7}.00",
            "remaining_count": f"{(i % 13) + 1}.50",
            "last_update_reason": "Trade",
            "expiration_time": "2026-11-25T00:00:00Z",
            "created_time": "2026-11-24T09:00:00Z",
            "last_update_time": "2026-11-24T09:00:01Z",
            "self_trade_prevention_type": "maker",
            "cancel_order_on_pause": False,
            "order_source": "user",
        }
        for i in range(n)
    ]
    return json.dumps({"orders": orders, "cursor": ""}).encode()


def _book_body(levels: int) -> bytes:
    bids = [[f"{97000 - i * 0.5:.4f}", f"{(i % 50) + 1}.00"] for i in range(levels)]
    asks = [[f"{97000.5 + i * 0.5:.4f}", f"{(i % 40) + 1}.25"] for i in range(levels)]
    return json.dumps({"orderbook": {"bids": bids, "asks": asks}}).encode()


def _median(fn: Callable[[], Any], inner: int) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def _report(label: str, value: float, floor: float) -> None:
    print(f"{label:<52} {value * 1e6:10.1f} us   floor {floor * 1e6:9.1f} us   ratio {value / floor:5.2f}x")


def bench_rest() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth = KalshiAuth("bench-key", key)
    orders, book = _orders_body(1000), _book_body(200)

    def handler(request: httpx.Request) -> httpx.Response:
        body = book if request.url.path.endswith("/orderbook") else orders
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    def floor_for(body: bytes, path: str) -> Callable[[], Any]:
        def run() -> Any:
            key.sign(
                pre_sign_text(1_700_000_000_000, "GET", path),
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
                hashes.SHA256(),
            )
            return json.loads(body)

        return run

    inner = 3 if QUICK else 10
    with PerpsClient(auth=auth, transport=httpx.MockTransport(handler)) as perps:
        page = perps.orders.list()
        assert len(list(page)) == 1000
        sync_orders = _median(perps.orders.list, inner)
        sync_book = _median(lambda: perps.markets.orderbook("BTC-PERP"), inner)
    orders_floor = _median(floor_for(orders, "/trade-api/v2/margin/orders"), inner)
    book_floor = _median(floor_for(book, "/trade-api/v2/margin/markets/BTC-PERP/orderbook"), inner)

    async def run_async() -> float:
        async with AsyncPerpsClient(auth=auth, transport=httpx.MockTransport(handler)) as perps:
            samples = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                for _ in range(inner):
                    await perps.orders.list()
                samples.append((time.perf_counter() - start) / inner)
            return statistics.median(samples)

    async_orders = asyncio.run(run_async())
    _report("orders.list() 1,000 orders, sync", sync_orders, orders_floor)
    _report("orders.list() 1,000 orders, async", async_orders, orders_floor)
    _report("markets.orderbook() 2x200 levels, sync", sync_book, book_floor)


def main() -> None:
    print(f"kalshi-perps benchmarks (median of {ROUNDS} rounds; floor = unavoidable work)")
    bench_rest()
    try:
        from _bench_perps_ws import bench_ws
    except ImportError:
        return
    bench_ws(_median, _report, QUICK)


if __name__ == "__main__":
    main()
