"""FIX tag=value framing: bytes <-> frames, BodyLength and CheckSum, streaming split. Pure; no I/O.

This module is the contract between the codec and the session layer.

Encoding (outbound):

```python
header = SessionHeader(sender_comp_id=key_id, target_comp_id="KalshiNR", msg_seq_num=7,
                       sending_time=format_sending_time())      # format once; reuse it in the logon signature
wire = NewOrderSingle(...).encode(header, use_dollars=False)     # 8, 9, 35, header, body, 10 computed
wire = encode_frame("0", header, b"")                           # any MsgType with a pre-encoded body
body = msg.encode_body(use_dollars=False)                        # body bytes only (tag=value␁...)
```

`SessionHeader` writes 35, 49, 56, 34, 52, then 43 PossDupFlag, 97 PossResend, 122 OrigSendingTime when
set, then any `extra` (tag, value) pairs (e.g. 1128), then the body. 8 is `FIXT.1.1`; 9 and 10 are computed.

Resending a stored frame (ResendRequest answer): `rewrite_for_resend(stored, sending_time=format_sending_time())`
keeps MsgSeqNum and body byte for byte, sets 43=Y, moves the original 52 into 122 (keeping an existing 122),
writes the new 52 and recomputes 9 and 10.

Decoding (inbound):

```python
splitter = FrameSplitter()
for frame in splitter.feed(data):           # partial reads and many frames per read are fine
    msg_type, seq = peek_header(frame)      # quick: MsgType and MsgSeqNum without a full parse
    fr = parse_frame(frame)                 # verifies 8, 9, 10; fields in fr.fields {tag: text}
    msg = decode_message(fr, use_dollars=False)   # typed message (admin or application)
for err in splitter.take_errors(): ...      # garbage that was skipped, bad BodyLength, oversize frames
splitter.eof()                              # raises FixTruncatedFrameError if a partial frame is left
```

`FixFrame` carries `msg_type`, `msg_seq_num`, `fields` (every field after 35 as `{tag: value}` text, e.g.
`fr.fields.get("43")`; `fr.get(43)` does the same), convenience properties (`poss_dup_flag`, `poss_resend`,
`sending_time`, `sending_time_text`, `orig_sending_time`, `sender_comp_id`, `target_comp_id`), `header`
(header fields only), `body` and `parts` (fields as `"tag=value"` text in wire order), `raw` (the frame
bytes) and `use_dollars` (the pricing context `decode_app_message(frame)` uses when given the frame).

Every malformation raises a subclass of `FixDecodeError` (see `_errors.py`); nothing else escapes
`parse_frame`, `peek_header`, `decode_message` or `FrameSplitter`. A field without `=`, or whose tag is
not a number, is a `FixFieldValueError` naming MsgType and MsgSeqNum, even when the frame's CheckSum and
BodyLength are right (values may hold `=`: a field is split at its first one).

Text: a frame is decoded as UTF-8 with `surrogateescape`, so any byte sequence round-trips exactly.
Raw data fields (RawData 96 after RawDataLength 95, Signature 89 after SignatureLength 93) are read by byte
count and may contain SOH.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeVar
from zlib import adler32

from kalshi_fix._types import format_sending_time, parse_bool, timestamp_from_wire

if TYPE_CHECKING:
    from kalshi_fix import _errors as _err
    from kalshi_fix.messages._base import FixMessage
else:
    from kalshi_fix._lazy import errors as _err

__all__ = [
    "BEGIN_STRING",
    "FixFrame",
    "FrameSplitter",
    "HEADER_TAGS",
    "SOH",
    "SessionHeader",
    "checksum",
    "decode",
    "decode_app_message",
    "decode_message",
    "encode_frame",
    "format_sending_time",
    "parse_frame",
    "peek_header",
    "rewrite_for_resend",
]

_T = TypeVar("_T")

SOH: Final = b"\x01"
BEGIN_STRING: Final = "FIXT.1.1"
_PREFIX: Final = b"8=FIXT.1.1\x019="
_PREFIX_LEN: Final = len(_PREFIX)
_ANY_PREFIX: Final = b"8="

#: Standard header tags (FACTS §6.2), as wire text. 8, 9 and 35 are positional and handled apart.
HEADER_TAGS: Final = frozenset(
    {"49", "56", "34", "52", "50", "142", "57", "143", "115", "128", "43", "97", "122", "1128", "1129"}
)

_DIGITS: Final = b"0123456789"


def _plain_fields(data: bytes) -> bool:
    """True when every field of `data` reads `<ASCII digits>=<value without '=' or SOH>␁` (tags may be empty).

    With the digits deleted, each field must start with its only '='. Checked on bytes, in C: one translate and
    three counts, cheaper than splitting on SOH. Values that hold '=' are legal but fail this test; callers then
    split field by field.
    """
    bare = data.translate(None, _DIGITS)
    nfields = bare.count(SOH)
    return bare.count(b"=") == nfields and bare.count(b"\x01=") == nfields - 1 and bare[:1] == b"="


# Data fields: length tag -> data tag. Their values are read by byte count.
_DATA_LENGTH_TAGS: Final = {b"95": b"96", b"93": b"89"}


def checksum(data: bytes | bytearray | memoryview) -> int:
    """Return the FIX CheckSum of `data`: the sum of its bytes mod 256.

    Uses zlib's Adler-32, whose low half is 1 + the byte sum mod 65521: exact while the sum stays under
    65520, which holds for any 256-byte chunk (and 515 ASCII bytes). About 5x faster than `sum(data)`.
    """
    n = len(data)
    if n <= 256 or (n <= 515 and isinstance(data, bytes) and data.isascii()):
        return ((adler32(data) & 0xFFFF) - 1) & 0xFF
    view = memoryview(data)
    total = 0
    for i in range(0, n, 256):
        total += (adler32(view[i : i + 256]) & 0xFFFF) - 1
    return total & 0xFF


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


def encode_frame(msg_type: str, header: SessionHeader, body: bytes) -> bytes:
    """Build a complete frame: 8, 9, 35, the header fields, `body`, and 10.

    Args:
        msg_type: MsgType (35), e.g. `"D"`.
        header: the session header fields.
        body: the encoded body, `tag=value␁` repeated (may be empty).

    Raises:
        FixEncodeError: a header value is empty or contains SOH, or MsgSeqNum is not a positive int.
    """
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


_TRAILERS: Final = tuple(b"10=%03d\x01" % value for value in range(256))
# trailer -> the low byte of (1 + the sum of every byte of a frame ending in it, trailer included), when the
# CheckSum it states is right: (1 + body sum + trailer sum) mod 256 with body sum = the stated value.
_TRAILER_CHECK: Final = {trailer: (value + 1 + sum(trailer)) & 0xFF for value, trailer in enumerate(_TRAILERS)}


class FixFrame:
    """One verified inbound frame, split into fields (text), before typed decoding.

    Attributes:
        raw: the frame's bytes, exactly as received.
        msg_type: MsgType (35).
        msg_seq_num: MsgSeqNum (34).
        fields: every field after 35 (header and body) as `{tag: value}` text; a repeated tag keeps its last
            value (repeating groups are read in order from `parts` by the typed decoder).
        use_dollars: pricing context for `decode_app_message(frame)`: True when the session's prices are
            dollars (UseDollars=Y, or margin), False for integer cents.
    """

    __slots__ = ("_parts", "_text", "fields", "msg_seq_num", "msg_type", "raw", "use_dollars")

    def __init__(  # noqa: PLR0917
        self,
        raw: bytes,
        msg_type: str,
        msg_seq_num: int,
        fields: dict[str, str],
        parts: list[str] | None,
        text: str,
        use_dollars: bool = False,
    ) -> None:
        self.raw = raw
        self.msg_type = msg_type
        self.msg_seq_num = msg_seq_num
        self.fields = fields
        self._parts = parts
        self._text = text
        self.use_dollars = use_dollars

    @property
    def parts(self) -> list[str]:
        """All fields from 35 on as `"tag=value"` text, in wire order (trailer 10 excluded)."""
        if self._parts is None:
            self._parts = self._text.split("\x01")[:-1]
        return self._parts

    @property
    def header(self) -> dict[str, str]:
        """Header fields other than 8, 9 and 35, as `{tag: value}` text."""
        return {tag: value for tag, value in self.fields.items() if tag in HEADER_TAGS}

    @property
    def body(self) -> list[str]:
        """Body fields as `"tag=value"` text, in wire order (header fields and 35 left out)."""
        return [part for part in self.parts[1:] if part.partition("=")[0] not in HEADER_TAGS]

    @property
    def sender_comp_id(self) -> str:
        """SenderCompID (49)."""
        return self.fields["49"]

    @property
    def target_comp_id(self) -> str:
        """TargetCompID (56)."""
        return self.fields["56"]

    @property
    def sending_time_text(self) -> str:
        """SendingTime (52) exactly as on the wire."""
        return self.fields["52"]

    @property
    def sending_time(self) -> _dt.datetime:
        """SendingTime (52) as an aware UTC datetime."""
        return _field(timestamp_from_wire, self.fields["52"], 52, self)

    @property
    def poss_dup_flag(self) -> bool:
        """PossDupFlag (43); False when absent."""
        value = self.fields.get("43")
        return False if value is None else _field(parse_bool, value, 43, self)

    @property
    def poss_resend(self) -> bool:
        """PossResend (97); False when absent."""
        value = self.fields.get("97")
        return False if value is None else _field(parse_bool, value, 97, self)

    @property
    def orig_sending_time(self) -> _dt.datetime | None:
        """OrigSendingTime (122), or None."""
        value = self.fields.get("122")
        return None if value is None else _field(timestamp_from_wire, value, 122, self)

    def get(self, tag: int) -> str | None:
        """Return the value of `tag` as text (the last one when repeated), or None."""
        return self.fields.get(str(tag))

    def __repr__(self) -> str:
        return f"FixFrame(msg_type={self.msg_type!r}, msg_seq_num={self.msg_seq_num}, raw={self.raw!r})"


def _field(conv: Callable[[str], _T], value: str, tag: int, frame: FixFrame) -> _T:
    try:
        return conv(value)
    except (ValueError, ArithmeticError) as exc:
        raise _err.FixFieldValueError(
            f"tag {tag}: {exc}", msg_type=frame.msg_type, msg_seq_num=frame.msg_seq_num, tag=tag
        ) from None


def _body_end(frame: bytes) -> tuple[int, int]:
    """Check 8 and 9; return (start of 35, index of `10=`)."""
    if not frame.startswith(_PREFIX):
        if frame.startswith(_ANY_PREFIX):
            end = frame.find(SOH)
            if end < 0:
                raise _err.FixTruncatedFrameError("frame ends inside BeginString (8)")
            raise _err.FixFieldValueError(f"BeginString (8) must be {BEGIN_STRING}, got {frame[2:end]!r}", tag=8)
        if _PREFIX.startswith(frame):
            raise _err.FixTruncatedFrameError("frame ends before BodyLength (9)")
        raise _err.FixGarbageError(f"frame does not start with 8=FIXT.1.1␁9=: {frame[:24]!r}")
    soh = frame.find(SOH, _PREFIX_LEN)
    if soh < 0:
        raise _err.FixTruncatedFrameError("frame ends inside BodyLength (9)")
    digits = frame[_PREFIX_LEN:soh]
    if not digits.isdigit() or len(digits) > 9:
        raise _err.FixBodyLengthError(f"BodyLength (9) is not a number: {digits!r}", tag=9)
    start = soh + 1
    end = start + int(digits)
    if len(frame) < end + 7:
        raise _err.FixTruncatedFrameError(f"frame has {len(frame)} bytes; BodyLength says at least {end + 7}")
    if frame[end : end + 3] != b"10=" or frame[end - 1] != 1 or end == start:
        raise _err.FixBodyLengthError(f"BodyLength (9)={int(digits)} does not end the body at 10=", tag=9)
    return start, end


def _split_data(text: str, raw_body: bytes) -> list[str]:
    """Tokenise a body that holds data fields: read each data value by its length, in bytes."""
    parts: list[str] = []
    pos = 0
    n = len(raw_body)
    pending_len = -1
    pending_tag = b""
    while pos < n:
        eq = raw_body.find(b"=", pos)
        if eq < 0:
            raise _err.FixFieldValueError("field without '='")
        tag = raw_body[pos:eq]
        if not tag.isdigit():  # bytes: ASCII digits only; a SOH here means a field without '='
            what = "field without '='" if SOH in tag else "tag is not a number"
            raise _err.FixFieldValueError(f"{what}: {raw_body[pos : pos + 32]!r}")
        if pending_len >= 0 and tag == pending_tag:
            vend = eq + 1 + pending_len
            if vend >= n or raw_body[vend] != 1:
                raise _err.FixFieldValueError(
                    f"data field {tag.decode('ascii', 'replace')} is not {pending_len} bytes", tag=_int_or_none(tag)
                )
            pending_len = -1
        else:
            if pending_len >= 0:
                raise _err.FixFieldValueError(
                    f"length field for {pending_tag.decode('ascii', 'replace')} is not followed by its data",
                    tag=_int_or_none(pending_tag),
                )
            vend = raw_body.find(SOH, eq + 1)
            if vend < 0:
                raise _err.FixFieldValueError("field not terminated by SOH")
            data_tag = _DATA_LENGTH_TAGS.get(tag)
            if data_tag is not None:
                length = raw_body[eq + 1 : vend]
                if not length.isdigit():
                    raise _err.FixFieldValueError(f"data length {length!r} is not a number", tag=_int_or_none(tag))
                pending_len = int(length)
                pending_tag = data_tag
        parts.append(raw_body[pos:vend].decode("utf-8", "surrogateescape"))
        pos = vend + 1
    if pending_len >= 0:
        raise _err.FixFieldValueError("length field is not followed by its data", tag=_int_or_none(pending_tag))
    parts.append("")
    return parts


def _int_or_none(tag: bytes) -> int | None:
    return int(tag) if tag.isdigit() and len(tag) < 10 else None


def parse_frame(
    frame: bytes | bytearray | memoryview, *, verify_checksum: bool = True, use_dollars: bool = False
) -> FixFrame:
    """Verify one complete frame (8, 9, 10) and split it into header and body fields.

    Args:
        frame: exactly one frame, as `FrameSplitter` yields.
        verify_checksum: check CheckSum (10); leave on except to inspect damaged frames (when off, its three
            characters are not looked at).
        use_dollars: the pricing context stored on the frame for `decode_app_message`.

    Raises:
        FixDecodeError: any malformation, as its specific subclass.
    """
    # Fast path for well-formed frames without data fields, inlined because it runs for every message;
    # anything unusual goes to `_parse_frame_checked`, which names the malformation precisely.
    if frame.__class__ is not bytes:
        frame = bytes(frame)
    if frame.startswith(_PREFIX):
        soh = frame.find(SOH, 13, 23)  # 13 == len(_PREFIX)
        digits = frame[13:soh]
        if soh > 13 and digits.isdigit():
            start = soh + 1
            end = start + int(digits)
            size = end + 7
            if (
                len(frame) == size
                and frame[end - 1] == 1
                and (
                    # Adler-32's low half is 1 + the byte sum (exact below 65521), so its low byte must be what
                    # `_TRAILER_CHECK` says for this trailer (which must read `10=<3 digits>␁`); no prefix copy.
                    (
                        (adler32(frame) & 0xFF) == _TRAILER_CHECK.get(frame[end:])
                        if size <= 256 or (size <= 515 and frame.isascii())
                        else frame.endswith(_TRAILERS[checksum(frame[:end])])
                    )
                    if verify_checksum
                    else frame[end : end + 3] == b"10=" and frame[end + 3 : end + 6].isdigit() and frame[-1] == 1
                )
            ):
                # Every field must be `<ASCII digits>=<value without '='>␁` (see `_plain_fields`), else a field
                # without '=' next to one with two would pair tags with the wrong values.
                bare = frame.translate(None, _DIGITS)
                nfields = bare.count(SOH)
                if bare.count(b"=") == nfields and bare.count(b"\x01=") == nfields - 1 and bare[0] == 61:
                    text = frame[start:end].decode("utf-8", "surrogateescape")
                    it = iter(text.replace("\x01", "=").split("="))
                    fields = dict(zip(it, it, strict=False))
                    seq_text = fields.get("34")
                    msg_type = fields.get("35")
                    if (
                        msg_type
                        and seq_text
                        and "" not in fields
                        and "95" not in fields  # data fields are read by length, on the checked path
                        and "93" not in fields
                        and text.startswith("35=")
                        and seq_text.isdigit()
                        and seq_text.isascii()
                        and len(seq_text) <= 18
                        and "49" in fields
                        and "56" in fields
                        and "52" in fields
                    ):
                        return FixFrame(frame, msg_type, int(seq_text), fields, None, text, use_dollars)
    return _parse_frame_checked(frame, verify_checksum, use_dollars)


def _parse_frame_checked(frame: bytes, verify_checksum: bool, use_dollars: bool) -> FixFrame:
    """Verify one complete frame (8, 9, 10) and split it into header and body fields.

    Args:
        frame: exactly one frame, as `FrameSplitter` yields.
        verify_checksum: check CheckSum (10); leave on except to inspect damaged frames (when off, its three
            characters are not looked at).
        use_dollars: the pricing context stored on the frame for `decode_app_message`.

    Raises:
        FixDecodeError: any malformation, as its specific subclass.
    """
    start, end = _body_end(frame)
    if len(frame) != end + 7 or frame[-1] != 1:
        raise _err.FixChecksumError("CheckSum (10) must be 3 digits then SOH, ending the frame", tag=10)
    if verify_checksum:
        digits = frame[end + 3 : end + 6]
        if not digits.isdigit():
            raise _err.FixChecksumError(f"CheckSum (10) is not 3 digits: {digits!r}", tag=10)
        expected = checksum(frame[:end])
        if int(digits) != expected:
            raise _err.FixChecksumError(f"CheckSum (10)={digits.decode()} but the bytes sum to {expected:03d}", tag=10)
    raw_body = frame[start:end]
    text = raw_body.decode("utf-8", "surrogateescape")
    if not text.startswith("35=") or text.startswith("35=\x01"):
        raise _err.FixMissingTagError("MsgType (35) must be the third field", tag=35)
    msg_type = text[3 : text.index("\x01")]
    parts: list[str] | None = None
    try:
        if b"\x019" in raw_body and (b"\x0195=" in raw_body or b"\x0193=" in raw_body):
            parts = _split_data(text, raw_body)[:-1]
            fields = _fields_of(parts)
        else:
            fields = {}
            if _plain_fields(raw_body):
                it = iter(text.replace("\x01", "=").split("="))
                fields = dict(zip(it, it, strict=False))
            if not fields or "" in fields:
                # some value holds '=' (legal), or a field has no '=', or its tag is not a number (errors)
                parts = text.split("\x01")[:-1]
                fields = _fields_of(parts)
    except _err.FixFieldValueError as exc:
        # name the message, so that a session can reject it by MsgSeqNum and move on
        exc.msg_type = msg_type
        exc.msg_seq_num = _seq_or_none(raw_body)
        raise
    seq_text = fields.get("34")
    if seq_text is None:
        raise _err.FixMissingTagError("MsgSeqNum (34) is missing", msg_type=msg_type, tag=34)
    if not seq_text.isdigit() or not seq_text.isascii() or len(seq_text) > 18:
        raise _err.FixFieldValueError(f"MsgSeqNum (34) is not a number: {seq_text!r}", msg_type=msg_type, tag=34)
    seq = int(seq_text)
    if "49" not in fields or "56" not in fields or "52" not in fields:
        tag = next(t for t in ("49", "56", "52") if t not in fields)
        raise _err.FixMissingTagError(f"header tag {tag} is missing", msg_type=msg_type, msg_seq_num=seq, tag=int(tag))
    return FixFrame(frame, msg_type, seq, fields, parts, text, use_dollars)


def _seq_or_none(raw_body: bytes) -> int | None:
    """MsgSeqNum (34) of a body that failed to split, when it can still be read."""
    i = raw_body.find(b"\x0134=")
    if i < 0:
        return None
    j = raw_body.find(SOH, i + 4)
    digits = raw_body[i + 4 : j]
    return int(digits) if 0 < len(digits) <= 18 and digits.isdigit() else None


def _fields_of(parts: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in parts:
        tag, eq, value = part.partition("=")
        if not eq:
            raise _err.FixFieldValueError(f"field without '=': {part[:32]!r}")
        if not tag.isdigit() or not tag.isascii():
            raise _err.FixFieldValueError(f"tag is not a number: {part[:32]!r}")
        fields[tag] = value
    return fields


def peek_header(frame: bytes) -> tuple[str, int]:
    """Return (MsgType, MsgSeqNum) quickly, without verifying or decoding the frame.

    Raises:
        FixMissingTagError: 35 or 34 is absent.
        FixFieldValueError: 34 is not a number.
    """
    i = frame.find(b"\x0135=")
    if i < 0:
        raise _err.FixMissingTagError("MsgType (35) is missing", tag=35)
    j = frame.find(SOH, i + 4)
    msg_type = frame[i + 4 : j].decode("utf-8", "surrogateescape")
    k = frame.find(b"\x0134=")
    if k < 0:
        raise _err.FixMissingTagError("MsgSeqNum (34) is missing", msg_type=msg_type, tag=34)
    m = frame.find(SOH, k + 4)
    digits = frame[k + 4 : m]
    if not digits.isdigit() or len(digits) > 18:
        raise _err.FixFieldValueError(f"MsgSeqNum (34) is not a number: {digits!r}", msg_type=msg_type, tag=34)
    return msg_type, int(digits)


def rewrite_for_resend(frame: bytes, *, sending_time: str | _dt.datetime | None = None) -> bytes:
    """Re-encode a stored outbound frame as a resend: PossDupFlag=Y, OrigSendingTime, fresh SendingTime.

    MsgSeqNum and the body are kept byte for byte; BodyLength and CheckSum are recomputed.

    Args:
        frame: the frame as originally sent.
        sending_time: the new SendingTime (52), wire text or aware datetime; now when None.

    Raises:
        FixDecodeError: the stored frame is not a valid frame.
    """
    fr = parse_frame(frame)
    header = dict(fr.header)
    new_time = sending_time if isinstance(sending_time, str) else format_sending_time(sending_time)
    orig = header.get("122", header["52"])
    ordered = {"49": header.pop("49"), "56": header.pop("56"), "34": header.pop("34")}
    header.pop("52")
    header.pop("43", None)
    header.pop("122", None)
    ordered["52"] = new_time
    ordered["43"] = "Y"
    ordered["122"] = orig
    ordered.update(header)
    text = f"35={fr.msg_type}\x01" + "".join(f"{t}={v}\x01" for t, v in ordered.items())
    if fr.body:
        text += "\x01".join(fr.body) + "\x01"
    inner = text.encode("utf-8", "surrogateescape")
    out = b"8=FIXT.1.1\x019=" + str(len(inner)).encode() + b"\x01" + inner
    return out + _TRAILERS[checksum(out)]


_MAX_PENDING_ERRORS: Final = 1000


class FrameSplitter:
    """Cut a byte stream into whole frames; handles partial reads, many frames per read, and garbage.

    Frames are located by `8=FIXT.1.1␁9=<len>␁` and cut by BodyLength, then checked to end in `10=nnn␁`.
    Bytes that are not part of a frame are skipped and reported (as `FixGarbageError`, or
    `FixBodyLengthError` when a frame's length does not lead to its CheckSum), after which the splitter
    resynchronises on the next BeginString. Checksums are verified later, by `parse_frame`.

    ```python
    splitter = FrameSplitter()
    frames = splitter.feed(chunk)        # list[bytes]; keep feeding as bytes arrive
    errors = splitter.take_errors()      # what was skipped since the last call
    ```

    Args:
        max_frame_size: frames whose BodyLength promises more bytes than this are rejected as garbage.
    """

    __slots__ = ("_buf", "_errors", "dropped_errors", "max_frame_size")

    def __init__(self, max_frame_size: int = 1 << 20) -> None:
        self._buf = bytearray()
        self._errors: list[_err.FixDecodeError] = []
        self.max_frame_size = max_frame_size
        self.dropped_errors = 0
        """Errors not kept because `take_errors()` was not called for a while (at most 1000 are held)."""

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete frame."""
        return len(self._buf)

    def take_errors(self) -> list[_err.FixDecodeError]:
        """Return and clear the errors seen since the last call."""
        errors, self._errors = self._errors, []
        return errors

    def feed(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """Add received bytes; return every frame now complete, in order."""
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        pos = 0
        n = len(buf)
        while pos < n:
            start = buf.find(_PREFIX, pos)
            if start < 0:
                # Keep a tail that could be the beginning of a prefix split across reads.
                keep = n - pos
                for k in range(min(keep, _PREFIX_LEN - 1), 0, -1):
                    if buf.endswith(_PREFIX[:k]):
                        keep = k
                        break
                else:
                    keep = 0
                if n - keep > pos:
                    self._garbage(buf, pos, n - keep)
                pos = n - keep
                break
            if start > pos:
                self._garbage(buf, pos, start)
            soh = buf.find(SOH, start + _PREFIX_LEN, start + _PREFIX_LEN + 11)
            if soh < 0:
                if n - start - _PREFIX_LEN > 10:
                    self._report(_err.FixBodyLengthError("BodyLength (9) is not a number", tag=9))
                    pos = start + 1
                    continue
                pos = start
                break
            digits = bytes(buf[start + _PREFIX_LEN : soh])
            if not digits.isdigit():
                self._report(_err.FixBodyLengthError(f"BodyLength (9) is not a number: {digits!r}", tag=9))
                pos = start + 1
                continue
            length = int(digits)
            body_start = soh + 1
            end = body_start + length + 7
            if end - start > self.max_frame_size:
                self._report(
                    _err.FixBodyLengthError(
                        f"BodyLength (9)={length} exceeds max_frame_size={self.max_frame_size}", tag=9
                    )
                )
                pos = start + 1
                continue
            if end > n:
                pos = start
                break
            if (
                length == 0
                or buf[end - 7 : end - 4] != b"10="
                or buf[end - 1] != 1
                or buf[end - 8] != 1
                or not buf[end - 4 : end - 1].isdigit()
            ):
                self._report(
                    _err.FixBodyLengthError(
                        f"BodyLength (9)={length} does not lead to CheckSum (10); resynchronising", tag=9
                    )
                )
                pos = start + 1
                continue
            frames.append(bytes(buf[start:end]))
            pos = end
        if pos:
            del buf[:pos]
        return frames

    def _report(self, error: _err.FixDecodeError) -> None:
        if len(self._errors) < _MAX_PENDING_ERRORS:
            self._errors.append(error)
        else:
            self.dropped_errors += 1

    def _garbage(self, buf: bytearray, start: int, end: int) -> None:
        self._report(
            _err.FixGarbageError(
                f"skipped {end - start} bytes that are not a FIX frame: {bytes(buf[start : min(end, start + 32)])!r}"
            )
        )

    def eof(self) -> None:
        """Signal the end of the stream.

        Raises:
            FixTruncatedFrameError: a partial frame was left in the buffer (it is discarded).
        """
        if self._buf:
            size = len(self._buf)
            self._buf.clear()
            raise _err.FixTruncatedFrameError(f"stream ended inside a frame ({size} bytes buffered)")


# ----------------------------------------------------------------------------------------------- typed


_REGISTRY: dict[str, type[FixMessage]] = {}


def _registry() -> dict[str, type[FixMessage]]:
    if not _REGISTRY:
        from kalshi_fix.messages._generated import MESSAGE_TYPES

        _REGISTRY.update(MESSAGE_TYPES)
    return _REGISTRY


def decode_app_message(raw: bytes | FixFrame, *, use_dollars: bool | None = None) -> FixMessage:
    """Decode a received frame into its typed message (`ExecutionReport`, `OrderCancelReject`, ...).

    Admin messages decode too (`decode_message` is the same function). Prices come back in dollars: pass
    `use_dollars` as the session logged on (False: prediction's integer cents, the default; True:
    UseDollars=Y, or margin), or pass the `FixFrame` the session handed you, which knows.

    Args:
        raw: one frame, as bytes or as a parsed `FixFrame`.
        use_dollars: wire prices are dollars (True) or integer cents (False). None: the frame's own
            `use_dollars` when given a `FixFrame`, else False.

    Raises:
        FixUnknownMsgTypeError: no message class for its MsgType.
        FixDecodeError: any other malformation.
    """
    fr = raw if isinstance(raw, FixFrame) else parse_frame(raw)
    ud = fr.use_dollars if use_dollars is None else use_dollars
    cls = (_REGISTRY or _registry()).get(fr.msg_type)
    if cls is None:
        raise _err.FixUnknownMsgTypeError(
            f"unknown MsgType (35) {fr.msg_type!r}",
            msg_type=fr.msg_type,
            msg_seq_num=fr.msg_seq_num,
            tag=35,
        )
    try:
        result: FixMessage = cls._decode(fr.fields, fr, ud)
    except (KeyError, ValueError, ArithmeticError):
        return cls.from_frame(fr, use_dollars=ud)  # the ordered path names the error, or is lenient
    return result


decode_message = decode_app_message


def decode(frame: bytes, *, use_dollars: bool = False) -> tuple[FixFrame, FixMessage]:
    """Parse and decode one frame; return the frame (header access) and the typed message."""
    fr = parse_frame(frame, use_dollars=use_dollars)
    return fr, decode_app_message(fr)
