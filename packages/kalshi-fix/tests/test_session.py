"""The sans-I/O session: bytes and a fake clock in, events and bytes out. No sockets, no event loop."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kalshi_auth import KalshiAuth
from kalshi_fix._codec import FrameSplitter, parse_frame
from kalshi_fix._session import (
    ApplicationMessage,
    BusinessReject,
    CloseConnection,
    FixNotLoggedOnError,
    FrameDropped,
    GapDetected,
    LoggedOn,
    LoggedOut,
    LogonRejected,
    SessionConfig,
    SessionEvent,
    SessionProtocol,
    SessionReject,
    SessionState,
    build_frame,
    encode_fields,
)
from kalshi_fix._store import FileStore, FsyncPolicy, MemoryStore

T0 = 1_763_000_000.0
KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"


def verify_signature(public_key: rsa.RSAPublicKey, frame: bytes) -> None:
    view = parse_frame(frame, verify_checksum=False)
    payload = "\x01".join((view.fields["52"], "A", view.fields["34"], view.fields["49"], view.fields["56"])).encode()
    signature = base64.b64decode(view.fields["96"])
    assert int(view.fields["95"]) == len(view.fields["96"])
    public_key.verify(
        signature,
        payload,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )


class Pair:
    """An initiator and an acceptor wired back to back, with a hook to lose frames in flight."""

    def __init__(
        self,
        auth: KalshiAuth | None = None,
        *,
        retransmits: bool = False,
        client_store: MemoryStore | FileStore | None = None,
        hb: int = 30,
        verify: bool = True,
    ) -> None:
        self.client = SessionProtocol(
            SessionConfig(
                KEY,
                "KalshiRT" if retransmits else "KalshiNR",
                heartbeat_interval=hb,
                retransmits=retransmits,
                sign=auth.sign if auth else None,
            ),
            client_store or MemoryStore(keep_messages=retransmits),
        )
        self.server = SessionProtocol(
            SessionConfig("KalshiRT" if retransmits else "KalshiNR", KEY, retransmits=retransmits, initiator=False),
            MemoryStore(keep_messages=retransmits),
        )
        self.client_events: list[SessionEvent] = []
        self.server_events: list[SessionEvent] = []
        self.lose_to_server: set[int] = set()
        """Client MsgSeqNums to drop on the way to the server (once each)."""

    def pump(self, now: float = T0) -> None:
        for _ in range(20):
            c2s = self.client.data_to_send()
            s2c = self.server.data_to_send()
            if not c2s and not s2c:
                return
            for frame in c2s:
                seq = parse_frame(frame).msg_seq_num
                if seq in self.lose_to_server:
                    self.lose_to_server.discard(seq)
                    continue
                self.server_events += self.server.receive(frame, now)
            for frame in s2c:
                self.client_events += self.client.receive(frame, now)
        raise AssertionError("the two sessions never went quiet")

    def logon(self, now: float = T0) -> None:
        self.server.accept(now)
        self.client.connect(now)
        self.pump(now)
        assert self.client.state is SessionState.ACTIVE
        assert self.server.state is SessionState.ACTIVE

    def app(self, events: list[SessionEvent]) -> list[ApplicationMessage]:
        return [e for e in events if isinstance(e, ApplicationMessage)]


def test_logon_is_signed_over_sending_time_type_seq_sender_target(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> None:
    session = SessionProtocol(SessionConfig(KEY, "KalshiNR", sign=auth.sign), MemoryStore(keep_messages=False))
    session.connect(T0)
    [logon] = session.data_to_send()
    view = parse_frame(logon)
    assert view.msg_type == "A"
    assert view.fields["49"] == KEY
    assert view.fields["56"] == "KalshiNR"
    assert view.fields["34"] == "1"
    assert view.fields["52"] == "20251113-02:13:20.000"
    assert view.fields["141"] == "Y"
    assert view.fields["98"] == "0"
    assert view.fields["1137"] == "9"
    verify_signature(rsa_key.public_key(), logon)
    # a tampered SendingTime no longer verifies
    tampered = logon.replace(b"52=20251113-02:13:20.000", b"52=20251113-02:13:21.000")
    with pytest.raises(InvalidSignature):
        verify_signature(rsa_key.public_key(), tampered)


def test_logon_resigns_every_attempt_with_the_new_seq(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> None:
    store = MemoryStore()
    session = SessionProtocol(SessionConfig(KEY, "KalshiRT", retransmits=True, sign=auth.sign), store)
    store.set_next_sender_seq(7)
    store.set_next_target_seq(4)
    session.connect(T0 + 1.5)
    [logon] = session.data_to_send()
    view = parse_frame(logon)
    assert view.msg_seq_num == 7
    assert "141" not in view.fields  # RT keeps its counters
    verify_signature(rsa_key.public_key(), logon)


def test_logon_exchange_and_application_messages(auth: KalshiAuth) -> None:
    pair = Pair(auth)
    pair.logon()
    assert any(isinstance(e, LoggedOn) for e in pair.client_events)
    seq = pair.client.send("D", encode_fields([(11, "o1"), (55, "KXTEST")]), T0)
    assert seq == 2
    pair.pump()
    [msg] = pair.app(pair.server_events)
    assert msg.msg_type == "D"
    assert msg.seq == 2
    assert not msg.poss_dup
    assert parse_frame(msg.raw).fields["11"] == "o1"


def test_send_before_logon_raises_typed_error() -> None:
    session = SessionProtocol(SessionConfig(KEY, "KalshiNR"), MemoryStore())
    with pytest.raises(FixNotLoggedOnError):
        session.send("D", b"11=x\x01", T0)


def test_heartbeat_test_request_and_timeout_on_fake_clock() -> None:
    pair = Pair(hb=10)
    pair.logon()
    client = pair.client
    assert client.next_deadline() == T0 + 10
    assert client.handle_timeout(T0 + 5) == []
    assert client.data_to_send() == []
    # nothing sent for one interval: a Heartbeat
    client.handle_timeout(T0 + 10)
    [hb] = client.data_to_send()
    assert parse_frame(hb).msg_type == "0"
    pair.server.receive(hb, T0 + 10)
    # nothing received for 1.2 intervals: a TestRequest
    client.handle_timeout(T0 + 12)
    frames = [parse_frame(f) for f in client.data_to_send()]
    assert [f.msg_type for f in frames] == ["1"]
    assert frames[0].fields["112"] == "TR1"
    # the server answers the TestRequest with a Heartbeat echoing the ID
    pair.server.receive(frames[0].raw, T0 + 12)
    [answer] = pair.server.data_to_send()
    assert parse_frame(answer).msg_type == "0"
    assert parse_frame(answer).fields["112"] == "TR1"
    client.receive(answer, T0 + 12.5)
    assert client.handle_timeout(T0 + 20) == []  # alive again
    client.data_to_send()
    # now total silence: TestRequest at +1.2 hb, then the peer is declared dead at +2.2 hb
    client.handle_timeout(T0 + 12.5 + 12)
    assert parse_frame(client.data_to_send()[0]).fields["112"] == "TR2"
    events = client.handle_timeout(T0 + 12.5 + 22)
    assert [type(e) for e in events] == [CloseConnection]
    assert isinstance(events[0], CloseConnection)
    assert events[0].reconnect
    assert client.state is SessionState.DISCONNECTED


def test_logon_timeout_closes() -> None:
    session = SessionProtocol(SessionConfig(KEY, "KalshiNR", logon_timeout=5), MemoryStore())
    session.connect(T0)
    assert session.next_deadline() == T0 + 5
    events = session.handle_timeout(T0 + 5)
    assert isinstance(events[0], CloseConnection)
    assert events[0].reconnect


def test_logon_rejected_is_reported_and_not_retried() -> None:
    client = SessionProtocol(SessionConfig(KEY, "KalshiNR"), MemoryStore())
    server = SessionProtocol(
        SessionConfig("KalshiNR", KEY, initiator=False, verify_logon=lambda f: "invalid signature"), MemoryStore()
    )
    server.accept(T0)
    client.connect(T0)
    for frame in client.data_to_send():
        server_events = server.receive(frame, T0)
    assert any(isinstance(e, CloseConnection) and not e.reconnect for e in server_events)
    events: list[SessionEvent] = []
    for frame in server.data_to_send():
        events += client.receive(frame, T0)
    assert events[0] == LogonRejected("invalid signature")
    assert isinstance(events[1], CloseConnection)
    assert not events[1].reconnect


def test_rt_resend_of_a_lost_order_carries_possdup_and_orig_sending_time() -> None:
    pair = Pair(retransmits=True)
    pair.logon()
    pair.lose_to_server.add(2)
    pair.client.send("D", b"11=o1\x01", T0 + 1)
    pair.client.send("D", b"11=o2\x01", T0 + 2)
    pair.client.send("D", b"11=o3\x01", T0 + 3)
    pair.pump(T0 + 4)
    gaps = [e for e in pair.server_events if isinstance(e, GapDetected)]
    assert gaps == [GapDetected(2, 2, recoverable=True)]
    orders = pair.app(pair.server_events)
    ids = [parse_frame(m.raw).fields["11"] for m in orders]
    assert ids == ["o1", "o2", "o3"]  # in order, each exactly once
    resent = orders[0]
    assert resent.poss_dup
    view = parse_frame(resent.raw)
    assert view.fields["122"] == "20251113-02:13:21.000"  # the original SendingTime
    assert view.fields["52"] == "20251113-02:13:24.000"
    assert not orders[1].poss_dup


def test_resend_request_gap_fills_admin_messages() -> None:
    pair = Pair(retransmits=True, hb=5)
    pair.logon()  # client seq 1
    pair.client.handle_timeout(T0 + 5)  # heartbeat seq 2
    pair.pump(T0 + 5)
    pair.client.send("D", b"11=o1\x01", T0 + 6)  # seq 3
    pair.client.handle_timeout(T0 + 11)  # heartbeat seq 4
    pair.pump(T0 + 11)
    request = build_frame(
        "2", "KalshiRT", KEY, pair.server.store.reserve(), "20251113-02:13:32.000", b"7=1\x0116=0\x01"
    )
    pair.client.receive(request, T0 + 12)
    frames = [parse_frame(f) for f in pair.client.data_to_send()]
    assert [(f.msg_type, f.msg_seq_num) for f in frames] == [("4", 1), ("D", 3), ("4", 4)]
    assert frames[0].fields["123"] == "Y"
    assert frames[0].fields["36"] == "3"
    assert frames[0].fields["43"] == "Y"
    assert frames[1].fields["43"] == "Y"
    assert frames[1].fields["11"] == "o1"
    assert frames[2].fields["36"] == "5"


@pytest.mark.parametrize("begin", ["\u00b9", "\u0663"])  # superscript one, Arabic-Indic three: str.isdigit says yes
def test_a_non_ascii_seq_number_is_rejected_not_raised(begin: str) -> None:
    pair = Pair(retransmits=True, hb=5)
    pair.logon()
    body = f"7={begin}\x0116=0\x01".encode()
    request = build_frame("2", "KalshiRT", KEY, pair.server.store.reserve(), "20251113-02:13:32.000", body)
    events = pair.client.receive(request, T0 + 1)  # must not raise ValueError from int()
    frames = [parse_frame(f) for f in pair.client.data_to_send()]
    assert [(f.msg_type, f.fields.get("373")) for f in frames] == [("3", "5")]
    assert pair.client.state is SessionState.ACTIVE
    assert not any(isinstance(e, CloseConnection) for e in events)


def test_non_retransmitting_session_answers_resend_with_gap_fill_only() -> None:
    pair = Pair()
    pair.logon()
    pair.client.send("D", b"11=o1\x01", T0)
    pair.pump()
    request = build_frame(
        "2", "KalshiNR", KEY, pair.server.store.reserve(), "20251113-02:13:32.000", b"7=2\x0116=0\x01"
    )
    pair.client.receive(request, T0)
    [fill] = [parse_frame(f) for f in pair.client.data_to_send()]
    assert fill.msg_type == "4"
    assert fill.msg_seq_num == 2
    assert fill.fields["36"] == "3"


def test_gap_on_session_without_resend_logs_out_and_reconnects() -> None:
    pair = Pair()
    pair.logon()
    late = build_frame("8", "KalshiNR", KEY, 5, "20251113-02:13:32.000", b"11=o1\x01")
    events = pair.client.receive(late, T0)
    assert events[0] == GapDetected(2, 4, recoverable=False)
    assert isinstance(events[1], CloseConnection)
    assert events[1].reconnect
    [logout] = pair.client.data_to_send()
    assert parse_frame(logout).msg_type == "5"
    assert pair.app(events) == []


def test_seq_too_low_without_possdup_is_fatal_and_with_possdup_is_dropped() -> None:
    pair = Pair(retransmits=True)
    pair.logon()
    pair.server.send("8", b"11=o1\x01", T0)
    pair.pump()
    dup = build_frame("8", "KalshiRT", KEY, 2, "20251113-02:13:32.000", b"11=o1\x01", poss_dup=True)
    assert pair.client.receive(dup, T0) == []
    stale = build_frame("8", "KalshiRT", KEY, 2, "20251113-02:13:32.000", b"11=o1\x01")
    events = pair.client.receive(stale, T0)
    assert isinstance(events[0], CloseConnection)
    assert not events[0].reconnect
    assert "too low" in events[0].reason


def test_sequence_reset_moves_forward_only() -> None:
    pair = Pair(retransmits=True)
    pair.logon()
    reset = build_frame("4", "KalshiRT", KEY, 9, "20251113-02:13:32.000", b"36=10\x01")
    assert pair.client.receive(reset, T0) == []
    assert pair.client.store.next_target_seq == 10
    back = build_frame("4", "KalshiRT", KEY, 10, "20251113-02:13:32.000", b"36=3\x01")
    pair.client.receive(back, T0)
    [reject] = [parse_frame(f) for f in pair.client.data_to_send()]
    assert reject.msg_type == "3"
    assert reject.fields["45"] == "10"
    assert pair.client.store.next_target_seq == 10


def test_gap_fill_ahead_of_expected_is_buffered_and_recovered() -> None:
    pair = Pair(retransmits=True)
    pair.logon()
    fill = build_frame("4", "KalshiRT", KEY, 4, "x", b"123=Y\x0136=6\x01", poss_dup=True)
    events = pair.client.receive(fill, T0)
    assert events == [GapDetected(2, 3, recoverable=True)]
    [req] = [parse_frame(f) for f in pair.client.data_to_send()]
    assert req.msg_type == "2"
    assert req.fields["7"] == "2"
    assert req.fields["16"] == "0"
    e1 = build_frame("8", "KalshiRT", KEY, 2, "x", b"11=a\x01", poss_dup=True)
    e2 = build_frame("8", "KalshiRT", KEY, 3, "x", b"11=b\x01", poss_dup=True)
    events = pair.client.receive(e1 + e2, T0)
    assert [e.seq for e in pair.app(events)] == [2, 3]
    assert pair.client.store.next_target_seq == 6


def test_rejects_surface_as_typed_events() -> None:
    pair = Pair()
    pair.logon()
    pair.server._send_admin("3", ((45, 2), (371, 44), (372, "D"), (373, 5), (58, "bad price")), T0)
    pair.server.send("j", encode_fields([(45, 3), (372, "D"), (380, 8), (58, "rate limit exceeded")]), T0)
    pair.pump()
    rejects = [e for e in pair.client_events if isinstance(e, SessionReject | BusinessReject)]
    assert rejects == [
        SessionReject(2, 5, "bad price", 44, "D"),
        BusinessReject(3, "D", 8, "rate limit exceeded", None),
    ]
    assert [m.msg_type for m in pair.app(pair.client_events)] == ["j"]


def test_garbled_frames_are_dropped_and_the_next_frame_still_arrives() -> None:
    pair = Pair(retransmits=True)
    pair.logon()
    good = build_frame("8", "KalshiRT", KEY, 2, "x", b"11=o1\x01")
    bad = bytearray(good)
    bad[-3] = ord("0") if bad[-3] != ord("0") else ord("1")  # corrupt the checksum
    events = pair.client.receive(b"garbage!!" + bytes(bad), T0)
    assert any(isinstance(e, FrameDropped) for e in events)
    assert pair.app(events) == []
    events = pair.client.receive(good, T0)
    assert [m.seq for m in pair.app(events)] == [2]


def test_splitter_handles_byte_by_byte_and_batches() -> None:
    frames = [build_frame("0", "A", "B", n, "x", b"") for n in range(1, 4)]
    stream = b"".join(frames)
    splitter = FrameSplitter()
    out: list[bytes] = []
    for i in range(len(stream)):
        out += splitter.feed(stream[i : i + 1])
    assert out == frames
    assert FrameSplitter().feed(stream) == frames
    assert splitter.take_errors() == []


def test_logout_exchange() -> None:
    pair = Pair()
    pair.logon()
    pair.client.logout(T0, "bye")
    assert pair.client.state is SessionState.LOGOUT_SENT
    pair.pump()
    assert LoggedOut("bye", initiated_by_us=True) in pair.client_events
    assert LoggedOut("bye", initiated_by_us=False) in pair.server_events


def test_file_store_survives_restart_and_resends_real_messages(tmp_path: Path) -> None:
    path = tmp_path / "rt.log"
    pair = Pair(retransmits=True, client_store=FileStore(path, fsync=FsyncPolicy.NEVER))
    pair.logon()
    pair.lose_to_server.update({2, 3})
    pair.client.send("D", b"11=o1\x01", T0)
    pair.client.send("D", b"11=o2\x01", T0)
    pair.pump()
    assert pair.app(pair.server_events) == []
    pair.client.store.close()
    # the process restarts: a new session on the same journal, against the same server
    restarted = FileStore(path, fsync=FsyncPolicy.NEVER)
    assert restarted.next_sender_seq == 4
    assert restarted.next_target_seq == 2
    pair.client = SessionProtocol(SessionConfig(KEY, "KalshiRT", retransmits=True), restarted)
    pair.server.connection_lost(T0)
    pair.server.accept(T0 + 1)
    pair.client.connect(T0 + 1)
    pair.pump(T0 + 1)
    orders = pair.app(pair.server_events)
    assert [parse_frame(m.raw).fields["11"] for m in orders] == ["o1", "o2"]
    assert all(m.poss_dup for m in orders)
    restarted.close()


def test_file_store_drops_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "s.log"
    store = FileStore(path, fsync=FsyncPolicy.ALWAYS)
    store.store("D", "t", b"11=a\x01")
    store.set_next_target_seq(5)
    store.close()
    with open(path, "ab") as f:
        f.write(b"M 2 D t 100\n11=partial")
    again = FileStore(path)
    assert again.next_sender_seq == 2
    assert again.next_target_seq == 5
    assert [m.body for m in again.messages(1, 10)] == [b"11=a\x01"]
    again.store("D", "t", b"11=b\x01")
    again.close()
    third = FileStore(path)
    assert [m.body for m in third.messages(1, 10)] == [b"11=a\x01", b"11=b\x01"]
    third.reset()
    assert third.is_fresh()
    assert list(third.messages(1, 10)) == []
    third.close()


def raw_frame(inner: bytes) -> bytes:
    """A frame with correct BodyLength and CheckSum around arbitrary inner fields."""
    from kalshi_fix._codec import checksum

    out = b"8=FIXT.1.1\x019=%d\x01%b" % (len(inner), inner)
    return b"%b10=%03d\x01" % (out, checksum(out))


def test_malformed_message_in_sequence_is_rejected_and_consumed() -> None:
    pair = Pair(retransmits=True)
    pair.logon()
    no_sending_time = raw_frame(b"35=8\x0149=KalshiRT\x0156=" + KEY.encode() + b"\x0134=2\x0111=x\x01")
    events = pair.client.receive(no_sending_time, T0)
    assert [type(e) for e in events] == [FrameDropped]
    [reject] = [parse_frame(f) for f in pair.client.data_to_send()]
    assert reject.msg_type == "3"
    assert reject.fields["45"] == "2"
    assert reject.fields["373"] == "1"
    assert pair.client.store.next_target_seq == 3  # consumed: no resend loop
    good = build_frame("8", "KalshiRT", KEY, 3, "x", b"11=y\x01")
    assert [m.seq for m in pair.app(pair.client.receive(good, T0))] == [3]


def test_wrong_comp_ids_end_the_session() -> None:
    pair = Pair()
    pair.logon()
    stranger = build_frame("8", "SomeoneElse", KEY, 2, "x", b"11=y\x01")
    events = pair.client.receive(stranger, T0)
    assert pair.app(events) == []
    assert isinstance(events[-1], CloseConnection)
    assert not events[-1].reconnect
    frames = [parse_frame(f) for f in pair.client.data_to_send()]
    assert [f.msg_type for f in frames] == ["3", "5"]
    assert frames[0].fields["373"] == "9"


def test_lost_resend_request_is_repeated_after_an_interval() -> None:
    pair = Pair(retransmits=True, hb=10)
    pair.logon()
    late = build_frame("8", "KalshiRT", KEY, 3, "x", b"11=b\x01")
    pair.client.receive(late, T0 + 1)
    [first] = [parse_frame(f) for f in pair.client.data_to_send()]  # lost on the wire
    assert first.msg_type == "2"
    assert first.fields["7"] == "2"
    assert pair.client.next_deadline() == T0 + 11
    pair.client.handle_timeout(T0 + 11)
    again = [parse_frame(f) for f in pair.client.data_to_send()]
    assert next(f.msg_type for f in again) == "2"
    assert again[0].fields["7"] == "2"


def test_file_store_is_locked_against_a_second_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "locked.log"
    store = FileStore(path, fsync=FsyncPolicy.NEVER)
    code = (
        "import sys\nfrom kalshi_fix._store import FileStore, FixStoreError\n"
        "try:\n    FileStore(sys.argv[1])\nexcept FixStoreError as exc:\n    print('refused:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    assert "in use by another process" in out
    store.close()
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    assert out == ""


def test_file_store_retains_the_newest_messages_and_compacts_on_open(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    store = FileStore(path, fsync=FsyncPolicy.NEVER, retain=3)
    body = b"58=" + b"x" * 2000 + b"\x01"
    for _ in range(1000):
        store.store("D", "t", body)
    store.set_next_target_seq(42)
    assert [m.seq for m in store.messages(1, 2000)] == [998, 999, 1000]
    store.close()
    big = path.stat().st_size
    again = FileStore(path, fsync=FsyncPolicy.NEVER, retain=3)
    assert path.stat().st_size < big // 100  # rewritten down to the counters and 3 messages
    assert again.next_sender_seq == 1001
    assert again.next_target_seq == 42
    assert [(m.seq, m.body) for m in again.messages(1, 2000)] == [(998, body), (999, body), (1000, body)]
    again.store("D", "t", b"11=new\x01")
    again.close()
    third = FileStore(path, fsync=FsyncPolicy.NEVER, retain=3)
    assert [m.seq for m in third.messages(1, 2000)] == [999, 1000, 1001]
    third.close()


def test_memory_store_retention_and_gap_fill_for_forgotten_messages() -> None:
    pair = Pair(retransmits=True, client_store=MemoryStore(retain=2))
    pair.logon()
    for n in range(4):
        pair.client.send("D", f"11=o{n}\x01".encode(), T0)  # seqs 2..5
    pair.pump()
    request = build_frame("2", "KalshiRT", KEY, pair.server.store.reserve(), "x", b"7=2\x0116=0\x01")
    pair.client.receive(request, T0)
    frames = [parse_frame(f) for f in pair.client.data_to_send()]
    assert [(f.msg_type, f.msg_seq_num) for f in frames] == [("4", 2), ("D", 4), ("D", 5)]
    assert frames[0].fields["36"] == "4"


def test_send_hot_path_writes_exactly_what_build_frame_writes() -> None:
    pair = Pair()
    pair.logon()
    for n, msg_type in enumerate(("D", "F", "D", "UOG")):
        body = f"11=o{n}\x0155=KX\x01".encode()
        seq = pair.client.send(msg_type, body, T0 + n)
        [wire] = pair.client.data_to_send()
        sending_time = parse_frame(wire).fields["52"]
        assert wire == build_frame(msg_type, KEY, "KalshiNR", seq, sending_time, body)
