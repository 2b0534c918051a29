"""Helpers for the FIX reliability tests: a trader in its own process (`fix_trader.py`), the simulator's
order log, and a counterparty sequence reset injected from the acceptor's side."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from kalshi_auth import FixSessionType
from kalshi_fix import FixFrame, build_frame, format_sending_time
from kalshi_fix.messages import NewOrderSingle, Side
from kalshi_testing import KalshiExchange

from .conftest import open_fds
from .fixproxy import FixProxy

RT = FixSessionType.ORDER_ENTRY_RETRANSMIT
FED = "KXFED-26DEC-T3.50"
TRADER = Path(__file__).with_name("fix_trader.py")
STEP = 10.0  # seconds: the bound on every wait below


async def until(predicate: Any, what: str, timeout: float = STEP) -> None:  # noqa: ASYNC109
    """Poll `predicate` until it holds (bounded in time)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class Trader:
    """`fix_trader.py` in its own process: commands on stdin, one JSON line per answer on stdout."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(
        cls, ex: KalshiExchange, port: int, store: Path, reports: Path, *, die_after: int = 0, stderr: Any = None
    ) -> Trader:
        env = dict(os.environ, FIX_TRADER_KEY_ID=ex.user.key_id, FIX_TRADER_KEY_PEM=ex.user.private_key_pem.decode())
        env["FIX_TRADER_DIE_AFTER"] = str(die_after)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(TRADER), "127.0.0.1", str(port), str(store), str(reports),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr, env=env,
        )  # fmt: skip
        return cls(proc)

    async def answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), STEP)
        if not line:
            raise AssertionError(f"the trader process ended (exit {await self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def command(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text.encode() + b"\n")
        await self.proc.stdin.drain()

    async def send(self, cl_ord_id: str, price: str) -> int:
        await self.command(f"send {cl_ord_id} {price}")
        answer = await self.answer()
        assert answer.get("sent") == cl_ord_id, answer
        seq: int = answer["seq"]
        return seq

    async def kill(self) -> int:
        if self.proc.returncode is None:
            self.proc.kill()  # SIGKILL: no Logout, no flush, no finally
        return await self._ended()

    async def quit(self) -> int:
        await self.command("quit")
        assert (await self.answer()).get("closed") is True
        return await self._ended()

    async def _ended(self) -> int:
        code = await asyncio.wait_for(self.proc.wait(), STEP)
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        await asyncio.sleep(0)  # let the pipe transports close
        return code


async def fds_above(before: int) -> int:
    """Descriptors held beyond `before`, once closing sockets (on the simulator's thread too) have closed."""
    deadline = time.monotonic() + 2
    while open_fds() > before and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return max(open_fds() - before, 0)


def read_reports(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def exec_reports(frames: list[FixFrame]) -> list[FixFrame]:
    return [f for f in frames if f.msg_type == "8"]


def engine_orders(ex: KalshiExchange, prefix: str) -> Counter[str]:
    """ClOrdID -> how many orders the simulator's engine holds under it."""
    ids = ex.simulator.call(lambda e: [str(o.meta.get("client_order_id") or "") for o in e.orders.values()])
    return Counter(i for i in ids if i.startswith(prefix))


def rest_order_ids(ex: KalshiExchange) -> list[str]:
    """The client_order_id of every order on the REST order list."""
    with ex.client() as client:
        return [o.client_order_id or "" for o in client.orders.list(limit=200).items]


def price(i: int) -> str:
    return f"0.{10 + i % 10:02d}"  # below the seeded offer: every order rests


def order(cl_ord_id: str, limit: str) -> NewOrderSingle:
    """A 1-lot resting bid on FED."""
    return NewOrderSingle(
        cl_ord_id=cl_ord_id, symbol=FED, side=Side.BUY_YES, order_qty=Decimal(1), price=Decimal(limit)
    )


def counterparty_sequence_reset(ex: KalshiExchange, new_seq: Any, *, move: bool) -> tuple[int, int]:
    """The acceptor sends the live RT session a SequenceReset-Reset (35=4, 123=N) to `new_seq(next)`; with
    `move` it really continues from there. Reset mode's MsgSeqNum is ignored by the receiver (FIXT 1.1), so
    the reset carries the acceptor's next number without using it up. Returns (its MsgSeqNum, NewSeqNo)."""
    sim = ex.simulator

    def inject(_: Any) -> tuple[int, int]:
        conn = sim.fix.active[(False, RT, ex.user.key_id)]
        assert conn.session is not None and conn.transport is not None
        store = conn.session.store
        seq = store.next_sender_seq
        new = int(new_seq(seq))
        body = f"123=N\x0136={new}\x01".encode()
        conn.transport.write(build_frame("4", conn.comp_id, ex.user.key_id, seq, format_sending_time(), body))
        if move:
            store.set_next_sender_seq(new)
        return seq, new

    return sim.call(inject)


def proxy_reject(proxy: FixProxy) -> bool:
    return any(f.msg_type == "3" for f in proxy.frames("up"))
