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
session.commit(seq)                       # with commit_on_handled: the application handled inbound `seq`
```

Errors: `FixSessionError` and its subclasses (`FixNotLoggedOnError`, `FixLogonError`, `FixCompIdError`), drawn
with the rest of the tree in `_errors.py`.

Identity: on every received message 49 must be one of `counterparty_comp_ids` and 56 one of `local_comp_ids`.
Kalshi sends `Kalshi` (docs.kalshi.com/fix/common-components: SenderCompID is "Kalshi when receiving") or
`KalshiMD` (the market-data examples) in 49, and our API key in 56; the session name is accepted too.
"""

from __future__ import annotations

import dataclasses

from ._codec import FixFrame, FrameSplitter, check_body, checksum, parse_frame
from ._errors import FixCompIdError, FixDecodeError, FixLogonError, FixNotLoggedOnError, FixSessionError
from ._session_events import (
    ADMIN_MSG_TYPES,
    KALSHI_COMP_IDS,
    ApplicationMessage,
    BusinessReject,
    CloseConnection,
    FrameDropped,
    GapDetected,
    LoggedOn,
    LoggedOut,
    LogonRejected,
    SessionConfig,
    SessionEvent,
    SessionReject,
    SessionState,
    accepted_comp_ids,
    build_frame,
    encode_fields,
    format_sending_time,
    logon_frame,
    resend_frames,
)
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


def _int(frame: FixFrame, tag: int) -> int | None:
    value = frame.fields.get(str(tag))
    if value is None or not value.isdigit() or not value.isascii():
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
        self._unhandled: dict[int, None] = {}
        """With `commit_on_handled`: inbound application MsgSeqNums delivered and not yet committed, in order."""
        self._prefixes: dict[str, bytes] = {}
        self._peer_ids, self._own_ids = accepted_comp_ids(self.config)

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
            self._reset_store()
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

    def commit(self, seq: int) -> None:
        """The application has handled inbound application message `seq`: with `commit_on_handled`, the store
        records as received everything up to the first message still unhandled (without it, a no-op).

        Call it once per `ApplicationMessage`, when the application's handler returned (or the reader asked
        for the next message); order does not matter. A process that dies before then asks for `seq` again.
        """
        unhandled = self._unhandled
        if seq not in unhandled:
            return
        del unhandled[seq]
        store = self.store
        store.commit_target_seq(next(iter(unhandled)) if unhandled else store.next_target_seq)

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
            self._advance(seq + 1)
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

    def _reset_store(self) -> None:
        self._unhandled.clear()
        self.store.reset()

    def _advance(self, seq: int) -> None:
        """Move the inbound counter past a message the application never sees (admin, gap fill, reset): it is
        recorded for a restart at once, unless application messages before it still wait to be handled."""
        if self._unhandled:
            self.store.advance_target_seq(seq)
        else:
            self.store.set_next_target_seq(seq)

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
        seq = self.store.reserve()
        self._out.append(logon_frame(self.config, seq, format_sending_time(now), self.heartbeat_interval, reset, extra))
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
            self._peer_ids, self._own_ids = accepted_comp_ids(self.config)
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
            self._reset_store()
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
            self._unhandled.clear()  # the counterparty started over: what it sent before cannot be resent
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
            if self.config.initiator:  # the counterparty started over (Kalshi does at its weekly maintenance)
                text += (
                    ": the counterparty reset its sequence numbers; log on again with a sequence reset "
                    "(fresh=True: ResetSeqNumFlag=Y, the stored numbers and messages are dropped)"
                )
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
                self._advance(expected + 1)  # already answered when it arrived
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
        self._advance(new_seq)
        self._drain(now)

    def _process(self, frame: FixFrame, now: float) -> None:
        """Handle an in-sequence message and advance the inbound counter."""
        seq = frame.msg_seq_num
        msg_type = frame.msg_type
        if msg_type not in ADMIN_MSG_TYPES:
            if self.config.commit_on_handled:
                self._unhandled[seq] = None
                self.store.advance_target_seq(seq + 1)  # recorded for a restart by commit(seq)
            else:
                self.store.set_next_target_seq(seq + 1)
            self._events.append(ApplicationMessage(msg_type, seq, frame, _flag(frame, 43)))
            if msg_type == "j":
                self._events.append(
                    BusinessReject(_int(frame, 45), frame.get(372), _int(frame, 380), frame.get(58), frame.get(379))
                )
            return
        self._advance(seq + 1)
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
                self._advance(new_seq)
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
        self._out.extend(resend_frames(self.config, self.store, begin, end, format_sending_time(now)))
        self._last_sent = now
