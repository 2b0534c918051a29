"""FIX tag=value framing: bytes <-> frames, BodyLength and CheckSum. Pure; no I/O.

The encoder lives in `_encode.py`, the stream splitter in `_splitter.py`, shared primitives in `_wire.py`;
this module re-exports them, so it stays the one contract between the codec and the session layer.

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
    msg = decode_app_message(fr)            # typed application message (kalshi_fix.messages._decode)
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
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, TypeVar
from zlib import adler32

from kalshi_fix._encode import SessionHeader, assemble_frame, check_body, encode_frame
from kalshi_fix._splitter import FrameSplitter
from kalshi_fix._types import format_sending_time, parse_bool, timestamp_from_wire
from kalshi_fix._wire import (
    _ANY_PREFIX,
    _DIGITS,
    _HEADS,
    _PREFIX,
    _PREFIX_LEN,
    _TRAILER_CHECK,
    _TRAILERS,
    BEGIN_STRING,
    HEADER_TAGS,
    SOH,
    _head_for,
    _plain_fields,
    _split_data,
    checksum,
)

if TYPE_CHECKING:
    from kalshi_fix import _errors as _err
else:
    from kalshi_fix._lazy import errors as _err

__all__ = [
    "BEGIN_STRING",
    "FixFrame",
    "FrameSplitter",
    "HEADER_TAGS",
    "SECRET_TAGS",
    "SOH",
    "SessionHeader",
    "assemble_frame",
    "check_body",
    "checksum",
    "encode_frame",
    "format_sending_time",
    "parse_frame",
    "peek_header",
    "redact",
    "rewrite_for_resend",
]

_T = TypeVar("_T")


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
        return f"FixFrame(msg_type={self.msg_type!r}, msg_seq_num={self.msg_seq_num}, raw={redact(self.raw)!r})"


#: Tags whose values never appear in a repr or str: RawData (the logon signature), Password, Signature.
SECRET_TAGS: Final = frozenset({96, 554, 89})
_SECRET_PLAIN: Final = re.compile(rb"(?<=\x01)(554|96|89)=[^\x01]*")


def redact(raw: bytes) -> bytes:
    """`raw` with the values of RawData (96), Password (554) and Signature (89) replaced by `***`.

    A data field is cut by the byte count its length field (95, 93) gives, since its value may hold SOH.
    """
    if b"\x0196=" not in raw and b"\x01554=" not in raw and b"\x0189=" not in raw:
        return raw
    out = raw
    for length_tag, data_tag in ((b"95", b"96"), (b"93", b"89")):
        found = re.search(rb"\x01" + length_tag + rb"=(\d{1,9})\x01" + data_tag + b"=", out)
        if found is not None:
            end = found.end() + int(found.group(1))
            out = out[: found.end()] + b"***" + out[end:]
    return _SECRET_PLAIN.sub(lambda m: m.group(1) + b"=***", out)


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
    size = len(frame)
    # `8=FIXT.1.1␁9=<BodyLength>␁` is fixed by the frame's size (the body ends 7 bytes before it), so one
    # startswith checks 8, 9 and the length (a frame can have only one such head; see `_head_for`).
    head = _HEADS.get(size) or _head_for(size)
    if frame.startswith(head):
        start = len(head)
        end = size - 7
        if frame[end - 1] == 1 and (
            # Adler-32's low half is 1 + the byte sum (exact below 65521), so its low byte must be what
            # `_TRAILER_CHECK` says for this trailer (which must read `10=<3 digits>␁`); no prefix copy.
            (
                (adler32(frame) & 0xFF) == _TRAILER_CHECK.get(frame[end:])
                if size <= 256 or (size <= 515 and frame.isascii())
                else frame.endswith(_TRAILERS[checksum(frame[:end])])
            )
            if verify_checksum
            else frame[end : end + 3] == b"10=" and frame[end + 3 : end + 6].isdigit() and frame[-1] == 1
        ):
            # Every field must be `<ASCII digits>=<value without '='>␁` (see `_plain_fields`), else a field
            # without '=' next to one with two would pair tags with the wrong values.
            # With the digits deleted (8= is known to lead), a field that starts `<digits>=` reads `=...`: count
            # the SOHs followed by '=' (X). With S fields in the frame and E '=' in `text` (35 up to 10),
            # X <= S - 1 and X <= E + 2 (9 and 10 start outside `text`), while the token count T is
            # (S - 3) + E + 1. So 2X == T + 3 holds exactly when X == S - 1 (every field starts `<digits>=`) and
            # E == S - 3 (one '=' per field: no value holds one), with one count fewer than checking both.
            text = frame[start:end].decode("utf-8", "surrogateescape")
            tokens = text.replace("\x01", "=").split("=")
            it = iter(tokens)
            fields = dict(zip(it, it))  # noqa: B905 - the token count is checked below; a keyword costs ~25%
            seq_text = fields.get("34")
            msg_type = tokens[1]  # the first 35, as on the checked path
            if (
                2 * frame.translate(None, _DIGITS).count(b"\x01=") == len(tokens) + 3  # X, above
                and tokens[0] == "35"
                and msg_type
                and seq_text
                and seq_text.isdigit()
                and seq_text.isascii()
                and len(seq_text) <= 18
                and "" not in fields
                and "95" not in fields  # data fields are read by length, on the checked path
                and "93" not in fields
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
