"""Engine events delivered inside a subscription's stream, between its typed messages.

A stream yields the channel's messages (`OrderbookDelta`, `Ticker`, ...) and, where something
happened to the subscription, one of these. None of them is ever hidden from the consumer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._errors import KalshiDecodeError, KalshiSubscriptionError

__all__ = [
    "ErrorReceived",
    "MalformedMessage",
    "RawMessage",
    "Reconnected",
    "Resyncing",
    "SequenceGap",
    "StreamEvent",
]


class StreamEvent:
    """Base class of the engine events a stream yields."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class RawMessage(StreamEvent):
    """A frame whose `type` the SDK does not know (e.g. one added to the API after this release).

    Delivered, never dropped. `payload` is the whole decoded JSON object.
    """

    type: str
    sid: int | None
    seq: int | None
    payload: dict[str, Any]
    received_ms: int | None = None


@dataclass(frozen=True, slots=True)
class MalformedMessage(StreamEvent):
    """A frame that could not be decoded; the session carries on. `error.data` holds the bytes."""

    error: KalshiDecodeError


@dataclass(frozen=True, slots=True)
class ErrorReceived(StreamEvent):
    """The server reported an error about this subscription (an `error` frame with its sid, or a
    data frame carrying a non-null `error` object) that answers no command of ours.

    Terminal codes (10, 25) are followed by `Resyncing`. Session-level ones (no known sid) go to
    `session.session_events()`, with the frame in `message`.
    """

    error: KalshiSubscriptionError
    message: Any = None

    @property
    def code(self) -> int | None:
        """The server's error code (asyncapi.yaml, errorResponse)."""
        return self.error.code

    @property
    def server_message(self) -> str:
        return self.error.server_message


@dataclass(frozen=True, slots=True)
class SequenceGap(StreamEvent):
    """The subscription's `seq` skipped (or went back): messages were lost.

    Attributes:
        channel: the channel.
        sid: the subscription id the gap was seen on.
        expected: the seq that should have come.
        received: the seq that came.
        resyncing: True if the engine is resubscribing for a fresh snapshot (the default); False if
            the stream will raise `KalshiSequenceGapError` instead.
    """

    channel: str
    sid: int
    expected: int
    received: int
    resyncing: bool = True


@dataclass(frozen=True, slots=True)
class Resyncing(StreamEvent):
    """The engine dropped the subscription's local state and asked the server for it again.

    Messages after this event start from a fresh snapshot (order books) or the live stream.
    `reason` says why: `"sequence gap"`, `"order book: ..."`, `"backpressure"`, `"server error 10"`.
    """

    reason: str
    dropped: int = 0
    """Queued messages discarded (backpressure only)."""


@dataclass(frozen=True, slots=True)
class Reconnected(StreamEvent):
    """The connection dropped and was re-established; the subscription was made again.

    `sid`s change across connections; order books are rebuilt from fresh snapshots.
    """

    attempt: int
    """How many connect attempts it took (1 = the first retry worked)."""
    downtime: float = field(default=0.0)
    """Seconds between losing the connection and re-establishing it."""
