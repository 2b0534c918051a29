"""The Kalshi WebSocket protocol as a pure state machine: frames in, events and queued messages out.

No sockets, no asyncio, no clock: every input carries `now` (monotonic seconds) and, for frames,
`wall_ms` (epoch ms, for message age). The driver (`_connection.py`) feeds it frames and timer
ticks, sends what `data_to_send()` returns and reacts to `events_received()`.

What it does:
- commands with ids (`subscribe`, `unsubscribe`, `update_subscription`, `list_subscriptions`),
  replies matched to their command by id, command timeouts; a caller waiting on `subscribe` is
  always answered (ack, server error, timeout, or the connection or session closing);
- a table of subscriptions: durable client-side keys mapped to the server's current `sid`s;
- `seq` checking on the channels the channel table marks `sequenced` (order-book snapshots and
  deltas, order-group updates), for every frame of theirs that carries one (data, `ok`,
  `unsubscribed`, subscription-scoped `error`): a duplicate is dropped; a gap or a reset is reported
  (`SequenceGap`) and repaired by resubscribing that one subscription, which restores order books
  from a fresh snapshot. On other channels no message is ever dropped for its `seq`;
- optional per-subscription state keeping (order books) through an injected keeper; a subscription
  that ends (either side unsubscribing) takes its state with it;
- bounded per-subscription queues with an overflow policy (`Overflow`);
- frames on a sid whose `subscribed` ack has not arrived yet are held (bounded) and replayed;
- dead-peer detection: no frame for `dead_peer_timeout` seconds.

Routing is by `type` (the decoded class), never by channel name.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from kalshi_auth import KalshiConfigError

from ._channel import ChannelInfo
from ._decode import MessageDecoder
from ._errors import (
    KalshiConnectionError,
    KalshiSubscriptionError,
    KalshiWebSocketError,
)
from ._events import Reconnected
from ._inbound import Inbound
from ._subscription import (
    CommandDone,
    Event,
    Keeper,
    Overflow,
    PeerDead,
    Pending,
    Subscription,
    SubscriptionActive,
    SubscriptionFailed,
    SubState,
)
from .messages import WsMessage

__all__ = [
    "CommandDone",
    "Event",
    "KalshiProtocol",
    "Keeper",
    "Overflow",
    "PeerDead",
    "SubState",
    "Subscription",
    "SubscriptionActive",
    "SubscriptionFailed",
]

logger = logging.getLogger("kalshi.ws")

_force_setattr = msgspec.structs.force_setattr
_CONTROL_TYPES = ("subscribed", "unsubscribed", "ok", "error")


class KalshiProtocol(Inbound):
    """Sans-I/O Kalshi WebSocket protocol for one logical session (survives reconnects).

    This module holds commands, the connection lifecycle and timers; `_inbound.py` the handling
    of what arrives (routing, control frames, the sequence check, resync, overflow).

    Args:
        channels: the product's channel table (`CHANNELS`).
        messages: the product's message classes by `type` (`SERVER_MESSAGES`).
        command_timeout: seconds to wait for a command's reply (and for a subscribe's first ack).
        dead_peer_timeout: seconds of silence after which the peer is declared dead.
        orphan_limit: frames held per not-yet-acknowledged sid.
    """

    def __init__(
        self,
        channels: Mapping[str, ChannelInfo],
        messages: Mapping[str, type[WsMessage]],
        *,
        command_timeout: float = 10.0,
        dead_peer_timeout: float = 30.0,
        orphan_limit: int = 1000,
        session_event_limit: int = 1000,
    ) -> None:
        self.channels = channels
        self.decoder = MessageDecoder.for_messages(messages)
        self._decode = self.decoder.decode
        self.command_timeout = command_timeout
        self.dead_peer_timeout = dead_peer_timeout
        self.orphan_limit = orphan_limit
        self._control: dict[type, Callable[[Any, float], None]] = {}
        handlers = (self._on_subscribed, self._on_unsubscribed, self._on_ok, self._on_error)
        for tag, handler in zip(_CONTROL_TYPES, handlers, strict=True):
            if tag in messages:
                self._control[messages[tag]] = handler
        self._with_id = frozenset(
            cls for tag, cls in messages.items() if tag not in _CONTROL_TYPES and "id" in cls.__struct_fields__
        )
        self._next_id = 1
        self._next_key = 1
        self._out: list[bytes] = []
        self._events: list[Event] = []
        self._ready: list[Subscription] = []
        self._pending: dict[int, Pending] = {}
        self._subs: dict[int, Subscription] = {}
        self._by_sid: dict[int, Subscription] = {}
        self._orphans: dict[int, deque[tuple[Any, int]]] = {}
        self._dead_sids: set[int] = set()
        self.connected = False
        self.last_activity = 0.0
        self._peer_dead_reported = False
        self.session_events: deque[Any] = deque(maxlen=session_event_limit)
        """Frames and errors that belong to no subscription (bounded; oldest dropped)."""
        self.duplicates = 0
        """Duplicate frames dropped on sequenced channels, over every subscription."""

    # ---- outputs ---------------------------------------------------------------------------
    def data_to_send(self) -> list[bytes]:
        """Frames to send, in order (each is one JSON text message)."""
        out, self._out = self._out, []
        return out

    def events_received(self) -> list[Event]:
        """Events since the last call."""
        events, self._events = self._events, []
        return events

    def ready_subscriptions(self) -> list[Subscription]:
        """Subscriptions whose queue or state changed since the last call (to wake consumers)."""
        ready, self._ready = self._ready, []
        for sub in ready:
            sub.signalled = False
        return ready

    @property
    def subscriptions(self) -> list[Subscription]:
        """Every subscription not closed."""
        return [s for s in self._subs.values() if s.state is not SubState.CLOSED]

    # ---- commands --------------------------------------------------------------------------
    def _command(self, cmd: str, params: dict[str, Any] | None, now: float, pending: Pending | None) -> int:
        cid = self._next_id
        self._next_id += 1
        body: dict[str, Any] = {"id": cid, "cmd": cmd}
        if params is not None:
            body["params"] = params
        self._out.append(msgspec.json.encode(body))
        if pending is not None:
            pending.deadline = now + self.command_timeout
            self._pending[cid] = pending
        return cid

    def _unsubscribe_sid(self, sid: int, now: float) -> None:
        """The engine's own unsubscribe (resync, orphan ack): its reply is consumed, never routed."""
        self._by_sid.pop(sid, None)
        self._dead_sids.add(sid)
        if self.connected:
            self._command("unsubscribe", {"sids": [sid]}, now, Pending("unsubscribe", 0.0, user=False))

    def subscribe(
        self,
        channel: str,
        params: Mapping[str, Any],
        now: float,
        *,
        capacity: int = 10_000,
        overflow: Overflow = Overflow.RAISE,
        on_gap: str = "resync",
        keeper: Keeper | None = None,
    ) -> Subscription:
        """Register a subscription to one channel and send its `subscribe` (once connected).

        The caller is answered by a `SubscriptionActive` or `SubscriptionFailed` event, at the
        latest `command_timeout` seconds from now.

        Args:
            channel: a channel name; one not in the table is allowed (sent as is, untyped, unsequenced).
            params: subscribe params besides `channels` (market_tickers, index_ids, ...); for a
                channel in the table, only the keys the spec allows it.
            capacity: the queue bound.
            overflow: the policy when the queue is full.
            on_gap: `"resync"` (resubscribe, report `SequenceGap`) or `"raise"` (end the stream with
                `KalshiSequenceGapError`); sequenced channels only.
            keeper: optional state keeper fed every data message before it is queued.

        Raises:
            KalshiConfigError: a bad capacity or on_gap, or a param the channel does not take.
        """
        if capacity < 1:
            raise KalshiConfigError("capacity (queue_size) must be >= 1")
        if on_gap not in ("resync", "raise"):
            raise KalshiConfigError(f"on_gap must be 'resync' or 'raise', got {on_gap!r}")
        info = self.channels.get(channel)
        if info is None:
            info = ChannelInfo(channel, channel, (), (), sequenced=False, private=False)
        elif info.params is not None:
            unknown = sorted(set(params) - set(info.params))
            if unknown:
                allowed = ", ".join(info.params) or "none"
                raise KalshiConfigError(f"{channel} does not take {', '.join(unknown)} (allowed: {allowed})")
        sub = Subscription(
            self._next_key, info, dict(params), capacity=capacity, overflow=overflow, on_gap=on_gap, keeper=keeper
        )
        self._next_key += 1
        self._subs[sub.key] = sub
        sub.ack_deadline = now + self.command_timeout
        if self.connected:
            self._send_subscribe(sub, now)
        return sub

    def _send_subscribe(self, sub: Subscription, now: float, *, user: bool = True) -> int:
        sub.state = SubState.PENDING
        sub.sid = None
        sub.last_seq = None
        if sub.keeper is not None:
            sub.keeper.reset()
        params = {"channels": [sub.channel], **sub.params}
        sub.command_id = self._command("subscribe", params, now, Pending("subscribe", 0.0, sub, user))
        return sub.command_id

    def unsubscribe(self, sub: Subscription, now: float) -> int | None:
        """Close a subscription (its state goes with it) and send `unsubscribe` for its sid; returns
        the command id (None if there was no sid to unsubscribe)."""
        sid = sub.sid
        self._close(sub)
        if sid is None or not self.connected:
            return None
        self._by_sid.pop(sid, None)
        self._dead_sids.add(sid)
        return self._command("unsubscribe", {"sids": [sid]}, now, Pending("unsubscribe", 0.0, sub))

    def update_subscription(self, sub: Subscription, action: str, params: Mapping[str, Any], now: float) -> int:
        """Send `update_subscription` for one subscription (add/delete markets, get_snapshot, ...).

        Adds and removals of markets are also recorded in the subscription's params, so a
        resubscribe after a reconnect asks for the current set.

        Raises:
            KalshiWebSocketError: the subscription has no sid (not acknowledged, or reconnecting).
        """
        if sub.sid is None or not self.connected:
            raise KalshiWebSocketError(f"{sub.channel} subscription is not active (state {sub.state.value})")
        self._remember_update(sub, action, params)
        return self._command(
            "update_subscription", {"sid": sub.sid, "action": action, **params}, now, Pending("update", 0.0, sub)
        )

    @staticmethod
    def _remember_update(sub: Subscription, action: str, params: Mapping[str, Any]) -> None:
        for key, adds, removes in (
            ("market_tickers", "add_markets", "delete_markets"),
            ("index_ids", "subscribe_indices", "unsubscribe_indices"),
            ("underlying_tickers", "subscribe_underlyings", "unsubscribe_underlyings"),
        ):
            if action not in (adds, removes):
                continue
            changed = list(params.get(key) or ())
            single = "market_ticker" if key == "market_tickers" else None
            if single and params.get(single):
                changed.append(params[single])
            current = list(sub.params.get(key) or ())
            if single and sub.params.get(single):
                current.append(sub.params.pop(single))
            if action == adds:
                current += [x for x in changed if x not in current]
            else:
                current = [x for x in current if x not in changed]
            if current:
                sub.params[key] = current
            else:
                sub.params.pop(key, None)

    def list_subscriptions(self, now: float) -> int:
        """Send `list_subscriptions`; the reply (a list of {channel, sid}) arrives as `CommandDone`."""
        return self._command("list_subscriptions", None, now, Pending("list", 0.0))

    # ---- connection lifecycle ----------------------------------------------------------------
    def connection_made(self, now: float, *, reconnect_attempt: int = 0, downtime: float = 0.0) -> None:
        """The transport is open: (re)send `subscribe` for every live subscription.

        Args:
            reconnect_attempt: 0 for the first connection; otherwise every live stream gets a
                `Reconnected` event.
        """
        self.connected = True
        self.last_activity = now
        self._peer_dead_reported = False
        for sub in list(self._subs.values()):
            if sub.state is SubState.CLOSED:
                continue
            if reconnect_attempt:
                self._push_event(sub, Reconnected(reconnect_attempt, downtime))
            self._send_subscribe(sub, now)

    def connection_lost(self) -> None:
        """The transport closed: forget sids and pending replies; subscriptions wait to be redone.

        A caller still waiting for a first ack keeps waiting (until its deadline): the subscribe is
        sent again on the next connection.
        """
        self.connected = False
        self._out.clear()
        self._by_sid.clear()
        self._orphans.clear()
        self._dead_sids.clear()
        pending, self._pending = self._pending, {}
        for cid, p in pending.items():
            if p.kind == "subscribe" or not p.user:
                continue
            self._events.append(CommandDone(cid, error=KalshiConnectionError("connection lost before the reply")))
        for sub in self._subs.values():
            if sub.state is not SubState.CLOSED:
                sub.state = SubState.PENDING
                sub.sid = None
                sub.last_seq = None
                if sub.keeper is not None:
                    sub.keeper.reset()

    def close_all(self, error: BaseException | None = None) -> None:
        """End every stream (the session is closing, or the connection is gone for good).

        Every caller still waiting is answered: a pending `subscribe` fails with
        `KalshiSubscriptionError` naming the channel, the operation and the command id; an active
        stream raises `error` (if given) after its queued items.
        """
        reason = str(error) if error is not None else "session closed"
        for sub in list(self._subs.values()):
            if sub.state is SubState.CLOSED:
                continue
            if sub.ack_deadline is not None:
                failure = self._subscribe_error(sub, reason)
                failure.__cause__ = error
                self._fail_subscription(sub, failure, user=True)
                continue
            if error is not None and sub.error is None:
                sub.error = error
            self._close(sub)
        for cid, p in list(self._pending.items()):
            if p.user and p.kind != "subscribe":
                self._events.append(CommandDone(cid, error=error or KalshiConnectionError("session closed")))
        self._pending.clear()

    def _close(self, sub: Subscription) -> None:
        sub.state = SubState.CLOSED
        sub.closed = True
        sub.ack_deadline = None
        if sub.sid is not None:
            self._by_sid.pop(sub.sid, None)
        self._subs.pop(sub.key, None)
        keeper = sub.keeper
        if keeper is not None:
            getattr(keeper, "close", keeper.reset)()
        self._signal(sub)

    @staticmethod
    def _subscribe_error(sub: Subscription, reason: str) -> KalshiSubscriptionError:
        return KalshiSubscriptionError(
            None, reason, command_id=sub.command_id, channel=sub.channel, operation="subscribe"
        )

    @staticmethod
    def _command_error(p: Pending, cid: int, reason: str) -> KalshiSubscriptionError:
        channel = p.subscription.channel if p.subscription is not None else None
        return KalshiSubscriptionError(None, reason, command_id=cid, channel=channel, operation=p.kind)

    # ---- timers ----------------------------------------------------------------------------
    def next_deadline(self) -> float | None:
        """When `check_timeouts` next has something to do (monotonic seconds), or None."""
        deadlines = [p.deadline for p in self._pending.values()]
        deadlines += [s.ack_deadline for s in self._subs.values() if s.ack_deadline is not None]
        if self.connected and not self._peer_dead_reported:
            deadlines.append(self.last_activity + self.dead_peer_timeout)
        return min(deadlines) if deadlines else None

    def check_timeouts(self, now: float) -> None:
        """Expire commands (and first subscribe acks) past their deadline; detect a dead peer."""
        for cid, p in list(self._pending.items()):
            if p.deadline > now:
                continue
            del self._pending[cid]
            reason = f"no reply within {self.command_timeout}s"
            sub = p.subscription
            if p.kind == "subscribe" and sub is not None:
                if sub.state is not SubState.CLOSED:
                    self._fail_subscription(sub, self._subscribe_error(sub, reason), p.user)
            elif p.user:
                self._events.append(CommandDone(cid, error=self._command_error(p, cid, reason)))
        for sub in list(self._subs.values()):
            if sub.ack_deadline is not None and sub.ack_deadline <= now:
                reason = f"no subscribed ack within {self.command_timeout}s"
                self._fail_subscription(sub, self._subscribe_error(sub, reason), user=True)
        silence = now - self.last_activity
        if self.connected and not self._peer_dead_reported and silence >= self.dead_peer_timeout:
            self._peer_dead_reported = True
            self._events.append(PeerDead(silence))

    def activity(self, now: float) -> None:
        """Note life on the connection without a message (a ping or pong from the server)."""
        self.last_activity = now
