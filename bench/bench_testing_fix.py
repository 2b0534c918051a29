"""Benchmark the simulator's FIX acceptor: a KalshiNR order through the matching engine and back.

Run: uv run python bench/bench_testing_fix.py

A `FixClient` (kalshi_fix) and a `KalshiExchangeSimulator` in one process (the simulator on its own
thread and event loop). Every order is a real engine order (validated, booked, published to REST and
WebSocket listeners) whose ExecutionReport is built from the engine's feed. Figures:
- latency: median and p99 from `await session.send(order)` to the report reaching `on_message`, one at a time;
- throughput: orders per second with all of N orders in flight, each acknowledged.
The engine's own cost dominates; compare with bench/bench_fix_session.py for the client engine alone.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from decimal import Decimal

from kalshi_fix import FixClient, NewOrderSingle, Side
from kalshi_testing import KalshiExchangeSimulator

LATENCY_N = 300
THROUGHPUT_N = 1000
SYMBOL = "KXFED-26DEC-T3.50"


def _order(cl_ord_id: str) -> NewOrderSingle:
    return NewOrderSingle(
        cl_ord_id=cl_ord_id, symbol=SYMBOL, side=Side.BUY_YES, order_qty=Decimal(1), price=Decimal("0.05")
    )


async def main() -> None:
    sim = KalshiExchangeSimulator(realistic=False)
    await asyncio.to_thread(sim.start)
    try:
        user = sim.create_user("bench", balance="100000000")
        client = FixClient(user.auth, environment=sim.fix_environment())
        arrived: asyncio.Queue[float] = asyncio.Queue()
        async with client.order_entry(on_message=lambda _: arrived.put_nowait(time.perf_counter())) as session:
            latencies = []
            for i in range(LATENCY_N):
                start = time.perf_counter()
                await session.send(_order(f"l{i}"))
                latencies.append(await arrived.get() - start)
            latencies.sort()
            start = time.perf_counter()
            for i in range(THROUGHPUT_N):
                await session.send(_order(f"t{i}"))
            for _ in range(THROUGHPUT_N):
                await arrived.get()
            elapsed = time.perf_counter() - start
    finally:
        await asyncio.to_thread(sim.stop)
    print(f"load average {os.getloadavg()[0]:.2f}")
    median, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99)]
    print(f"KalshiNR order -> ExecutionReport: median {median * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us")
    print(f"pipelined: {THROUGHPUT_N / elapsed:,.0f} orders/s ({THROUGHPUT_N} orders, all acknowledged)")


if __name__ == "__main__":
    asyncio.run(main())
