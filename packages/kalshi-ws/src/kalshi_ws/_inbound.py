"""What arrives: frame routing, control frames, the one sequence check, resync and overflow.

The inbound half of `KalshiProtocol` (`_protocol.py` holds commands, lifecycle and timers); it
shares the protocol's state and is never used alone.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from ._errors import (
    KalshiBackpressureError,
    KalshiDecodeError,
    KalshiOrderBookError,
    KalshiSequenceGapError,
    KalshiSubscriptionError,
)
from ._events import ErrorReceived, MalformedMessage, RawMessage, Resyncing, SequenceGap, StreamEvent
from ._subscription import (
    CommandDone,
    Event,
    Overflow,
    Pending,
    Subscription,
    SubscriptionActive,
    SubscriptionFailed,
    SubState,
)
from .messages import WsMessage

__all__ = ["Inbound"]

logger = logging.getLogger("kalshi.ws")

_force_setattr = msgspec.structs.force_setattr


class Inbound:
    """Frame handling for `KalshiProtocol`: `receive()` and everything it sets off."""

    if TYPE_CHECKING:
        _decode: Callable[[bytes], Any]
        _control: dict[type, Callable[[Any, float], None]]
        _with_id: frozenset[type]
        _events: list[Event]
        _ready: list[Subscription]
        _pending: dict[int, Pending]
        _by_sid: dict[int, Subscription]
        _orphans: dict[int, deque[tuple[Any, int]]]
        _dead_sids: set[int]
        connected: bool
        last_activity: float
        orphan_limit: int
        session_events: deque[Any]
        duplicates: int

        def _close(self, sub: Subscription) -> None: ...
        def _send_subscribe(self, sub: Subscription, now: float, *, user: bool = True) -> int: ...
        def _unsubscribe_sid(self, sid: int, now: float) -> None: ...
        def unsubscribe(self, sub: Subscription, now: float) -> int | None: ...

    # ---- input -----------------------------------------------------------------------------
    def receive(self, data: bytes, now: float, wall_ms: int) -> None:
        """Handle one text frame from the server."""
        self.last_activity = now
        try:
            msg = self._decode(data)
        except KalshiDecodeError as error:
            self._on_malformed(error, now)
            return
        cls = type(msg)
        if cls is RawMessage:
            object.__setattr__(msg, "received_ms", wall_ms)
        else:
            _force_setattr(msg, "received_ms", wall_ms)
            handler = self._control.get(cls)
            if handler is not None:
                handler(msg, now)
                return
            if msg.error is not None:
                self._on_envelope_error(msg, now)
                return
        sid = getattr(msg, "sid", None)
        sub = self._by_sid.get(sid) if sid is not None else None
        if sub is None:
            self._unrouted(msg, sid, wall_ms)
            return
        self._deliver(sub, msg, now)

    def _deliver(self, sub: Subscription, msg: Any, now: float) -> None:
        seq = getattr(msg, "seq", None)
        if seq is not None and not self._in_sequence(sub, seq, now):
            return
        keeper = sub.keeper
        if keeper is not None:
            try:
                keeper(msg)
            except KalshiOrderBookError as error:
                self._resync(sub, f"order book: {error}", now)
                return
        if seq is not None:
            sub.last_seq = seq
        if len(sub.queue) >= sub.capacity and not self._overflow(sub, now):
            return
        sub.queue.append(msg)
        if not sub.signalled:
            sub.signalled = True
            self._ready.append(sub)
        if type(msg) in self._with_id:
            cid = msg.id
            if cid and cid in self._pending:
                self._pending.pop(cid)
                self._events.append(CommandDone(cid, result=msg))

    def _unrouted(self, msg: Any, sid: int | None, wall_ms: int) -> None:
        if sid is not None and sid in self._dead_sids:
            return
        if sid is not None and sid not in self._by_sid and self._expecting_ack():
            held = self._orphans.setdefault(sid, deque(maxlen=self.orphan_limit))
            held.append((msg, wall_ms))
            return
        self.session_events.append(msg)

    def _expecting_ack(self) -> bool:
        return any(p.kind == "subscribe" for p in self._pending.values())

    def _on_malformed(self, error: KalshiDecodeError, now: float) -> None:
        logger.warning("kalshi.ws: %s", error)
        event = MalformedMessage(error)
        sub = self._by_sid.get(error.sid) if error.sid is not None else None
        if sub is None:
            self.session_events.append(event)
            return
        self._push_event(sub, event)
        if sub.info.sequenced:
            # A frame of a sequenced channel was lost: its state can no longer be trusted.
            self._resync(sub, "malformed frame", now)

    def _on_envelope_error(self, msg: WsMessage, now: float) -> None:
        """A data frame carrying a non-null `error` object: the error path, never the data path."""
        body = msg.error
        code = body.get("code") if isinstance(body, dict) else None
        text = body.get("msg") if isinstance(body, dict) else None
        sid = getattr(msg, "sid", None)
        error = KalshiSubscriptionError(
            code if isinstance(code, int) else None,
            str(text if text is not None else body),
            command_id=getattr(msg, "id", None) or None,
            sid=sid,
        )
        self._report_error(error, msg, self._by_sid.get(sid) if sid is not None else None, now)

    # ---- control frames --------------------------------------------------------------------
    def _on_subscribed(self, msg: Any, now: float) -> None:
        sid = msg.msg.sid
        pending = self._pending.pop(msg.id, None) if msg.id else None
        sub = pending.subscription if pending is not None and pending.kind == "subscribe" else None
        if sub is None or sub.state is SubState.CLOSED:
            # A subscribe nobody waits for (abandoned, timed out or closed): the server made it anyway.
            self._unsubscribe_sid(sid, now)
            return
        sub.sid = sid
        sub.last_seq = None
        sub.state = SubState.ACTIVE
        sub.ack_deadline = None
        self._by_sid[sid] = sub
        self._dead_sids.discard(sid)
        if pending is not None and pending.user:
            self._events.append(SubscriptionActive(sub))
        held = self._orphans.pop(sid, None)
        if held:
            for item, _ in held:
                if sub.state is not SubState.ACTIVE or sub.sid != sid:
                    break
                self._deliver(sub, item, now)

    def _on_unsubscribed(self, msg: Any, now: float) -> None:
        pending = self._pending.pop(msg.id, None) if msg.id else None
        if pending is not None:
            # The reply to one of our unsubscribes: the sid it names is already dead to us, so a
            # live subscription that got that sid again is never touched.
            if pending.user:
                self._events.append(CommandDone(msg.id, result=msg))
            return
        sub = self._by_sid.get(msg.sid)
        if sub is not None:
            logger.info("kalshi.ws: server ended the %s subscription sid=%s", sub.channel, msg.sid)
            self._close(sub)

    def _on_ok(self, msg: Any, now: float) -> None:
        sub = self._by_sid.get(msg.sid) if msg.sid is not None else None
        if sub is not None and msg.seq is not None and not self._in_sequence(sub, msg.seq, now, advance=True):
            return
        pending = self._pending.pop(msg.id, None) if msg.id else None
        if pending is not None and pending.user:
            self._events.append(CommandDone(msg.id, result=msg.msg))

    def _on_error(self, msg: Any, now: float) -> None:
        body = msg.msg
        code = body.code if body is not None else None
        text = (body.msg if body is not None else None) or "error frame without a message"
        error = KalshiSubscriptionError(code, text, command_id=msg.id or None, sid=msg.sid)
        sub = self._by_sid.get(msg.sid) if msg.sid is not None else None
        if sub is not None and msg.seq is not None and not self._in_sequence(sub, msg.seq, now, advance=True):
            return
        self._report_error(error, msg, sub, now)

    def _report_error(self, error: KalshiSubscriptionError, msg: Any, sub: Subscription | None, now: float) -> None:
        """Answer the command the error names, else tell the subscription, else the session."""
        pending = self._pending.pop(error.command_id, None) if error.command_id else None
        if pending is not None:
            target = pending.subscription
            error.operation = pending.kind
            error.channel = target.channel if target is not None else None
            if pending.kind == "subscribe" and target is not None:
                self._fail_subscription(target, error, pending.user)
            elif pending.user:
                self._events.append(CommandDone(error.command_id or 0, error=error))
            return
        if sub is not None:
            error.channel = sub.channel
            self._push_event(sub, ErrorReceived(error))
            if error.terminal:
                self._resync(sub, f"server error {error.code}: {error.server_message}", now)
            return
        logger.warning("kalshi.ws: %s", error)
        self.session_events.append(ErrorReceived(error, msg))

    def _fail_subscription(self, sub: Subscription, error: BaseException, user: bool) -> None:
        if sub.error is None:
            sub.error = error
        waiting = sub.ack_deadline is not None
        self._close(sub)
        if user or waiting:
            self._events.append(SubscriptionFailed(sub, error))

    # ---- sequencing and resync ---------------------------------------------------------------
    def _in_sequence(self, sub: Subscription, seq: int, now: float, *, advance: bool = False) -> bool:
        """The one sequence check: True if the frame may be handled.

        Only sequenced channels are checked. A duplicate is dropped (and counted); a gap or a
        reset is reported and repaired. `advance` moves the watermark at once (control frames);
        data frames move it after their keeper accepted them.
        """
        if not sub.info.sequenced:
            return True
        last = sub.last_seq
        if last is not None and seq != last + 1:
            if seq == last:
                sub.duplicates += 1
                self.duplicates += 1
                return False
            self._gap(sub, last + 1, seq, now)
            return False
        if advance:
            sub.last_seq = seq
        return True

    def _gap(self, sub: Subscription, expected: int, received: int, now: float) -> None:
        sub.gaps += 1
        sid = sub.sid or 0
        if sub.on_gap == "raise":
            logger.warning(
                "kalshi.ws: %s sid=%s seq gap (expected %s, received %s)", sub.channel, sid, expected, received
            )
            self._push_event(sub, SequenceGap(sub.channel, sid, expected, received, resyncing=False))
            sub.error = KalshiSequenceGapError(sub.channel, sid, expected, received)
            self.unsubscribe(sub, now)
            return
        self._push_event(sub, SequenceGap(sub.channel, sid, expected, received, resyncing=True))
        self._resync(sub, f"sequence gap (expected {expected}, received {received})", now, event=False)

    def _resync(self, sub: Subscription, reason: str, now: float, *, event: bool = True, dropped: int = 0) -> None:
        """Unsubscribe the current sid and subscribe again: a new sid, a fresh snapshot."""
        logger.info("kalshi.ws: resync %s sid=%s: %s", sub.channel, sub.sid, reason)
        if event:
            self._push_event(sub, Resyncing(reason, dropped))
        if sub.sid is not None:
            self._unsubscribe_sid(sub.sid, now)
        if self.connected:
            self._send_subscribe(sub, now, user=False)
        else:
            sub.state = SubState.PENDING

    def _overflow(self, sub: Subscription, now: float) -> bool:
        """Apply the overflow policy; True if the new message should still be queued."""
        policy = sub.overflow
        if policy is Overflow.DROP_OLDEST:
            sub.queue.popleft()
            sub.dropped += 1
            return True
        if policy is Overflow.RESYNC:
            dropped = len(sub.queue)
            sub.queue.clear()
            sub.dropped += dropped + 1
            self._resync(sub, "backpressure", now, dropped=dropped + 1)
            return False
        sub.dropped += 1
        if sub.error is None:
            sub.error = KalshiBackpressureError(sub.channel, sub.capacity)
        self.unsubscribe(sub, now)
        return False

    def _push_event(self, sub: Subscription, event: StreamEvent) -> None:
        queue = sub.queue
        if len(queue) >= sub.capacity:
            queue.popleft()
            sub.dropped += 1
        queue.append(event)
        self._signal(sub)

    def _signal(self, sub: Subscription) -> None:
        if not sub.signalled:
            sub.signalled = True
            self._ready.append(sub)
