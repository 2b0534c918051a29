"""Outbound frames: the session header, the body check, BodyLength and CheckSum. Pure; no I/O.

```python
header = SessionHeader(sender_comp_id=key_id, target_comp_id="KalshiNR", msg_seq_num=7,
                       sending_time=format_sending_time())
wire = encode_frame("D", header, body)      # body checked by check_body; 8, 9 and 10 computed
```
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Final
from zlib import adler32

from kalshi_fix._types import format_sending_time
from kalshi_fix._wire import _TRAILERS, _plain_fields, _split_data, checksum

if TYPE_CHECKING:
    from kalshi_fix import _errors as _err
else:
    from kalshi_fix._lazy import errors as _err

__all__ = [
    "SessionHeader",
    "assemble_frame",
    "check_body",
    "encode_frame",
]


class SessionHeader:
    """The session-level header fields of one outbound message.

    Args:
        sender_comp_id: SenderCompID (49), the API key ID.
        target_comp_id: TargetCompID (56), the session name (e.g. `KalshiNR`).
        msg_seq_num: MsgSeqNum (34).
        sending_time: SendingTime (52) as wire text (`format_sending_time()`), an aware datetime, or None for now.
        poss_dup_flag: PossDupFlag (43)=Y, for resends.
        poss_resend: PossResend (97)=Y.
        orig_sending_time: OrigSendingTime (122) as wire text or aware datetime.
        extra: further header (tag, value) pairs written after the above, e.g. `((1128, "9"),)`.
    """

    __slots__ = (
        "extra",
        "msg_seq_num",
        "orig_sending_time",
        "poss_dup_flag",
        "poss_resend",
        "sender_comp_id",
        "sending_time",
        "target_comp_id",
    )

    def __init__(
        self,
        *,
        sender_comp_id: str,
        target_comp_id: str,
        msg_seq_num: int,
        sending_time: str | _dt.datetime | None = None,
        poss_dup_flag: bool = False,
        poss_resend: bool = False,
        orig_sending_time: str | _dt.datetime | None = None,
        extra: tuple[tuple[int, str], ...] = (),
    ) -> None:
        self.sender_comp_id = sender_comp_id
        self.target_comp_id = target_comp_id
        self.msg_seq_num = msg_seq_num
        self.sending_time = sending_time if isinstance(sending_time, str) else format_sending_time(sending_time)
        self.poss_dup_flag = poss_dup_flag
        self.poss_resend = poss_resend
        self.orig_sending_time = (
            orig_sending_time
            if orig_sending_time is None or isinstance(orig_sending_time, str)
            else format_sending_time(orig_sending_time)
        )
        self.extra = extra

    def __repr__(self) -> str:
        return (
            f"SessionHeader(sender_comp_id={self.sender_comp_id!r}, target_comp_id={self.target_comp_id!r}, "
            f"msg_seq_num={self.msg_seq_num!r}, sending_time={self.sending_time!r}, "
            f"poss_dup_flag={self.poss_dup_flag!r}, poss_resend={self.poss_resend!r}, "
            f"orig_sending_time={self.orig_sending_time!r}, extra={self.extra!r})"
        )


_FRAMING_TAGS: Final = (b"\x018=", b"\x019=", b"\x0110=", b"\x0135=")
_FRAMING_TEXT: Final = frozenset({"8", "9", "10", "35"})


def check_body(body: bytes) -> None:
    """Verify an outbound body before it goes on the wire.

    Every field must read `<digits>=<value>␁`; the framing tags 8, 9, 10 and 35 may not appear (the encoder
    writes them); a data field (RawData 96, Signature 89) must come right after its length field (95, 93),
    whose value is its byte count.

    Raises:
        FixEncodeError: the body breaks one of those rules (nothing was sent).
    """
    if not body:
        return
    if body[-1] != 1:
        raise _err.FixEncodeError(f"body must end with SOH: {body[-16:]!r}")
    probe = b"\x01" + body
    if not (b"95=" in probe or b"93=" in probe or b"\x0196=" in probe or b"\x0189=" in probe):
        # no data field: no value can hold SOH, so the framing tags can be looked for in the bytes
        for framing in _FRAMING_TAGS:
            if framing in probe:
                raise _err.FixEncodeError(f"body holds tag {framing[1:-1].decode()}, which the encoder writes")
        if _plain_fields(body) and b"\x01=" not in probe:
            return
    try:
        parts = _split_data(body.decode("utf-8", "surrogateescape"), body)[:-1]
    except _err.FixFieldValueError as exc:
        raise _err.FixEncodeError(f"malformed body: {exc}", tag=exc.tag) from None
    previous = ""
    for part in parts:
        tag, eq, _ = part.partition("=")
        if not eq or not tag.isdigit() or not tag.isascii() or tag[0] == "0":
            raise _err.FixEncodeError(f"malformed field in body: {part[:32]!r}")
        if tag in _FRAMING_TEXT:
            raise _err.FixEncodeError(f"body holds tag {tag}, which the encoder writes", tag=int(tag))
        if tag in ("96", "89") and previous != ("95" if tag == "96" else "93"):
            raise _err.FixEncodeError(f"data field {tag} must follow its length field", tag=int(tag))
        previous = tag


def encode_frame(msg_type: str, header: SessionHeader, body: bytes) -> bytes:
    """Build a complete frame: 8, 9, 35, the header fields, `body`, and 10.

    Args:
        msg_type: MsgType (35), e.g. `"D"`.
        header: the session header fields.
        body: the encoded body, `tag=value␁` repeated (may be empty); checked by `check_body`.

    Raises:
        FixEncodeError: a header value is empty or contains SOH, MsgSeqNum is not a non-negative int, or the
            body is malformed (see `check_body`).
    """
    check_body(body)
    if not msg_type or "\x01" in msg_type or "=" in msg_type:
        raise _err.FixEncodeError(f"MsgType (35) is not a valid value: {msg_type!r}", tag=35)
    return assemble_frame(msg_type, header, body)


def assemble_frame(msg_type: str, header: SessionHeader, body: bytes) -> bytes:
    """`encode_frame` without the body check: for bodies this package generated, and for tests that need
    deliberately broken frames. Header values are still checked."""
    seq = header.msg_seq_num
    if seq.__class__ is not int or seq < 0:
        raise _err.FixEncodeError(f"MsgSeqNum must be a non-negative int, got {seq!r}", tag=34)
    text = (
        f"35={msg_type}\x0149={header.sender_comp_id}\x0156={header.target_comp_id}\x0134={seq}"
        f"\x0152={header.sending_time}\x01"
    )
    fields = 5
    if header.poss_dup_flag:
        text += "43=Y\x01"
        fields += 1
    if header.poss_resend:
        text += "97=Y\x01"
        fields += 1
    if header.orig_sending_time is not None:
        text += f"122={header.orig_sending_time}\x01"
        fields += 1
    for tag, value in header.extra:
        text += f"{tag}={value}\x01"
        fields += 1
    if text.count("\x01") != fields or "=\x01" in text:
        raise _err.FixEncodeError(f"a header value is empty or contains SOH: {text!r}")
    inner = text.encode("utf-8", "surrogateescape") + body
    out = b"8=FIXT.1.1\x019=" + str(len(inner)).encode() + b"\x01" + inner
    n = len(out)
    if n <= 256 or (n <= 515 and out.isascii()):
        return out + _TRAILERS[((adler32(out) & 0xFFFF) - 1) & 0xFF]
    return out + _TRAILERS[checksum(out)]
