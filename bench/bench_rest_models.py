"""Benchmarks of the generated kalshi_rest models (the parse/serialise half of every call).

Run: `uv run python bench/bench_rest_models.py`. Prints medians beside their physical-limit
floor and the ratio:
- parse a 100-market GetMarkets page (every Market property filled, as in bench_rest.py) with
  `GetMarketsResponse.model_validate_json`, against `json.loads` of the same bytes;
- build and serialise a `CreateOrderV2Request`, against `json.dumps` of the same dict;
- first use of the markets resource: importing the models it needs (import time of the module
  graph below `kalshi_rest`, which loads no model at all).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rest import market_page

from kalshi_rest.models import CreateOrderV2Request, GetMarketsResponse


def median_seconds(fn: Callable[[], object], repeat: int = 300) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(label: str, value: float, floor_label: str, floor: float) -> None:
    print(f"{label}: {value * 1e3:8.3f} ms   floor ({floor_label}): {floor * 1e3:8.3f} ms   ratio {value / floor:5.2f}")


def first_use_ms(target: str) -> float:
    code = f"import time, kalshi_rest; t = time.perf_counter(); {target}; print((time.perf_counter() - t) * 1000)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(5)]
    return statistics.median(runs)


def main() -> None:
    body = market_page(100)
    page = GetMarketsResponse.model_validate_json(body)
    assert len(page.markets) == 100
    assert isinstance(page.markets[0].yes_bid_dollars, Decimal)
    print(f"page body: {len(body):,} bytes, 100 markets")
    report(
        "parse 100-market page (model_validate_json)",
        median_seconds(lambda: GetMarketsResponse.model_validate_json(body)),
        "json.loads",
        median_seconds(lambda: json.loads(body)),
    )
    fields = {
        "ticker": "KXHIGHNY-26JAN02-T60",
        "client_order_id": "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1",
        "side": "bid",
        "count": Decimal("10"),
        "price": Decimal("0.5600"),
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    wire = {**fields, "count": "10", "price": "0.5600"}
    report(
        "build + serialise CreateOrderV2Request",
        median_seconds(
            lambda: CreateOrderV2Request(**fields).model_dump_json(by_alias=True, exclude_none=True), repeat=3000
        ),
        "json.dumps of the wire dict",
        median_seconds(lambda: json.dumps(wire), repeat=3000),
    )
    first = first_use_ms("import kalshi_rest.resources._generated.markets")
    floor = first_use_ms("import pydantic; type('M', (pydantic.BaseModel,), {'__annotations__': {'a': int}})")
    print(
        f"first use of client.markets (pydantic + models + resource): {first:.1f} ms   "
        f"floor (pydantic + one model): {floor:.1f} ms   ratio {first / floor:5.2f}"
    )


if __name__ == "__main__":
    main()
