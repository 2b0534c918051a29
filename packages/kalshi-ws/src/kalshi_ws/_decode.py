"""One decoder for every server message, built once per product and reused for every frame."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from typing import Any

import msgspec

from ._errors import KalshiDecodeError
from ._events import RawMessage
from .messages import WsMessage

__all__ = ["MessageDecoder"]

_SHARED: dict[int, tuple[Mapping[str, type[WsMessage]], MessageDecoder]] = {}


class MessageDecoder:
    """Decode frame bytes into the generated message Structs, tagged on `type`.

    A known `type` decodes straight into its Struct (one pass, no intermediate dict). An unknown
    `type` becomes a `RawMessage` so it still reaches the consumer. Anything else (not JSON, no
    `type`, or a known type whose fields do not match) raises `KalshiDecodeError`.

    Args:
        messages: message class by wire `type` (e.g. `kalshi_ws.messages.SERVER_MESSAGES`).
    """

    __slots__ = ("_generic", "_known", "_typed", "decode_typed")

    def __init__(self, messages: Mapping[str, type[WsMessage]]) -> None:
        union: Any = functools.reduce(operator.or_, messages.values())
        self._typed = msgspec.json.Decoder(union)
        self._generic = msgspec.json.Decoder()
        self._known = frozenset(messages)
        self.decode_typed = self._typed.decode
        """The raw typed decode (raises msgspec errors); the hot path uses `decode`."""

    @classmethod
    def for_messages(cls, messages: Mapping[str, type[WsMessage]]) -> MessageDecoder:
        """The shared decoder for a message table, built on first use and reused by every session."""
        cached = _SHARED.get(id(messages))
        if cached is None or cached[0] is not messages:
            cached = _SHARED[id(messages)] = (messages, cls(messages))
        return cached[1]

    def decode(self, data: bytes) -> WsMessage | RawMessage:
        """Decode one frame.

        Raises:
            KalshiDecodeError: not JSON, not an object with a string `type`, or fields that do
                not match the known type's model. `.sid`/`.seq` are set when the frame had them.
        """
        try:
            return self._typed.decode(data)  # type: ignore[no-any-return]
        except msgspec.DecodeError as exc:
            return self._fallback(data, exc)

    def _fallback(self, data: bytes, exc: msgspec.DecodeError) -> RawMessage:
        try:
            obj = self._generic.decode(data)
        except msgspec.DecodeError:
            raise KalshiDecodeError(f"frame is not valid JSON: {exc}", data) from None
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            raise KalshiDecodeError("frame is not a JSON object with a string `type`", data)
        sid = obj.get("sid") if isinstance(obj.get("sid"), int) else None
        seq = obj.get("seq") if isinstance(obj.get("seq"), int) else None
        if obj["type"] in self._known:
            error = KalshiDecodeError(f"{obj['type']} frame does not match its model: {exc}", data)
            error.sid, error.seq, error.type = sid, seq, obj["type"]
            raise error from None
        return RawMessage(type=obj["type"], sid=sid, seq=seq, payload=obj)
