"""One decoder for every server message, built once per product and reused for every frame.

The decode policy (tools/codegen/gen_ws.py, `is_strict`) is carried by the generated models: a
spec-required field a client can act without has a default (None, or [] for a list), so a frame
that leaves it out decodes on the fast path. A frame the strict typed decode rejects takes the
slow path here: nulls are dropped (the default applies), numeric strings become numbers, JSON
numbers read into `Decimal` through their text, and the result is converted into the same model.
Only a frame that still does not fit (a strict field absent, null or malformed) is an error.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping
from decimal import Decimal
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

    __slots__ = ("_generic", "_known", "_messages", "_typed", "decode_typed")

    def __init__(self, messages: Mapping[str, type[WsMessage]]) -> None:
        union: Any = functools.reduce(operator.or_, messages.values())
        self._typed = msgspec.json.Decoder(union)
        self._generic = msgspec.json.Decoder(float_hook=Decimal)
        self._messages = dict(messages)
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
            KalshiDecodeError: not JSON, not an object with a string `type`, or a strict field
                absent, null or malformed. `.sid`/`.seq` are set when the frame had them.
        """
        try:
            return self._typed.decode(data)  # type: ignore[no-any-return]
        except msgspec.DecodeError as exc:
            return self._fallback(data, exc)

    def _fallback(self, data: bytes, exc: msgspec.DecodeError) -> WsMessage | RawMessage:
        """The slow path: tolerate nulls and numeric strings; raise only for strict fields."""
        try:
            obj = self._generic.decode(data)
        except msgspec.DecodeError:
            raise KalshiDecodeError(f"frame is not valid JSON: {exc}", data) from None
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            raise KalshiDecodeError("frame is not a JSON object with a string `type`", data)
        sid, seq = _as_int(obj.get("sid")), _as_int(obj.get("seq"))
        cls = self._messages.get(obj["type"])
        if cls is None:
            return RawMessage(type=obj["type"], sid=sid, seq=seq, payload=obj)
        try:
            return msgspec.convert(_drop_nulls(obj), cls, strict=False)
        except msgspec.ValidationError as lax:
            error = KalshiDecodeError(f"{obj['type']} frame does not match its model: {lax}", data)
            error.sid, error.seq, error.type = sid, seq, obj["type"]
            raise error from None


def _as_int(value: Any) -> int | None:
    """An integer from a JSON number or a numeric string (sid, seq), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and value.isascii():  # "¹".isdigit() is True; int() refuses it
        return int(value)
    return None


def _drop_nulls(value: Any) -> Any:
    """Remove every null-valued key (the model's default applies); lists keep their nulls."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value
