"""Errors raised by the WebSocket engine.

```
KalshiError (kalshi_auth)
├── KalshiConnectionError (kalshi_auth)   connect, handshake, TLS or close failed; the socket dropped
├── AuthRequiredError (kalshi_auth)       a private channel on a connection without credentials
└── KalshiWebSocketError                  anything else the WebSocket engine reports
    ├── KalshiSubscriptionError           the server answered a command with `error` (.code, .server_message)
    ├── KalshiSequenceGapError            a subscription's `seq` skipped or went back (.expected, .received)
    ├── KalshiBackpressureError           a consumer fell behind a channel that must not drop messages
    ├── KalshiOrderBookError              a delta before its snapshot, out of order, or inconsistent
    │   └── KalshiNoBookError                no book for that market (no snapshot yet, or unsubscribed); also a KeyError
    └── KalshiDecodeError                 a frame that is not valid JSON or does not match its model
```
"""

from __future__ import annotations

from kalshi_auth import AuthRequiredError, KalshiConnectionError, KalshiError

__all__ = [
    "AuthRequiredError",
    "KalshiBackpressureError",
    "KalshiConnectionError",
    "KalshiDecodeError",
    "KalshiNoBookError",
    "KalshiOrderBookError",
    "KalshiSequenceGapError",
    "KalshiSubscriptionError",
    "KalshiWebSocketError",
]


class KalshiWebSocketError(KalshiError):
    """Base class of the WebSocket engine's own errors."""


class KalshiSubscriptionError(KalshiWebSocketError):
    """A command failed: the server answered with an `error`, or no answer can come any more.

    Attributes:
        code: the server's numeric error code (asyncapi.yaml, errorResponse), e.g. 8 unknown channel;
            None when the failure is local (timeout, connection closed, session closed).
        server_message: the server's text (or what happened locally).
        command_id: the id of the command it answers, if any.
        sid: the subscription it concerns, if any.
        channel: the channel, when known.
        operation: the command (`subscribe`, `unsubscribe`, ...), when known.
    """

    def __init__(
        self,
        code: int | None,
        server_message: str,
        *,
        command_id: int | None = None,
        sid: int | None = None,
        channel: str | None = None,
        operation: str | None = None,
    ):
        self.code = code
        self.server_message = server_message
        self.command_id = command_id
        self.sid = sid
        self.channel = channel
        self.operation = operation
        where = " ".join(
            part
            for part in (
                operation or "",
                channel or "",
                f"(command {command_id})" if command_id is not None else "",
            )
            if part
        )
        head = f"server error {code}" if code is not None else "failed"
        super().__init__(f"{where}: {head}: {server_message}" if where else f"{head}: {server_message}")

    @property
    def terminal(self) -> bool:
        """True for codes after which the subscription is gone and must be made again (10, 25)."""
        return self.code in (10, 25)


class KalshiSequenceGapError(KalshiWebSocketError):
    """A subscription's `seq` did not follow the previous one.

    Attributes:
        channel: the channel name.
        sid: the server's subscription id at the time.
        expected: the seq that should have come next.
        received: the seq that came.
    """

    def __init__(self, channel: str, sid: int, expected: int, received: int):
        self.channel = channel
        self.sid = sid
        self.expected = expected
        self.received = received
        kind = "went back" if received < expected else "skipped"
        super().__init__(f"{channel} sid={sid}: seq {kind}: expected {expected}, received {received}")


class KalshiBackpressureError(KalshiWebSocketError):
    """A consumer fell behind and its bounded queue overflowed on a channel that may not drop.

    Attributes:
        channel: the channel name.
        capacity: the queue bound that was exceeded.
    """

    def __init__(self, channel: str, capacity: int):
        self.channel = channel
        self.capacity = capacity
        super().__init__(f"{channel}: consumer fell behind; queue of {capacity} overflowed")


class KalshiOrderBookError(KalshiWebSocketError):
    """An order-book update that cannot be applied: no snapshot yet, out of order, or inconsistent."""


class KalshiNoBookError(KalshiOrderBookError, KeyError):
    """There is no order book for that market: no snapshot has arrived, or the subscription ended.

    A `KeyError` too, so `except KeyError` written against the old `stream.book()` still works.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class KalshiDecodeError(KalshiWebSocketError):
    """A frame that is not JSON, or a known message `type` whose fields do not match the spec.

    Attributes:
        data: the frame as received (bytes).
    """

    def __init__(self, message: str, data: bytes):
        self.data = data
        self.type: str | None = None
        """The frame's `type`, when it had a known one."""
        self.sid: int | None = None
        """The frame's `sid`, when it had one (the stream it is delivered to)."""
        self.seq: int | None = None
        super().__init__(message)
