"""FIX under faults, against the simulator's acceptor (docs.kalshi.com/fix/connectivity: only KalshiRT and
KalshiRFQ retransmit; every other session logs on with ResetSeqNumFlag=Y).

- A trader process on KalshiRT with an on-disk store is SIGKILLed with reports and orders in flight; a second
  process from the same store resumes the numbering, resends with PossDupFlag=Y, and the simulator's order
  log holds every order exactly once, every ExecutionReport reaching one of the two processes exactly once.
- The counterparty resets its sequence numbers (SequenceReset-Reset mid-session; its store wiped while the
  client is away, as after Kalshi's weekly maintenance): the client follows the FIXT rules and loses nothing.
- A refused logon: one typed error, and no reconnect storm.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from kalshi_auth import FixSessionType
from kalshi_fix import FileStore, FixFrame, FsyncPolicy, decode_app_message
from kalshi_testing import KalshiExchange

from .conftest import Ledger, open_fds
from .fixproxy import FixProxy

RT = FixSessionType.ORDER_ENTRY_RETRANSMIT
TRADER = Path(__file__).with_name("fix_trader.py")
STEP = 10.0  # seconds: the bound on every wait below
ACKED, UNREAD, UNSENT = 6, 4, 3  # orders acknowledged / reports in flight / orders never delivered, at the kill


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
    async def start(cls, ex: KalshiExchange, port: int, store: Path, reports: Path) -> Trader:
        env = dict(os.environ, FIX_TRADER_KEY_ID=ex.user.key_id, FIX_TRADER_KEY_PEM=ex.user.private_key_pem.decode())
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(TRADER), "127.0.0.1", str(port), str(store), str(reports),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
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


async def test_killed_trader_process_resumes_from_its_store_without_duplicating_or_losing(
    kalshi_exchange: KalshiExchange, ledger: Ledger, tmp_path: Path
) -> None:
    ex = kalshi_exchange
    started = time.monotonic()
    fds_before = open_fds()
    store, reports1, reports2 = tmp_path / "store", tmp_path / "p1.jsonl", tmp_path / "p2.jsonl"
    ids = [f"k{i}" for i in range(ACKED + UNREAD + UNSENT)]
    acked, unread, unsent = ids[:ACKED], ids[ACKED : ACKED + UNREAD], ids[ACKED + UNREAD :]
    async with FixProxy(ex.simulator.fix.ports[(False, RT)]) as proxy:
        # process 1: orders acknowledged one by one, then reports the process never reads, then orders
        # that never reach the acceptor; then SIGKILL
        first = await Trader.start(ex, proxy.port, store, reports1)
        assert (await first.answer())["ready"]
        seqs: dict[str, int] = {}
        for i, cl_ord_id in enumerate(acked):
            seqs[cl_ord_id] = await first.send(cl_ord_id, price(i))
            await until(lambda n=i + 1: len(read_reports(reports1)) == n, f"the report for {cl_ord_id}")
        proxy.hold("down")
        for i, cl_ord_id in enumerate(unread, ACKED):
            seqs[cl_ord_id] = await first.send(cl_ord_id, price(i))
        await until(lambda: len(exec_reports(proxy.links[0].swallowed_down)) == UNREAD, "the unread reports")
        proxy.hold("up")
        for i, cl_ord_id in enumerate(unsent, ACKED + UNREAD):
            seqs[cl_ord_id] = await first.send(cl_ord_id, price(i))
        await until(lambda: len(proxy.links[0].swallowed_up) >= UNSENT, "the swallowed orders")
        assert await first.kill() == -9
        proxy.cut()
        proxy.release()
        before_restart = engine_orders(ex, "k")
        assert sorted(before_restart) == sorted(acked + unread)  # the acceptor never saw the last orders
        on_disk = FileStore(store / f"prediction-{ex.user.key_id}-KalshiRT.fixlog", fsync=FsyncPolicy.NEVER)
        resume_at = on_disk.next_sender_seq
        stored = {m.seq for m in on_disk.messages(1, resume_at)}
        on_disk.close()
        assert set(seqs.values()) <= stored  # every order the process sent is in its journal

        # process 2: same store; resumes, is asked for what the acceptor missed, gets what it never read
        second = await Trader.start(ex, proxy.port, store, reports2)
        assert (await second.answer())["ready"]
        link = proxy.links[-1]
        await until(lambda: sorted(engine_orders(ex, "k")) == sorted(ids), "the resent orders to be booked")
        await until(lambda: len(read_reports(reports1)) + len(read_reports(reports2)) >= len(ids), "every report")
        after = await second.send("k-after", "0.10")
        duplicate = await second.send(acked[0], price(0))  # a naive re-submission of an acknowledged order
        await until(lambda: any(r["cl_ord_id"] == "k-after" for r in read_reports(reports2)), "the new order's report")
        await until(
            lambda: sum(r["cl_ord_id"] == acked[0] for r in read_reports(reports2)) == 1, "the duplicate reject"
        )
        await asyncio.sleep(0.3)  # a duplicate report would arrive by now
        assert await second.quit() == 0
    logon = next(f for f in link.up if f.msg_type == "A")
    assert logon.msg_seq_num == resume_at > max(seqs.values())  # outbound numbering continues from the store
    assert after > logon.msg_seq_num and duplicate > after
    resent = {decode_app_message(f).cl_ord_id: f for f in link.up if f.msg_type == "D" and f.poss_dup_flag}  # type: ignore[attr-defined]
    assert sorted(resent) == sorted(unsent)  # exactly what the acceptor asked for
    for cl_ord_id, frame in resent.items():
        assert frame.msg_seq_num == seqs[cl_ord_id]  # resent under its original MsgSeqNum
        assert frame.get(122) is not None  # OrigSendingTime
    redelivered = [decode_app_message(f).cl_ord_id for f in exec_reports(link.down) if f.poss_dup_flag]  # type: ignore[attr-defined]
    assert sorted(redelivered) == sorted(unread)  # the acceptor resent the reports process 1 never read
    assert all(f.get(122) is not None for f in exec_reports(link.down) if f.poss_dup_flag)

    booked = engine_orders(ex, "k")
    assert booked == Counter({**dict.fromkeys(ids, 1), "k-after": 1})  # every order once; the naive resubmit refused
    listed = await asyncio.to_thread(rest_order_ids, ex)
    assert Counter(c for c in listed if c.startswith("k")) == booked  # the REST order list agrees
    seen1, seen2 = read_reports(reports1), read_reports(reports2)
    news = Counter(r["cl_ord_id"] for r in seen1 + seen2 if r["exec_type"] == "0")
    assert news == Counter({**dict.fromkeys(ids, 1), "k-after": 1})  # one New report per order, across both
    execs = Counter(r["exec_id"] for r in seen1 + seen2)
    assert max(execs.values()) == 1  # no report reached the application twice
    assert {r["cl_ord_id"] for r in seen1} == set(acked)
    rejects = [r for r in seen2 if r["cl_ord_id"] == acked[0]]
    assert [r["exec_type"] for r in rejects] == ["8"]  # ExecType REJECTED: ClOrdID already used
    leaked = await fds_above(fds_before)
    ledger.row(
        "FIX",
        "KalshiRT trader process SIGKILLed mid-stream, restarted from its on-disk store",
        injected=1,
        survived=1,
        sent_twice=sum(n - 1 for n in booked.values()),
        lost=len(set(ids) - set(booked)) + len(set(ids) - set(news)),
        leaked_fds=leaked,
        figures={
            "orders": len(ids) + 2,
            "reports_in_flight_resent": len(redelivered),
            "orders_in_flight_resent_possdup": len(resent),
            "resumed_at_seq": resume_at,
            "seconds": round(time.monotonic() - started, 1),
        },
    )
