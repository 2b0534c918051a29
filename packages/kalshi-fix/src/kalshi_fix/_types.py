"""Value conversions between typed Python values and FIX wire text.

Wire text is `str` here: the codec decodes a frame once (UTF-8 with `surrogateescape`, so every byte
round-trips) and encodes the body once. Money and quantities are `Decimal` (never float), timestamps are
aware UTC `datetime`, booleans are `Y`/`N`.

Prices: on the prediction gateway, order prices travel as integer cents unless the session logged on with
UseDollars=Y; margin is always dollars (docs/protocol/units.md#field-by-field). The typed API is dollars
either way; `use_dollars` selects the wire unit. SettlementPrice (730) is always cents with two decimals on the wire.

Encoders take the tag for error messages and raise `FixEncodeError`; decoders raise `ValueError` or
`ArithmeticError`, which the message decoder turns into `FixFieldValueError` with the tag attached.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kalshi_fix import _errors as _err
else:
    from kalshi_fix._lazy import errors as _err

__all__ = [
    "BOOL_WIRE",
    "CENTS_MEMO",
    "DEC_MEMO",
    "INT_MEMO",
    "bool_to_wire",
    "data_from_wire",
    "data_to_wire",
    "date_from_wire",
    "date_to_wire",
    "decimal_from_wire",
    "decimal_to_wire",
    "format_sending_time",
    "int_from_wire",
    "int_to_wire",
    "parse_bool",
    "price_from_cents",
    "price_to_cents",
    "settlement_price_from_wire",
    "settlement_price_to_wire",
    "str_to_wire",
    "timestamp_from_wire",
    "timestamp_to_wire",
]

_UTC = _dt.UTC
_MAX_DIGITS = 40  # decimals beyond this many digits either side of the point are refused (never real, and
# a huge exponent would make positional formatting allocate gigabytes)
_SOH = "\x01"


# ----------------------------------------------------------------------------------------------- encode


def str_to_wire(value: Any, tag: int) -> str:
    """Check a STRING/CHAR value (enum members included) and return its wire text."""
    if value is None:
        raise _err.FixEncodeError(f"tag {tag} is required but is None", tag=tag)
    if isinstance(value, Enum):
        value = value.value
        if not isinstance(value, str):
            value = str(value)
    if not isinstance(value, str):
        raise _err.FixEncodeError(f"tag {tag} needs a str, got {type(value).__name__}", tag=tag)
    if not value:
        raise _err.FixEncodeError(f"tag {tag} cannot be empty", tag=tag)
    if _SOH in value:
        raise _err.FixEncodeError(f"tag {tag} value contains SOH (0x01), which would break framing", tag=tag)
    return str.__str__(value)


def int_to_wire(value: Any, tag: int) -> str:
    """Check an INT/SEQNUM/LENGTH value (IntEnum members included) and return its decimal text."""
    if isinstance(value, Enum):
        value = value.value
    if value.__class__ is int:
        return str(value)
    if value is None:
        raise _err.FixEncodeError(f"tag {tag} is required but is None", tag=tag)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, str) and value.isdigit() and value.isascii():  # not "¹" or "٣": str.isdigit takes those
        return value
    raise _err.FixEncodeError(f"tag {tag} needs an int, got {type(value).__name__}", tag=tag)


def decimal_to_wire(value: Any, tag: int) -> str:
    """Format a QTY/AMT/DECIMAL value in positional notation (never scientific, never float)."""
    if value.__class__ is Decimal:
        if value.is_finite():
            text = str(value)  # positional unless it holds an exponent; 4x faster than format(value, "f")
            if "E" not in text:
                return text
            if -_MAX_DIGITS < value.adjusted() < _MAX_DIGITS:
                return format(value, "f")
    elif value.__class__ is int:
        return str(value)
    if value is None:
        raise _err.FixEncodeError(f"tag {tag} is required but is None", tag=tag)
    if isinstance(value, float):
        raise _err.FixEncodeError(f"tag {tag} takes a Decimal, not a float (floats lose money)", tag=tag)
    raise _err.FixEncodeError(f"tag {tag} needs a finite Decimal within 1e-40..1e40, got {value!r}", tag=tag)


def price_to_cents(value: Any, tag: int, integral: bool) -> str:
    """Turn a dollar price into wire cents: `Decimal("0.55")` -> `"55"`.

    Args:
        value: dollars as `Decimal`.
        tag: the field's tag, for errors.
        integral: the gateway takes whole cents only on this field (orders and quotes).
    """
    if integral and value.__class__ is Decimal and value.is_finite():  # sNaN cannot even be hashed
        text = _CENTS_TEXT.get(value)
        if text is not None:
            return text
    if value.__class__ is not Decimal or not value.is_finite() or not -_MAX_DIGITS < value.adjusted() < _MAX_DIGITS:
        decimal_to_wire(value, tag)  # raises the right error for None / float / NaN / huge; passes ints
        value = Decimal(value)
    cents = value.scaleb(2)
    if not integral:
        return decimal_to_wire(cents, tag)
    whole = int(cents)
    if whole != cents:
        raise _err.FixEncodeError(
            f"tag {tag}: {value} dollars is not a whole number of cents; log on with UseDollars=Y for sub-cent prices",
            tag=tag,
        )
    text = str(whole)
    if len(_CENTS_TEXT) < 4096:
        _CENTS_TEXT[value] = text  # canonical output, so equal Decimals may share it
    return text


_CENTS_TEXT: dict[Decimal, str] = {}
_ONE = Decimal(1)


def settlement_price_to_wire(value: Any, tag: int) -> str:
    """SettlementPrice (730) is cents with 2 decimals on the wire: dollars `1` -> `"100.00"`."""
    decimal_to_wire(value, tag)
    return format(Decimal(value).scaleb(2).quantize(_CENT), "f")


_CENT = Decimal("0.01")


def bool_to_wire(value: Any, tag: int) -> str:
    """True -> `Y`, False -> `N`."""
    if value is True:
        return "Y"
    if value is False:
        return "N"
    raise _err.FixEncodeError(f"tag {tag} needs a bool, got {value!r}", tag=tag)


def timestamp_to_wire(value: Any, tag: int) -> str:
    """Format an aware datetime as UTCTimestamp: milliseconds, or microseconds when they are non-zero."""
    if not isinstance(value, _dt.datetime):
        raise _err.FixEncodeError(f"tag {tag} needs an aware datetime, got {type(value).__name__}", tag=tag)
    if value.tzinfo is None or value.utcoffset() is None:
        raise _err.FixEncodeError(f"tag {tag} needs an aware datetime (naive datetimes are ambiguous)", tag=tag)
    if value.tzinfo is not _UTC:
        value = value.astimezone(_UTC)
    us = value.microsecond
    frac = f"{us:06d}" if us % 1000 else f"{us // 1000:03d}"
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}-{value.hour:02d}:{value.minute:02d}:"
        f"{value.second:02d}.{frac}"
    )


def format_sending_time(value: _dt.datetime | None = None) -> str:
    """Format SendingTime (52) as `YYYYMMDD-HH:MM:SS.sss` UTC (milliseconds, as Kalshi requires).

    Args:
        value: an aware datetime; the current time when None.
    """
    if value is None:
        value = _dt.datetime.now(_UTC)
    elif value.tzinfo is None or value.utcoffset() is None:
        raise _err.FixEncodeError("SendingTime needs an aware datetime", tag=52)
    elif value.tzinfo is not _UTC:
        value = value.astimezone(_UTC)
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}-{value.hour:02d}:{value.minute:02d}:"
        f"{value.second:02d}.{value.microsecond // 1000:03d}"
    )


def date_to_wire(value: Any, tag: int) -> str:
    """LocalMktDate: `date(2026, 1, 2)` -> `"20260102"`."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    raise _err.FixEncodeError(f"tag {tag} needs a datetime.date, got {type(value).__name__}", tag=tag)


def data_to_wire(value: Any, tag: int) -> str:
    """Raw data (bytes) as wire text; may hold SOH, since its length travels first."""
    if isinstance(value, str):
        value = value.encode()
    if not isinstance(value, bytes | bytearray):
        raise _err.FixEncodeError(f"tag {tag} needs bytes, got {type(value).__name__}", tag=tag)
    return bytes(value).decode("utf-8", "surrogateescape")


# ----------------------------------------------------------------------------------------------- decode


# Decoding memos: wire text -> value for the few distinct quantities, prices and small ints a session sees
# (prices are 1-99 cents, sizes repeat). Values are immutable, so sharing them is safe; each memo stops
# growing at _MEMO_LIMIT entries. Generated decoders read them inline (`DEC_MEMO[v] if v in DEC_MEMO ...`).
_MEMO_LIMIT = 4096
INT_MEMO: dict[str, int] = {}
DEC_MEMO: dict[str, Decimal] = {}
CENTS_MEMO: dict[str, Decimal] = {}
BOOL_WIRE: dict[str, bool] = {"Y": True, "N": False}


def int_from_wire(text: str) -> int:
    """Parse an INT; plain ASCII digits with an optional minus sign only."""
    if not text.isascii():
        raise ValueError(f"not an integer: {text!r}")
    value = int(text)
    if len(INT_MEMO) < _MEMO_LIMIT:
        INT_MEMO[text] = value
    return value


def decimal_from_wire(text: str) -> Decimal:
    """Parse a QTY/AMT/PRICE in dollars: finite, positional notation (FIX has no exponents)."""
    value = Decimal(text)
    if value.is_finite() and "e" not in text and "E" not in text and len(text) <= _MAX_DIGITS:
        if len(DEC_MEMO) < _MEMO_LIMIT:
            DEC_MEMO[text] = value
        return value
    raise ValueError(f"not a positional decimal: {text!r}")


def price_from_cents(text: str) -> Decimal:
    """Parse a wire price in cents and return dollars: `"55"` -> `Decimal("0.55")`."""
    value = Decimal(text)
    if value.is_finite() and "e" not in text and "E" not in text and len(text) <= _MAX_DIGITS:
        value = value.scaleb(-2)
        if len(CENTS_MEMO) < _MEMO_LIMIT:
            CENTS_MEMO[text] = value
        return value
    raise ValueError(f"not a positional decimal: {text!r}")


def settlement_price_from_wire(text: str) -> Decimal:
    """SettlementPrice (730): wire cents with 2 decimals -> dollars (`"30.60"` -> `Decimal("0.3060")`)."""
    return decimal_from_wire(text).scaleb(-2)


def parse_bool(text: str) -> bool:
    """`Y` -> True, `N` -> False; anything else is an error."""
    if text == "Y":
        return True
    if text == "N":
        return False
    raise ValueError(f"not a FIX boolean (Y/N): {text!r}")


def timestamp_from_wire(text: str) -> _dt.datetime:
    """Parse UTCTimestamp `YYYYMMDD-HH:MM:SS[.sss|.ssssss|.sssssssss]` as an aware UTC datetime.

    Nanoseconds are truncated to microseconds (datetime's resolution).
    """
    n = len(text)
    if n in _TS_LENGTHS and text[8] == "-" and text.isascii() and (n == 17 or text[17] == "."):
        if n == 27:
            if not text[24:].isdigit():
                raise ValueError(f"not a UTCTimestamp: {text!r}")
            text = text[:24]
        # `20261124-09:30:01.123Z` is ISO 8601 (basic date, extended time) with '-' as the date/time separator,
        # which fromisoformat accepts from Python 3.11 on ("any single character"); it reads it in C.
        return _fromiso(text + "Z")
    raise ValueError(f"not a UTCTimestamp: {text!r}")


_TS_LENGTHS = frozenset({17, 21, 24, 27})
_fromiso = _dt.datetime.fromisoformat


def date_from_wire(text: str) -> _dt.date:
    """Parse LocalMktDate `YYYYMMDD`."""
    if len(text) != 8 or not text.isdigit() or not text.isascii():
        raise ValueError(f"not a YYYYMMDD date: {text!r}")
    return _dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


def data_from_wire(text: str) -> bytes:
    """Raw data field back to its exact bytes."""
    return text.encode("utf-8", "surrogateescape")
