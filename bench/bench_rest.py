"""Benchmark the kalshi-rest hot paths against their physical-limit baselines.

Run: `uv run python bench/bench_rest.py` (add `--quick` for a short run).

1. `markets.list(limit=100)` through an in-process `httpx.MockTransport` that answers a realistic
   100-market page built from the spec's `Market` schema; RSA-2048 signing included; sync and async.
   Floor: RSA-PSS sign of the same pre-sign text + `json.loads` of the same body.
2. `Page.to_dataframe()` of 1,000 markets to pandas and polars.
3. `python -X importtime -c "import kalshi_rest"` (cumulative time of the kalshi_rest import),
   beside the import of kalshi_auth alone, the one dependency it loads (httpx loads with the first
   client, pydantic with the first model); and the cost of that first use.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kalshi_auth import KalshiAuth, pre_sign_text
from kalshi_rest import AsyncKalshiClient, KalshiClient, Page
from kalshi_rest._frames import _columns
from kalshi_rest.models import GetMarketsResponse, Market

ROOT = Path(__file__).resolve().parents[1]
QUICK = "--quick" in sys.argv


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


def _value(spec: dict[str, Any], name: str, schema: dict[str, Any], i: int, rng: random.Random) -> Any:
    ref = schema.get("$ref", "")
    schema = _resolve(spec, schema)
    if "FixedPointDollars" in ref or name.endswith("_dollars"):
        return f"{rng.randint(1, 99) / 100:.4f}"
    if "FixedPointCount" in ref or name.endswith("_fp"):
        return f"{rng.randint(0, 250_000)}.00"
    if "enum" in schema:
        return schema["enum"][i % len(schema["enum"])] if name != "status" else "active"
    kind = schema.get("type")
    if kind == "string" and schema.get("format") == "date-time":
        base = datetime(2026, 1, 2, 15, 0, tzinfo=UTC) + timedelta(hours=i)
        return base.isoformat().replace("+00:00", "Z")
    if kind == "string":
        if name == "ticker":
            return f"KXHIGHNY-26JAN{(i % 28) + 1:02d}-T{40 + i % 30}"
        if name == "event_ticker":
            return f"KXHIGHNY-26JAN{(i % 28) + 1:02d}"
        if name.startswith("rules"):
            return (
                "If the highest temperature recorded in Central Park, New York on Jan 2, 2026 is greater "
                "than 45°F according to the National Weather Service's Climatological Report, then the market "
                "resolves to Yes."
            )
        return f"{name.replace('_', ' ').title()} {i}"
    if kind == "integer":
        return rng.randint(0, 3600)
    if kind == "number":
        return rng.randint(0, 100) + 0.5
    if kind == "boolean":
        return bool(i % 2)
    if kind == "array":
        if name == "price_ranges":
            return [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}]
        return []
    if kind == "object":
        return {}
    return None


def market_page(n: int) -> bytes:
    """A GetMarkets body with `n` markets, every property of the spec's Market schema filled."""
    spec = yaml.safe_load((ROOT / "specs" / "openapi.yaml").read_text())
    schema = spec["components"]["schemas"]["Market"]
    rng = random.Random(7)
    markets = []
    for i in range(n):
        market = {}
        for name, prop in schema["properties"].items():
            value = _value(spec, name, prop, i, rng)
            if value is not None or prop.get("nullable"):
                market[name] = value
        markets.append(market)
    return json.dumps({"markets": markets, "cursor": "CgsIu7DflQYQ8NPwARIcS1hISUdITlktMjZKQU4wMi1UNDU"}).encode()


def bench_list(body: bytes, key: rsa.RSAPrivateKey, calls: int, rounds: int) -> dict[str, float]:
    """Calls/s of sync and async `markets.list(limit=100)` and of the floor.

    The three are measured in turn within each round, so they share the machine's load at that
    moment (other processes on a shared 2-core box move every figure); medians over the rounds,
    and the median of the per-round ratios to the floor.
    """

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    async def ahandler(request: httpx.Request) -> httpx.Response:
        return handler(request)

    auth = KalshiAuth("bench-key-id", key)
    client = KalshiClient(auth=auth, transport=httpx.MockTransport(handler))
    page = client.markets.list(limit=100)
    assert len(page.items) == 100
    assert isinstance(page.items[0], Market)
    loop = asyncio.new_event_loop()
    aclient = AsyncKalshiClient(auth=auth, transport=httpx.MockTransport(ahandler))
    assert len(loop.run_until_complete(aclient.markets.list(limit=100)).items) == 100

    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    sha = hashes.SHA256()

    def floor() -> None:
        text = pre_sign_text(int(time.time() * 1000), "GET", "/trade-api/v2/markets")
        base64.b64encode(key.sign(text, pss, sha))
        json.loads(body)

    def sync_round() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            client.markets.list(limit=100)
        return calls / (time.perf_counter() - start)

    async def async_calls() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            await aclient.markets.list(limit=100)
        return calls / (time.perf_counter() - start)

    def floor_round() -> float:
        start = time.perf_counter()
        for _ in range(calls):
            floor()
        return calls / (time.perf_counter() - start)

    floor()
    out: dict[str, list[float]] = {"sync": [], "async": [], "floor": []}
    for _ in range(rounds):
        out["sync"].append(sync_round())
        out["async"].append(loop.run_until_complete(async_calls()))
        out["floor"].append(floor_round())
    loop.run_until_complete(aclient.aclose())
    loop.close()
    client.close()
    result = {name: statistics.median(rates) for name, rates in out.items()}
    for face in ("sync", "async"):
        result[face + "_ratio"] = statistics.median(r / f for r, f in zip(out[face], out["floor"], strict=True))
    return result


def _median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_frames(rounds: int) -> dict[str, float]:
    markets = GetMarketsResponse.model_validate_json(market_page(1000)).markets  # 1,000 distinct markets
    assert len(markets) == 1000
    page = Page(markets, None, None)
    out = {
        "pandas": _median_ms(lambda: page.to_dataframe(backend="pandas"), rounds),
        "polars": _median_ms(lambda: page.to_dataframe(backend="polars"), rounds),
    }
    # floor: touching every value once in Python (one list per column), which any conversion must do
    out["floor"] = _median_ms(lambda: _columns(markets), rounds)
    # the naive way, for comparison: one dict per market
    import pandas as pd

    out["naive"] = _median_ms(lambda: pd.DataFrame([m.model_dump() for m in markets]), max(3, rounds // 3))
    return out


def _import_us(code: str, module: str | None) -> float:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True)
    total = 0.0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if m and not m.group(2) and (module is None or m.group(3) == module):
            total += int(m.group(1))
    return total


def bench_import(rounds: int) -> dict[str, float]:
    pkg = [_import_us("import kalshi_rest", "kalshi_rest") / 1000 for _ in range(rounds)]
    deps = [_import_us("import kalshi_auth", None) / 1000 for _ in range(rounds)]
    first_use = [
        _import_us("import kalshi_rest; kalshi_rest.KalshiClient().markets; kalshi_rest.models.Market", None) / 1000
        for _ in range(rounds)
    ]
    return {
        "kalshi_rest": statistics.median(pkg),
        "deps": statistics.median(deps),
        "first": statistics.median(first_use),
    }


def main() -> None:
    calls, rounds = (100, 3) if QUICK else (200, 9)
    body = market_page(100)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (figures scale with load)")
    print(f"page body: {len(body):,} bytes, 100 markets from the spec's Market schema; RSA-2048 key")
    lst = bench_list(body, key, calls, rounds)
    print(f"markets.list(limit=100) sync : {lst['sync']:8.0f} calls/s  (target >= 1000)")
    print(f"markets.list(limit=100) async: {lst['async']:8.0f} calls/s  (target >= 1000)")
    print(f"floor (RSA-PSS sign + json.loads): {lst['floor']:8.0f} ops/s")
    ratios = f"sync/floor = {lst['sync_ratio']:.2f}, async/floor = {lst['async_ratio']:.2f}"
    print(f"  ratio {ratios} (median of per-round ratios; each round measures all three in turn)")
    frames = bench_frames(5 if QUICK else 15)
    print(f"Page.to_dataframe() 1,000 markets -> pandas: {frames['pandas']:6.2f} ms  (target < 10)")
    print(f"Page.to_dataframe() 1,000 markets -> polars: {frames['polars']:6.2f} ms  (target < 10)")
    floor = frames["floor"]
    print(
        f"  floor (read every field of every market once): {floor:6.2f} ms; "
        f"ratio pandas {frames['pandas'] / floor:.1f}, polars {frames['polars'] / floor:.1f}"
    )
    print(f"  naive pd.DataFrame([m.model_dump() for m in markets]), for comparison: {frames['naive']:6.1f} ms")
    imp = bench_import(3 if QUICK else 7)
    print(f"import kalshi_rest (cumulative, -X importtime): {imp['kalshi_rest']:6.1f} ms  (target < 150)")
    ratio = imp["kalshi_rest"] / imp["deps"]
    print(f"  floor: import kalshi_auth alone: {imp['deps']:6.1f} ms; ratio {ratio:.2f}")
    print(f"  import + first client + markets resource + Market model: {imp['first']:6.1f} ms")


if __name__ == "__main__":
    main()
