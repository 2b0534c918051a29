"""The records the protocol keeps and the events it emits: subscriptions, pending commands, policies."""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from ._channel import ChannelInfo

__all__ = [
    "CommandDone",
    "Event",
    "Keeper",
    "Overflow",
    "PeerDead",
    "Pending",
    "SubState",
    "Subscription",
    "SubscriptionActive",
    "SubscriptionFailed",
]


class Overflow(enum.Enum):
    """What a subscription does when its consumer falls behind and the queue is full.

    - `DROP_OLDEST`: discard the oldest queued message and count it in `dropped`. For
      latest-value channels (ticker), where only the newest value matters.
    - `RESYNC`: discard the whole queue, yield `Resyncing("backpressure")` and resubscribe, so
      the stream starts again from a fresh snapshot. For snapshot + delta channels.
    - `RAISE`: end the stream with `KalshiBackpressureError` after the queued messages. For
      channels where a lost message cannot be recovered (fills, orders, trades).
    """

    DROP_OLDEST = "drop_oldest"
    RESYNC = "resync"
    RAISE = "raise"


class SubState(enum.Enum):
    PENDING = "pending"
    """Subscribe sent (or waiting for a connection); no sid yet."""
    ACTIVE = "active"
    CLOSED = "closed"


class Keeper(Protocol):
    """Keeps local state from a subscription's messages (e.g. order books). Raise to force a resync.

    `reset()` forgets the state before a resubscribe. A keeper may also have `close()`, called when
    the subscription ends (`BookKeeper.close` drops its books); without one, `reset()` is called.
    """

    def __call__(self, message: Any) -> None: ...

    def reset(self) -> None: ...


class Subscription:
    """One subscription: its channel and params, its current sid and seq, and its bounded queue.

    The queue holds typed messages and `StreamEvent`s; `error` (if set) is raised to the consumer
    once the queue is drained; `closed` with an empty queue ends the stream.
    """

    __slots__ = (
        "ack_deadline",
        "capacity",
        "channel",
        "closed",
        "command_id",
        "dropped",
        "duplicates",
        "error",
        "gaps",
        "info",
        "keeper",
        "key",
        "last_seq",
        "on_gap",
        "overflow",
        "params",
        "queue",
        "sid",
        "signalled",
        "state",
        "waiter",
    )

    def __init__(
        self,
        key: int,
        info: ChannelInfo,
        params: dict[str, Any],
        *,
        capacity: int,
        overflow: Overflow,
        on_gap: str,
        keeper: Keeper | None,
    ) -> None:
        self.key = key
        self.info = info
        self.channel = info.name
        self.params = params
        self.capacity = capacity
        self.overflow = overflow
        self.on_gap = on_gap
        self.keeper = keeper
        self.sid: int | None = None
        self.last_seq: int | None = None
        self.state = SubState.PENDING
        self.queue: deque[Any] = deque()
        self.error: BaseException | None = None
        self.closed = False
        self.dropped = 0
        self.duplicates = 0
        self.gaps = 0
        self.signalled = False
        self.waiter: Any = None
        """Slot for the async face (an asyncio future); the protocol never touches it."""
        self.command_id: int | None = None
        """The id of the last `subscribe` sent for it."""
        self.ack_deadline: float | None = None
        """While a caller waits for the first ack: when `subscribe()` gives up (monotonic seconds)."""

    def __repr__(self) -> str:
        return f"Subscription({self.channel!r}, key={self.key}, sid={self.sid}, state={self.state.value})"


@dataclass(frozen=True, slots=True)
class CommandDone:
    """A command (other than subscribe) got its reply, an error, or timed out."""

    command_id: int
    result: Any = None
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class SubscriptionActive:
    """A subscribe was acknowledged; `subscription.sid` is set."""

    subscription: Subscription


@dataclass(frozen=True, slots=True)
class SubscriptionFailed:
    """A subscribe was refused (or timed out); the subscription is closed."""

    subscription: Subscription
    error: BaseException


@dataclass(frozen=True, slots=True)
class PeerDead:
    """No frame arrived for `dead_peer_timeout` seconds: the driver should drop and reconnect."""

    silence: float


Event = CommandDone | SubscriptionActive | SubscriptionFailed | PeerDead


@dataclass(slots=True)
class Pending:
    """A command awaiting its reply. `user` is False for the engine's own commands (resync,
    orphan unsubscribes): their replies are consumed and never reach a subscription."""

    kind: str
    deadline: float
    subscription: Subscription | None = None
    user: bool = True
