"""Base classes of the generated message models (hand-written; the generator only subclasses them)."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

__all__ = ["WsCommand", "WsMessage", "WsPayload"]

_RECEIVED_KEY = "__kalshi_ws_received_ms__"


def _missing(obj: Any) -> tuple[str, ...]:
    return tuple(name for name in obj.__required__ if (value := getattr(obj, name)) is None or value == [])


class WsPayload(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """A JSON object inside a message (`msg`, nested objects). Unknown fields are ignored.

    The decode policy (tools/codegen/gen_ws.py, `is_strict`): a field the spec requires that a
    client can act without decodes as None (a list as []) when absent or null; `missing_fields`
    names them. Identity, side, and the price and size of orders, fills and book levels stay
    required: a frame without them is a `KalshiDecodeError`.
    """

    __required__: ClassVar[tuple[str, ...]] = ()
    """Spec-required fields this class decodes leniently (generated)."""

    @property
    def missing_fields(self) -> tuple[str, ...]:
        """Spec-required fields of this object that were absent or null (an empty list counts)."""
        return _missing(self)


class WsMessage(msgspec.Struct, tag_field="type", frozen=True, gc=False, kw_only=True):
    """A server message, tagged on `type`.

    `received_ms` is set by the session when the frame arrives (wall clock, epoch ms); it is never
    read from the wire. `age_ms` is how stale the message was on arrival.
    """

    __required__: ClassVar[tuple[str, ...]] = ()
    """Spec-required fields this class decodes leniently (generated)."""

    received_ms: int | None = msgspec.field(default=None, name=_RECEIVED_KEY)
    """When the frame arrived (epoch ms), set by the session; None for a message built by hand."""
    error: Any = None
    """A server `error` object on a data envelope (normally absent or null); the session reports a
    non-null one as a `ErrorReceived` event instead of delivering the message."""

    @property
    def missing_fields(self) -> tuple[str, ...]:
        """Spec-required envelope fields that were absent or null (see `msg.missing_fields` too)."""
        return _missing(self)

    @property
    def server_ts_ms(self) -> int | None:
        """The server's timestamp for this message: `sending_ts_ms`, else the body's `ts_ms`."""
        ts = getattr(self, "sending_ts_ms", None)
        if ts is None:
            ts = getattr(getattr(self, "msg", None), "ts_ms", None)
        return ts if isinstance(ts, int) else None

    @property
    def age_ms(self) -> int | None:
        """Milliseconds between the server's timestamp and arrival; None if either is unknown."""
        ts = self.server_ts_ms
        if ts is None or self.received_ms is None:
            return None
        return self.received_ms - ts


class WsCommand(msgspec.Struct, tag_field="cmd", frozen=True, gc=False, kw_only=True, omit_defaults=True):
    """A client command, tagged on `cmd` (`{"id": ..., "cmd": ..., "params": {...}}`)."""
