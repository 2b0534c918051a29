"""Benchmark a FIX order-entry round trip over loopback TCP: NewOrderSingle out, ExecutionReport back.

Run: uv run python bench/bench_fix_session.py

The acceptor (packages/kalshi-fix/tests/fix_acceptor.py, on kalshi_fix's own session layer) runs in a
child process, so client and gateway each have a core. Figures:
- latency: median and p99 from `await session.send(order)` to the ExecutionReport reaching `on_message`,
  one order at a time;
- throughput: orders per second with up to WINDOW orders in flight, each answered by a report.
Each is printed beside its physical-limit baseline: the same bytes bounced off a bare asyncio echo
server in the same child process (no FIX at either end, one write per order), and the ratio to it.
The acceptor answers from a pre-encoded report template (`fast_reports=True`), so the figures are
the client engine's, not the test gateway's; a real gateway's matching time is not included.
Before timing, the client process moves its set-up objects out of the collector's way (`gc.freeze()`).
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCEPTOR = ROOT / "packages" / "kalshi-fix" / "tests" / "fix_acceptor.py"
LATENCY_N = 2000
THROUGHPUT_N = 20000
WINDOW = 200
ROUNDS = 3
KEY_ID = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"


def _load_acceptor() -> object:
    spec = importlib.util.spec_from_file_location("kalshi_fix_test_acceptor", ACCEPTOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------ child side


class _Echo(asyncio.Protocol):
    """Answer every frame-sized chunk with a fixed reply of ExecutionReport size (the floor)."""

    def __init__(self, reply: bytes, request_size: int) -> None:
        self.reply = reply
        self.request_size = request_size
        self.pending = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.pending += len(data)
        count, self.pending = divmod(self.pending, self.request_size)
        if count and self.transport is not None:
            self.transport.write(self.reply * count)


async def serve() -> None:
    from cryptography.hazmat.primitives import serialization

    acceptor_mod = _load_acceptor()
    pem = sys.stdin.buffer.readline().strip().replace(b"|", b"\n")
    public_key = serialization.load_pem_public_key(pem)
    sizes = json.loads(sys.stdin.readline())
    nr = acceptor_mod.FixAcceptor({KEY_ID: public_key}, target_comp_id="KalshiNR", fast_reports=True)  # type: ignore[attr-defined]
    rt = acceptor_mod.FixAcceptor({KEY_ID: public_key}, target_comp_id="KalshiRT", retransmits=True, fast_reports=True)  # type: ignore[attr-defined]
    nr_port = await nr.start()
    rt_port = await rt.start()
    loop = asyncio.get_running_loop()
    reply = b"x" * sizes["reply"]
    echo = await loop.create_server(lambda: _Echo(reply, sizes["request"]), "127.0.0.1", 0)
    echo_port = echo.sockets[0].getsockname()[1]
    print(json.dumps({"nr": nr_port, "rt": rt_port, "echo": echo_port}), flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # until the parent closes stdin


# ----------------------------------------------------------------------------------------- parent side


class _EchoClient(asyncio.Protocol):
    def __init__(self, reply_size: int) -> None:
        self.reply_size = reply_size
        self.buffered = 0
        self.waiter: asyncio.Future[None] | None = None
        self.received = 0
        self.target = 0

    def data_received(self, data: bytes) -> None:
        self.buffered += len(data)
        count, self.buffered = divmod(self.buffered, self.reply_size)
        self.received += count
        if self.waiter is not None and not self.waiter.done() and self.received >= self.target:
            self.waiter.set_result(None)


async def echo_figures(port: int, request: bytes, reply_size: int) -> tuple[list[float], float]:
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(lambda: _EchoClient(reply_size), "127.0.0.1", port)
    latencies = []
    for _ in range(LATENCY_N):
        proto.target = proto.received + 1
        proto.waiter = loop.create_future()
        start = time.perf_counter_ns()
        transport.write(request)  # type: ignore[attr-defined]
        await proto.waiter
        latencies.append((time.perf_counter_ns() - start) / 1000)
    start = time.perf_counter()
    sent = 0
    base = proto.received
    while sent < THROUGHPUT_N:
        burst = min(WINDOW - (sent - (proto.received - base)), THROUGHPUT_N - sent)
        for _ in range(max(burst, 0)):  # one write per order, as a client sends them
            transport.write(request)  # type: ignore[attr-defined]
        sent += max(burst, 0)
        proto.target = base + sent - WINDOW // 2 if sent < THROUGHPUT_N else base + THROUGHPUT_N
        proto.waiter = loop.create_future()
        if proto.received < proto.target:
            await proto.waiter
    rate = THROUGHPUT_N / (time.perf_counter() - start)
    transport.close()
    return latencies, rate


_RUN = [0]


async def fix_figures(port: int, auth: object, *, retransmit: bool, store_dir: str | None) -> tuple[list[float], float]:
    from kalshi_fix import FixClient, FsyncPolicy, NewOrderSingle, OrdType, Side

    _RUN[0] += 1
    loop = asyncio.get_running_loop()
    state: dict[str, object] = {"received": 0, "target": 0, "waiter": None}

    def on_message(frame: object) -> None:
        state["received"] = int(state["received"]) + 1  # type: ignore[call-overload]
        waiter = state["waiter"]
        if isinstance(waiter, asyncio.Future) and not waiter.done() and state["received"] >= state["target"]:  # type: ignore[operator]
            waiter.set_result(None)

    client = FixClient(
        auth,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        tls=False,
        store_dir=store_dir,
        fsync=FsyncPolicy.NEVER,
    )
    orders = [
        NewOrderSingle(
            cl_ord_id=f"r{_RUN[0]}-o{n}",
            symbol="KXBTCD-25DEC31-T100000",
            side=Side.BUY_YES,
            order_qty=Decimal("10"),
            ord_type=OrdType.LIMIT,
            price=Decimal("0.55"),
        )
        for n in range(LATENCY_N + THROUGHPUT_N)
    ]
    async with client.order_entry(retransmit=retransmit, on_message=on_message) as session:
        gc.collect()
        gc.freeze()  # set-up garbage out of the way, as a latency-sensitive application would do
        latencies = []
        for n in range(LATENCY_N):
            state["target"] = int(state["received"]) + 1  # type: ignore[call-overload]
            waiter = loop.create_future()
            state["waiter"] = waiter
            start = time.perf_counter_ns()
            await session.send(orders[n])
            await waiter
            latencies.append((time.perf_counter_ns() - start) / 1000)
        base = int(state["received"])  # type: ignore[call-overload]
        start = time.perf_counter()
        sent = 0
        while sent < THROUGHPUT_N:
            in_flight = sent - (int(state["received"]) - base)  # type: ignore[call-overload]
            while in_flight < WINDOW and sent < THROUGHPUT_N:
                await session.send(orders[LATENCY_N + sent])
                sent += 1
                in_flight += 1
            state["target"] = base + (sent - WINDOW // 2 if sent < THROUGHPUT_N else THROUGHPUT_N)
            waiter = loop.create_future()
            state["waiter"] = waiter
            if int(state["received"]) < int(state["target"]):  # type: ignore[call-overload]
                await waiter
        rate = THROUGHPUT_N / (time.perf_counter() - start)
    return latencies, rate


def p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


async def main() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from kalshi_auth import KalshiAuth
    from kalshi_fix._session import build_frame
    from kalshi_fix.messages import ExecType, ExecutionReport, NewOrderSingle, OrdStatus, OrdType, Side

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth = KalshiAuth(KEY_ID, key)
    order = NewOrderSingle(
        cl_ord_id="o1",
        symbol="KXBTCD-25DEC31-T100000",
        side=Side.BUY_YES,
        order_qty=Decimal("10"),
        ord_type=OrdType.LIMIT,
        price=Decimal("0.55"),
    )
    report = ExecutionReport(
        order_id="ord-1",
        cl_ord_id="o1",
        exec_id="1;1",
        exec_type=ExecType.NEW,
        ord_status=OrdStatus.NEW,
        side=Side.BUY_YES,
        symbol="KXBTCD-25DEC31-T100000",
        leaves_qty=Decimal("10"),
        cum_qty=Decimal(0),
        avg_px=Decimal(0),
        order_qty=Decimal("10"),
        price=Decimal("0.55"),
    )
    stamp = "20261124-10:00:00.000"
    request = build_frame("D", KEY_ID, "KalshiNR", 100, stamp, order.encode_body())
    reply = build_frame("8", "KalshiNR", KEY_ID, 100, stamp, report.encode_body())

    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    child = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=False
    )
    assert child.stdin is not None
    assert child.stdout is not None
    child.stdin.write(pem.replace(b"\n", b"|") + b"\n")
    child.stdin.write(json.dumps({"request": len(request), "reply": len(reply)}).encode() + b"\n")
    child.stdin.flush()
    ports = json.loads(child.stdout.readline())
    try:
        print(
            f"kalshi_fix order-entry round trip over loopback TCP (acceptor in a child process), "
            f"{LATENCY_N} sequential + {THROUGHPUT_N} pipelined orders (window {WINDOW}), median of {ROUNDS} rounds"
        )
        print(f"frames: NewOrderSingle {len(request)} B, ExecutionReport {len(reply)} B")
        floor_lat: list[float] = []
        floor_rates = []
        for _ in range(ROUNDS):
            lat, rate = await echo_figures(ports["echo"], request, len(reply))
            floor_lat += lat
            floor_rates.append(rate)
        floor_med, floor_p99, floor_rate = statistics.median(floor_lat), p99(floor_lat), statistics.median(floor_rates)
        print(f"{'':34} {'median':>10} {'p99':>10} {'orders/s':>10}   ratio to floor (latency, rate)")
        print(f"{'floor: bare asyncio echo':34} {floor_med:8.1f}us {floor_p99:8.1f}us {floor_rate:10,.0f}")
        with tempfile.TemporaryDirectory() as tmp:
            cases = [
                ("KalshiNR (memory store)", ports["nr"], False, None),
                ("KalshiRT (file store, fsync never)", ports["rt"], True, tmp),
            ]
            for label, port, retransmit, store_dir in cases:
                lats: list[float] = []
                rates = []
                for _ in range(ROUNDS):
                    lat, rate = await fix_figures(port, auth, retransmit=retransmit, store_dir=store_dir)
                    lats += lat
                    rates.append(rate)
                med, tail, rate = statistics.median(lats), p99(lats), statistics.median(rates)
                print(
                    f"{label:34} {med:8.1f}us {tail:8.1f}us {rate:10,.0f}   "
                    f"x{med / floor_med:.1f} latency, x{floor_rate / rate:.1f} slower"
                )
    finally:
        child.stdin.close()
        child.wait(timeout=10)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        asyncio.run(serve())
    else:
        asyncio.run(main())
