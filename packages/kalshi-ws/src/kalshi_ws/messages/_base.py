"""Base classes of the generated message models (hand-written; the generator only subclasses them)."""

from __future__ import annotations

import msgspec

__all__ = ["WsCommand", "WsMessage", "WsPayload"]

_RECEIVED_KEY = "__kalshi_ws_received_ms__"


class WsPayload(msgspec.Struct, frozen=True, gc=False, kw_only=True):
    """A JSON object inside a message (`msg`, nested objects). Unknown fields are ignored."""


class WsMessage(msgspec.Struct, tag_field="type", frozen=True, gc=False, kw_only=True):
    """A server message, tagged on `type`.

    `received_ms` is set by the session when the frame arrives (wall clock, epoch ms); it is never
    read from the wire. `age_ms` is how stale the message was on arrival.
    """

    received_ms: int | None = msgspec.field(default=None, name=_RECEIVED_KEY)
    """When the frame arrived (epoch ms), set by the session; None for a message built by hand."""

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
