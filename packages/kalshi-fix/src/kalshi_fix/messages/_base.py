"""The base of every typed FIX message and repeating-group entry; generic, dictionary-driven decoding.

Generated classes (in `_generated/`) supply class-level tables, a straight-line `_encode_body` and a
fast `_decode` that reads the frame's `{tag: text}` dict; this module holds the ordered decode loop
(used for repeating groups with several entries, for `from_body_fields`, and to name the tag whenever
the fast path fails) and the encode entry points.

Decoding builds each instance's `__dict__` directly (no `__init__` call); optional fields that were
absent fall back to their class-level default `None`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from kalshi_fix._codec import SECRET_TAGS, FixFrame, SessionHeader, assemble_frame, parse_frame
from kalshi_fix._types import int_from_wire
from kalshi_fix.messages._lenient import LENIENT_TAGS, note_lenient

if TYPE_CHECKING:
    from typing import Self

    from kalshi_fix import _errors as _err
else:
    from kalshi_fix._lazy import errors as _err

__all__ = [
    "FieldTable",
    "FixGroupEntry",
    "FixMessage",
    "GroupSpec",
    "encode_group",
    "group_at",
    "int_enum_decoder",
    "raw_length",
    "sent_by_kalshi",
    "str_enum_decoder",
]

_E = TypeVar("_E", bound=Enum)
Converter = Callable[[str], Any]
FieldTable = dict[str, tuple[str, Converter | None]]


class GroupSpec:
    """A repeating group inside a message or entry: its count tag, attribute, entry class and delimiter."""

    __slots__ = ("attr", "delimiter", "entry", "tag")

    def __init__(self, tag: str, attr: str, entry: type[FixGroupEntry], delimiter: str) -> None:
        self.tag = tag
        self.attr = attr
        self.entry = entry
        self.delimiter = delimiter


def str_enum_decoder(enum_cls: type[_E]) -> Callable[[str], _E | str]:
    """Decoder for a CHAR/STRING enum field; unknown values come back as plain text (never an error)."""
    table: dict[str, Any] = {str(m.value): m for m in enum_cls}
    get = table.get

    def decode(text: str) -> _E | str:
        member: _E | str = get(text, text)
        return member

    return decode


def int_enum_decoder(enum_cls: type[_E]) -> Callable[[str], _E | int]:
    """Decoder for an INT enum field; unknown integers come back as plain `int`."""
    table: dict[str, Any] = {str(m.value): m for m in enum_cls}
    get = table.get

    def decode(text: str) -> _E | int:
        member: _E | None = get(text)
        return int_from_wire(text) if member is None else member

    return decode


def raw_length(text: str) -> int:
    """Byte length of a data field's wire text (for RawDataLength / SignatureLength)."""
    return len(text.encode("utf-8", "surrogateescape"))


def sent_by_kalshi(sender_comp_id: str | None) -> bool:
    """True for a SenderCompID (49) of Kalshi's: `Kalshi`, `KalshiMD` or a session name such as `KalshiRT`
    (docs.kalshi.com/fix/common-components); a member's is its API key, a UUID."""
    return sender_comp_id is not None and sender_comp_id.startswith("Kalshi")


def encode_group(tag: int, entries: Any, entry_cls: type[_Fields], ud: bool) -> str:
    """Encode a repeating group: `NoXxx=<count>` then each entry's fields. An empty list writes nothing: a
    group is left out rather than sent as `NoXxx=0`."""
    if not isinstance(entries, list | tuple):
        raise _err.FixEncodeError(f"tag {tag}: a repeating group takes a list of {entry_cls.__name__}", tag=tag)
    if not entries:
        return ""
    out = [f"{tag}={len(entries)}\x01"]
    for entry in entries:
        if entry.__class__ is not entry_cls:
            raise _err.FixEncodeError(
                f"tag {tag}: group entries must be {entry_cls.__name__}, got {type(entry).__name__}", tag=tag
            )
        out.append(entry._encode_body(ud))
    return "".join(out)


class _Fields:
    """Behaviour shared by messages and group entries: equality, repr, table-driven decode."""

    _ATTRS: ClassVar[tuple[str, ...]] = ()
    _REQUIRED: ClassVar[frozenset[str]] = frozenset()
    _TAG_OF: ClassVar[dict[str, int]] = {}
    _DEC_CENTS: ClassVar[FieldTable] = {}
    _DEC_DOLLARS: ClassVar[FieldTable] = {}
    _GROUPS: ClassVar[dict[str, GroupSpec]] = {}
    _MEMBERS: ClassVar[frozenset[str]] = frozenset()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, a) == getattr(other, a) for a in self._ATTRS)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        tag_of = self._TAG_OF
        shown = ", ".join(
            f"{a}={'***' if tag_of.get(a) in SECRET_TAGS else repr(getattr(self, a))}"
            for a in self._ATTRS
            if getattr(self, a) is not None
        )
        return f"{type(self).__name__}({shown})"

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set, by attribute name (group entries as lists of dicts)."""
        out: dict[str, Any] = {}
        for a in self._ATTRS:
            value = getattr(self, a)
            if value is None:
                continue
            if isinstance(value, list):
                value = [e.to_dict() if isinstance(e, _Fields) else e for e in value]
            out[a] = value
        return out

    def _encode_body(self, ud: bool) -> str:  # generated per class
        raise NotImplementedError

    @classmethod
    def _missing(cls, values: dict[str, Any], msg_type: str | None, seq: int | None) -> _err.FixMissingTagError:
        missing = sorted(cls._TAG_OF[a] for a in cls._REQUIRED if a not in values)
        names = ", ".join(str(t) for t in missing)
        return _err.FixMissingTagError(
            f"{cls.__name__}: required tag(s) {names} missing", msg_type=msg_type, msg_seq_num=seq, tag=missing[0]
        )


def _decode_group(  # noqa: PLR0917
    spec: GroupSpec, count_text: str, parts: list[str], i: int, n: int, ud: bool, where: tuple[str | None, int | None]
) -> tuple[list[Any] | None, int]:
    entry_cls = spec.entry
    members = entry_cls._MEMBERS
    if not count_text.isdigit() or not count_text.isascii():
        # docs/protocol/fix-wire.md#repeating-groups: a count that is not an integer drops the group.
        while i < n and parts[i].partition("=")[0] in members:
            i += 1
        return None, i
    fmap = entry_cls._DEC_DOLLARS if ud else entry_cls._DEC_CENTS
    gmap = entry_cls._GROUPS
    delimiter = spec.delimiter
    rows: list[dict[str, Any]] = []
    row: dict[str, Any] | None = None
    while i < n:
        tag, _, value = parts[i].partition("=")
        if tag == delimiter:
            row = {}
            rows.append(row)
        elif row is None or tag not in members:
            break
        i += 1
        f = fmap.get(tag)
        if f is not None:
            conv = f[1]
            try:
                row[f[0]] = value if conv is None else conv(value)
            except (ValueError, ArithmeticError) as exc:
                raise _err.FixFieldValueError(
                    f"tag {tag}: {exc}", msg_type=where[0], msg_seq_num=where[1], tag=int(tag)
                ) from None
        else:
            sub = gmap.get(tag)
            if sub is not None:
                row[sub.attr], i = _decode_group(sub, value, parts, i, n, ud, where)
    entries: list[Any] = []
    required = entry_cls._REQUIRED
    new = object.__new__
    for row in rows:
        if not row.keys() >= required:
            raise entry_cls._missing(row, *where)
        obj = new(entry_cls)
        obj.__dict__ = row
        entries.append(obj)
    return entries, i


def _decode_fields(
    cls: type[_Fields],
    parts: list[str],
    ud: bool,
    where: tuple[str | None, int | None],
    lenient: frozenset[int] = frozenset(),
) -> Any:
    fmap = cls._DEC_DOLLARS if ud else cls._DEC_CENTS
    gmap = cls._GROUPS
    values: dict[str, Any] = {}
    i = 0
    n = len(parts)
    tag = ""
    try:
        while i < n:
            tag, _, value = parts[i].partition("=")
            i += 1
            f = fmap.get(tag)
            if f is not None:
                conv = f[1]
                values[f[0]] = value if conv is None else conv(value)
            elif tag in gmap:
                spec = gmap[tag]
                values[spec.attr], i = _decode_group(spec, value, parts, i, n, ud, where)
    except (ValueError, ArithmeticError) as exc:
        raise _err.FixFieldValueError(
            f"{cls.__name__}: tag {tag}: {exc}",
            msg_type=where[0],
            msg_seq_num=where[1],
            tag=int(tag) if tag.isdigit() and len(tag) < 10 else None,
        ) from None
    if not values.keys() >= cls._REQUIRED:
        missing = [a for a in cls._REQUIRED if a not in values]
        tags = sorted(cls._TAG_OF[a] for a in missing)
        if not lenient.issuperset(tags):
            raise cls._missing(values, *where)
        note_lenient(where[0] or "?", where[1], tags)
        for attr in missing:
            values[attr] = None
    obj = object.__new__(cls)
    obj.__dict__ = values
    return obj


def group_at(frame: FixFrame, spec: GroupSpec, count_text: str, ud: bool) -> list[Any] | None:
    """Decode the repeating group whose count field is `spec.tag=count_text`, reading `frame.parts` in order."""
    parts = frame.parts
    try:
        i = parts.index(f"{spec.tag}={count_text}") + 1
    except ValueError:
        return None
    entries, _ = _decode_group(spec, count_text, parts, i, len(parts), ud, (frame.msg_type, frame.msg_seq_num))
    return entries


class FixGroupEntry(_Fields):
    """One entry of a repeating group (e.g. a `Party` of NoPartyIDs)."""

    @classmethod
    def _decode1(cls, fields: dict[str, str], ud: bool) -> Any:
        """Decode the only entry of a count-1 group straight from the frame's field dict (generated)."""
        raise NotImplementedError


class FixMessage(_Fields):
    """A typed FIX message. Subclasses are generated from the dictionary (one per MsgType).

    ```python
    wire = NewOrderSingle(cl_ord_id="o1", symbol="KXBTC-25", side=Side.BUY_YES,
                          order_qty=Decimal("10"), price=Decimal("0.55")).encode(header)
    ```
    """

    MSG_TYPE: ClassVar[str]
    """MsgType (35)."""
    MSG_CAT: ClassVar[str]
    """`admin` or `app`."""
    DOLLARS_FROM_KALSHI: ClassVar[bool] = False
    """Prices are fixed-point dollars on every session when Kalshi sends this message (a Quote notification to
    an RFQ creator, docs.kalshi.com/fix/rfq-messages), and follow UseDollars when a member sends it:
    `encode` and `from_frame` / `decode_app_message` tell by SenderCompID (`sent_by_kalshi`)."""

    def encode_body(self, use_dollars: bool = False) -> bytes:
        """Encode the body fields (no header, no trailer) as `tag=value␁` bytes, in dictionary order.

        Args:
            use_dollars: write prices as dollars (UseDollars=Y, margin) instead of integer cents (with no
                header to tell the sender, `DOLLARS_FROM_KALSHI` is the caller's to apply).

        Raises:
            FixEncodeError: a required field is missing, a value has the wrong type, contains SOH, or a
                price is not a whole number of cents in cents mode.
        """
        try:
            return self._encode_body(use_dollars).encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:
            raise _err.FixEncodeError(f"{type(self).__name__}: text cannot be encoded: {exc}") from None

    def encode(self, header: SessionHeader, *, use_dollars: bool = False) -> bytes:
        """Encode the whole frame: 8, 9, 35, `header`, the body, 10.

        Args:
            header: SenderCompID, TargetCompID, MsgSeqNum, SendingTime and the optional resend fields.
            use_dollars: write prices as dollars (UseDollars=Y, margin) instead of integer cents; always dollars
                for a `DOLLARS_FROM_KALSHI` message that Kalshi (`header.sender_comp_id`) sends.
        """
        if self.DOLLARS_FROM_KALSHI and sent_by_kalshi(header.sender_comp_id):
            use_dollars = True
        try:
            body = self._encode_body(use_dollars).encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:
            raise _err.FixEncodeError(f"{type(self).__name__}: text cannot be encoded: {exc}") from None
        return assemble_frame(self.MSG_TYPE, header, body)  # generated bodies are well-formed by construction

    @classmethod
    def _decode(cls, fields: dict[str, str], frame: FixFrame, ud: bool) -> Any:
        """Fast decode from `frame.fields` (generated per class); this default reads fields in order."""
        return _decode_fields(cls, frame.body, ud, (frame.msg_type, frame.msg_seq_num))

    @classmethod
    def from_frame(cls, frame: FixFrame, *, use_dollars: bool = False) -> Self:
        """Decode a parsed frame's body into this class (the frame's MsgType is not checked here).

        Raises:
            FixMissingTagError: a required tag is absent.
            FixFieldValueError: a value does not parse as its field's type.
        """
        if cls.DOLLARS_FROM_KALSHI and sent_by_kalshi(frame.fields.get("49")):
            use_dollars = True
        try:
            result: Self = cls._decode(frame.fields, frame, use_dollars)
        except (KeyError, ValueError, ArithmeticError):
            # The fast path only knows that something failed; the ordered path names the tag and raises, or
            # delivers the message when all that is missing is listed in LENIENT_TAGS.
            lenient = LENIENT_TAGS.get(cls.MSG_TYPE, frozenset())
            fields = frame.fields
            if lenient and any(str(t) not in fields for t in lenient):
                decoded: Self = _decode_fields(
                    cls, frame.body, use_dollars, (frame.msg_type, frame.msg_seq_num), lenient
                )
                return decoded
            _decode_fields(cls, frame.body, use_dollars, (frame.msg_type, frame.msg_seq_num))
            raise _err.FixFieldValueError(
                f"{cls.__name__}: malformed fields", msg_type=frame.msg_type, msg_seq_num=frame.msg_seq_num
            ) from None
        return result

    @classmethod
    def from_body_fields(cls, parts: list[str], *, use_dollars: bool = False) -> Self:
        """Decode body fields given as `"tag=value"` text (the shape of `FixFrame.body`)."""
        result: Self = _decode_fields(cls, parts, use_dollars, (cls.MSG_TYPE, None))
        return result

    @classmethod
    def decode(cls, frame: bytes, *, use_dollars: bool = False) -> Self:
        """Parse and verify `frame`, then decode it as this class."""
        return cls.from_frame(parse_frame(frame), use_dollars=use_dollars)
