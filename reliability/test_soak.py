"""A bounded soak: a quoting bot on REST + WebSocket against the simulator, and a taker crossing it over
REST and FIX (KalshiRT), with faults on a schedule. Afterwards the exchange's order log is compared with
what the bots believe: nothing duplicated, nothing lost, every local book equal to the exchange's, no
memory or descriptor growth.

`KALSHI_SOAK_SECONDS` sets the length (default 30 s in CI; run longer on demand)."""

from __future__ import annotations

import asyncio
import gc
import os
import random
import time
import tracemalloc
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from kalshi_fix import FixFrame, decode_app_message
from kalshi_fix.messages import ExecutionReport, NewOrderSingle, Side, TimeInForce
from kalshi_rest import KalshiError
from kalshi_testing import KalshiExchange

from .conftest import Ledger, open_fds, peak_rss_mb

SECONDS = float(os.environ.get("KALSHI_SOAK_SECONDS", "30"))
MARKETS = ["KXFED-26DEC-T3.25", "KXFED-26DEC-T3.50"]
TICK = Decimal("0.01")


SDK_SOURCES = tuple(
    str(Path(__file__).resolve().parents[1] / "packages" / dist / "src")
    for dist in ("kalshi-auth", "kalshi-rest", "kalshi-ws")
)


def sdk_bytes() -> int:
    """Bytes currently allocated by the SDK's own code (innermost frame in its sources)."""
    snapshot = tracemalloc.take_snapshot()
    return sum(
        stat.size for stat in snapshot.statistics("filename") if stat.traceback[0].filename.startswith(SDK_SOURCES)
    )


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


async def create(client: Any, ticker: str, side: str, price: Decimal, count: int, coid: str, tif: str) -> Any:
    from kalshi_rest.models import CreateOrderV2Request

    return await client.orders.create_v2(
        request=CreateOrderV2Request(
            ticker=ticker, client_order_id=coid, side=side, count=Decimal(count), price=price,
            time_in_force=tif, self_trade_prevention_type="taker_at_cross",
        )
    )  # fmt: skip


async def all_orders(client: Any) -> list[Any]:
    return [o async for o in client.orders.list_all(limit=200)]


async def test_quoting_soak(kalshi_exchange: KalshiExchange, ledger: Ledger) -> None:
    sim = kalshi_exchange.simulator
    taker_user = await asyncio.to_thread(kalshi_exchange.create_user, "soak-taker", balance="1000000.00")
    maker_user = await asyncio.to_thread(kalshi_exchange.create_user, "soak-maker", balance="1000000.00")
    await asyncio.to_thread(sim.call, lambda ex: ex.cancel_all("market-maker"))
    rng = random.Random(20261204)
    tally = Counter[str]()
    acked: dict[str, str] = {}  # client_order_id -> order_id
    fills_seen: set[str] = set()
    fix_sent: list[str] = []  # the taker's FIX ClOrdIDs
    fix_frames: list[FixFrame] = []
    gc.collect()
    fds_before = open_fds()
    # A drop is taken by the next connection when it opens: arm one now, then one after each reconnect.
    sim.faults.drop_connection(after_frames=200)
    armed = 1
    async with (
        kalshi_exchange.websocket(maker_user).connect() as session,
        kalshi_exchange.async_client(maker_user) as maker,
        kalshi_exchange.async_client(taker_user) as taker,
        kalshi_exchange.fix_client(taker_user).order_entry(retransmit=True, on_message=fix_frames.append) as fix_taker,
    ):
        books = await session.subscribe_orderbook_delta(tickers=MARKETS)
        fills = await session.subscribe_fill()

        async def watch_fills() -> None:
            async for item in fills:
                trade_id = getattr(getattr(item, "msg", None), "trade_id", None)
                if trade_id:
                    fills_seen.add(trade_id)
                elif type(item).__name__ == "Reconnected":
                    # The fill channel does not replay what happened while the socket was down:
                    # a bot reconciles from REST when its stream says it reconnected.
                    tally["fill_reconciliations"] += 1
                    fills_seen.update([f.trade_id async for f in maker.portfolio.fills_all(limit=200)])

        async def drain_books() -> None:
            async for _ in books:
                pass

        watchers = [asyncio.create_task(watch_fills()), asyncio.create_task(drain_books())]
        mids = {t: Decimal("0.50") for t in MARKETS}
        quotes: dict[str, list[str]] = {t: [] for t in MARKETS}
        rss_start = 0.0
        started = time.monotonic()
        tick = 0
        while time.monotonic() - started < SECONDS:
            tick += 1
            if tick == 40:  # growth is measured after a warm-up lap of the fault schedule
                rss_start = rss_mb()
                tracemalloc.start(1)
                sdk_start = sdk_bytes()
            # Faults on a schedule, each kind in turn.
            kind = tick % 40
            if kind == 5:
                sim.faults.server_error(status=503, times=2, path="/markets", method="GET")
            elif kind == 13:
                sim.faults.rate_limit(retry_after=0.01, times=1, path="/portfolio/events/orders", method="POST")
            elif kind == 21:
                if sim.faults.fired.count("drop_connection") == armed:
                    sim.faults.drop_connection(after_frames=200)
                    armed += 1
                sim.faults.seq_gap(channel="orderbook_delta", skip=2)
            elif kind == 29:
                sim.faults.server_error(status=502, times=1, path="/portfolio/events/orders", method="DELETE")
            elif kind == 37:  # the taker's FIX connection dies with an order on the wire, either way
                sim.fix.faults.drop("KalshiRT", before_processing=tick // 40 % 2 == 1)
            ticker = MARKETS[tick % len(MARKETS)]
            mids[ticker] = min(Decimal("0.90"), max(Decimal("0.10"), mids[ticker] + TICK * rng.choice((-1, 0, 1))))
            for order_id in quotes[ticker]:
                try:
                    await maker.orders.cancel_v2(order_id)
                    tally["cancelled"] += 1
                except KalshiError:
                    tally["cancel_failed"] += 1  # filled already, or a scripted 502: the order log decides
            quotes[ticker] = []
            for side, price in (("bid", mids[ticker] - TICK * 2), ("ask", mids[ticker] + TICK * 2)):
                coid = f"q{tick}-{side}"
                for _attempt in range(3):  # the bot's own retry, with the SAME client_order_id
                    tally["sent"] += 1
                    try:
                        made = await create(maker, ticker, side, price, 5, coid, "good_till_canceled")
                    except KalshiError:
                        tally["send_failed"] += 1
                        continue
                    acked[coid] = made.order_id
                    quotes[ticker].append(made.order_id)
                    break
            if tick % 3 == 0:  # the taker crosses the maker's quote, every other time over FIX
                side = rng.choice(("bid", "ask"))
                price = mids[ticker] + TICK * 3 if side == "bid" else mids[ticker] - TICK * 3
                if tick % 6 == 0:
                    fix_sent.append(f"f{tick}")
                    await fix_taker.send(
                        NewOrderSingle(
                            cl_ord_id=f"f{tick}", symbol=ticker, side=Side.BUY_YES if side == "bid" else Side.SELL_NO,
                            order_qty=Decimal(2), price=price, time_in_force=TimeInForce.IOC,
                        )
                    )  # fmt: skip
                else:
                    try:
                        await create(taker, ticker, side, price, 2, f"t{tick}", "immediate_or_cancel")
                        tally["taker_orders"] += 1
                    except KalshiError:
                        tally["taker_failed"] += 1
            if tick % 10 == 0:
                try:
                    await maker.markets.get(ticker)
                except KalshiError:
                    tally["reads_failed"] += 1
        elapsed = time.monotonic() - started
        sim.faults.clear()
        sdk_end = sdk_bytes()
        tracemalloc.stop()
        rss_end = rss_mb()  # the whole process, simulator included; tracemalloc's own traces are freed by now
        # Reconcile with the exchange.
        exchange_orders = await all_orders(maker)
        per_coid = Counter(o.client_order_id for o in exchange_orders if o.client_order_id)
        duplicated = sum(n - 1 for n in per_coid.values() if n > 1)
        known = {o.order_id for o in exchange_orders}
        lost_orders = [coid for coid, oid in acked.items() if oid not in known]
        rest_fills = {f.trade_id async for f in maker.portfolio.fills_all(limit=200)}
        for _ in range(50):
            if rest_fills <= fills_seen:
                break
            await asyncio.sleep(0.1)
        missing_fills = rest_fills - fills_seen
        fix_booked = Counter(o.client_order_id for o in await all_orders(taker) if o.client_order_id in fix_sent)
        for _ in range(50):  # the last FIX order's reports may still be on their way
            fix_reports = [m for m in map(decode_app_message, fix_frames) if isinstance(m, ExecutionReport)]
            if {r.cl_ord_id for r in fix_reports} >= set(fix_sent):
                break
            await asyncio.sleep(0.1)
        fix_unreported = set(fix_sent) - {r.cl_ord_id for r in fix_reports}
        fix_exec_twice = sum(n - 1 for n in Counter(r.exec_id for r in fix_reports).values())
        fix_reconnects = fix_taker.connection.connects - 1
        divergent = []
        for ticker in MARKETS:
            remote = (await maker.markets.orderbook(ticker)).orderbook_fp
            for _ in range(50):
                local = books.book(ticker)
                same = (
                    local.ready
                    and sorted(map(tuple, local.yes_bids()))
                    == sorted((Decimal(str(p)), Decimal(str(q))) for p, q in (remote.yes_dollars or []))
                    and sorted(map(tuple, local.no_bids()))
                    == sorted((Decimal(str(p)), Decimal(str(q))) for p, q in (remote.no_dollars or []))
                )
                if same:
                    break
                await asyncio.sleep(0.1)
            else:
                divergent.append(ticker)
        reconnects = session.reconnects
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
    gc.collect()
    await asyncio.sleep(0.2)
    fds_after = open_fds()
    figures = {
        "seconds": round(elapsed, 1),
        "orders_sent": tally["sent"],
        "acknowledged": len(acked),
        "fills": len(rest_fills),
        "reconnects": reconnects,
        "fix_orders": len(fix_sent),
        "fix_reconnects": fix_reconnects,
        "book_divergences": len(divergent),
        "process_rss_mb_warm_end": f"{rss_start:.0f}/{rss_end:.0f}",
        "sdk_heap_growth_kb": round((sdk_end - sdk_start) / 1024, 1),
        "fds_before_after": f"{fds_before}/{fds_after}",
        **{k: v for k, v in tally.items() if k not in ("sent",)},
    }
    ledger.row(
        "Soak",
        f"quoting bot on REST + WebSocket, taker on REST + FIX, {round(elapsed)} s, faults every 40 ticks",
        injected=len(sim.faults.fired) + len(sim.fix.faults.fired),
        survived=len(sim.faults.fired) + len(sim.fix.faults.fired)
        if not (duplicated or lost_orders or missing_fills or divergent or fix_unreported)
        else 0,
        sent_twice=duplicated + sum(n - 1 for n in fix_booked.values()) + fix_exec_twice,
        lost=len(lost_orders) + len(missing_fills) + len(set(fix_sent) - set(fix_booked)) + len(fix_unreported),
        leaked_fds=max(0, fds_after - fds_before),
        figures=figures,
    )
    assert len(acked) > 20 and rest_fills, figures
    assert duplicated == 0, per_coid.most_common(3)
    assert lost_orders == [] and missing_fills == set(), (lost_orders, missing_fills)
    assert divergent == []
    assert fix_sent and fix_booked == Counter(fix_sent), "every FIX order on the exchange exactly once"
    assert fix_unreported == set() and fix_exec_twice == 0, (fix_unreported, fix_exec_twice)
    assert fix_reconnects >= 1 and len(sim.fix.faults.fired) >= 1
    assert fds_after <= fds_before + 2, (fds_before, fds_after)
    assert sdk_end - sdk_start < 2 * 2**20, f"the SDK's heap grew {(sdk_end - sdk_start) / 2**20:.1f} MiB"
