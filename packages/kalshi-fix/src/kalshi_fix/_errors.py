"""The FIX branch of the SDK's exception tree.

```
KalshiError                          (kalshi_auth)
└── FixError                         anything kalshi_fix raises on purpose
    ├── FixEncodeError               an outbound value that cannot go on the wire (also a ValueError)
    └── FixDecodeError               inbound bytes that are not a valid message
        ├── FixGarbageError          bytes that do not start a FIX frame (skipped by FrameSplitter)
        ├── FixTruncatedFrameError   a frame that ends before its BodyLength or CheckSum says
        ├── FixBodyLengthError       BodyLength (9) missing, not a number, or not matching the frame
        ├── FixChecksumError         CheckSum (10) missing, malformed, or not the sum of the bytes
        ├── FixUnknownMsgTypeError   MsgType (35) that no message class knows
        ├── FixMissingTagError       a required tag is absent (header or body)
        └── FixFieldValueError       a value that does not parse as its field's type
```

Decode errors carry what was known when they were raised (`msg_type`, `msg_seq_num`, `tag`), so a session
can answer with a session Reject (35=3, RefSeqNum) and keep running. None of them ever escapes the codec
as anything but a `FixDecodeError`.
"""

from __future__ import annotations

from kalshi_auth import KalshiError

__all__ = [
    "FixBodyLengthError",
    "FixChecksumError",
    "FixDecodeError",
    "FixEncodeError",
    "FixError",
    "FixFieldValueError",
    "FixGarbageError",
    "FixMissingTagError",
    "FixTruncatedFrameError",
    "FixUnknownMsgTypeError",
]


class FixError(KalshiError):
    """Base class of every error kalshi_fix raises on purpose."""


class FixEncodeError(FixError, ValueError):
    """An outbound message could not be encoded (missing required field, wrong type, SOH in a value...)."""

    def __init__(self, message: str, *, tag: int | None = None) -> None:
        super().__init__(message)
        self.tag = tag


class FixDecodeError(FixError):
    """Inbound bytes are not a valid FIX message.

    Attributes:
        msg_type: MsgType (35) when it could be read, else None.
        msg_seq_num: MsgSeqNum (34) when it could be read, else None.
        tag: the offending tag when there is one, else None.
    """

    def __init__(
        self,
        message: str,
        *,
        msg_type: str | None = None,
        msg_seq_num: int | None = None,
        tag: int | None = None,
    ) -> None:
        super().__init__(message)
        self.msg_type = msg_type
        self.msg_seq_num = msg_seq_num
        self.tag = tag


class FixGarbageError(FixDecodeError):
    """Bytes that do not start a FIX frame (`8=FIXT.1.1␁9=`) were seen and skipped."""


class FixTruncatedFrameError(FixDecodeError):
    """The frame ends before its BodyLength or CheckSum says it should."""


class FixBodyLengthError(FixDecodeError):
    """BodyLength (9) is missing, not a number, or does not match where CheckSum (10) sits."""


class FixChecksumError(FixDecodeError):
    """CheckSum (10) is missing, malformed, or does not equal the byte sum mod 256."""


class FixUnknownMsgTypeError(FixDecodeError):
    """MsgType (35) names no message this SDK knows."""


class FixMissingTagError(FixDecodeError):
    """A required tag (header or body) is absent."""


class FixFieldValueError(FixDecodeError):
    """A field's value does not parse as its type (a bad int, decimal, timestamp, boolean or group count)."""
