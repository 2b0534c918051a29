"""What the session layer needs from the wire: split frames, read header fields, build frames.

This is the session's own narrow view of tag=value framing (the full typed codec lives in
`_codec.py`): a streaming splitter that verifies BodyLength and CheckSum, a flat field view of a
frame (first occurrence of each tag, data fields read by length), and a frame builder that writes
the standard header in the recommended order (8, 9, 35, 49, 56, 34, 52, then the body).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

__all__ = [
    "BEGIN_STRING",
    "SOH",
    "FrameSplitter",
    "FrameView",
    "GarbledFrame",
    "encode_fields",
    "format_sending_time",
    "parse_frame",
]

SOH = b"\x01"
BEGIN_STRING = "FIXT.1.1"
_PREFIX = b"8=FIXT.1.1\x019="
_BEGIN = b"8=FIXT.1.1\x01"
_DATA_LENGTH_TAGS = {95: 96, 93: 89}
_MAX_BODY = 1 << 20


class GarbledFrame(ValueError):
    """A frame that failed BodyLength or CheckSum verification, or bytes that are not FIX."""


class FrameView:
    """One verified frame: its raw bytes, MsgType, MsgSeqNum and a tag -> value map.

    `fields` keeps the first occurrence of each tag, which is exact for header and admin fields;
    repeating groups are the typed codec's business (`decode_app_message(view.raw)`).
    """

    __slots__ = ("fields", "msg_type", "raw", "seq")

    def __init__(self, raw: bytes, fields: dict[int, str]) -> None:
        self.raw = raw
        self.fields = fields
        self.msg_type = fields.get(35, "")
        seq = fields.get(34, "")
        self.seq = int(seq) if seq.isdigit() else 0

    def get(self, tag: int, default: str | None = None) -> str | None:
        """Return the value of `tag`, or `default`."""
        return self.fields.get(tag, default)

    def flag(self, tag: int) -> bool:
        """True when a BOOLEAN field is `Y`."""
        return self.fields.get(tag) == "Y"

    def int_field(self, tag: int) -> int | None:
        """An INT field, or None when absent or not an integer."""
        value = self.fields.get(tag)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            return None

    def __repr__(self) -> str:
        return f"FrameView(msg_type={self.msg_type!r}, seq={self.seq})"


def parse_frame(raw: bytes) -> FrameView:
    """Read every field of a verified frame into a `FrameView` (data fields by their length).

    Raises:
        GarbledFrame: a field has no `=` or a data length is not a number.
    """
    fields: dict[int, str] = {}
    pos = 0
    end = len(raw)
    data_len = -1
    data_tag = 0
    while pos < end:
        eq = raw.find(b"=", pos)
        if eq < 0:
            raise GarbledFrame("field without '='")
        try:
            tag = int(raw[pos:eq])
        except ValueError:
            raise GarbledFrame(f"bad tag {raw[pos:eq][:16]!r}") from None
        if tag == data_tag and data_len >= 0:
            stop = eq + 1 + data_len
            value = raw[eq + 1 : stop]
            if raw[stop : stop + 1] != SOH:
                raise GarbledFrame(f"data field {tag} does not match its length")
            data_len = -1
        else:
            stop = raw.find(SOH, eq + 1)
            if stop < 0:
                raise GarbledFrame("field without SOH")
            value = raw[eq + 1 : stop]
        if tag not in fields:
            fields[tag] = value.decode("utf-8", "replace")
        if tag in _DATA_LENGTH_TAGS:
            if not value.isdigit():
                raise GarbledFrame(f"data length {tag} is not a number")
            data_len = int(value)
            data_tag = _DATA_LENGTH_TAGS[tag]
        pos = stop + 1
    return FrameView(raw, fields)


class FrameSplitter:
    """Cut a byte stream into verified frames; survives partial reads, batches and garbage.

    ```python
    splitter = FrameSplitter()
    for frame in splitter.feed(chunk):  # bytes of whole, verified frames
        ...
    ```
    Bad frames are skipped (resynchronising on the next `8=`) and counted in `garbled`, with the
    reason of the last one in `last_error`: FIX ignores a garbled message, and the sequence gap it
    leaves is recovered by the session.
    """

    __slots__ = ("_buf", "garbled", "last_error")

    def __init__(self) -> None:
        self._buf = bytearray()
        self.garbled = 0
        self.last_error = ""

    def clear(self) -> None:
        """Drop buffered bytes (on disconnect)."""
        self._buf.clear()

    def _skip(self, reason: str) -> None:
        self.garbled += 1
        self.last_error = reason
        buf = self._buf
        nxt = buf.find(_BEGIN, 1)
        if nxt >= 0:
            del buf[:nxt]
            return
        # keep a tail that may be the start of the next frame (always dropping at least one byte)
        keep = 0
        for k in range(min(len(_BEGIN) - 1, len(buf) - 1), 0, -1):
            if _BEGIN.startswith(buf[-k:]):
                keep = k
                break
        del buf[: len(buf) - keep]

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return every complete frame now available."""
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        while buf:
            if not buf.startswith(_PREFIX):
                if len(buf) < len(_PREFIX) and _PREFIX.startswith(bytes(buf)):
                    break
                self._skip("frame does not start with 8=FIXT.1.1|9=")
                continue
            lstart = len(_PREFIX)
            lend = buf.find(SOH, lstart, lstart + 9)
            if lend < 0:
                if len(buf) - lstart > 8:
                    self._skip("BodyLength too long")
                    continue
                break
            digits = bytes(buf[lstart:lend])
            if not digits.isdigit() or int(digits) > _MAX_BODY:
                self._skip(f"bad BodyLength {digits[:12]!r}")
                continue
            body_end = lend + 1 + int(digits)
            total = body_end + 7
            if len(buf) < total:
                break
            if buf[body_end : body_end + 3] != b"10=" or buf[total - 1] != 1:
                self._skip("BodyLength does not end at 10=")
                continue
            frame = bytes(buf[:total])
            want = frame[body_end + 3 : body_end + 6]
            if not want.isdigit() or sum(frame[:body_end]) & 0xFF != int(want):
                self._skip("CheckSum mismatch")
                continue
            frames.append(frame)
            del buf[:total]
        return frames


def encode_fields(fields: Iterable[tuple[int, object]]) -> bytes:
    """Encode (tag, value) pairs as `tag=value<SOH>...` (None values are left out)."""
    return b"".join(f"{tag}={value}\x01".encode() for tag, value in fields if value is not None)


_time_cache: list[object] = [-1, ""]


def format_sending_time(now: float) -> str:
    """Format epoch seconds as FIX UTCTimestamp with milliseconds: `YYYYMMDD-HH:MM:SS.sss`."""
    ms_total = int(now * 1000)
    sec, ms = divmod(ms_total, 1000)
    if _time_cache[0] != sec:
        _time_cache[0] = sec
        _time_cache[1] = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(sec))
    return f"{_time_cache[1]}.{ms:03d}"
