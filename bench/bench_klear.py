"""Benchmark the kalshi-klear hot paths against their physical-limit baselines.

Run: `uv run python bench/bench_klear.py` (add `--quick` for a short run).

1. `settlement.balance()` (a small body) through an in-process `httpx.MockTransport`, sync and
   async: the per-call overhead of the client (bearer header, core, retry flow, pydantic parse).
   Floor: the same `httpx.Client.get` through the same transport plus `json.loads`.
2. `obligations.active()` answering 4 obligations with 1,000 inline settlement-detail rows each
   (the spec's inline cap): the cost of parsing a large Klear body into typed models.
   Floor: `json.loads` of the same bytes (any client must at least decode the JSON).
3. `obligations.history_all()` over 20 pages of 100 obligations (cursor absent on the last page).
   Floor: 20 x (`httpx` get + `json.loads`) of the same pages.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from kalshi_klear import AsyncKlearClient, KlearClient

ADMIN, TOKEN = "bench-admin", "bench-token"
TS = "2026-11-20T21:00:00Z"
BALANCE = json.dumps({"user_id": ADMIN, "balance_available_centicents": 5_000_000}).encode()


def detail(i: int) -> dict[str, Any]:
    return {
        "id": f"sd-{i}",
        "market_ticker": f"MKT-{i % 50}",
        "subtrader_id": f"acct_{i % 7}",
        "position_quantity_fp": f"{i % 97}.25",
        "pnl_centicents": -(i * 131) % 9_999_999,
        "total_fees_centicents": i % 500,
        "total_amount_centicents": -(i * 137) % 9_999_999,
    }


def obligation(i: int, rows: int) -> dict[str, Any]:
    return {
        "id": f"ob-{i}",
        "user_id": ADMIN,
        "amount_centicents": -1_234_500 - i,
        "fees_centicents": 2_500,
        "maintenance_margin_centicents": 400_000,
        "pnl_centicents": -832_000,
        "execution_time": TS,
        "last_updated_ts": TS,
        "asset_class": "Crypto",
        "receives": [],
        "settlement_details": [detail(j) for j in range(rows)],
        "maintenance_margin_details": [],
        "funding_payments": [],
        "corporate_action_payments": [],
        "settlement_details_truncated": rows >= 1000,
    }


def median_rate(fn: Callable[[], object], calls: int, rounds: int) -> float:
    """Calls per second, the median over `rounds` rounds of `calls` calls."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        rates.append(calls / (time.perf_counter() - start))
    return statistics.median(rates)


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_small(calls: int, rounds: int) -> dict[str, float]:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=BALANCE))
    klear = KlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=transport)
    sync = median_rate(klear.settlement.balance, calls, rounds)
    klear.close()

    async def run_async() -> float:
        async def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=BALANCE)

        async with AsyncKlearClient(
            admin_user_id=ADMIN, access_token=TOKEN, transport=httpx.MockTransport(handler)
        ) as aklear:
            rates = []
            for _ in range(rounds):
                start = time.perf_counter()
                for _ in range(calls):
                    await aklear.settlement.balance()
                rates.append(calls / (time.perf_counter() - start))
            return statistics.median(rates)

    async_rate = asyncio.run(run_async())
    http = httpx.Client(transport=transport)
    url = "https://api.klear.kalshi.com/klear-api/v1/margin/settlement_balance"
    floor = median_rate(
        lambda: json.loads(http.get(url, headers={"Authorization": "Bearer x:y"}).content), calls, rounds
    )
    http.close()
    return {"sync": sync, "async": async_rate, "floor": floor}


def bench_large(rounds: int) -> dict[str, float]:
    body = json.dumps({"obligations": [obligation(i, 1000) for i in range(4)]}).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    klear = KlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=transport)
    parsed = median_ms(klear.obligations.active, rounds)
    klear.close()
    return {"client": parsed, "floor": median_ms(lambda: json.loads(body), rounds), "bytes": float(len(body))}


def bench_pages(rounds: int, pages: int = 20) -> dict[str, float]:
    bodies = []
    for p in range(pages):
        page: dict[str, Any] = {"obligations": [obligation(p * 100 + i, 3) for i in range(100)]}
        if p + 1 < pages:
            page["cursor"] = f"c{p + 1}"
        bodies.append(json.dumps(page).encode())

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        return httpx.Response(200, content=bodies[int(cursor[1:]) if cursor else 0])

    transport = httpx.MockTransport(handler)
    klear = KlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=transport)
    count = 0

    def walk() -> None:
        nonlocal count
        count = sum(1 for _ in klear.obligations.history_all(limit=100))

    client_ms = median_ms(walk, rounds)
    assert count == pages * 100, count
    klear.close()
    http = httpx.Client(transport=transport)
    url = "https://api.klear.kalshi.com/klear-api/v1/margin/obligation_history"

    def floor() -> None:
        for p in range(pages):
            json.loads(http.get(url, params={"cursor": f"c{p}"} if p else None).content)

    floor_ms = median_ms(floor, rounds)
    http.close()
    return {"client": client_ms, "floor": floor_ms}


def main() -> None:
    quick = "--quick" in sys.argv
    calls, rounds = (300, 3) if quick else (2000, 7)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (figures scale with load)")
    small = bench_small(calls, rounds)
    print(f"settlement.balance() sync : {small['sync']:8.0f} calls/s")
    print(f"settlement.balance() async: {small['async']:8.0f} calls/s")
    print(f"  floor (httpx get + json.loads, same transport): {small['floor']:8.0f} calls/s")
    sync_ratio, async_ratio = small["sync"] / small["floor"], small["async"] / small["floor"]
    print(f"  ratio sync/floor = {sync_ratio:.2f}, async/floor = {async_ratio:.2f} (calls/s; >= 1 is at the floor)")
    large = bench_large(max(3, rounds))
    print(
        f"obligations.active() 4 x 1,000 inline rows ({large['bytes'] / 1e6:.2f} MB): {large['client']:7.1f} ms"
        f"  floor json.loads {large['floor']:6.1f} ms; ratio {large['client'] / large['floor']:.2f}"
    )
    pages = bench_pages(max(3, rounds))
    print(
        f"obligations.history_all() 20 pages x 100: {pages['client']:7.1f} ms"
        f"  floor (20 x get + json.loads) {pages['floor']:6.1f} ms; ratio {pages['client'] / pages['floor']:.2f}"
    )


if __name__ == "__main__":
    main()
