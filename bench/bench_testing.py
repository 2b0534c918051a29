"""Benchmark the simulator's hot paths against their physical-limit baselines.

Run: uv run python bench/bench_testing.py

1. Matching engine: orders/s through `OrderBook.submit` (a realistic mix that rests, crosses and
   sweeps levels) vs the floor of any price-time book in Python: one dict lookup + deque append
   per order.
2. REST round trip: a public GET on the simulator vs a bare aiohttp handler returning a constant
   on the same machine and client (the HTTP stack's own cost).
3. Signed REST round trip: GET /portfolio/balance (RSA-PSS verify on the server) vs the same
   bare handler plus one raw RSA-PSS verify.
4. WebSocket latency: REST order placed -> `orderbook_delta` received, vs a bare aiohttp
   WebSocket echo round trip plus a bare HTTP round trip.

Exits 1 if a ratio exceeds its target in `TARGETS`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from decimal import Decimal

import httpx
from aiohttp import web
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from websockets.asyncio.client import connect as ws_connect

from kalshi_testing import KalshiExchangeSimulator
from kalshi_testing.simulator import BookSide, Order, OrderBook

API = "/trade-api/v2"
TARGETS = (20.0, 3.0, 3.0, 5.0)
"""Largest acceptable ratio per row: engine, public GET, signed GET, order -> WebSocket delta."""
FED = "KXFED-26DEC-T3.50"


def median_of(fn: Callable[[], float], repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def engine_rate(n: int) -> float:
    rng = random.Random(1)
    orders = [
        Order(
            f"o{i}",
            owner=f"u{i % 7}",
            side=BookSide.BID if rng.random() < 0.5 else BookSide.ASK,
            price=Decimal(rng.randint(30, 70)) / 100,
            count=Decimal(rng.randint(1, 20)),
        )
        for i in range(n)
    ]
    book = OrderBook()
    start = time.perf_counter()
    for o in orders:
        book.submit(o)
    return n / (time.perf_counter() - start)


def floor_rate(n: int) -> float:
    prices = [Decimal(random.randint(30, 70)) / 100 for _ in range(n)]
    levels: dict[Decimal, deque[int]] = {}
    start = time.perf_counter()
    for i, p in enumerate(prices):
        q = levels.get(p)
        if q is None:
            q = levels[p] = deque()
        q.append(i)
    return n / (time.perf_counter() - start)


class BareServer:
    """A constant-response aiohttp server (HTTP + WebSocket echo) on its own thread."""

    def __init__(self) -> None:
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        async def hello(_: web.Request) -> web.Response:
            return web.json_response({"exchange_active": True, "trading_active": True})

        async def echo(request: web.Request) -> web.WebSocketResponse:
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for msg in ws:
                await ws.send_str(msg.data)
            return ws

        async def main() -> None:
            app = web.Application()
            app.router.add_get("/hello", hello)
            app.router.add_get("/ws", echo)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self._ready.set()
            await asyncio.Event().wait()

        self._loop.run_until_complete(main())


def paired_http(
    client: httpx.Client,
    base_url: str,
    our_url: str,
    n: int,
    *,
    headers: Callable[[], dict[str, str]] | None = None,
    base_extra: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Median latency of (baseline, ours), sampled alternately so both see the same machine load.

    Signing happens outside the timed part; `base_extra` (e.g. a raw signature verify) is added
    inside the baseline's timed part.
    """
    base_samples, our_samples = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        client.get(base_url).raise_for_status()
        if base_extra is not None:
            base_extra()
        base_samples.append(time.perf_counter() - t0)
        h = headers() if headers else None
        t0 = time.perf_counter()
        client.get(our_url, headers=h).raise_for_status()
        our_samples.append(time.perf_counter() - t0)
    return statistics.median(base_samples), statistics.median(our_samples)


async def paired_ws(sim: KalshiExchangeSimulator, user: object, bare_port: int, n: int) -> tuple[float, float]:
    """Median of (bare HTTP GET + WS echo, REST order -> orderbook_delta on the simulator), alternated."""
    auth = user.auth  # type: ignore[attr-defined]
    base_samples, our_samples = [], []
    async with (
        ws_connect(sim.ws_url, additional_headers=auth.headers("GET", "/trade-api/ws/v2")) as ws,
        ws_connect(f"ws://127.0.0.1:{bare_port}/ws") as echo,
        httpx.AsyncClient() as http,
    ):
        await ws.send(
            json.dumps({"id": 1, "cmd": "subscribe", "params": {"channels": ["orderbook_delta"], "market_ticker": FED}})
        )
        await ws.recv()
        await ws.recv()
        path = API + "/portfolio/events/orders"
        for i in range(n):
            t0 = time.perf_counter()
            await http.get(f"http://127.0.0.1:{bare_port}/hello")
            await echo.send("x")
            await echo.recv()
            base_samples.append(time.perf_counter() - t0)
            body = {
                "ticker": FED,
                "side": "bid",
                "price": "0.01",
                "count": "1",
                "client_order_id": f"b{i}",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
            }
            headers = auth.headers("POST", path)
            t0 = time.perf_counter()
            await http.post(sim.base_url + path, json=body, headers=headers)
            while True:
                frame = await ws.recv()
                if '"orderbook_delta"' in frame:
                    break
            our_samples.append(time.perf_counter() - t0)
    return statistics.median(base_samples), statistics.median(our_samples)


def main() -> int:
    n = 20_000
    eng = median_of(lambda: engine_rate(n), 5)
    flo = median_of(lambda: floor_rate(n), 5)
    bare = BareServer()
    rows = [("matching engine (orders/s)", eng, flo, flo / eng)]
    with KalshiExchangeSimulator() as sim, httpx.Client() as client:
        user = sim.create_user("bench", balance="1000000")
        bare_url = f"http://127.0.0.1:{bare.port}/hello"
        b, o = paired_http(client, bare_url, sim.rest_url + "/exchange/status", 300)
        rows.append(("GET /exchange/status (ms)", o * 1e3, b * 1e3, o / b))
        key = user.auth
        pub = sim.keys._keys[user.key_id].public_key
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        sig_msg = b"1700000000000GET/trade-api/v2/portfolio/balance"
        sig = base64.b64decode(key.sign(sig_msg))
        b, o = paired_http(
            client,
            bare_url,
            sim.rest_url + "/portfolio/balance",
            300,
            headers=lambda: key.headers("GET", API + "/portfolio/balance"),
            base_extra=lambda: pub.verify(sig, sig_msg, pss, hashes.SHA256()),  # type: ignore[call-arg]
        )
        rows.append(("GET /portfolio/balance signed (ms)", o * 1e3, b * 1e3, o / b))
        b, o = asyncio.run(paired_ws(sim, user, bare.port, 200))
        rows.append(("order -> WS orderbook_delta (ms)", o * 1e3, b * 1e3, o / b))
    print(f"{'path':<38}{'median':>14}{'baseline':>14}{'ratio':>8}")
    for name, ours, base, ratio in rows:
        print(f"{name:<38}{ours:>14,.3f}{base:>14,.3f}{ratio:>8.2f}")
    print("ratio = our cost / physical-limit baseline (1.00 is the floor).")
    missed = [name for (name, _, _, ratio), limit in zip(rows, TARGETS, strict=True) if ratio > limit]
    for name in missed:
        print(f"MISSED TARGET: {name}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
