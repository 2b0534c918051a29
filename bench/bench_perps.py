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


def _paired(fn: Callable[[], Any], floor: Callable[[], Any], inner: int) -> tuple[float, float]:
    """Medians of `fn` and `floor`, timed alternately round by round so machine load hits both alike."""
    ours, base = [], []
    for _ in range(ROUNDS):
        for target, samples in ((fn, ours), (floor, base)):
            start = time.perf_counter()
            for _ in range(inner):
                target()
            samples.append((time.perf_counter() - start) / inner)
    return statistics.median(ours), statistics.median(base)


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
        orders_floor_fn = floor_for(orders, "/trade-api/v2/margin/orders")
        sync_orders, orders_floor = _paired(perps.orders.list, orders_floor_fn, inner)
        book_floor_fn = floor_for(book, "/trade-api/v2/margin/markets/BTC-PERP/orderbook")
        sync_book, book_floor = _paired(lambda: perps.markets.orderbook("BTC-PERP"), book_floor_fn, inner)

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


TICKER_FRAME = (
    b'{"type":"ticker","sid":3,"msg":{"market_ticker":"BTC-PERP","price":"97012.5500","bid":"97012.5000",'
    b'"ask":"97013.0000","bid_size_fp":"1.50","ask_size_fp":"2.00","last_trade_size_fp":"0.25",'
    b'"volume":"1500.25","volume_notional_value_dollars":"145500000.12","volume_24h":"900.00",'
    b'"volume_24h_notional_value_dollars":"87300000.00","open_interest":"820.00",'
    b'"open_interest_notional_value_dollars":"79550000.00","funding_rate":{"rate":0.000125,'
    b'"next_funding_time_ms":1764000000000,"ts_ms":1763990000000},"ts_ms":1763990000123}}'
)


def _delta_frame(i: int) -> bytes:
    side = "bid" if i % 2 else "ask"
    price = f"{97000 + (i % 40) * 0.5 if side == 'ask' else 96999.5 - (i % 40) * 0.5:.4f}"
    delta = "1.00" if i % 3 else "-1.00"
    return (
        f'{{"type":"orderbook_delta","sid":1,"seq":{i + 2},"msg":{{"market_ticker":"BTC-PERP",'
        f'"price":"{price}","delta":"{delta}","side":"{side}","ts_ms":{1763990000000 + i}}}}}'
    ).encode()


def bench_ws() -> None:
    from kalshi_perps import PerpsBookKeeper
    from kalshi_perps.messages import SERVER_MESSAGES
    from kalshi_ws import MessageDecoder

    decoder = MessageDecoder(SERVER_MESSAGES)
    n = 2_000 if QUICK else 20_000
    frames = [_delta_frame(i) for i in range(n)]
    snapshot = (
        b'{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"BTC-PERP","bid":['
        + b",".join(f'["{96999.5 - i * 0.5:.4f}","50.00"]'.encode() for i in range(40))
        + b'],"ask":['
        + b",".join(f'["{97000 + i * 0.5:.4f}","50.00"]'.encode() for i in range(40))
        + b"]}}"
    )

    def typed_ticker() -> None:
        decoder.decode(TICKER_FRAME)

    def floor_ticker() -> None:
        json.loads(TICKER_FRAME)

    _report("decode ticker frame -> typed Ticker (Decimal)", *_paired(typed_ticker, floor_ticker, 2_000))

    def keeper_run() -> None:
        keeper = PerpsBookKeeper()
        keeper(decoder.decode(snapshot))
        book = keeper.books["BTC-PERP"]
        for frame in frames:
            keeper(decoder.decode(frame))
            _ = book.best_bid, book.best_ask

    def floor_run() -> None:
        for frame in frames:
            json.loads(frame)

    keeper_time, floor_time = _paired(keeper_run, floor_run, 1)
    _report(f"decode + apply + top of book, per delta ({n:,} deltas)", keeper_time / n, floor_time / n)


def main() -> None:
    print(f"kalshi-perps benchmarks (median of {ROUNDS} rounds; floor = unavoidable work)")
    bench_rest()
    bench_ws()


if __name__ == "__main__":
    main()
