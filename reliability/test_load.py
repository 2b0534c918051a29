"""Load: a thousand REST calls in flight at once, and one WebSocket session holding 500 market
subscriptions under a sustained delta stream. Nothing may leak and no queue may grow unbounded."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from typing import Any

from kalshi_auth import KalshiConfig
from kalshi_rest import AsyncKalshiClient
from kalshi_testing import KalshiExchange, KalshiExchangeSimulator

from .conftest import Ledger, open_fds

IN_FLIGHT = 1000
MARKETS = 500
DELTAS = 20_000


async def test_a_thousand_calls_in_flight(kalshi_exchange: KalshiExchange, ledger: Ledger) -> None:
    sim = kalshi_exchange.simulator
    config = KalshiConfig(base_url=sim.rest_url, timeout=120.0, max_retries=0)
    gc.collect()
    before = open_fds()
    peak = before
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.01):
            peak = max(peak, open_fds())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    async with AsyncKalshiClient(auth=kalshi_exchange.auth, config=config) as client:
        calls = [
            client.markets.get("KXFED-26DEC-T3.50") if i % 2 else client.portfolio.balance() for i in range(IN_FLIGHT)
        ]
        results = await asyncio.wait_for(asyncio.gather(*calls), 120)
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    gc.collect()
    await asyncio.sleep(0.2)  # let the server side close its ends
    after = open_fds()
    assert len(results) == IN_FLIGHT and all(r is not None for r in results)
    served = sim.count_requests("GET", "/portfolio/balance") + sim.count_requests("GET", "/markets/KXFED-26DEC-T3.50")
    assert served == IN_FLIGHT
    # The pool holds at most 100 connections: the client's 100 plus the server's 100 ends.
    assert peak - before <= 2 * 100 + 10, (before, peak)
    assert after <= before, f"descriptors leaked: {before} before, {after} after"
    ledger.row(
        "Load",
        f"{IN_FLIGHT} async REST calls in flight",
        injected=IN_FLIGHT,
        survived=len(results),
        leaked_fds=max(0, after - before),
        figures={"calls_per_s": round(IN_FLIGHT / elapsed), "peak_extra_fds": peak - before},
    )


def _wide_scenario() -> dict[str, Any]:
    markets = [{"ticker": f"KXLOAD-26DEC-M{i:03d}", "event_ticker": "KXLOAD-26DEC"} for i in range(MARKETS)]
    return {
        "series": [{"ticker": "KXLOAD", "title": "Load"}],
        "events": [{"event_ticker": "KXLOAD-26DEC", "series_ticker": "KXLOAD", "title": "Load"}],
        "markets": markets,
        "accounts": [{"user_id": "flow", "balance": "100000000.00"}],
    }


async def test_500_subscriptions_under_a_sustained_delta_stream(ledger: Ledger) -> None:
    sim = KalshiExchangeSimulator(_wide_scenario(), heartbeat=10.0)
    sim.start()
    try:
        user = await asyncio.to_thread(sim.create_user, "reader")
        tickers = [m["ticker"] for m in _wide_scenario()["markets"]]
        from kalshi_ws import KalshiWebSocket

        ws = KalshiWebSocket(
            auth=user.auth, config=KalshiConfig(base_url=sim.rest_url, ws_url=sim.ws_url), queue_size=1024
        )
        async with ws.connect() as session:
            streams = await asyncio.wait_for(
                asyncio.gather(*(session.subscribe_orderbook_delta(tickers=[t]) for t in tickers)), 60
            )
            assert len(streams) == MARKETS
            received = 0
            peak_pending = 0

            def flow() -> None:
                """Resting orders at rotating prices on every market, from another thread."""

                def burst(ex: Any, start: int) -> None:
                    for i in range(start, start + 500):
                        ticker = tickers[i % MARKETS]
                        price = f"0.{10 + i % 80:02d}"
                        ex.create_order(
                            "flow",
                            {"ticker": ticker, "side": "bid", "price": price, "count": "1",
                             "time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross",
                             "client_order_id": f"load-{i}"},
                        )  # fmt: skip

                for start in range(0, DELTAS, 500):
                    sim.call(lambda ex, s=start: burst(ex, s))

            counts = [0] * MARKETS

            async def consume(k: int, stream: Any) -> None:
                nonlocal peak_pending
                async for item in stream:
                    peak_pending = max(peak_pending, stream.pending)
                    counts[k] += type(item).__name__ in ("OrderbookDelta", "OrderbookSnapshot")

            cpu0 = time.thread_time()
            wall0 = time.perf_counter()
            consumers = [asyncio.create_task(consume(k, s)) for k, s in enumerate(streams)]
            producer = asyncio.create_task(asyncio.to_thread(flow))
            deadline = time.monotonic() + 120
            while sum(counts) < DELTAS + MARKETS and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            received = sum(counts)
            for task in consumers:
                task.cancel()
            await asyncio.gather(*consumers, return_exceptions=True)
            await producer
            wall = time.perf_counter() - wall0
            cpu = time.thread_time() - cpu0
    finally:
        sim.stop()
    assert received == DELTAS + MARKETS, f"{received} of {DELTAS + MARKETS} messages"
    assert peak_pending <= 1024
    ledger.row(
        "Load",
        f"WebSocket: {MARKETS} subscriptions, {DELTAS:,} deltas",
        injected=DELTAS,
        survived=received - MARKETS,
        lost=DELTAS + MARKETS - received,
        figures={
            "msgs_per_s": round(received / wall),
            "client_cpu_us_per_msg": round(cpu / received * 1e6, 1),
            "peak_queue": peak_pending,
        },
    )
