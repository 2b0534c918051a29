"""The FIX branch of the SDK's exception tree.

```
KalshiError                          (kalshi_auth)
└── FixError                         anything kalshi_fix raises on purpose
    ├── FixEncodeError               an outbound value that cannot go on the wire (also a ValueError)
    ├── FixSessionError              the session cannot do what was asked
    │   ├── FixNotLoggedOnError      an application message sent outside an active session
    │   ├── FixLogonError            the counterparty refused the Logon (Text 58 in the message)
    │   └── FixCompIdError           a received SenderCompID/TargetCompID is not one we accept
    ├── FixConnectionError           the connection failed or closed for good (also KalshiConnectionError)
    ├── FixStoreError                the sequence store cannot be opened, read or written
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

from kalshi_auth import KalshiConnectionError, KalshiError

__all__ = [
    "FixBodyLengthError",
    "FixChecksumError",
    "FixCompIdError",
    "FixConnectionError",
    "FixDecodeError",
    "FixEncodeError",
    "FixError",
    "FixFieldValueError",
    "FixGarbageError",
    "FixLogonError",
    "FixMissingTagError",
    "FixNotLoggedOnError",
    "FixSessionError",
    "FixStoreError",
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


class FixSessionError(FixError):
    """The FIX session cannot do what was asked."""


class FixNotLoggedOnError(FixSessionError):
    """An application message was sent while the session is not logged on."""


class FixLogonError(FixSessionError):
    """The counterparty answered the Logon with a Logout; the message holds its Text (58)."""


class FixCompIdError(FixSessionError):
    """A received message names a SenderCompID (49) or TargetCompID (56) this session does not accept.

    The session rejects it (SessionRejectReason 9), logs out and does not reconnect: the same identities
    would fail again.

    Attributes:
        tag: 49 or 56.
        received: the value on the wire (None when the tag was absent).
        expected: the values accepted for that tag.
    """

    def __init__(self, tag: int, received: str | None, expected: frozenset[str]) -> None:
        name = "SenderCompID" if tag == 49 else "TargetCompID"
        accepted = ", ".join(repr(v) for v in sorted(expected))
        super().__init__(f"CompID problem: received {name} ({tag}) {received!r}, expected one of {accepted}")
        self.tag = tag
        self.received = received
        self.expected = expected


class FixConnectionError(FixError, KalshiConnectionError):
    """The FIX connection failed, dropped for good, or was closed while a call waited on it."""


class FixStoreError(FixError):
    """The sequence store file cannot be opened, read or written."""


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
