"""Property tests: every message type round-trips; the decoder raises only its typed errors; any chunking splits."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kalshi_fix._codec import (
    FrameSplitter,
    SessionHeader,
    assemble_frame,
    parse_frame,
    peek_header,
)
from kalshi_fix._errors import FixDecodeError, FixEncodeError, FixFieldValueError, FixTruncatedFrameError
from kalshi_fix.messages import FIELD_ENUMS, FIELD_KINDS, MESSAGE_TYPES, FixMessage
from kalshi_fix.messages._base import FixGroupEntry
from kalshi_fix.messages._decode import decode_app_message, decode_message

HEADER = SessionHeader(
    sender_comp_id="0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d",
    target_comp_id="KalshiRT",
    msg_seq_num=42,
    sending_time="20261124-09:30:01.123",
)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(
    alphabet=st.characters(blacklist_characters="\x01", blacklist_categories=("Cs",)), min_size=1, max_size=12
)


def decimals(places: int) -> st.SearchStrategy[Decimal]:
    return st.builds(lambda n, p: Decimal(n).scaleb(-p), st.integers(-(10**12), 10**12), st.integers(0, places))


def value_strategy(tag: int) -> st.SearchStrategy[Any]:
    kind = FIELD_KINDS[tag]
    enum_cls = FIELD_ENUMS.get(tag)
    if kind == "str":
        return text
    if kind == "senum":
        assert enum_cls is not None
        return st.one_of(st.sampled_from(list(enum_cls)), st.text("abcXYZ019", min_size=1, max_size=3))
    if kind == "int":
        return st.integers(-(10**9), 10**12)
    if kind == "group":  # a NumInGroup used as a plain count field (QuoteRequest's NoRelatedSym)
        return st.integers(0, 9)
    if kind == "ienum":
        assert enum_cls is not None
        return st.one_of(st.sampled_from(list(enum_cls)), st.integers(0, 500))
    if kind in ("dec", "price"):
        return decimals(6)
    if kind == "price_whole_cents":
        return decimals(2)
    if kind == "settle":
        return decimals(4)
    if kind == "bool":
        return st.booleans()
    if kind == "ts":
        return st.datetimes(
            min_value=datetime(2000, 1, 1),
            max_value=datetime(2099, 12, 31),
            timezones=st.just(UTC),
        )
    if kind == "date":
        return st.dates()
    if kind == "data":
        return st.binary(min_size=1, max_size=24)
    raise AssertionError(f"no strategy for kind {kind} (tag {tag})")


def instance(cls: type[FixMessage] | type[FixGroupEntry], draw: Any) -> Any:
    """Draw an instance of `cls`: required fields always, optional ones about half the time."""
    kwargs: dict[str, Any] = {}
    groups = {spec.attr: spec for spec in cls._GROUPS.values()}
    for position, attr in enumerate(cls._ATTRS):
        # A group entry's first field is its delimiter: without it the entry cannot be found again.
        needed = attr in cls._REQUIRED or (issubclass(cls, FixGroupEntry) and position == 0)
        if not needed and draw(st.booleans()):
            continue
        if attr in groups:
            entry = groups[attr].entry
            # an empty group is left out on the wire (never NoXxx=0), so it decodes as None
            kwargs[attr] = [instance(entry, draw) for _ in range(draw(st.integers(0, 3)))] or None
        else:
            kwargs[attr] = draw(value_strategy(cls._TAG_OF[attr]))
    return cls(**kwargs)


@pytest.mark.parametrize("cls", list(MESSAGE_TYPES.values()), ids=lambda c: c.__name__)
@pytest.mark.parametrize("use_dollars", [False, True], ids=["cents", "dollars"])
@SETTINGS
@given(data=st.data())
def test_every_message_type_round_trips(cls: type[FixMessage], use_dollars: bool, data: st.DataObject) -> None:
    msg = instance(cls, data.draw)
    wire = msg.encode(HEADER, use_dollars=use_dollars)
    decoded = decode_message(wire, use_dollars=use_dollars)
    assert type(decoded) is cls
    assert decoded == msg
    assert decoded.encode(HEADER, use_dollars=use_dollars) == wire  # encode(decode(x)) == x, byte for byte


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_decoder_raises_only_typed_errors_on_arbitrary_bytes(raw: bytes) -> None:
    for fn in (decode_app_message, parse_frame, peek_header):
        with contextlib.suppress(FixDecodeError):
            fn(raw)


def reframe(inner: bytes) -> bytes:
    """Wrap a body (from 35 on) with a correct BodyLength and CheckSum, so the typed decoder sees it."""
    head = b"8=FIXT.1.1\x019=%d\x01%b" % (len(inner), inner)
    return head + b"10=%03d\x01" % (sum(head) % 256)


def mutated(msg: FixMessage, cut: int, length: int, junk: bytes) -> bytes:
    """`msg` on the wire with `length` bytes from `cut` (from 35 on) replaced by `junk`, reframed."""
    wire = msg.encode(HEADER)
    inner = wire[wire.index(b"\x0135=") + 1 : wire.rindex(b"10=")]
    cut = min(cut, len(inner))
    return reframe(inner[:cut] + junk + inner[cut + length :])


def assert_fast_parse_agrees(raw: bytes) -> bool:
    """parse_frame's inlined fast path accepts `raw` only as the field-by-field parser reads it; True if it parses."""
    from kalshi_fix._codec import _parse_frame_checked

    try:
        checked = _parse_frame_checked(raw, True, False)
    except FixDecodeError as exc:
        with pytest.raises(type(exc)):
            parse_frame(raw)
        return False
    fast = parse_frame(raw)
    assert (fast.msg_type, fast.msg_seq_num, fast.fields, fast.parts) == (
        checked.msg_type,
        checked.msg_seq_num,
        checked.fields,
        checked.parts,
    )
    return True


@settings(max_examples=300, deadline=None)
@given(
    cls=st.sampled_from(list(MESSAGE_TYPES.values())),
    data=st.data(),
    cut=st.integers(0, 400),
    length=st.integers(0, 12),
    junk=st.binary(max_size=12),
)
def test_decoder_raises_only_typed_errors_on_mutated_valid_frames(
    cls: type[FixMessage], data: st.DataObject, cut: int, length: int, junk: bytes
) -> None:
    with contextlib.suppress(FixDecodeError):
        decode_app_message(mutated(instance(cls, data.draw), cut, length, junk))


@settings(max_examples=400, deadline=None)
@given(
    cls=st.sampled_from(list(MESSAGE_TYPES.values())),
    data=st.data(),
    cut=st.integers(0, 400),
    length=st.integers(0, 4),
    junk=st.binary(max_size=4) | st.sampled_from([b"=", b"\x01", b"=\x01", b"\x01=", b"1=", b"\x011", b""]),
)
def test_the_fast_parse_agrees_with_the_checked_parse(
    cls: type[FixMessage], data: st.DataObject, cut: int, length: int, junk: bytes
) -> None:
    """parse_frame's inlined fast path accepts a frame only as the field-by-field parser reads it."""
    assert_fast_parse_agrees(mutated(instance(cls, data.draw), cut, length, junk))


def test_the_head_a_frame_size_allows_is_the_one_every_well_formed_frame_of_that_size_has() -> None:
    """parse_frame checks 8 and 9 with one startswith against the head `_head_for(size)` names. For every
    BodyLength across the digit-count boundaries (9/10 ... 9999/10000), the frame it makes has that head, and a
    size no BodyLength fits (such as 1024) names none."""
    from kalshi_fix._wire import _NO_HEAD, _head_for

    heads: dict[int, bytes] = {}
    for length in range(1, 12_000):
        head = b"8=FIXT.1.1\x019=%d\x01" % length
        heads[len(head) + length + 7] = head
    for size in range(max(heads) + 1):
        assert _head_for(size) == heads.get(size, _NO_HEAD), size
    assert 1024 not in heads
    assert not any(bytes([b]).startswith(_NO_HEAD) for b in range(256))  # the sentinel starts no frame
    assert not b"".startswith(_NO_HEAD)
    for size in (1, 7, 1024):  # sizes no frame has, starting with a byte a bytes sentinel could have been
        with pytest.raises(FixDecodeError):
            parse_frame(b"\xff" * size)


@settings(max_examples=300, deadline=None)
@given(
    pad=st.sampled_from([0, 1, 2, 3, 40, 41, 42, 43, 44, 45, 46, 940, 941, 942, 943, 944, 9940, 9941, 9942])
    | st.integers(0, 10_000),
    delta=st.sampled_from([0, 0, 0, -1, 1, -7, 7, -10]),
    zeros=st.sampled_from([0, 0, 0, 1, 2]),
)
def test_the_fast_parse_reads_body_length_as_the_checked_parse(pad: int, delta: int, zeros: int) -> None:
    """A BodyLength that is right, off by some bytes, or written with leading zeros, on bodies whose length
    crosses a digit-count boundary: the fast path agrees with the checked parse, and only a right one parses."""
    body = b"35=0\x0149=Kalshi\x0156=key\x0134=7\x0152=20261124-09:30:01.123\x0158=" + b"x" * pad + b"\x01"
    head = b"8=FIXT.1.1\x019=" + b"0" * zeros + b"%d\x01" % (len(body) + delta)
    raw = head + body
    raw += b"10=%03d\x01" % (sum(raw) % 256)
    assert assert_fast_parse_agrees(raw) == (delta == 0)
    if delta == 0:
        assert parse_frame(raw).fields["58"] == "x" * pad


_ER_BODY = (
    b"37=ord-1\x0111=c-1\x0117=4;7\x01150=0\x0139=0\x0154=1\x0155=KXBTC-25\x01151=10\x0114=0\x016=0\x01"
    b"38=10\x0144=55\x0158=note\x0160=20261124-09:30:01.123\x01"
)


@SETTINGS
@given(data=st.data(), with_raw_data=st.booleans())
def test_a_field_without_equals_is_never_misread(data: st.DataObject, with_raw_data: bool) -> None:
    """Take '=' out of one field and put an extra one into another: the counts still agree, the CheckSum and
    BodyLength are right, and the frame must still be refused, never decoded into shifted fields."""
    fields = _ER_BODY.split(b"\x01")[:-1]
    i = data.draw(st.integers(0, len(fields) - 1), label="loses its '='")
    j = data.draw(st.integers(0, len(fields) - 1).filter(lambda k: k != i), label="gets a second '='")
    tag, _, value = fields[i].partition(b"=")
    fields[i] = tag + value
    cut = data.draw(st.integers(0, len(fields[j].partition(b"=")[2])), label="where")
    head, eq, rest = fields[j].partition(b"=")
    fields[j] = head + eq + rest[:cut] + b"=" + rest[cut:]
    body = b"\x01".join(fields) + b"\x01"
    if with_raw_data:
        body = b"95=3\x0196=a\x01=\x01" + body
    raw = assemble_frame("8", HEADER, body)  # deliberately broken: encode_frame would refuse it
    with pytest.raises(FixFieldValueError) as info:
        parse_frame(raw)
    assert info.value.msg_seq_num == HEADER.msg_seq_num
    with pytest.raises(FixDecodeError):
        decode_app_message(raw)


@SETTINGS
@given(
    frames=st.lists(st.sampled_from(list(MESSAGE_TYPES.values())), min_size=1, max_size=6),
    data=st.data(),
)
def test_splitter_reassembles_any_chunking(frames: list[type[FixMessage]], data: st.DataObject) -> None:
    wires = [instance(cls, data.draw).encode(HEADER) for cls in frames]
    garbage = [data.draw(st.binary(max_size=8).filter(lambda b: b"8" not in b)) for _ in wires]
    stream = b"".join(g + w for g, w in zip(garbage, wires, strict=True))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    splitter = FrameSplitter()
    out: list[bytes] = []
    previous = 0
    for cut in [*cuts, len(stream)]:
        out += splitter.feed(stream[previous:cut])
        previous = cut
    assert out == wires
    assert all(isinstance(e, FixDecodeError) for e in splitter.take_errors())
    splitter.eof()


@SETTINGS
@given(chunks=st.lists(st.binary(max_size=64), max_size=8))
def test_splitter_never_raises_on_arbitrary_bytes(chunks: list[bytes]) -> None:
    splitter = FrameSplitter(max_frame_size=4096)
    for chunk in chunks:
        for frame in splitter.feed(chunk):
            with contextlib.suppress(FixDecodeError):
                decode_app_message(frame)
    assert all(isinstance(e, FixDecodeError) for e in splitter.take_errors())
    with contextlib.suppress(FixTruncatedFrameError):
        splitter.eof()


def test_enum_tables_are_enums() -> None:
    assert all(issubclass(e, Enum) for e in FIELD_ENUMS.values())


junk_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), Decimal("1e999999"), Decimal("0.001")]),
    st.datetimes(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(cls=st.sampled_from(list(MESSAGE_TYPES.values())), data=st.data(), junk=junk_values, use_dollars=st.booleans())
def test_encoder_raises_only_encode_errors_on_bad_values(
    cls: type[FixMessage], data: st.DataObject, junk: object, use_dollars: bool
) -> None:
    msg = instance(cls, data.draw)
    if cls._ATTRS:
        setattr(msg, data.draw(st.sampled_from(cls._ATTRS)), junk)
    try:
        wire = msg.encode(HEADER, use_dollars=use_dollars)
    except FixEncodeError:
        return
    decode_message(wire, use_dollars=use_dollars)  # whatever was accepted must decode again
