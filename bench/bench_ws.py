"""Benchmarks of the kalshi-ws hot paths, each beside its physical-limit baseline.

Run: uv run python bench/bench_ws.py [--quick]

1. Decode + typed parse of one frame (spec example bytes) vs raw `msgspec.json.decode` and `json.loads`.
2. Order book: apply one delta and read the top of book on a 100-level-per-side book, vs a bare
   dict update; snapshot of 100 levels.
3. End to end over loopback: a local server process streams pre-built orderbook frames; the
   session decodes, checks seq, maintains the book and hands every message to the consumer.
   Reported beside the same bytes read raw from the socket, and beside a websockets `recv()`
   loop with `json.loads` (a typical client).

Figures are medians of several repeats; ratios are ours / baseline (rate) or baseline / ours.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import multiprocessing
import os
import random
import socket
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec

from kalshi_auth import KalshiAuth
from kalshi_ws import BookKeeper, KalshiWebSocket, MessageDecoder, OrderBook, ReconnectPolicy
from kalshi_ws.messages import EXAMPLES, SERVER_MESSAGES, OrderbookDelta

REPEATS = 7


def rate(fn: Callable[[], None], n: int, repeats: int = REPEATS) -> float:
    """Median operations per second of `fn`, which performs `n` operations per call."""
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(n / (time.perf_counter() - t0))
    return statistics.median(samples)


def example(component: str) -> bytes:
    return next(raw for c, _, raw in EXAMPLES if c == component)


def line(label: str, value: float, unit: str, extra: str = "") -> None:
    print(f"  {label:<58} {value:>14,.0f} {unit:<8} {extra}")


# ---- 1. decode ----------------------------------------------------------------------------------
def bench_decode(n: int) -> dict[str, float]:
    decoder = MessageDecoder(SERVER_MESSAGES)
    raw_decoder = msgspec.json.Decoder()
    results = {}
    print("\n1. decode + typed parse per frame (spec example frames)")
    for component, target in (("orderbookDelta", 600_000), ("ticker", 350_000)):
        frame = example(component)
        frames = [frame] * n

        def typed(frames: list[bytes] = frames) -> None:
            decode = decoder.decode
            for f in frames:
                decode(f)

        def raw(frames: list[bytes] = frames) -> None:
            decode = raw_decoder.decode
            for f in frames:
                decode(f)

        def stdlib(frames: list[bytes] = frames) -> None:
            loads = json.loads
            for f in frames:
                loads(f)

        ours, base, std = rate(typed, n), rate(raw, n), rate(stdlib, n)
        results[component] = ours
        print(f" {component} ({len(frame)} bytes)")
        line("kalshi_ws MessageDecoder.decode -> typed Struct (Decimal)", ours, "frames/s", f"target >= {target:,}")
        line("msgspec.json.decode, untyped dict (baseline)", base, "frames/s", f"ours/baseline = {ours / base:.2f}")
        line("json.loads, untyped dict", std, "frames/s", f"ours/json.loads = {ours / std:.2f}")
    return results


# ---- 2. order book ------------------------------------------------------------------------------
def hundred_levels() -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    yes = [(Decimal(p) / 1000, Decimal(random.randint(1, 10_000)) / 100) for p in range(10, 510, 5)]
    no = [(Decimal(p) / 1000, Decimal(random.randint(1, 10_000)) / 100) for p in range(490, 990, 5)]
    return yes, no


def delta_script(yes: list[tuple[Decimal, Decimal]], no: list[tuple[Decimal, Decimal]], n: int) -> list[Any]:
    """Deltas that keep the book near 100 levels per side: mostly size changes, some level churn."""
    rng = random.Random(7)
    script = []
    for i in range(n):
        side, levels = ("yes", yes) if i % 2 else ("no", no)
        price = levels[rng.randrange(len(levels))][0]
        if i % 20 == 0:  # a new level just inside the book, then removed again
            price = price + Decimal("0.001")
            size = Decimal(rng.randint(1, 500)) / 100
            script.append((side, price, size))
            script.append((side, price, -size))
        else:
            d = Decimal(rng.randint(1, 500)) / 100
            script.append((side, price, d))
            script.append((side, price, -d))
    return script[:n]


def bench_book(n: int) -> dict[str, float]:
    print("\n2. order book (100 levels per side)")
    yes, no = hundred_levels()
    script = delta_script(yes, no, n)
    book = OrderBook("BENCH")
    book.apply_snapshot(yes, no, 1)

    def apply_and_read() -> None:
        apply = book.apply_delta
        clock = book.clock or 1
        for side, price, delta in script:
            clock += 1
            apply(side, price, delta, clock)
            book.best_yes_bid  # noqa: B018
            book.best_yes_ask  # noqa: B018

    bare: dict[Decimal, Decimal] = dict(yes)

    def dict_only() -> None:
        get = bare.get
        for _, price, delta in script:
            bare[price] = get(price, Decimal(0)) + delta

    ours = rate(apply_and_read, n)
    base = rate(dict_only, n)
    line("OrderBook.apply_delta + best_yes_bid + best_yes_ask", ours, "ops/s", "target >= 500,000")
    line(
        "bare dict[Decimal, Decimal] update, no top of book (baseline)",
        base,
        "ops/s",
        f"ours/baseline = {ours / base:.2f}",
    )

    # the public path: typed OrderbookDelta messages through the session's BookKeeper
    keeper = BookKeeper()
    keeper.books["BENCH"] = OrderBook("BENCH")
    keeper.books["BENCH"].apply_snapshot(yes, no, 1)
    messages = []
    for i, (side, price, delta) in enumerate(script):
        body = {
            "market_ticker": "BENCH",
            "market_id": "x",
            "clock": 10 + i,
            "price_dollars": str(price),
            "delta_fp": str(delta),
            "side": side,
        }
        messages.append(
            msgspec.json.decode(
                json.dumps({"type": "orderbook_delta", "sid": 1, "seq": i + 1, "msg": body}), type=OrderbookDelta
            )
        )

    def keeper_path() -> None:
        k = keeper
        b = keeper.books["BENCH"]
        b.clock = 1
        for m in messages:
            k(m)
            b.best_yes_bid  # noqa: B018
            b.best_yes_ask  # noqa: B018

    via = rate(keeper_path, len(messages))
    line("BookKeeper(OrderbookDelta message) + top of book (public path)", via, "ops/s")

    results = {"apply": ours, "keeper": via}
    for label, (y, nn) in (
        ("100 levels (50 YES + 50 NO)", (yes[:50], no[:50])),
        ("200 levels (100 YES + 100 NO)", (yes, no)),
    ):
        per = 1e6 / rate(lambda y=y, nn=nn: _snapshots(OrderBook("S"), y, nn), _REPS)
        base_per = 1e6 / rate(lambda y=y, nn=nn: _dicts(y, nn), _REPS)
        note = f"target < 50 us; bare dict(levels) {base_per:.1f} us, ratio {per / base_per:.1f}"
        print(f"  {'snapshot of ' + label:<58} {per:>14.1f} us       {note}")
        results[f"snapshot {label}"] = per
    return results


_REPS = 2000


def _snapshots(book: OrderBook, yes: list[Any], no: list[Any]) -> None:
    for _ in range(_REPS):
        book.apply_snapshot(yes, no, 5)


def _dicts(yes: list[Any], no: list[Any]) -> None:
    for _ in range(_REPS):
        dict(yes)
        dict(no)


# ---- 3. end to end ------------------------------------------------------------------------------
def ws_frame(payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        return bytes([0x81, n]) + payload
    if n < 65536:
        return bytes([0x81, 126]) + n.to_bytes(2, "big") + payload
    return bytes([0x81, 127]) + n.to_bytes(8, "big") + payload


def build_stream(n: int) -> bytes:
    """subscribed ack, a 100-level snapshot, then n deltas with seq 2..n+1 (book stays consistent)."""
    yes, no = hundred_levels()
    frames = [
        ws_frame(b'{"id":1,"type":"subscribed","msg":{"channel":"orderbook_delta","sid":1}}'),
        ws_frame(
            json.dumps(
                {
                    "type": "orderbook_snapshot",
                    "sid": 1,
                    "seq": 1,
                    "msg": {
                        "market_ticker": "BENCH",
                        "market_id": "9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1",
                        "clock": 1,
                        "yes_dollars_fp": [[f"{p:.4f}", f"{s:.2f}"] for p, s in yes],
                        "no_dollars_fp": [[f"{p:.4f}", f"{s:.2f}"] for p, s in no],
                    },
                }
            ).encode()
        ),
    ]
    for i, (side, price, delta) in enumerate(delta_script(yes, no, n)):
        frames.append(
            ws_frame(
                (
                    f'{{"type":"orderbook_delta","sid":1,"seq":{i + 2},"sending_ts_ms":{1_700_000_000_000 + i},'
                    f'"msg":{{"market_ticker":"BENCH","market_id":"9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1",'
                    f'"clock":{i + 2},"price_dollars":"{price:.4f}","delta_fp":"{delta:.2f}","side":"{side}",'
                    f'"ts_ms":{1_700_000_000_000 + i}}}}}'
                ).encode()
            )
        )
    return b"".join(frames)


def serve(port_queue: Any, n: int, repeats: int) -> None:
    """A minimal WebSocket server: per connection, answer the upgrade, read one frame, blast the stream."""
    stream = build_stream(n)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port_queue.put(sock.getsockname()[1])
    for _ in range(repeats):
        conn, _ = sock.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(65536)
            if not chunk:
                break
            request += chunk
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key")
        )
        accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        conn.recv(65536)  # the subscribe command (or nothing for the raw baseline)
        conn.sendall(stream)
        conn.recv(65536)  # wait for the client to go away
        conn.close()


async def e2e_ours(port: int, n: int) -> tuple[float, float]:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    ws = KalshiWebSocket(
        auth=KalshiAuth("bench-key", ed25519.Ed25519PrivateKey.generate()),
        url=f"ws://127.0.0.1:{port}/trade-api/ws/v2",
        compression=False,
        queue_size=n + 10,
        ping_interval=0,
        reconnect=ReconnectPolicy(enabled=False),
    )
    async with ws.connect() as session:
        t0, c0 = time.perf_counter(), time.process_time()
        stream = await session.subscribe_orderbook_delta(tickers=["BENCH"])
        got = 0
        msg = None
        async for msg in stream:  # noqa: B007
            got += 1
            if got == n + 1:
                break
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        book = stream.book("BENCH")
        assert stream.gaps == 0, stream.gaps
        assert book.ready
        assert len(book) > 150, len(book)
        assert type(msg) is OrderbookDelta
    return n / wall, cpu / n * 1e6


async def e2e_raw(port: int, n: int, total: int) -> tuple[float, float]:
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    received = 0

    class Raw(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            transport.write(
                b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            )
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            nonlocal received
            if not received:
                self.transport.write(b"\x81\x80abcd")  # an empty masked frame: "subscribe"
            received += len(data)
            if received >= total and not done.done():
                done.set_result(None)

    t0, c0 = time.perf_counter(), time.process_time()
    transport, _ = await loop.create_connection(Raw, "127.0.0.1", port)
    await done
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    transport.close()
    return n / wall, cpu / n * 1e6


async def e2e_websockets_recv(port: int, n: int) -> tuple[float, float]:
    from websockets.asyncio.client import connect

    async with connect(f"ws://127.0.0.1:{port}/", compression=None, ping_interval=None, max_size=None) as ws:
        t0, c0 = time.perf_counter(), time.process_time()
        await ws.send('{"id":1,"cmd":"subscribe","params":{"channels":["orderbook_delta"],"market_tickers":["BENCH"]}}')
        got = 0
        while got < n + 2:
            json.loads(await ws.recv(decode=False))
            got += 1
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return n / wall, cpu / n * 1e6


def bench_e2e(n: int, repeats: int) -> dict[str, float]:
    print(f"\n3. end to end over loopback ({n:,} orderbook frames per run; server in another process)")
    total = len(build_stream(n)) + 129
    results = {}
    for label, runner in (
        ("kalshi_ws session: decode + seq check + book + consumer", lambda port: e2e_ours(port, n)),
        ("raw socket bytes, no parsing (physical limit)", lambda port: e2e_raw(port, n, total)),
        ("websockets recv() + json.loads (typical client)", lambda port: e2e_websockets_recv(port, n)),
    ):
        ctx = multiprocessing.get_context("spawn")
        ports = ctx.Queue()
        proc = ctx.Process(target=serve, args=(ports, n, repeats), daemon=True)
        proc.start()
        port = ports.get(timeout=30)
        rates, cpus = [], []
        for _ in range(repeats):
            r, c = asyncio.run(runner(port))
            rates.append(r)
            cpus.append(c)
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
        results[label] = statistics.median(rates)
        line(label, statistics.median(rates), "frames/s", f"CPU {statistics.median(cpus):.2f} us/frame")
    ours = results["kalshi_ws session: decode + seq check + book + consumer"]
    print(
        f"  ours / raw socket = {ours / results['raw socket bytes, no parsing (physical limit)']:.3f};"
        f" ours / websockets recv+json.loads = {ours / results['websockets recv() + json.loads (typical client)']:.2f};"
        " target >= 150,000 frames/s"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller runs (CI smoke)")
    parser.add_argument("--only", choices=["decode", "book", "e2e"], help="run one section")
    args = parser.parse_args()
    random.seed(1)
    n = 20_000 if args.quick else 200_000
    print(f"kalshi-ws benchmarks: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, medians of {REPEATS} runs")
    if args.only in (None, "decode"):
        bench_decode(n)
    if args.only in (None, "book"):
        bench_book(n)
    if args.only in (None, "e2e"):
        bench_e2e(20_000 if args.quick else 200_000, 3 if args.quick else 5)


if __name__ == "__main__":
    main()
