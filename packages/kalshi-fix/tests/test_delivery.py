"""At-least-once delivery on the sessions that retransmit: an inbound MsgSeqNum reaches the journal only once
the application has handled the message, so a process that dies with received reports unhandled asks for
them again on restart (they come back with PossDupFlag=Y) instead of losing fills."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from kalshi_fix_test_acceptor import FixAcceptor
from kalshi_fix_test_helpers import FAST, local, new_ack, wait_for

from kalshi_auth import KalshiAuth
from kalshi_fix._codec import FixFrame, parse_frame
from kalshi_fix._connection import FixConnection, ReconnectPolicy
from kalshi_fix._session import (
    ApplicationMessage,
    CloseConnection,
    GapDetected,
    SessionConfig,
    SessionEvent,
    SessionProtocol,
    SessionState,
)
from kalshi_fix._store import FileStore, FsyncPolicy, MemoryStore
from kalshi_fix.messages import decode_app_message

T0 = 1_763_000_000.0
KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"


def journalled_target(path: Path) -> int:
    """The next inbound MsgSeqNum a restart would resume from: the journal's last `T` record."""
    return int(re.findall(rb"^T (\d+)$", path.read_bytes(), re.MULTILINE)[-1])


# ------------------------------------------------------------------------------------ sans-I/O


class Link:
    """A KalshiRT client on a FileStore and a gateway, back to back; the gateway's frames can be held and
    handed over in one read, as a socket does."""

    def __init__(self, path: Path, *, commit_on_handled: bool = True) -> None:
        self.path = path
        self.gateway = SessionProtocol(
            SessionConfig("KalshiRT", KEY, retransmits=True, initiator=False), MemoryStore(keep_messages=True)
        )
        self.client = self.restart(commit_on_handled=commit_on_handled)

    def restart(self, *, commit_on_handled: bool = True) -> SessionProtocol:
        config = SessionConfig(KEY, "KalshiRT", retransmits=True, commit_on_handled=commit_on_handled)
        self.client = SessionProtocol(config, FileStore(self.path, fsync=FsyncPolicy.NEVER))
        return self.client

    def pump(self, now: float = T0) -> tuple[list[SessionEvent], list[FixFrame]]:
        """Exchange frames until both go quiet; the client's events and the frames it sent."""
        events: list[SessionEvent] = []
        sent: list[FixFrame] = []
        for _ in range(20):
            up, down = self.client.data_to_send(), self.gateway.data_to_send()
            if not up and not down:
                return events, sent
            for frame in up:
                sent.append(parse_frame(frame))
                self.gateway.receive(frame, now)
            if down:
                events += self.client.receive(b"".join(down), now)
        raise AssertionError("the sessions never went quiet")

    def logon(self, now: float = T0) -> tuple[list[SessionEvent], list[FixFrame]]:
        self.gateway.accept(now)
        self.client.connect(now)
        result = self.pump(now)
        assert self.client.state is SessionState.ACTIVE
        return result

    def reports(self, n: int, now: float = T0) -> list[ApplicationMessage]:
        """The gateway sends `n` ExecutionReports; the client reads them in one read."""
        for i in range(n):
            self.gateway.send("8", b"17=e%d\x01" % i, now)
        events, _ = self.pump(now)
        return [e for e in events if isinstance(e, ApplicationMessage)]


def test_a_process_dying_before_commit_asks_again_from_the_first_unhandled_report(tmp_path: Path) -> None:
    link = Link(tmp_path / "rt.log")
    link.logon()
    got = link.reports(5)
    seqs = [m.seq for m in got]
    assert link.client.store.next_target_seq == seqs[-1] + 1  # the live counter moves at once (gap detection)
    assert journalled_target(link.path) == seqs[0]  # nothing handled yet: nothing recorded
    link.client.commit(seqs[0])
    link.client.commit(seqs[1])
    assert journalled_target(link.path) == seqs[2]
    # the process dies handling the third report: the session object is gone, the journal is what it is
    link.client.store.close()
    restarted = link.restart()
    assert restarted.store.next_target_seq == seqs[2]
    link.gateway.connection_lost(T0)
    events, sent = link.logon(T0 + 1)
    (resend,) = [f for f in sent if f.msg_type == "2"]
    assert (resend.get(7), resend.get(16)) == (str(seqs[2]), "0")  # from the first unhandled report on
    assert next(e for e in events if isinstance(e, GapDetected)).begin == seqs[2]
    again = [e for e in events if isinstance(e, ApplicationMessage)]
    assert [(m.seq, m.poss_dup, m.frame.get(17)) for m in again] == [
        (seqs[2], True, "e2"),
        (seqs[3], True, "e3"),
        (seqs[4], True, "e4"),
    ]
    restarted.store.close()


def test_admin_messages_behind_an_unhandled_report_wait_and_commits_may_come_out_of_order(tmp_path: Path) -> None:
    link = Link(tmp_path / "rt.log")
    link.logon()
    link.gateway.send("8", b"17=a\x01", T0)
    link.gateway.handle_timeout(T0 + 31)  # a Heartbeat between the two reports
    link.gateway.send("8", b"17=b\x01", T0 + 31)
    events, _ = link.pump(T0 + 31)
    first, second = (e.seq for e in events if isinstance(e, ApplicationMessage))
    assert second == first + 2
    assert link.client.store.next_target_seq == second + 1
    assert journalled_target(link.path) == first  # the Heartbeat is not recorded past the unhandled report
    link.client.commit(second)
    assert journalled_target(link.path) == first  # the first is still unhandled
    link.client.commit(first)
    assert journalled_target(link.path) == second + 1
    link.client.commit(first)  # a second commit of the same message changes nothing
    assert journalled_target(link.path) == second + 1
    link.client.store.close()


def test_without_commit_on_handled_a_message_is_recorded_on_receipt(tmp_path: Path) -> None:
    link = Link(tmp_path / "rt.log", commit_on_handled=False)
    link.logon()
    (got,) = link.reports(1)
    assert journalled_target(link.path) == got.seq + 1
    link.client.commit(got.seq)  # a no-op
    assert journalled_target(link.path) == got.seq + 1
    link.client.store.close()


def test_file_store_journals_the_committed_target_not_the_live_one(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    store = FileStore(path, fsync=FsyncPolicy.ALWAYS)
    store.set_next_target_seq(3)
    store.advance_target_seq(9)
    assert store.next_target_seq == 9
    store.commit_target_seq(5)
    store.close()
    again = FileStore(path)
    assert again.next_target_seq == 5
    again.close()


def test_a_counterparty_too_low_after_its_reset_tells_the_trader_to_log_on_fresh(tmp_path: Path) -> None:
    link = Link(tmp_path / "rt.log")
    link.logon()
    for got in link.reports(3):
        link.client.commit(got.seq)
    link.client.connection_lost(T0)
    link.gateway.connection_lost(T0)
    link.gateway.store.reset()  # the gateway's weekly maintenance
    link.gateway.accept(T0 + 1)
    link.client.connect(T0 + 1)
    events, _ = link.pump(T0 + 1)
    (close,) = [e for e in events if isinstance(e, CloseConnection)]
    assert "MsgSeqNum too low" in close.reason
    assert "fresh=True" in close.reason
    assert not close.reconnect
    link.client.store.close()


# ------------------------------------------------------------------------------------ the faces


def exec_ids(frames: list[FixFrame]) -> list[str]:
    return [decode_app_message(f).exec_id for f in frames]  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["function", "coroutine"])
async def test_on_message_commits_each_report_once_the_callback_returned(
    auth: KalshiAuth, rt: FixAcceptor, tmp_path: Path, kind: str
) -> None:
    """Inside the callback for report k, the journal holds everything before k and not k; a process dying
    there gets k again. Five reports arrive in one read."""
    seen: list[tuple[int, int]] = []
    handled: list[FixFrame] = []
    journal: list[Path] = []

    def record(frame: FixFrame) -> None:
        seen.append((frame.msg_seq_num, journalled_target(journal[0])))
        handled.append(frame)

    async def record_later(frame: FixFrame) -> None:
        await asyncio.sleep(0.01)
        record(frame)

    callback: Any = record if kind == "function" else record_later
    async with local(auth, rt, store_dir=tmp_path).order_entry(retransmit=True, on_message=callback) as session:
        journal.append(session.store.path)  # type: ignore[attr-defined]
        rt.push_many([new_ack(n) for n in range(5)])
        await wait_for(lambda: len(handled) == 5)
        await wait_for(lambda: journalled_target(journal[0]) == handled[-1].msg_seq_num + 1)
    assert [target for _, target in seen] == [seq for seq, _ in seen]  # each not recorded while in its callback
    assert exec_ids(handled) == [f"{n};1" for n in range(5)]


async def test_a_process_dying_in_its_callback_gets_that_report_and_the_rest_again(
    auth: KalshiAuth, rt: FixAcceptor, tmp_path: Path
) -> None:
    """The journal as it stood inside the callback for the third of five reports (one read) is what a killed
    process leaves; a process started on it is resent the third to fifth with PossDupFlag=Y."""
    handled: list[FixFrame] = []
    at_death: list[bytes] = []
    client = local(auth, rt, store_dir=tmp_path / "live", reconnect=ReconnectPolicy(enabled=False))

    def on_message(frame: FixFrame) -> None:
        handled.append(frame)
        if len(handled) == 3:
            at_death.append(Path(session.store.path).read_bytes())  # type: ignore[attr-defined]

    session = client.order_entry(retransmit=True, on_message=on_message)
    async with session:
        rt.push_many([new_ack(n) for n in range(5)])
        await wait_for(lambda: len(handled) == 5)
        rt.drop()  # the process is gone: no Logout, nothing more sent
        await wait_for(lambda: not session.is_logged_on)
    name = Path(session.store.path).name  # type: ignore[attr-defined]
    (tmp_path / "dead").mkdir()
    (tmp_path / "dead" / name).write_bytes(at_death[0])
    again: list[FixFrame] = []
    async with local(auth, rt, store_dir=tmp_path / "dead").order_entry(retransmit=True, on_message=again.append):
        await wait_for(lambda: len(again) == 3)
        await asyncio.sleep(0.05)  # a duplicate resend would arrive by now
    assert exec_ids(again) == ["2;1", "3;1", "4;1"]
    assert all(f.poss_dup_flag for f in again)
    assert [f.msg_seq_num for f in again] == [f.msg_seq_num for f in handled[2:]]


async def test_a_queue_reader_commits_the_previous_frame_when_it_asks_for_the_next_and_on_close(
    auth: KalshiAuth, rt: FixAcceptor, tmp_path: Path
) -> None:
    """`async for` / `receive()`: a frame counts as handled when the reader asks for the next one, or closes
    the session; frames still queued at close are resent to the next process (PossDupFlag=Y)."""
    session = local(auth, rt, store_dir=tmp_path).order_entry(retransmit=True)
    async with session:
        path = Path(session.store.path)  # type: ignore[attr-defined]
        rt.push_many([new_ack(n) for n in range(5)])
        read: list[FixFrame] = []
        async for frame in session:
            read.append(frame)
            assert journalled_target(path) == frame.msg_seq_num  # the previous is recorded, this one not
            if len(read) == 3:
                break
        assert journalled_target(path) == read[-1].msg_seq_num  # the third: still the reader's
    assert journalled_target(path) == read[-1].msg_seq_num + 1  # a clean close: the third is handled
    again: list[FixFrame] = []
    async with local(auth, rt, store_dir=tmp_path).order_entry(retransmit=True) as resumed:
        again.append(await resumed.receive(timeout=5))
        again.append(await resumed.receive(timeout=5))
        with pytest.raises(TimeoutError):
            await resumed.receive(timeout=0.1)
    assert exec_ids(read) == ["0;1", "1;1", "2;1"]
    assert exec_ids(again) == ["3;1", "4;1"]  # the two never read, once each
    assert all(f.poss_dup_flag for f in again)


async def test_a_bare_connection_commits_when_on_message_returns(
    auth: KalshiAuth, rt: FixAcceptor, tmp_path: Path
) -> None:
    """`FixConnection` on its own (no `FixSession`): `commit_after_callback` defaults to on."""
    path = tmp_path / "rt.log"
    config = SessionConfig(auth.key_id, "KalshiRT", retransmits=True, sign=auth.sign, commit_on_handled=True)
    session = SessionProtocol(config, FileStore(path, fsync=FsyncPolicy.NEVER))
    seen: list[tuple[int, int]] = []

    def on_message(event: ApplicationMessage) -> None:
        seen.append((event.seq, journalled_target(path)))

    conn = FixConnection(session, "127.0.0.1", rt.port, tls=False, reconnect=FAST, on_message=on_message)
    await conn.open(timeout=5)
    try:
        rt.push_many([new_ack(n) for n in range(3)])
        await wait_for(lambda: len(seen) == 3)
        assert journalled_target(path) == seen[-1][0] + 1
    finally:
        await conn.close()
        session.store.close()
    assert [target for _, target in seen] == [seq for seq, _ in seen]
