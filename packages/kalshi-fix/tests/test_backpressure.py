"""A slow reader never makes a session's memory grow without bound: backpressure, or drop-oldest on market data."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from kalshi_fix_test_acceptor import FixAcceptor
from kalshi_fix_test_helpers import local, new_ack, wait_for

from kalshi_auth import KalshiAuth, KalshiConfigError
from kalshi_fix import DEFAULT_MAX_QUEUED, QueueOverflow
from kalshi_fix._client import FixClient
from kalshi_fix._session import SessionConfig, SessionProtocol, SessionState
from kalshi_fix._store import MemoryStore
from kalshi_fix.messages import (
    ExecutionReport,
    MarketDataIncrementalRefresh,
    MarketSettlementParty,
    MDIncrementalEntry,
    MDSnapshotEntry,
    decode_app_message,
)

# One socket read (asyncio reads up to 256 KiB) may land after the pause; those frames are queued too.
ONE_READ = 256 * 1024 // 200


def report(n: int) -> ExecutionReport:
    return new_ack(n, symbol="KXFLOOD-26", text="x" * 200)  # ~500 bytes a frame: outgrows the socket buffers


async def test_a_flood_to_a_slow_reader_pauses_the_socket_and_loses_nothing(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey
) -> None:
    acceptor = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiNR")
    await acceptor.start()
    total = 12_000
    max_queued = 100
    try:
        async with local(auth, acceptor, max_queued=max_queued).order_entry() as session:
            assert session.overflow is QueueOverflow.BACKPRESSURE
            acceptor.push_many([report(n) for n in range(total)])
            await wait_for(lambda: session.connection.reading_paused)
            await asyncio.sleep(0.2)  # a reader that stalls: nothing more is taken in meanwhile
            held = session.queued
            assert held <= max_queued + ONE_READ
            assert acceptor.write_buffer_size() > 0  # TCP pushed back on the gateway
            seen: list[str] = []
            peak = held
            async with asyncio.timeout(30):
                async for message in session.messages():
                    assert isinstance(message, ExecutionReport)
                    seen.append(message.cl_ord_id)
                    peak = max(peak, session.queued)
                    if len(seen) % 500 == 0:
                        await asyncio.sleep(0.001)  # slow: the socket fills between bursts
                    if len(seen) == total:
                        break
            assert seen == [f"o{n}" for n in range(total)]  # in order, none lost, none twice
            assert peak <= max_queued + ONE_READ
            assert session.dropped == 0
            assert not session.connection.reading_paused
            assert session.is_logged_on
    finally:
        await acceptor.stop()


async def test_an_async_callback_that_lags_gets_backpressure_too(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> None:
    acceptor = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiNR")
    await acceptor.start()
    gate = asyncio.Event()
    got: list[str] = []

    async def on_message(frame: Any) -> None:
        await gate.wait()
        got.append(frame.get(11))

    try:
        async with local(auth, acceptor, max_queued=50).order_entry(on_message=on_message) as session:
            acceptor.push_many([report(n) for n in range(6000)])
            await wait_for(lambda: session.connection.reading_paused)
            await asyncio.sleep(0.1)
            assert session.queued <= 50 + ONE_READ
            gate.set()
            await wait_for(lambda: len(got) == 6000)
            assert got == [f"o{n}" for n in range(6000)]
    finally:
        await acceptor.stop()


async def test_a_reconnect_while_paused_still_logs_on(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> None:
    acceptor = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiNR")
    await acceptor.start()
    try:
        async with local(auth, acceptor, max_queued=20).order_entry() as session:
            acceptor.push_many([report(n) for n in range(3000)])
            await wait_for(lambda: session.connection.reading_paused)
            session.connection.drop()  # a paused socket learns of a peer's reset only when it writes; abort here
            # the queue is still full, yet the new socket must read the Logon answer
            await wait_for(lambda: session.connection.connects == 2 and session.is_logged_on)
            acceptor.push_many([report(n) for n in range(3000, 3100)])
            await wait_for(lambda: session.connection.reading_paused)  # and paused again once a message queues
            seen = 0
            async with asyncio.timeout(10):
                async for message in session.messages():
                    assert isinstance(message, ExecutionReport)
                    seen += 1
                    if message.cl_ord_id == "o3099":
                        break
            assert seen <= 3100
            assert session.queued == 0
    finally:
        await acceptor.stop()


async def test_market_data_drops_the_oldest_frames_but_keeps_the_book(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey
) -> None:
    md = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiMD")
    await md.start()
    md.books["KXA"] = [MDSnapshotEntry(md_entry_type="0", md_entry_px=Decimal("0.40"), md_entry_size=Decimal("1"))]
    updates = 400
    try:
        async with local(auth, md, max_queued=10).market_data() as session:
            assert session.overflow is QueueOverflow.DROP_OLDEST
            await session.subscribe("KXA")
            book = session.book("KXA")
            await wait_for(lambda: book.ready)
            md.push_many(
                [
                    MarketDataIncrementalRefresh(
                        md_entries=[
                            MDIncrementalEntry(
                                md_update_action="1",
                                symbol="KXA",
                                md_entry_type="0",
                                md_entry_px=Decimal("0.40"),
                                md_entry_size=Decimal(n + 2),
                            )
                        ]
                    )
                    for n in range(updates)
                ]
            )
            await wait_for(lambda: book.bids.get(Decimal("0.40")) == Decimal(updates + 1))  # every update applied
            assert session.queued == 10
            assert not session.connection.reading_paused
            # the snapshot and the oldest updates were dropped; the newest ten wait, in order
            assert session.dropped == updates + 1 - 10
            sizes = []
            for _ in range(10):
                message = decode_app_message(await session.receive(timeout=5))
                assert isinstance(message, MarketDataIncrementalRefresh)
                assert message.md_entries is not None
                sizes.append(message.md_entries[0].md_entry_size)
            assert sizes == [Decimal(n + 2) for n in range(updates - 10, updates)]
    finally:
        await md.stop()


async def test_settlement_fragments_do_not_pile_up_in_the_frame_queue(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey
) -> None:
    pt = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiPT", retransmits=True)
    await pt.start()
    parties = [
        MarketSettlementParty(market_settlement_party_id=f"a{n}", market_settlement_party_role=24, long_qty=Decimal(n))
        for n in range(6)
    ]
    try:
        async with local(auth, pt).post_trade() as session:
            pt.send_settlement("KXA", parties, page_size=2, price=Decimal("1.00"))
            async with asyncio.timeout(5):
                async for whole in session.settlements():
                    assert len(whole.parties) == 6
                    break
            assert session.queued == 0  # the three fragments went to settlements() only
    finally:
        await pt.stop()


async def test_an_async_on_message_still_sees_settlement_fragments(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey
) -> None:
    pt = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiPT", retransmits=True)
    await pt.start()
    fragments: list[str | None] = []
    wholes: list[Any] = []

    async def on_message(frame: Any) -> None:
        fragments.append(frame.msg_type)

    parties = [
        MarketSettlementParty(market_settlement_party_id=f"a{n}", market_settlement_party_role=24, long_qty=Decimal(n))
        for n in range(4)
    ]
    try:
        client = local(auth, pt)
        async with client.post_trade(on_message=on_message, on_settlement=wholes.append):
            pt.send_settlement("KXA", parties, page_size=2, price=Decimal("1.00"))
            await wait_for(lambda: len(fragments) == 2 and len(wholes) == 1)
        assert fragments == ["UMS", "UMS"]
    finally:
        await pt.stop()


def test_max_queued_must_be_a_positive_int(auth: KalshiAuth) -> None:
    assert FixClient(auth).max_queued == DEFAULT_MAX_QUEUED
    for bad in (0, -1, 1.5):
        with pytest.raises(KalshiConfigError, match="max_queued"):
            FixClient(auth, max_queued=bad)  # type: ignore[arg-type]


def test_a_session_that_is_not_reading_does_not_blame_the_peer() -> None:
    config = SessionConfig(sender_comp_id="me", target_comp_id="KalshiNR", heartbeat_interval=30, sign=lambda _: "s")
    session = SessionProtocol(config, MemoryStore())
    session.connect(1000.0)
    session.state = SessionState.ACTIVE  # as after the Logon answer
    session.data_to_send()
    # paused for four heartbeat intervals: no TestRequest goes out and the session stays up
    for now in (1030.0, 1060.0, 1090.0, 1120.0):
        session.hold_liveness(now)
        events = session.handle_timeout(now)
        assert events == []
        sent = b"".join(session.data_to_send())
        assert b"\x0135=1\x01" not in sent
        assert b"\x0135=0\x01" in sent  # our Heartbeats still go out
    assert session.is_active
    # and without the hold, silence is the peer's: a TestRequest follows
    session.handle_timeout(1160.0)  # 40 s of silence > 30 s * (1 + test_request_delay)
    assert b"\x0135=1\x01" in b"".join(session.data_to_send())
