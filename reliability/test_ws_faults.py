"""WebSocket under faults: a simulated stretch of trading with the connection cut every N frames
and sequence gaps injected; afterwards every local order book equals the exchange's exactly."""

from __future__ import annotations

import asyncio
import random
import time
from decimal import Decimal
from typing import Any

from kalshi_testing import KalshiExchange

from .conftest import Ledger

MARKETS = ["KXFED-26DEC-T3.25", "KXFED-26DEC-T3.50", "KXFED-26DEC-T3.75"]
ORDERS = 240  # a minute of simulated trading at four orders a second
DROP_EVERY = 25  # data frames per connection before the fault cuts it
DEADLINE = 90.0  # seconds: every loop below is bounded by this


async def place(client: Any, ticker: str, side: str, price: str, count: int, coid: str) -> Any:
    from kalshi_rest.models import CreateOrderV2Request

    return await client.orders.create_v2(
        request=CreateOrderV2Request(
            ticker=ticker,
            client_order_id=coid,
            side=side,
            count=Decimal(count),
            price=Decimal(price),
            time_in_force="good_till_canceled",
            self_trade_prevention_type="taker_at_cross",
        )
    )


async def drain(stream: Any, seen: dict[str, int], stop: asyncio.Event) -> None:
    """Consume a stream (as an application would), counting what arrives by kind."""
    while not stop.is_set():
        try:
            item = await asyncio.wait_for(stream.__anext__(), 0.2)
        except TimeoutError:
            continue
        except StopAsyncIteration:
            return
        kind = type(item).__name__
        seen[kind] = seen.get(kind, 0) + 1


def levels(rows: Any) -> list[tuple[Decimal, Decimal]]:
    return sorted((Decimal(str(p)), Decimal(str(q))) for p, q in (rows or []))


async def books_agree(stream: Any, client: Any) -> list[str]:
    """Markets whose local book differs from the exchange's (empty when all agree)."""
    differ = []
    for ticker in MARKETS:
        remote = (await client.markets.orderbook(ticker)).orderbook_fp
        local = stream.book(ticker)
        if not local.ready or (
            levels(local.yes_bids()) != levels(remote.yes_dollars)
            or levels(local.no_bids()) != levels(remote.no_dollars)
        ):
            differ.append(ticker)
    return differ


async def trade(clients: list[Any], rng: random.Random, count: int, on_each: Any) -> dict[str, int]:
    """Random resting and crossing orders, and cancels, across MARKETS; returns what happened."""
    tally = {"sent": 0, "acknowledged": 0, "cancelled": 0}
    resting: list[tuple[Any, str]] = []
    for i in range(count):
        client = rng.choice(clients)
        if resting and rng.random() < 0.25:
            owner, order_id = resting.pop(rng.randrange(len(resting)))
            await owner.orders.cancel_v2(order_id)
            tally["cancelled"] += 1
        else:
            price = f"0.{rng.randint(30, 70):02d}"
            made = await place(
                client, rng.choice(MARKETS), rng.choice(["bid", "ask"]), price, rng.randint(1, 5), f"r{i}"
            )
            tally["sent"] += 1
            tally["acknowledged"] += made.order_id is not None
            if made.remaining_count > 0:
                resting.append((client, made.order_id))
        await on_each(i)
    return tally


async def settle(stream: Any, client: Any) -> list[str]:
    differ: list[str] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        differ = await books_agree(stream, client)
        if not differ:
            break
        await asyncio.sleep(0.1)
    return differ


async def test_books_equal_the_exchange_after_drops_every_n_frames(
    kalshi_exchange: KalshiExchange, ledger: Ledger
) -> None:
    sim = kalshi_exchange.simulator
    other = await asyncio.to_thread(kalshi_exchange.create_user, "drops-b", balance="100000.00")
    rng = random.Random(15)
    seen: dict[str, int] = {}
    stop = asyncio.Event()
    # A drop is taken by the next connection when it opens: arm one before connecting, and the
    # next one as soon as the current connection has taken its own.
    sim.faults.drop_connection(after_frames=DROP_EVERY)
    armed = 1
    async with (
        kalshi_exchange.websocket().connect() as session,
        kalshi_exchange.async_client() as a,
        kalshi_exchange.async_client(other) as b,
    ):
        stream = await session.subscribe_orderbook_delta(tickers=MARKETS)
        consumer = asyncio.create_task(drain(stream, seen, stop))

        async def rearm(i: int) -> None:
            nonlocal armed
            if sim.faults.fired.count("drop_connection") == armed:
                sim.faults.drop_connection(after_frames=DROP_EVERY)
                armed += 1

        started = time.monotonic()
        tally = await asyncio.wait_for(trade([a, b], rng, ORDERS, rearm), DEADLINE)
        sim.faults.clear()
        differ = await settle(stream, a)
        stop.set()
        await consumer
        drops = sim.faults.fired.count("drop_connection")
        reconnects = session.reconnects
    assert drops >= 5, f"only {drops} drops fired"
    assert reconnects >= drops - 1
    assert differ == [], f"local books differ from the exchange: {differ}"
    ledger.row(
        "WebSocket",
        f"connection cut every {DROP_EVERY} frames, {ORDERS} orders",
        injected=reconnects,
        survived=reconnects if not differ else 0,
        lost=len(differ),
        figures={"reconnects": reconnects, "orders": tally, "seconds": round(time.monotonic() - started, 1)},
    )


async def test_every_injected_gap_is_detected_and_resynced(kalshi_exchange: KalshiExchange, ledger: Ledger) -> None:
    sim = kalshi_exchange.simulator
    other = await asyncio.to_thread(kalshi_exchange.create_user, "gaps-b", balance="100000.00")
    rng = random.Random(16)
    seen: dict[str, int] = {}
    stop = asyncio.Event()
    injected = 0
    async with (
        kalshi_exchange.websocket().connect() as session,
        kalshi_exchange.async_client() as a,
        kalshi_exchange.async_client(other) as b,
    ):
        stream = await session.subscribe_orderbook_delta(tickers=MARKETS)
        consumer = asyncio.create_task(drain(stream, seen, stop))

        async def gap(i: int) -> None:
            nonlocal injected
            if i % 20 == 10 and sim.faults.fired.count("seq_gap") == injected:
                sim.faults.seq_gap(channel="orderbook_delta", skip=1 + i % 3)
                injected += 1

        await asyncio.wait_for(trade([a, b], rng, 120, gap), DEADLINE)
        differ = await settle(stream, a)
        stop.set()
        await consumer
        fired = sim.faults.fired.count("seq_gap")
    assert fired >= 5
    assert seen.get("SequenceGap", 0) == fired, seen
    assert seen.get("Resyncing", 0) + seen.get("SequenceGap", 0) >= fired
    assert differ == []
    ledger.row(
        "WebSocket", "sequence gaps injected", injected=fired, survived=seen.get("SequenceGap", 0), lost=len(differ)
    )


async def test_stalled_consumer_stays_bounded(kalshi_exchange: KalshiExchange, ledger: Ledger) -> None:
    other = await asyncio.to_thread(kalshi_exchange.create_user, "stall-b", balance="100000.00")
    rng = random.Random(17)
    queue = 16
    async with (
        kalshi_exchange.websocket(queue_size=queue).connect() as session,
        kalshi_exchange.async_client() as a,
        kalshi_exchange.async_client(other) as b,
    ):
        book = await session.subscribe_orderbook_delta(tickers=MARKETS)
        ticker = await session.subscribe_ticker(tickers=MARKETS)
        peak = {"book": 0, "ticker": 0}

        async def watch(i: int) -> None:
            peak["book"] = max(peak["book"], book.pending)
            peak["ticker"] = max(peak["ticker"], ticker.pending)

        await asyncio.wait_for(trade([a, b], rng, 150, watch), DEADLINE)  # nobody reads either stream
        await asyncio.sleep(0.3)
        watch_last = (book.pending, ticker.pending)
        dropped = ticker.dropped
        # Now the consumer wakes up: the book stream has resynced instead of growing, and reading
        # it through brings a book equal to the exchange's.
        kinds: dict[str, int] = {}
        stop = asyncio.Event()
        consumer = asyncio.create_task(drain(book, kinds, stop))
        differ = await settle(book, a)
        stop.set()
        await consumer
    assert max(peak.values()) <= queue and max(watch_last) <= queue
    assert dropped > 0, "the ticker feed drops the oldest when its consumer stalls"
    assert kinds.get("Resyncing", 0) >= 1, kinds
    assert differ == []
    ledger.row(
        "WebSocket",
        "stalled consumer (queue 16)",
        injected=1,
        survived=1,
        lost=len(differ),
        figures={"peak_queue": max(peak.values()), "ticker_dropped": dropped},
    )
