"""FIX wire primitives shared by the encoder, the parser and the splitter: constants, CheckSum, data fields.

Pure; no I/O. Nothing here knows about messages or sessions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from zlib import adler32

if TYPE_CHECKING:
    from kalshi_fix import _errors as _err
else:
    from kalshi_fix._lazy import errors as _err

__all__ = [
    "BEGIN_STRING",
    "HEADER_TAGS",
    "SOH",
    "checksum",
]

SOH: Final = b"\x01"
BEGIN_STRING: Final = "FIXT.1.1"
_PREFIX: Final = b"8=FIXT.1.1\x019="
_PREFIX_LEN: Final = len(_PREFIX)
_ANY_PREFIX: Final = b"8="

#: Standard header tags (docs.kalshi.com/fix/common-components), as wire text; 8, 9 and 35 are positional.
HEADER_TAGS: Final = frozenset(
    {"49", "56", "34", "52", "50", "142", "57", "143", "115", "128", "43", "97", "122", "1128", "1129"}
)

_DIGITS: Final = b"0123456789"

# frame size -> the only `8=FIXT.1.1␁9=<BodyLength>␁` a frame of that size can start with; filled by `_head_for`.
_HEADS: Final[dict[int, bytes | tuple[bytes, ...]]] = {}
_NO_HEAD: Final[tuple[bytes, ...]] = ()  # no prefix: `frame.startswith(())` is False for every frame


def _head_for(size: int) -> bytes | tuple[bytes, ...]:
    """The head a well-formed frame of `size` bytes must start with: 13 + d + 1 + L + 7 == size, where L is the
    BodyLength and d its digit count (at most one d fits), or `_NO_HEAD` when no length fits."""
    head: bytes | tuple[bytes, ...] = _NO_HEAD
    for d in range(1, 11):
        length = size - 21 - d
        if length > 0 and len(str(length)) == d:
            head = b"%s%d\x01" % (_PREFIX, length)
            break
    if size < 8192:  # bounds the table; larger frames build their head each time
        _HEADS[size] = head
    return head


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


_TRAILERS: Final = tuple(b"10=%03d\x01" % value for value in range(256))
# trailer -> the low byte of (1 + the sum of every byte of a frame ending in it, trailer included), when the
# CheckSum it states is right: (1 + body sum + trailer sum) mod 256 with body sum = the stated value.
_TRAILER_CHECK: Final = {trailer: (value + 1 + sum(trailer)) & 0xFF for value, trailer in enumerate(_TRAILERS)}
