"""Typed decoding: a verified frame -> its message class. Application and admin messages have separate doors.

The registry of message classes is the generated one, imported here, above the codec: `kalshi_fix._codec`
knows nothing of messages, so the codec, the message base and the generated classes form no import circle.

```python
report = decode_app_message(frame)      # ExecutionReport, OrderCancelReject, ... (never an admin message)
logon = decode_admin_message(frame)     # Logon, Heartbeat, Reject, ... (what a session layer reads)
any_msg = decode_message(frame)         # either
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from kalshi_fix._codec import FixFrame, parse_frame
from kalshi_fix.messages._generated import MESSAGE_TYPES

if TYPE_CHECKING:
    from kalshi_fix import _errors as _err
    from kalshi_fix.messages._base import FixMessage
else:
    from kalshi_fix._lazy import errors as _err

__all__ = ["decode", "decode_admin_message", "decode_app_message", "decode_message"]

_APP: Final[dict[str, type[FixMessage]]] = {t: c for t, c in MESSAGE_TYPES.items() if c.MSG_CAT == "app"}
_ADMIN: Final[dict[str, type[FixMessage]]] = {t: c for t, c in MESSAGE_TYPES.items() if c.MSG_CAT == "admin"}


def _decode(
    raw: bytes | FixFrame, use_dollars: bool | None, registry: dict[str, type[FixMessage]], what: str
) -> FixMessage:
    fr = raw if isinstance(raw, FixFrame) else parse_frame(raw)
    cls = registry.get(fr.msg_type)
    if cls is None:
        known = fr.msg_type in MESSAGE_TYPES
        raise _err.FixUnknownMsgTypeError(
            f"MsgType (35) {fr.msg_type!r} is not {what}" + (" (see decode_message)" if known else ""),
            msg_type=fr.msg_type,
            msg_seq_num=fr.msg_seq_num,
            tag=35,
        )
    ud = fr.use_dollars if use_dollars is None else use_dollars
    try:
        result: FixMessage = cls._decode(fr.fields, fr, ud)
    except (KeyError, ValueError, ArithmeticError):
        return cls.from_frame(fr, use_dollars=ud)  # the ordered path names the error, or is lenient
    return result


def decode_app_message(raw: bytes | FixFrame, *, use_dollars: bool | None = None) -> FixMessage:
    """Decode a received application frame into its typed message (`ExecutionReport`, `OrderCancelReject`, ...).

    Prices come back in dollars: pass `use_dollars` as the session logged on (False: prediction's integer
    cents, the default; True: UseDollars=Y, or margin), or pass the `FixFrame` the session handed you, which
    knows. Admin messages (Logon, Heartbeat, ...) are the session layer's: `decode_admin_message`.

    Args:
        raw: one frame, as bytes or as a parsed `FixFrame`.
        use_dollars: wire prices are dollars (True) or integer cents (False). None: the frame's own
            `use_dollars` when given a `FixFrame`, else False.

    Raises:
        FixUnknownMsgTypeError: no application message class for its MsgType (an admin one included).
        FixDecodeError: any other malformation.
    """
    return _decode(raw, use_dollars, _APP, "an application message")


def decode_admin_message(raw: bytes | FixFrame) -> FixMessage:
    """Decode a received admin frame (0, 1, 2, 3, 4, 5, A) into its typed message.

    Raises:
        FixUnknownMsgTypeError: the frame is not an admin message.
        FixDecodeError: any other malformation.
    """
    return _decode(raw, None, _ADMIN, "an admin message")


def decode_message(raw: bytes | FixFrame, *, use_dollars: bool | None = None) -> FixMessage:
    """Decode any received frame, admin or application, into its typed message."""
    return _decode(raw, use_dollars, MESSAGE_TYPES, "a message this SDK knows")


def decode(frame: bytes, *, use_dollars: bool = False) -> tuple[FixFrame, FixMessage]:
    """Parse and decode one application frame; return the frame (header access) and the typed message."""
    fr = parse_frame(frame, use_dollars=use_dollars)
    return fr, decode_app_message(fr)
