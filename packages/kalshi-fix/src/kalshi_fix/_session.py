"""The FIX session layer as a pure state machine: bytes and time in, events and bytes out.

No socket, no asyncio, no clock: the driver passes `now` (epoch seconds) to every call, feeds
received bytes to `receive`, writes `data_to_send()`, and calls `handle_timeout(now)` when
`next_deadline()` passes. The same class plays both roles (initiator for the SDK, acceptor for
test servers).

```python
session = SessionProtocol(SessionConfig(sender_comp_id=key_id, target_comp_id="KalshiNR", sign=auth.sign),
                          MemoryStore(keep_messages=False))
session.connect(now)                      # queues the signed Logon
events = session.receive(data, now)       # LoggedOn, ApplicationMessage, SessionReject, ...
seq = session.send("D", body, now)        # an application message, once logged on
```

Errors: `FixSessionError` and its subclasses (`FixNotLoggedOnError`, `FixLogonError`, `FixCompIdError`), drawn
with the rest of the tree in `_errors.py`.

Identity: on every received message 49 must be one of `counterparty_comp_ids` and 56 one of `local_comp_ids`.
Kalshi sends `Kalshi` (docs.kalshi.com/fix/common-components: SenderCompID is "Kalshi when receiving") or
`KalshiMD` (the market-data examples) in 49, and our API key in 56; the session name is accepted too.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ._codec import FixFrame, FrameSplitter, SessionHeader, check_body, checksum, encode_frame, parse_frame
from ._errors import FixCompIdError, FixDecodeError, FixError, FixLogonError, FixNotLoggedOnError, FixSessionError
from ._store import SequenceStore

__all__ = [
    "ADMIN_MSG_TYPES",
    "KALSHI_COMP_IDS",
    "ApplicationMessage",
    "BusinessReject",
    "CloseConnection",
    "FixCompIdError",
    "FrameDropped",
    "GapDetected",
    "FixLogonError",
    "FixNotLoggedOnError",
    "FixSessionError",
    "LoggedOn",
    "LoggedOut",
    "LogonRejected",
    "SessionConfig",
    "SessionEvent",
    "SessionProtocol",
    "SessionReject",
    "SessionState",
    "build_frame",
]

ADMIN_MSG_TYPES = frozenset({"0", "1", "2", "3", "4", "5", "A"})
_HEADER_TAGS = frozenset({8, 9, 35, 49, 56, 34, 52, 43, 97, 122, 10})


class SessionState(enum.Enum):
    """Where a session is in its life."""

    DISCONNECTED = "disconnected"
    AWAITING_LOGON = "awaiting_logon"
    """Acceptor: connected, waiting for the initiator's Logon."""
    LOGON_SENT = "logon_sent"
    ACTIVE = "active"
    LOGOUT_SENT = "logout_sent"


# ---------------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class LoggedOn:
    """The Logon exchange completed; application messages may flow."""

    heartbeat_interval: int
    reset: bool
    """True when this logon reset the sequence numbers to 1 (ResetSeqNumFlag=Y)."""
    logon: FixFrame = field(repr=False)


@dataclass(frozen=True, slots=True)
class ApplicationMessage:
    """An in-order application message; `decode_app_message(event.frame)` gives the typed message."""

    msg_type: str
    seq: int
    frame: FixFrame = field(repr=False, compare=False)
    """The verified frame; it knows the session's price units (`use_dollars`)."""
    poss_dup: bool = False
    """True when the counterparty resent it (PossDupFlag=Y): it may have been seen before."""

    @property
    def raw(self) -> bytes:
        """The frame's bytes, exactly as received."""
        return self.frame.raw


@dataclass(frozen=True, slots=True)
class SessionReject:
    """The counterparty rejected one of our messages at session level (35=3)."""

    ref_seq_num: int | None
    reason: int | None
    """SessionRejectReason (373)."""
    text: str | None
    ref_tag_id: int | None = None
    ref_msg_type: str | None = None


@dataclass(frozen=True, slots=True)
class BusinessReject:
    """The counterparty rejected an application message (35=j), e.g. reason 8, rate limit exceeded."""

    ref_seq_num: int | None
    ref_msg_type: str | None
    reason: int | None
    """BusinessRejectReason (380)."""
    text: str | None
    ref_id: str | None = None
    """BusinessRejectRefID (379)."""


@dataclass(frozen=True, slots=True)
class GapDetected:
    """Inbound MsgSeqNum jumped: `begin..end` are missing (recovered by ResendRequest on RT/PT)."""

    begin: int
    end: int
    recoverable: bool


@dataclass(frozen=True, slots=True)
class FrameDropped:
    """Bytes that failed BodyLength/CheckSum or could not be parsed were dropped (FIX ignores them)."""

    reason: str


@dataclass(frozen=True, slots=True)
class LogonRejected:
    """The counterparty answered our Logon with a Logout."""

    text: str | None


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """The session ended with a Logout exchange."""

    text: str | None
    initiated_by_us: bool


@dataclass(frozen=True, slots=True)
class CloseConnection:
    """The driver must close the socket now; `reconnect` says whether trying again makes sense."""

    reason: str
    reconnect: bool
    error: FixError | None = None
    """The typed error that ended the session for good (e.g. `FixCompIdError`), when there is one."""


SessionEvent = (
    LoggedOn
    | ApplicationMessage
    | SessionReject
    | BusinessReject
    | GapDetected
    | FrameDropped
    | LogonRejected
    | LoggedOut
    | CloseConnection
)


# ---------------------------------------------------------------------------------------- config


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """How one FIX session behaves.

    Args:
        sender_comp_id: tag 49; the API key ID on Kalshi.
        target_comp_id: tag 56; the session name (`KalshiNR`, `KalshiRT`, ...). An acceptor may leave it
            empty to serve any initiator (it takes the Logon's SenderCompID; `verify_logon` decides).
        heartbeat_interval: HeartBtInt (108) in seconds; prediction needs > 3, margin >= 3.
        retransmits: the session keeps sequence numbers across logons, resends stored messages and
            recovers inbound gaps with ResendRequest (KalshiRT, KalshiPT). When False, every logon
            resets to 1 (ResetSeqNumFlag=Y) and an inbound gap closes the connection.
        reset_on_logon: force ResetSeqNumFlag=Y; None means "when not `retransmits`, or when the
            store is fresh".
        initiator: send the Logon (client) rather than wait for it (acceptor).
        sign: signs the logon payload (`KalshiAuth.sign`); the signature goes in RawData (96).
        logon_fields: extra Logon body fields, e.g. `((21005, "Y"),)` for UseDollars.
        use_dollars: prices on this session are dollars (UseDollars=Y, margin), not integer cents;
            stored on every received `FixFrame` so `decode_app_message(frame)` converts right.
        verify_logon: acceptor only: returns a rejection text for a bad Logon, or None to accept.
        test_request_delay: extra silence tolerated beyond HeartBtInt before a TestRequest, as a
            fraction of HeartBtInt.
        logon_timeout: seconds to wait for the Logon answer.
        logout_timeout: seconds to wait for the Logout answer before closing anyway.
        max_buffered: messages held behind an unrecovered gap before giving up and reconnecting.
        counterparty_comp_ids: SenderCompID (49) values accepted on received messages. None: Kalshi's
            documented identities (`KALSHI_COMP_IDS`: `Kalshi`, `KalshiMD`) plus `target_comp_id` for an
            initiator; `target_comp_id` for an acceptor.
        local_comp_ids: TargetCompID (56) values accepted on received messages. None: `sender_comp_id`.
            An acceptor that answers as `Kalshi` while initiators address it by session name sets
            `sender_comp_id="Kalshi"` and `local_comp_ids=frozenset({"KalshiNR"})`.
    """

    sender_comp_id: str
    target_comp_id: str
    heartbeat_interval: int = 30
    retransmits: bool = False
    reset_on_logon: bool | None = None
    initiator: bool = True
    sign: Callable[[bytes], str] | None = field(default=None, repr=False)
    logon_fields: tuple[tuple[int, str], ...] = ()
    use_dollars: bool = False
    verify_logon: Callable[[FixFrame], str | None] | None = field(default=None, repr=False)
    test_request_delay: float = 0.2
    logon_timeout: float = 10.0
    logout_timeout: float = 2.0
    max_buffered: int = 100_000
    counterparty_comp_ids: frozenset[str] | None = None
    local_comp_ids: frozenset[str] | None = None


KALSHI_COMP_IDS: frozenset[str] = frozenset({"Kalshi", "KalshiMD"})
"""SenderCompID (49) values Kalshi documents on the messages it sends: `Kalshi`
(docs.kalshi.com/fix/common-components) and `KalshiMD` (docs.kalshi.com/fix/market-data examples)."""


def build_frame(  # noqa: PLR0917
    msg_type: str,
    sender: str,
    target: str,
    seq: int,
    sending_time: str,
    body: bytes,
    *,
    poss_dup: bool = False,
    orig_sending_time: str | None = None,
) -> bytes:
    """Build one frame: header in the recommended order, `body`, then BodyLength and CheckSum."""
    header = SessionHeader(
        sender_comp_id=sender,
        target_comp_id=target,
        msg_seq_num=seq,
        sending_time=sending_time,
        poss_dup_flag=poss_dup,
        orig_sending_time=orig_sending_time,
    )
    return encode_frame(msg_type, header, body)


def encode_fields(fields: Iterable[tuple[int, object]]) -> bytes:
    """Encode (tag, value) pairs as `tag=value<SOH>...` (None values are left out)."""
    return "".join(f"{tag}={value}\x01" for tag, value in fields if value is not None).encode()


_time_cache: list[Any] = [-1, ""]


def format_sending_time(now: float) -> str:
    """Format epoch seconds as SendingTime (52): `YYYYMMDD-HH:MM:SS.sss` UTC."""
    sec, ms = divmod(int(now * 1000), 1000)
    if _time_cache[0] != sec:
        _time_cache[0] = sec
        _time_cache[1] = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(sec))
    return f"{_time_cache[1]}.{ms:03d}"


def _int(frame: FixFrame, tag: int) -> int | None:
    value = frame.fields.get(str(tag))
    if value is None or not value.isdigit():
        return None
    return int(value)


def _flag(frame: FixFrame, tag: int) -> bool:
    return frame.fields.get(str(tag)) == "Y"


# --------------------------------------------------------------------------------------- session


class SessionProtocol:
    """One FIX session (FIXT.1.1): logon, liveness, sequencing, resends. Pure: no I/O, no clock.

    Feed it with `connect(now)` (initiator) or `accept(now)` (acceptor), `receive(data, now)`
    and `handle_timeout(now)`; send with `send(msg_type, body, now)`; write `data_to_send()`.
    """

    def __init__(self, config: SessionConfig, store: SequenceStore) -> None:
        self.config = config
        self.store = store
        self.state = SessionState.DISCONNECTED
        self.heartbeat_interval = config.heartbeat_interval
        self._splitter = FrameSplitter()
        self._out: list[bytes] = []
        self._events: list[SessionEvent] = []
        self._last_sent = 0.0
        self._last_received = 0.0
        self._state_since = 0.0
        self._test_request_id: str | None = None
        self._test_request_count = 0
        self._buffered: dict[int, FixFrame] = {}
        self._resend_until: int | None = None
        """While a ResendRequest of ours is outstanding: the highest seq it must cover."""
        self._resend_at = 0.0
        """When that ResendRequest went out (it is repeated if nothing comes of it)."""
        self._logout_text: str | None = None
        self._prefixes: dict[str, bytes] = {}
        self._peer_ids, self._own_ids = self._comp_ids()

    def _comp_ids(self) -> tuple[frozenset[str], frozenset[str]]:
        """The 49 and 56 values accepted on received messages (see `SessionConfig`)."""
        cfg = self.config
        peer = cfg.counterparty_comp_ids
        if peer is None:
            peer = KALSHI_COMP_IDS | {cfg.target_comp_id} if cfg.initiator else frozenset({cfg.target_comp_id})
        own = cfg.local_comp_ids if cfg.local_comp_ids is not None else frozenset({cfg.sender_comp_id})
        return peer, own

    # ------------------------------------------------------------------ driver interface

    @property
    def is_active(self) -> bool:
        return self.state is SessionState.ACTIVE

    def data_to_send(self) -> list[bytes]:
        """Frames queued for the wire, in order (the list is handed over and cleared)."""
        out = self._out
        self._out = []
        return out

    def connect(self, now: float) -> None:
        """A connection is up: queue our signed Logon (initiator)."""
        self._on_connection(now)
        cfg = self.config
        reset = cfg.reset_on_logon
        if reset is None:
            reset = not cfg.retransmits or self.store.is_fresh()
        if reset:
            self.store.reset()
        self._send_logon(now, reset=reset, extra=cfg.logon_fields)
        self.state = SessionState.LOGON_SENT

    def accept(self, now: float) -> None:
        """A connection is up: wait for the initiator's Logon (acceptor)."""
        self._on_connection(now)
        self.state = SessionState.AWAITING_LOGON

    def connection_lost(self, now: float) -> None:
        """The socket is gone: keep the counters (and store), drop everything in flight."""
        del now
        self.state = SessionState.DISCONNECTED
        self._splitter = FrameSplitter()
        self._buffered.clear()
        self._resend_until = None
        self._test_request_id = None
        self._out.clear()

    def next_deadline(self) -> float | None:
        """When `handle_timeout` must next be called (epoch seconds), or None."""
        state = self.state
        if state is SessionState.ACTIVE:
            hb = self.heartbeat_interval
            send_by = self._last_sent + hb
            if self._test_request_id is None:
                recv_by = self._last_received + hb * (1.0 + self.config.test_request_delay)
            else:
                recv_by = self._last_received + hb * (2.0 + self.config.test_request_delay)
            if self._resend_until is not None:
                return min(send_by, recv_by, self._resend_at + hb)
            return min(send_by, recv_by)
        if state is SessionState.LOGON_SENT or state is SessionState.AWAITING_LOGON:
            return self._state_since + self.config.logon_timeout
        if state is SessionState.LOGOUT_SENT:
            return self._state_since + self.config.logout_timeout
        return None

    def hold_liveness(self, now: float) -> None:
        """Treat the peer as heard from at `now`: the driver is not reading (backpressure), so silence
        says nothing about the peer. No TestRequest goes out and none outstanding ends the session."""
        self._last_received = max(self._last_received, now)
        self._test_request_id = None

    def handle_timeout(self, now: float) -> list[SessionEvent]:
        """Send due Heartbeats/TestRequests; report dead peers and expired logon/logout waits."""
        state = self.state
        if state is SessionState.ACTIVE:
            hb = self.heartbeat_interval
            silent = now - self._last_received
            if self._test_request_id is not None and silent >= hb * (2.0 + self.config.test_request_delay):
                self._close(f"no data for {silent:.1f} s after TestRequest {self._test_request_id}", reconnect=True)
            elif self._test_request_id is None and silent >= hb * (1.0 + self.config.test_request_delay):
                self._test_request_count += 1
                self._test_request_id = f"TR{self._test_request_count}"
                self._send_admin("1", ((112, self._test_request_id),), now)
            if self._resend_until is not None and now - self._resend_at >= hb and self.state is SessionState.ACTIVE:
                # our ResendRequest (or its answer) was lost: ask again from where we are
                self._request_resend(self.store.next_target_seq, self._resend_until, now)
            if self.state is SessionState.ACTIVE and now - self._last_sent >= hb:
                self._send_admin("0", (), now)
        elif state is SessionState.LOGON_SENT or state is SessionState.AWAITING_LOGON:
            if now - self._state_since >= self.config.logon_timeout:
                self._close("no Logon answer in time", reconnect=True)
        elif state is SessionState.LOGOUT_SENT and now - self._state_since >= self.config.logout_timeout:
            self._events.append(LoggedOut(self._logout_text, initiated_by_us=True))
            self._close("Logout not answered in time", reconnect=False)
        return self._take_events()

    def send(self, msg_type: str, body: bytes, now: float) -> int:
        """Queue an application message; return its MsgSeqNum.

        Raises:
            FixNotLoggedOnError: the session is not active.
            FixEncodeError: `body` is malformed (`check_body`); nothing is queued and no seq is used.
        """
        if self.state is not SessionState.ACTIVE:
            raise FixNotLoggedOnError(f"cannot send {msg_type!r}: the FIX session is {self.state.value}")
        check_body(body)
        sending_time = format_sending_time(now)
        seq = self.store.store(msg_type, sending_time, body)
        prefix = self._prefixes.get(msg_type)
        if prefix is None:
            cfg = self.config
            prefix = f"35={msg_type}\x0149={cfg.sender_comp_id}\x0156={cfg.target_comp_id}\x0134=".encode()
            self._prefixes[msg_type] = prefix
        # the hot path: the same bytes as build_frame(), without building a SessionHeader per message
        inner = b"%b%d\x0152=%b\x01%b" % (prefix, seq, sending_time.encode(), body)
        out = b"8=FIXT.1.1\x019=%d\x01%b" % (len(inner), inner)
        self._out.append(b"%b10=%03d\x01" % (out, checksum(out)))
        self._last_sent = now
        return seq

    def request_resend(self, begin: int, now: float) -> None:
        """Ask the counterparty to resend from `begin` through the latest (ResendRequest, EndSeqNo=0)."""
        if self.state is not SessionState.ACTIVE:
            raise FixNotLoggedOnError(f"cannot request a resend: the FIX session is {self.state.value}")
        self._send_admin("2", ((7, begin), (16, 0)), now)

    def logout(self, now: float, text: str | None = None) -> None:
        """Start a graceful Logout (the answer, or `logout_timeout`, ends the session)."""
        if self.state is SessionState.ACTIVE:
            self._logout_text = text
            self._send_admin("5", ((58, text),), now)
            self.state = SessionState.LOGOUT_SENT
            self._state_since = now
        elif self.state is not SessionState.LOGOUT_SENT:
            self._close("logout before logon", reconnect=False)

    def receive(self, data: bytes, now: float) -> list[SessionEvent]:
        """Feed received bytes; return the events they caused (in order)."""
        splitter = self._splitter
        frames = splitter.feed(data)
        errors = splitter.take_errors()
        if errors:
            self._events.extend(FrameDropped(str(err)) for err in errors)
        if frames:
            self._last_received = now
            self._test_request_id = None
        use_dollars = self.config.use_dollars
        for raw in frames:
            if self.state is SessionState.DISCONNECTED:
                break
            try:
                frame = parse_frame(raw, use_dollars=use_dollars)
            except FixDecodeError as exc:
                self._on_malformed(exc, now)
                continue
            self._on_frame(frame, now)
        return self._take_events()

    def _on_malformed(self, exc: FixDecodeError, now: float) -> None:
        """A frame that passed the splitter but not the parser.

        When it is the next expected message, answer with a session Reject and consume it (so a resend of
        the same bad message cannot loop forever); otherwise drop it and let gap recovery sort it out.
        """
        self._events.append(FrameDropped(str(exc)))
        seq = exc.msg_seq_num
        if self.state is SessionState.ACTIVE and seq is not None and seq == self.store.next_target_seq:
            reason = 1 if "missing" in str(exc) else 5
            fields = ((45, seq), (371, exc.tag), (372, exc.msg_type), (373, reason), (58, str(exc)[:200]))
            self._send_admin("3", fields, now)
            self.store.set_next_target_seq(seq + 1)
            self._drain(now)

    # ------------------------------------------------------------------ internals

    def _on_connection(self, now: float) -> None:
        self._splitter = FrameSplitter()
        self._buffered.clear()
        self._resend_until = None
        self._test_request_id = None
        self._last_sent = now
        self._last_received = now
        self._state_since = now

    def _take_events(self) -> list[SessionEvent]:
        events = self._events
        self._events = []
        return events

    def _close(self, reason: str, *, reconnect: bool) -> None:
        self._events.append(CloseConnection(reason, reconnect))
        self.state = SessionState.DISCONNECTED

    def _send_admin(self, msg_type: str, fields: tuple[tuple[int, object], ...], now: float) -> int:
        seq = self.store.reserve()
        cfg = self.config
        body = encode_fields(fields)
        self._out.append(
            build_frame(msg_type, cfg.sender_comp_id, cfg.target_comp_id, seq, format_sending_time(now), body)
        )
        self._last_sent = now
        return seq

    def _send_logon(self, now: float, *, reset: bool, extra: tuple[tuple[int, str], ...]) -> None:
        cfg = self.config
        seq = self.store.reserve()
        sending_time = format_sending_time(now)
        fields: list[tuple[int, object]] = [(98, 0), (108, self.heartbeat_interval)]
        if cfg.sign is not None:
            payload = "\x01".join((sending_time, "A", str(seq), cfg.sender_comp_id, cfg.target_comp_id))
            signature = cfg.sign(payload.encode())
            fields += [(95, len(signature.encode())), (96, signature)]
        if reset:
            fields.append((141, "Y"))
        fields.append((1137, 9))
        fields.extend(extra)
        self._out.append(
            build_frame("A", cfg.sender_comp_id, cfg.target_comp_id, seq, sending_time, encode_fields(fields))
        )
        self._last_sent = now

    def _reject(self, frame: FixFrame, reason: int, text: str, now: float, ref_tag: int | None = None) -> None:
        self._send_admin(
            "3", ((45, frame.msg_seq_num), (371, ref_tag), (372, frame.msg_type), (373, reason), (58, text)), now
        )

    def _on_frame(self, frame: FixFrame, now: float) -> None:
        state = self.state
        msg_type = frame.msg_type
        if state is SessionState.AWAITING_LOGON:
            if msg_type != "A":
                self._close(f"first message was {msg_type!r}, not Logon", reconnect=False)
                return
            self._on_logon_request(frame, now)
            return
        if state is SessionState.LOGON_SENT:
            if not self._identity_ok(frame, now):
                return
            if msg_type == "A":
                self._on_logon_answer(frame, now)
            elif msg_type == "5":
                text = frame.get(58)
                self._events.append(LogonRejected(text))
                self._close(f"Logon rejected: {text or 'no reason given'}", reconnect=False)
            else:
                self._close(f"answer to Logon was {msg_type!r}", reconnect=True)
            return
        self._sequence(frame, now)

    # -- logon

    def _on_logon_request(self, frame: FixFrame, now: float) -> None:
        cfg = self.config
        if not cfg.target_comp_id:  # an acceptor open to any initiator learns its CompID here
            self.config = cfg = dataclasses.replace(cfg, target_comp_id=frame.get(49) or "UNKNOWN")
            self._prefixes.clear()
            self._peer_ids, self._own_ids = self._comp_ids()
        if frame.get(49) not in self._peer_ids or frame.get(56) not in self._own_ids:
            self._refuse_logon(f"unknown CompIDs {frame.get(49)!r} -> {frame.get(56)!r}", now)
            return
        hb = _int(frame, 108)
        if hb is None or hb <= 0:
            self._refuse_logon("HeartBtInt (108) missing or not positive", now)
            return
        if cfg.verify_logon is not None:
            problem = cfg.verify_logon(frame)
            if problem is not None:
                self._refuse_logon(problem, now)
                return
        reset = _flag(frame, 141)
        if reset:
            self.store.reset()
        elif not cfg.retransmits:
            self._refuse_logon("this session requires ResetSeqNumFlag=Y", now)
            return
        self.heartbeat_interval = hb
        self._send_logon(now, reset=reset, extra=())
        self._logged_on(frame, now, reset)

    def _refuse_logon(self, text: str, now: float) -> None:
        self._send_admin("5", ((58, text),), now)
        self._close(f"Logon refused: {text}", reconnect=False)

    def _on_logon_answer(self, frame: FixFrame, now: float) -> None:
        hb = _int(frame, 108)
        if hb is not None and hb > 0:
            self.heartbeat_interval = hb
        if _flag(frame, 141):
            self.store.set_next_target_seq(1)
        expected = self.store.next_target_seq
        if frame.msg_seq_num > expected and not self.config.retransmits:
            self._close(
                f"Logon answer MsgSeqNum {frame.msg_seq_num} > expected {expected} on a session without resends",
                reconnect=True,
            )
            return
        self._logged_on(frame, now, _flag(frame, 141))

    def _logged_on(self, frame: FixFrame, now: float, reset: bool) -> None:
        self.state = SessionState.ACTIVE
        self._state_since = now
        self._events.append(LoggedOn(self.heartbeat_interval, reset, frame))
        # the Logon itself is sequenced like any other message
        self._sequence(frame, now)

    # -- sequencing

    def _sequence(self, frame: FixFrame, now: float) -> None:
        seq = frame.msg_seq_num
        store = self.store
        fields = frame.fields
        if (fields.get("49") not in self._peer_ids or fields.get("56") not in self._own_ids) and not self._identity_ok(
            frame, now
        ):
            return
        expected = store.next_target_seq
        msg_type = frame.msg_type
        if msg_type == "4" and frame.get(123) != "Y":
            self._sequence_reset(frame, now)
            return
        if seq == expected:
            self._process(frame, now)
            self._drain(now)
            return
        if seq < expected:
            if _flag(frame, 43):
                return  # a duplicate of something already processed
            text = f"MsgSeqNum too low, expecting {expected} but received {seq}"
            self._send_admin("5", ((58, text),), now)
            self._close(text, reconnect=False)
            return
        # a gap: seq > expected
        if msg_type == "5":
            self._on_logout(frame, now)  # honoured at once, without moving the inbound counter
            return
        if not self.config.retransmits:
            self._events.append(GapDetected(expected, seq - 1, recoverable=False))
            text = f"MsgSeqNum gap, expecting {expected} but received {seq}"
            self._send_admin("5", ((58, text),), now)
            self._close(text, reconnect=True)
            return
        if msg_type == "2":
            self._answer_resend(frame, now)  # answer at once so two gapped peers cannot deadlock
        self._buffered[seq] = frame
        if len(self._buffered) > self.config.max_buffered:
            self._close(f"more than {self.config.max_buffered} messages buffered behind a gap", reconnect=True)
            return
        if self._resend_until is None:
            self._events.append(GapDetected(expected, seq - 1, recoverable=True))
            self._request_resend(expected, seq - 1, now)

    def _identity_ok(self, frame: FixFrame, now: float) -> bool:
        """Check 49 and 56; on a mismatch reject (373=9), log out and end the session for good."""
        for tag, accepted in ((49, self._peer_ids), (56, self._own_ids)):
            received = frame.get(tag)
            if received not in accepted:
                error = FixCompIdError(tag, received, accepted)
                text = str(error)
                self._reject(frame, 9, text[:200], now, ref_tag=tag)
                self._send_admin("5", ((58, text[:200]),), now)
                self._events.append(CloseConnection(text, reconnect=False, error=error))
                self.state = SessionState.DISCONNECTED
                return False
        return True

    def _request_resend(self, begin: int, until: int, now: float) -> None:
        self._resend_until = until
        self._resend_at = now
        self._send_admin("2", ((7, begin), (16, 0)), now)

    def _drain(self, now: float) -> None:
        buffered = self._buffered
        store = self.store
        while buffered and self.state is SessionState.ACTIVE:
            expected = store.next_target_seq
            for stale in [s for s in buffered if s < expected]:
                del buffered[stale]
            frame = buffered.pop(expected, None)
            if frame is None:
                break
            if frame.msg_type == "2":
                store.set_next_target_seq(expected + 1)  # already answered when it arrived
            else:
                self._process(frame, now)
        expected = store.next_target_seq
        if self._resend_until is not None and expected > self._resend_until:
            self._resend_until = None
            if buffered and self.state is SessionState.ACTIVE:
                first = min(buffered)
                self._events.append(GapDetected(expected, first - 1, recoverable=True))
                self._request_resend(expected, first - 1, now)

    def _sequence_reset(self, frame: FixFrame, now: float) -> None:
        new_seq = _int(frame, 36)
        expected = self.store.next_target_seq
        if new_seq is None:
            self._reject(frame, 1, "NewSeqNo (36) missing", now, ref_tag=36)
            return
        if new_seq < expected:
            self._reject(frame, 5, f"NewSeqNo {new_seq} would rewind below {expected}", now, ref_tag=36)
            return
        self.store.set_next_target_seq(new_seq)
        self._drain(now)

    def _process(self, frame: FixFrame, now: float) -> None:
        """Handle an in-sequence message and advance the inbound counter."""
        store = self.store
        store.set_next_target_seq(frame.msg_seq_num + 1)
        msg_type = frame.msg_type
        if msg_type not in ADMIN_MSG_TYPES:
            self._events.append(ApplicationMessage(msg_type, frame.msg_seq_num, frame, _flag(frame, 43)))
            if msg_type == "j":
                self._events.append(
                    BusinessReject(_int(frame, 45), frame.get(372), _int(frame, 380), frame.get(58), frame.get(379))
                )
            return
        if msg_type == "0":
            pass  # liveness is tracked on every received frame
        elif msg_type == "1":
            test_id = frame.get(112)
            if test_id is None:
                self._reject(frame, 1, "TestReqID (112) missing", now, ref_tag=112)
            else:
                self._send_admin("0", ((112, test_id),), now)
        elif msg_type == "2":
            self._answer_resend(frame, now)
        elif msg_type == "3":
            self._events.append(
                SessionReject(_int(frame, 45), _int(frame, 373), frame.get(58), _int(frame, 371), frame.get(372))
            )
        elif msg_type == "4":  # gap fill in sequence
            new_seq = _int(frame, 36)
            if new_seq is None:
                self._reject(frame, 1, "NewSeqNo (36) missing", now, ref_tag=36)
            elif new_seq <= frame.msg_seq_num:
                # FIXT 1.1: a NewSeqNo that does not move forward is an out-of-range value (373=5); the gap fill
                # itself is consumed and the inbound counter never goes back
                self._reject(frame, 5, f"NewSeqNo {new_seq} must exceed MsgSeqNum {frame.msg_seq_num}", now, ref_tag=36)
            else:
                store.set_next_target_seq(new_seq)
        elif msg_type == "5":
            self._on_logout(frame, now)
        elif msg_type == "A":
            pass  # the logon itself (handled before sequencing)

    def _on_logout(self, frame: FixFrame, now: float) -> None:
        text = frame.get(58)
        if self.state is SessionState.LOGOUT_SENT:
            self._events.append(LoggedOut(self._logout_text, initiated_by_us=True))
            self._close("logged out", reconnect=False)
        else:
            self._send_admin("5", (), now)
            self._events.append(LoggedOut(text, initiated_by_us=False))
            self._close(f"counterparty logged out: {text or 'no reason given'}", reconnect=True)

    # -- resends

    def _answer_resend(self, frame: FixFrame, now: float) -> None:
        begin = _int(frame, 7)
        end = _int(frame, 16)
        if begin is None or end is None or begin < 1:
            self._reject(frame, 5, "ResendRequest needs BeginSeqNo (7) >= 1 and EndSeqNo (16)", now, ref_tag=7)
            return
        store = self.store
        last = store.next_sender_seq - 1
        if end == 0 or end > last:
            end = last
        if begin > end:
            return
        cfg = self.config
        sending_time = format_sending_time(now)
        gap_start: int | None = None
        out = self._out
        for msg in store.messages(begin, end):
            if gap_start is None and msg.seq > begin:
                gap_start = begin
            if gap_start is not None and gap_start < msg.seq:
                out.append(self._gap_fill(gap_start, msg.seq, sending_time))
            out.append(
                build_frame(
                    msg.msg_type,
                    cfg.sender_comp_id,
                    cfg.target_comp_id,
                    msg.seq,
                    sending_time,
                    msg.body,
                    poss_dup=True,
                    orig_sending_time=msg.sending_time,
                )
            )
            gap_start = msg.seq + 1
        if gap_start is None:
            gap_start = begin
        if gap_start <= end:
            out.append(self._gap_fill(gap_start, end + 1, sending_time))
        self._last_sent = now

    def _gap_fill(self, seq: int, new_seq: int, sending_time: str) -> bytes:
        cfg = self.config
        body = b"123=Y\x0136=%d\x01" % new_seq
        return build_frame(
            "4",
            cfg.sender_comp_id,
            cfg.target_comp_id,
            seq,
            sending_time,
            body,
            poss_dup=True,
            orig_sending_time=sending_time,
        )
