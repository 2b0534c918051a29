"""FIX under faults, against the simulator's acceptor (docs.kalshi.com/fix/connectivity: only KalshiRT and
KalshiRFQ retransmit; every other session logs on with ResetSeqNumFlag=Y).

- A trader process on KalshiRT with an on-disk store is SIGKILLed with reports and orders in flight; a second
  process from the same store resumes the numbering, resends with PossDupFlag=Y, and the simulator's order
  log holds every order exactly once, every ExecutionReport reaching one of the two processes exactly once.
- A trader process that dies handling the first of five reports it read at once gets all five again on
  restart (PossDupFlag=Y): an inbound MsgSeqNum is journalled only once the application has handled it.
- The counterparty resets its sequence numbers (SequenceReset-Reset mid-session; its store wiped while the
  client is away, as after Kalshi's weekly maintenance): the client follows the FIXT rules and loses nothing.
- A refused logon: one typed error, and no reconnect storm.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest

from kalshi_fix import (
    ConnectionState,
    FileStore,
    FixConnectionError,
    FixFrame,
    FixLogonError,
    FsyncPolicy,
    GapDetected,
    decode_app_message,
)
from kalshi_fix.messages import ExecType
from kalshi_testing import KalshiExchange

from .conftest import SENTRY, Ledger, open_fds
from .fixkit import (
    RT,
    STEP,
    Trader,
    counterparty_sequence_reset,
    engine_orders,
    exec_reports,
    fds_above,
    order,
    price,
    proxy_reject,
    read_reports,
    rest_order_ids,
    until,
)
from .fixproxy import FixProxy

ACKED, UNREAD, UNSENT = 6, 4, 3  # orders acknowledged / reports in flight / orders never delivered, at the kill


@pytest.mark.parametrize("asked", ["the gap", "everything from 1"])
async def test_killed_trader_process_resumes_from_its_store_without_duplicating_or_losing(
    kalshi_exchange: KalshiExchange, ledger: Ledger, tmp_path: Path, asked: str
) -> None:
    """The acceptor asks the restarted process for the gap its Logon shows, or (a fault) for everything from
    MsgSeqNum 1: resends carry PossDupFlag=Y and OrigSendingTime, and nothing already booked is booked again."""
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
        if asked == "everything from 1":
            ex.simulator.fix.faults.resend_request("KalshiRT", begin=1)
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
    assert sorted(resent) == sorted(unsent if asked == "the gap" else ids)  # exactly what the acceptor asked for
    first_link = proxy.links[0]
    original = {f.msg_seq_num: f for f in first_link.up + first_link.swallowed_up if f.msg_type == "D"}
    for cl_ord_id, frame in resent.items():
        assert frame.msg_seq_num == seqs[cl_ord_id]  # resent under its original MsgSeqNum...
        assert frame.get(122) == original[frame.msg_seq_num].get(52)  # ...with OrigSendingTime its first SendingTime
    redelivered = [f for f in exec_reports(link.down) if f.poss_dup_flag]
    assert sorted(decode_app_message(f).cl_ord_id for f in redelivered) == sorted(unread)  # type: ignore[attr-defined]
    never_read = {f.msg_seq_num: f for f in exec_reports(first_link.swallowed_down)}
    for frame in redelivered:  # the acceptor resent the reports process 1 never read, as they first were
        assert frame.get(122) == never_read[frame.msg_seq_num].get(52)

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
        f"KalshiRT trader process SIGKILLed mid-stream, restarted from its on-disk store; acceptor asks for {asked}",
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


async def test_rt_connection_cut_again_and_again_mid_stream_loses_and_duplicates_nothing(
    kalshi_exchange: KalshiExchange, ledger: Ledger
) -> None:
    ex = kalshi_exchange
    orders, cut_every = 160, 8
    ids = [f"cut{i}" for i in range(orders)]
    frames: list[FixFrame] = []
    started = time.monotonic()
    async with (
        FixProxy(ex.simulator.fix.ports[(False, RT)]) as proxy,
        ex.fix_client(host="127.0.0.1", port=proxy.port).order_entry(retransmit=True, on_message=frames.append) as rt,
    ):
        cuts = 0
        for i, cl_ord_id in enumerate(ids):
            await rt.send(order(cl_ord_id, price(i)), timeout=STEP)
            if i % cut_every == cut_every - 1:
                await asyncio.sleep(0.002 * (i % 5))  # cut at varying points: before, during, after the reports
                proxy.cut()
                cuts += 1
                await until(lambda n=cuts + 1: rt.connection.connects == n and rt.is_logged_on, "the reconnect")
        await until(lambda: len({decode_app_message(f).cl_ord_id for f in frames}) == orders, "every report")  # type: ignore[attr-defined]
        await asyncio.sleep(0.3)  # a duplicate would arrive by now
        connects = rt.connection.connects
    got = Counter(decode_app_message(f).cl_ord_id for f in frames)  # type: ignore[attr-defined]
    booked = engine_orders(ex, "cut")
    assert got == Counter(ids)  # every report exactly once
    assert booked == Counter(ids)  # every order exactly once
    assert connects == cuts + 1 == orders // cut_every + 1
    resent_up = sum(f.msg_type == "D" and f.poss_dup_flag for f in proxy.frames("up"))
    resent_down = sum(f.msg_type == "8" and f.poss_dup_flag for f in proxy.frames("down"))
    ledger.row(
        "FIX",
        f"KalshiRT connection cut every {cut_every} orders, {orders} orders",
        injected=cuts,
        survived=connects - 1,
        sent_twice=sum(n - 1 for n in booked.values()) + sum(n - 1 for n in got.values()),
        lost=orders - len(booked) + orders - len(got),
        figures={
            "reconnects": connects - 1,
            "orders_resent_possdup": resent_up,
            "reports_resent_possdup": resent_down,
            "seconds": round(time.monotonic() - started, 1),
        },
    )


async def test_a_second_process_on_a_live_store_is_refused_and_sends_nothing(
    kalshi_exchange: KalshiExchange, ledger: Ledger, tmp_path: Path
) -> None:
    """A supervisor that starts the replacement before the old process is gone: two processes on one session's
    numbers would each send MsgSeqNum N. The store's lock refuses the second before it connects."""
    ex = kalshi_exchange
    store = tmp_path / "store"
    async with FixProxy(ex.simulator.fix.ports[(False, RT)]) as proxy:
        first = await Trader.start(ex, proxy.port, store, tmp_path / "p1.jsonl")
        assert (await first.answer())["ready"]
        await first.send("lock0", price(0))
        second = await Trader.start(ex, proxy.port, store, tmp_path / "p2.jsonl", stderr=asyncio.subprocess.PIPE)
        assert second.proc.stderr is not None
        code = await asyncio.wait_for(second.proc.wait(), STEP)
        err = (await second.proc.stderr.read()).decode(errors="replace")
        SENTRY.text("fix trader stderr", err)
        await first.send("lock1", price(1))  # the first process trades on
        await until(lambda: len(read_reports(tmp_path / "p1.jsonl")) == 2, "the first process's reports")
        assert await first.quit() == 0
        connections = len(proxy.links)
    assert code != 0 and "FixStoreError" in err and "in use by another process" in err
    assert connections == 1  # the refused process never reached the gateway
    assert engine_orders(ex, "lock") == Counter(["lock0", "lock1"])
    ledger.row(
        "FIX",
        "a second trader process started on a live on-disk store",
        injected=1,
        survived=1,
        figures={"second_process_exit": code, "its_connections": connections - 1},
    )


async def test_reports_read_but_not_yet_handled_when_the_process_dies_are_redelivered(
    kalshi_exchange: KalshiExchange, ledger: Ledger, tmp_path: Path
) -> None:
    """Five reports reach the process in one read and it dies handling the first: the inbound MsgSeqNum is
    journalled only once the application has handled a message, so the restart asks for all five again and
    gets them with PossDupFlag=Y (at least once; the one already handled is recognisable by its ExecID)."""
    ex = kalshi_exchange
    store, reports1, reports2 = tmp_path / "store", tmp_path / "p1.jsonl", tmp_path / "p2.jsonl"
    ids = [f"c{i}" for i in range(5)]
    async with FixProxy(ex.simulator.fix.ports[(False, RT)]) as proxy:
        first = await Trader.start(ex, proxy.port, store, reports1, die_after=1)
        assert (await first.answer())["ready"]
        proxy.hold("down", keep=True)  # the five reports reach the process in one read
        for i, cl_ord_id in enumerate(ids):
            await first.send(cl_ord_id, price(i))
        await until(lambda: len(exec_reports(proxy.links[0].down)) == len(ids), "the five reports")
        proxy.release()
        assert await asyncio.wait_for(first.proc.wait(), STEP) == -9  # killed itself handling the first
        await first.kill()
        proxy.cut()
        second = await Trader.start(ex, proxy.port, store, reports2)
        assert (await second.answer())["ready"]
        await asyncio.sleep(1.0)  # a resend would have arrived by now
        assert await second.quit() == 0
    seen1, seen2 = read_reports(reports1), read_reports(reports2)
    seen = seen1 + seen2
    delivered = {r["cl_ord_id"] for r in seen if r["exec_type"] == "0"}
    assert engine_orders(ex, "c") == Counter(ids)
    assert delivered == set(ids)
    assert [r["cl_ord_id"] for r in seen1] == ids[:1]  # it died handling the first
    redelivered = [r for r in seen2 if r["cl_ord_id"].startswith("c")]
    assert sorted(r["cl_ord_id"] for r in redelivered) == ids  # all five asked for again, the handled one too
    assert all(r["poss_dup"] for r in redelivered)  # each resent with PossDupFlag=Y
    twice = Counter(r["exec_id"] for r in seen) - Counter({r["exec_id"]: 1 for r in seen})
    assert list(twice) == [seen1[0]["exec_id"]]  # the one duplicate has the ExecID the dead process saw
    ledger.row(
        "FIX",
        "KalshiRT trader process dies handling the first of five reports received in one read",
        injected=1,
        survived=1,
        sent_twice=sum(n - 1 for n in engine_orders(ex, "c").values()),
        lost=len(set(ids) - delivered),
        figures={"reports_resent_possdup": len(redelivered), "handled_twice_same_exec_id": sum(twice.values())},
    )


async def test_counterparty_sequence_reset_mid_session_is_followed_and_loses_nothing(
    kalshi_exchange: KalshiExchange, ledger: Ledger
) -> None:
    ex = kalshi_exchange
    frames: list[FixFrame] = []
    async with (
        FixProxy(ex.simulator.fix.ports[(False, RT)]) as proxy,
        ex.fix_client(host="127.0.0.1", port=proxy.port).order_entry(retransmit=True, on_message=frames.append) as rt,
    ):
        for i in range(3):
            await rt.send(order(f"sr{i}", price(i)))
        await until(lambda: len(frames) == 3, "the first reports")
        # forward: the counterparty jumps 50 ahead; the client follows without asking for the skipped range
        _, new = counterparty_sequence_reset(ex, lambda nxt: nxt + 50, move=True)
        await until(lambda: rt.store.next_target_seq == new, "the client to take NewSeqNo")
        for i in range(3, 6):
            await rt.send(order(f"sr{i}", price(i)))
        await until(lambda: len(frames) == 6, "the reports after the forward reset")
        assert frames[3].msg_seq_num == new
        # backward: a reset that would rewind is refused with a session Reject (373=5); nothing rewinds
        expected = rt.store.next_target_seq
        rewind_seq, _ = counterparty_sequence_reset(ex, lambda nxt: 2, move=False)
        await until(lambda: proxy_reject(proxy), "the reject")
        assert rt.store.next_target_seq == expected
        for i in range(6, 9):
            await rt.send(order(f"sr{i}", price(i)))
        await until(lambda: len(frames) == 9, "the reports after the refused rewind")
        await asyncio.sleep(0.2)  # a duplicate or a late resend would arrive by now
        events = list(rt.events)
    up = proxy.frames("up")
    rejects = [f for f in up if f.msg_type == "3"]
    assert [(f.get(45), f.get(373)) for f in rejects] == [(str(rewind_seq), "5")]  # value incorrect, that one only
    assert not [f for f in up if f.msg_type == "2"]  # no ResendRequest: a reset is not a gap
    assert not [e for e in events if isinstance(e, GapDetected)]
    got = Counter(decode_app_message(f).cl_ord_id for f in frames)  # type: ignore[attr-defined]
    assert got == Counter(f"sr{i}" for i in range(9))  # every report once, none lost across both resets
    assert engine_orders(ex, "sr") == Counter(f"sr{i}" for i in range(9))
    ledger.row(
        "FIX",
        "counterparty SequenceReset-Reset mid-session (forward +50, then a rewind)",
        injected=2,
        survived=2,
        lost=9 - len(got),
        sent_twice=sum(n - 1 for n in got.values()),
        figures={"new_seq_no": new, "rejects_sent": len(rejects), "resend_requests_sent": 0},
    )


async def test_counterparty_reset_while_away_is_a_typed_error_then_a_fresh_logon_loses_nothing(
    kalshi_exchange: KalshiExchange, ledger: Ledger, tmp_path: Path
) -> None:
    """Kalshi resets sequence numbers at its weekly maintenance (docs.kalshi.com/fix/connectivity: users
    restart their sessions and reset sequence numbers). A client that resumes its stored numbers meets a Logon
    numbered 1: a lower MsgSeqNum without PossDupFlag is fatal (FIXT 1.1), so it logs out with one typed error
    instead of trading on a wrong count or resending its orders; a fresh logon (ResetSeqNumFlag=Y) then trades."""
    ex = kalshi_exchange
    frames: list[FixFrame] = []
    async with FixProxy(ex.simulator.fix.ports[(False, RT)]) as proxy:
        client = ex.fix_client(host="127.0.0.1", port=proxy.port, store_dir=tmp_path)
        async with client.order_entry(retransmit=True, on_message=frames.append) as rt:
            for i in range(3):
                await rt.send(order(f"mw{i}", price(i)))
            await until(lambda: len(frames) == 3, "the reports before maintenance")
        ex.simulator.call(lambda _: ex.simulator.fix.stores[(False, RT, ex.user.key_id)].reset())
        resumed = client.order_entry(retransmit=True, on_message=frames.append)
        with pytest.raises(FixConnectionError, match=r"MsgSeqNum too low.*log on again .*fresh=True"):
            await resumed.open(timeout=STEP)
        await asyncio.sleep(0.3)  # a reconnect, or a resend of the stored orders, would show by now
        attempts = len(proxy.links) - 1
        resent = [f for f in proxy.links[-1].up if f.msg_type == "D"]
        async with client.order_entry(retransmit=True, fresh=True, on_message=frames.append) as rt:
            for i in range(3, 6):
                await rt.send(order(f"mw{i}", price(i)))
            await rt.send(order("mw0", price(0)))  # a re-submission after the reset: the exchange still knows it
            await until(lambda: len(frames) == 7, "the reports after the fresh logon")
            await asyncio.sleep(0.2)
        fresh_logon = next(f for f in proxy.links[-1].up if f.msg_type == "A")
    assert attempts == 1  # one logon, no reconnect storm
    assert resent == []  # the stored orders were not replayed into the reset session
    assert (fresh_logon.msg_seq_num, fresh_logon.get(141)) == (1, "Y")
    reports = [decode_app_message(f) for f in frames]
    assert Counter(r.cl_ord_id for r in reports if r.exec_type == ExecType.NEW) == Counter(  # type: ignore[attr-defined]
        f"mw{i}" for i in range(6)
    )
    assert [r.exec_type for r in reports if r.cl_ord_id == "mw0"] == [ExecType.NEW, ExecType.REJECTED]  # type: ignore[attr-defined]
    assert engine_orders(ex, "mw") == Counter(f"mw{i}" for i in range(6))  # every order once, none lost
    ledger.row(
        "FIX",
        "counterparty reset its sequence numbers while the client was away (weekly maintenance)",
        injected=1,
        survived=1,
        sent_twice=len(resent),
        lost=6 - len(engine_orders(ex, "mw")),
        figures={"logon_attempts_before_fresh": attempts, "error": "FixConnectionError: MsgSeqNum too low"},
    )


@pytest.mark.parametrize("when", ["first logon", "reconnect"])
async def test_a_rejected_logon_is_one_typed_error_and_no_reconnect_storm(
    kalshi_exchange: KalshiExchange, ledger: Ledger, when: str
) -> None:
    ex = kalshi_exchange
    faults = ex.simulator.fix.faults
    async with FixProxy(ex.simulator.fix.ports[(False, RT)]) as proxy:
        client = ex.fix_client(host="127.0.0.1", port=proxy.port)
        session = client.order_entry(retransmit=True)
        started = time.monotonic()
        if when == "first logon":
            faults.reject_logon("KalshiRT", "key disabled", times=50)
            with pytest.raises(FixLogonError, match="key disabled"):
                await session.open(timeout=STEP)
        else:
            await session.open(timeout=STEP)
            faults.reject_logon("KalshiRT", "key disabled", times=50)
            proxy.cut()  # the connection dies; the reconnect's Logon is refused
            await until(lambda: session.state is ConnectionState.CLOSED, "the session to give up")
            with pytest.raises(FixLogonError, match="key disabled"):
                await session.send(order("never", "0.10"), timeout=STEP)
            await session.close()
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.5)  # a retry would have connected by now (the backoff is 10-50 ms)
        refused = faults.fired.count("reject_logon:KalshiRT")
        connections = len(proxy.links)
    faults.clear()
    assert refused == 1
    assert connections == (1 if when == "first logon" else 2)
    assert engine_orders(ex, "never") == Counter()
    ledger.row(
        "FIX",
        f"logon rejected on the {when}",
        injected=1,
        survived=1,
        figures={"logon_attempts": refused, "connections": connections, "seconds_to_error": round(elapsed, 2)},
    )
