"""Framing: BodyLength, CheckSum, header order, every malformation's typed error, resend rewrite, FrameSplitter."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kalshi_auth import KalshiError
from kalshi_fix._codec import (
    FixFrame,
    FrameSplitter,
    SessionHeader,
    checksum,
    encode_frame,
    parse_frame,
    peek_header,
    rewrite_for_resend,
)
from kalshi_fix._errors import (
    FixBodyLengthError,
    FixChecksumError,
    FixDecodeError,
    FixEncodeError,
    FixError,
    FixFieldValueError,
    FixGarbageError,
    FixMissingTagError,
    FixTruncatedFrameError,
    FixUnknownMsgTypeError,
)
from kalshi_fix.messages import Heartbeat, Logon, NewOrderSingle, Side
from kalshi_fix.messages._decode import decode, decode_app_message, decode_message

KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"
T = "20261124-09:30:01.123"


def header(seq: int = 7, **kw: object) -> SessionHeader:
    return SessionHeader(sender_comp_id=KEY, target_comp_id="KalshiNR", msg_seq_num=seq, sending_time=T, **kw)  # type: ignore[arg-type]


def frame_from_body(
    body: bytes, *, begin: bytes = b"FIXT.1.1", length: int | None = None, cks: bytes | None = None
) -> bytes:
    """Assemble a frame by hand (independently of the encoder), optionally with a wrong length or checksum."""
    n = len(body) if length is None else length
    head = b"8=" + begin + b"\x019=" + str(n).encode() + b"\x01" + body
    total = sum(head) % 256
    return head + b"10=" + (cks if cks is not None else b"%03d" % total) + b"\x01"


HB_BODY = b"35=0\x0149=KalshiNR\x0156=" + KEY.encode() + b"\x0134=3\x0152=" + T.encode() + b"\x01"


@pytest.mark.parametrize("size", [0, 1, 100, 256, 257, 515, 516, 2000, 70000])
@pytest.mark.parametrize("fill", [b"A", b"\xff", bytes(range(256))])
def test_checksum_is_the_byte_sum_mod_256(size: int, fill: bytes) -> None:
    data = (fill * (size // len(fill) + 1))[:size]
    assert checksum(data) == sum(data) % 256


def test_encode_frame_computes_body_length_and_checksum_and_orders_the_header() -> None:
    wire = Heartbeat(test_req_id="TR1").encode(header())
    assert wire.startswith(b"8=FIXT.1.1\x019=")
    tags = [p.split(b"=", 1)[0] for p in wire.split(b"\x01")[:-1]]
    assert tags == [b"8", b"9", b"35", b"49", b"56", b"34", b"52", b"112", b"10"]
    body_start = wire.index(b"\x0135=") + 1
    body_end = wire.index(b"10=", body_start)
    assert int(re.search(rb"\x019=(\d+)\x01", wire).group(1)) == body_end - body_start  # type: ignore[union-attr]
    assert int(wire[body_end + 3 : body_end + 6]) == sum(wire[:body_end]) % 256
    assert wire.endswith(b"\x01")


def test_session_header_writes_resend_fields_and_extras() -> None:
    h = header(poss_dup_flag=True, poss_resend=True, orig_sending_time="20261124-09:00:00.000", extra=((1128, "9"),))
    fr = parse_frame(encode_frame("0", h, b""))
    assert list(fr.header) == ["49", "56", "34", "52", "43", "97", "122", "1128"]
    assert fr.poss_dup_flag
    assert fr.poss_resend
    assert fr.orig_sending_time == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert fr.sending_time == datetime(2026, 11, 24, 9, 30, 1, 123000, tzinfo=UTC)


def test_session_header_formats_datetimes_in_milliseconds() -> None:
    h = SessionHeader(
        sender_comp_id="a",
        target_comp_id="b",
        msg_seq_num=1,
        sending_time=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )
    assert h.sending_time == "20260102-03:04:05.678"


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"sender_comp_id": "a\x01b"}, "SOH"),
        ({"target_comp_id": ""}, "empty"),
        ({"msg_seq_num": -1}, "MsgSeqNum"),
    ],
)
def test_encode_frame_rejects_bad_header_values(kw: dict[str, object], match: str) -> None:
    base: dict[str, object] = {"sender_comp_id": KEY, "target_comp_id": "KalshiNR", "msg_seq_num": 1, "sending_time": T}
    base.update(kw)
    with pytest.raises(FixEncodeError, match=match):
        encode_frame("0", SessionHeader(**base), b"")  # type: ignore[arg-type]


def test_parse_frame_reads_header_and_body() -> None:
    fr = parse_frame(frame_from_body(HB_BODY + b"112=TR9\x01"))
    assert isinstance(fr, FixFrame)
    assert (fr.msg_type, fr.msg_seq_num) == ("0", 3)
    assert fr.sender_comp_id == "KalshiNR"
    assert fr.target_comp_id == KEY
    assert fr.sending_time_text == T
    assert fr.body == ["112=TR9"]
    assert fr.get(112) == "TR9"
    assert fr.get(999) is None
    assert not fr.poss_dup_flag
    assert fr.orig_sending_time is None
    assert decode_message(fr) == Heartbeat(test_req_id="TR9")


# ------------------------------------------------------------------------------------------- malformations


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"hello world\x01", FixGarbageError),
        (b"", FixTruncatedFrameError),
        (b"8=FIXT.1", FixTruncatedFrameError),
        (b"8=FIX.4.4\x019=5\x0135=0\x0110=000\x01", FixFieldValueError),
        (b"8=FIXT.1.1\x019=12", FixTruncatedFrameError),
        (b"8=FIXT.1.1\x019=x1\x0135=0\x0110=000\x01", FixBodyLengthError),
        (frame_from_body(HB_BODY, length=len(HB_BODY) - 3), FixBodyLengthError),
        (frame_from_body(HB_BODY, length=len(HB_BODY) + 50), FixTruncatedFrameError),
        (frame_from_body(HB_BODY)[:-4], FixTruncatedFrameError),
        (frame_from_body(HB_BODY, cks=b"999"), FixChecksumError),
        (frame_from_body(HB_BODY, cks=b"abc"), FixChecksumError),
        (frame_from_body(HB_BODY) + b"junk", FixChecksumError),
        (frame_from_body(b"49=a\x0135=0\x0156=b\x0134=1\x0152=" + T.encode() + b"\x01"), FixMissingTagError),
        (frame_from_body(b"35=0\x0149=a\x0156=b\x0152=" + T.encode() + b"\x01"), FixMissingTagError),
        (frame_from_body(b"35=0\x0149=a\x0156=b\x0134=x\x0152=" + T.encode() + b"\x01"), FixFieldValueError),
        (frame_from_body(b"35=0\x0156=b\x0134=1\x0152=" + T.encode() + b"\x01"), FixMissingTagError),
        (frame_from_body(b"35=0\x0149=a\x0156=b\x0134=1\x01"), FixMissingTagError),
        (frame_from_body(HB_BODY + b"novalue\x01"), FixFieldValueError),
    ],
)
def test_every_malformation_raises_its_typed_error(raw: bytes, error: type[FixDecodeError]) -> None:
    with pytest.raises(error) as info:
        decode_app_message(raw)
    assert isinstance(info.value, FixDecodeError)
    assert isinstance(info.value, FixError)
    assert isinstance(info.value, KalshiError)


def test_unknown_msg_type_is_typed_and_carries_the_sequence_number() -> None:
    raw = frame_from_body(HB_BODY.replace(b"35=0", b"35=ZZ"))
    assert parse_frame(raw).msg_type == "ZZ"  # framing is fine
    with pytest.raises(FixUnknownMsgTypeError) as info:
        decode_message(raw)
    assert info.value.msg_type == "ZZ"
    assert info.value.msg_seq_num == 3
    assert info.value.tag == 35


def er_body(**override: bytes | None) -> bytes:
    fields = {
        b"37": b"ord-1",
        b"11": b"c-1",
        b"17": b"4;7",
        b"150": b"0",
        b"39": b"0",
        b"54": b"1",
        b"55": b"KXBTC-25",
        b"151": b"10",
        b"14": b"0",
        b"6": b"0",
        b"38": b"10",
        b"44": b"55",
        b"60": T.encode(),
    }
    for key, value in override.items():
        tag = key.lstrip("t").encode()
        if value is None:
            fields.pop(tag)
        else:
            fields[tag] = value
    return b"".join(t + b"=" + v + b"\x01" for t, v in fields.items())


def er_frame(body: bytes, seq: int = 9) -> bytes:
    head = (
        b"35=8\x0149=KalshiNR\x0156="
        + KEY.encode()
        + b"\x0134="
        + str(seq).encode()
        + b"\x0152="
        + T.encode()
        + b"\x01"
    )
    return frame_from_body(head + body)


def test_missing_required_body_tag_names_the_tag() -> None:
    with pytest.raises(FixMissingTagError) as info:
        decode_app_message(er_frame(er_body(t37=None)))
    assert info.value.tag == 37
    assert info.value.msg_type == "8"
    assert info.value.msg_seq_num == 9


@pytest.mark.parametrize(
    ("tag", "bad"),
    [
        ("t151", b"ten"),
        ("t44", b"NaN"),
        ("t60", b"yesterday"),
        ("t60", b"20261324-09:30:01.123"),
        ("t14", b"1e999999999"),
    ],
)
def test_bad_values_raise_field_value_error_with_the_tag(tag: str, bad: bytes) -> None:
    with pytest.raises(FixFieldValueError) as info:
        decode_app_message(er_frame(er_body(**{tag: bad})))
    assert info.value.tag == int(tag[1:])
    assert info.value.msg_seq_num == 9


def test_bad_boolean_is_a_field_value_error() -> None:
    with pytest.raises(FixFieldValueError) as info:
        decode_app_message(er_frame(er_body() + b"1057=maybe\x01"))
    assert info.value.tag == 1057


def test_decode_defaults_to_cents_and_frame_carries_the_pricing_context() -> None:
    raw = er_frame(er_body())
    assert decode_app_message(raw).price == Decimal("0.55")  # type: ignore[attr-defined]
    dollars = er_frame(er_body(t44=b"0.5500"))
    assert decode_app_message(dollars, use_dollars=True).price == Decimal("0.55")  # type: ignore[attr-defined]
    fr, msg = decode(dollars, use_dollars=True)
    assert fr.use_dollars
    assert msg.price == Decimal("0.5500")  # type: ignore[attr-defined]
    assert decode_app_message(fr).price == Decimal("0.55")  # type: ignore[attr-defined]


# -------------------------------------------------------------------------------------- malformed fields


@pytest.mark.parametrize(
    ("body", "match"),
    [
        # a field without '=' beside one with two: the counts of '=' and SOH still agree, and a naive split
        # would read OrderQty (38) as 44 and drop the price
        (er_body(t38=None, t44=None) + b"38\x0144=10=55\x01", "without '='"),
        (er_body(t38=None) + b"38\x01", "without '='"),  # last field
        (b"4444\x01" + er_body(t38=None) + b"38=10=4\x01", "without '='"),  # first body field
        (er_body() + b"A4=10\x01", "not a number"),  # a tag that is not a number
        (er_body() + b"=10\x01", "not a number"),  # an empty tag
        (er_body() + "\u0663=1\x01".encode(), "not a number"),  # a non-ASCII digit
        # with a data field in the frame, the length-driven split checks the same
        (er_body(t38=None, t44=None) + b"95=3\x0196=a=b\x0138\x0144=10=55\x01", "without '='"),
        (er_body() + b"95=1\x0196=x\x01A4=1\x01", "not a number"),
    ],
)
def test_a_malformed_field_is_a_typed_error_never_a_misread(body: bytes, match: str) -> None:
    raw = er_frame(body, seq=11)
    with pytest.raises(FixFieldValueError, match=match) as info:
        parse_frame(raw)
    assert info.value.msg_type == "8"
    assert info.value.msg_seq_num == 11  # so the session can reject it by number and go on
    with pytest.raises(FixFieldValueError):
        decode_app_message(raw)


def test_values_may_hold_equals_signs() -> None:
    msg = decode_app_message(er_frame(er_body(t58=b"a=b==c")))
    assert msg.text == "a=b==c"  # type: ignore[attr-defined]
    assert msg.order_qty == Decimal(10)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------- data fields


def test_raw_data_may_hold_soh_and_equals() -> None:
    sig = b"ab\x01=c\x01"
    wire = Logon(heart_bt_int=30, raw_data=sig).encode(header(seq=1))
    assert b"95=6\x0196=ab\x01=c\x01\x01" in wire
    msg = decode_message(wire)
    assert isinstance(msg, Logon)
    assert msg.raw_data == sig


@pytest.mark.parametrize(
    "body",
    [
        b"98=0\x01108=30\x0195=9\x0196=short\x011137=9\x01",  # data shorter than its length
        b"98=0\x01108=30\x0195=2\x01108=30\x011137=9\x01",  # length not followed by its data
        b"98=0\x01108=30\x0195=x\x0196=ab\x011137=9\x01",  # length not a number
        b"98=0\x01108=30\x011137=9\x0195=3\x01",  # length at the end
    ],
)
def test_malformed_data_fields_are_typed_errors(body: bytes) -> None:
    head = b"35=A\x0149=a\x0156=b\x0134=1\x0152=" + T.encode() + b"\x01"
    with pytest.raises(FixFieldValueError):
        decode_app_message(frame_from_body(head + body))


# ------------------------------------------------------------------------------------------- peek, resend


def test_peek_header_reads_type_and_sequence_without_decoding() -> None:
    assert peek_header(er_frame(er_body(), seq=123456)) == ("8", 123456)
    with pytest.raises(FixMissingTagError):
        peek_header(b"8=FIXT.1.1\x019=5\x0134=1\x01")
    with pytest.raises(FixMissingTagError):
        peek_header(b"8=FIXT.1.1\x019=5\x0135=0\x01")
    with pytest.raises(FixFieldValueError):
        peek_header(b"8=FIXT.1.1\x019=5\x0135=0\x0134=x\x01")


def test_rewrite_for_resend_sets_possdup_and_orig_sending_time() -> None:
    order = NewOrderSingle(cl_ord_id="o1", symbol="KX", side=Side.BUY_YES, order_qty=Decimal(1), price=Decimal("0.4"))
    original = order.encode(header(seq=5))
    resent = rewrite_for_resend(original, sending_time="20261124-10:00:00.000")
    fr = parse_frame(resent)  # verifies the recomputed BodyLength and CheckSum
    assert fr.msg_seq_num == 5
    assert fr.poss_dup_flag
    assert fr.fields["122"] == T
    assert fr.fields["52"] == "20261124-10:00:00.000"
    assert fr.body == parse_frame(original).body
    assert decode_message(fr) == order
    # resending a resend keeps the first OrigSendingTime
    again = parse_frame(rewrite_for_resend(resent, sending_time="20261124-11:00:00.000"))
    assert again.fields["122"] == T
    assert again.fields["52"] == "20261124-11:00:00.000"


# ------------------------------------------------------------------------------------------- splitter


def some_frames() -> list[bytes]:
    return [Heartbeat(test_req_id=f"T{i}").encode(header(seq=i)) for i in range(1, 6)] + [er_frame(er_body())]


def test_splitter_handles_many_frames_per_read_and_byte_by_byte_reads() -> None:
    frames = some_frames()
    stream = b"".join(frames)
    assert FrameSplitter().feed(stream) == frames
    splitter = FrameSplitter()
    out: list[bytes] = []
    for i in range(len(stream)):
        out += splitter.feed(stream[i : i + 1])
    assert out == frames
    assert splitter.buffered == 0
    assert splitter.take_errors() == []
    splitter.eof()


def test_splitter_skips_garbage_and_resynchronises() -> None:
    frames = some_frames()
    stream = b"xx" + frames[0] + b"garbage\x01here" + frames[1] + b"8=FIXT.1.1\x019=zz\x01" + frames[2]
    splitter = FrameSplitter()
    assert splitter.feed(stream) == frames[:3]
    errors = splitter.take_errors()
    assert [type(e) for e in errors] == [FixGarbageError, FixGarbageError, FixBodyLengthError, FixGarbageError]
    assert splitter.take_errors() == []


def test_splitter_resynchronises_after_a_lying_body_length() -> None:
    frames = some_frames()
    short = frames[0].replace(b"9=", b"9=1", 1)  # claims 10x more bytes than it has: swallows the next frames
    splitter = FrameSplitter()
    out = splitter.feed(short + frames[1] + frames[2])
    out += splitter.feed(frames[3] * 3)
    assert frames[1] in out
    assert frames[2] in out
    assert any(isinstance(e, FixBodyLengthError) for e in splitter.take_errors())


def test_splitter_rejects_oversized_frames_and_reports_truncation_at_eof() -> None:
    splitter = FrameSplitter(max_frame_size=64)
    frames = some_frames()
    assert splitter.feed(b"8=FIXT.1.1\x019=100000\x01" + frames[0][:10]) == []
    assert any(isinstance(e, FixBodyLengthError) for e in splitter.take_errors())
    splitter = FrameSplitter()
    assert splitter.feed(frames[0][:-3]) == []
    with pytest.raises(FixTruncatedFrameError):
        splitter.eof()
    assert splitter.buffered == 0


# ------------------------------------------------------------------------------------------- value types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20261124-09:30:01", datetime(2026, 11, 24, 9, 30, 1, tzinfo=UTC)),
        ("20261124-09:30:01.123", datetime(2026, 11, 24, 9, 30, 1, 123000, tzinfo=UTC)),
        ("20261124-09:30:01.123456", datetime(2026, 11, 24, 9, 30, 1, 123456, tzinfo=UTC)),
        ("20261124-09:30:01.123456789", datetime(2026, 11, 24, 9, 30, 1, 123456, tzinfo=UTC)),
    ],
)
def test_utc_timestamps_parse_at_every_precision(text: str, expected: datetime) -> None:
    from kalshi_fix._types import timestamp_from_wire

    assert timestamp_from_wire(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "20261124-09:30",
        "20261324-09:30:01.123",
        "2026112a-09:30:01.123",
        "20261124-09:30:01,123",
        "20261124-09-30:01.123",
        "20261124-25:30:01.123",
        "20261124-09:30:01.12",
        "20261124T09:30:01.123",
        "٢٠٢٦١١٢٤-09:30:01.123",
        "20261124-09:30:01.12345Z",  # no zone designator: UTCTimestamp is UTC by definition
        "20261124-09:30:01.123+01:00",
        "20261124-09:30:01.123456Z00",
    ],
)
def test_malformed_utc_timestamps_are_refused(text: str) -> None:
    from kalshi_fix._types import timestamp_from_wire

    with pytest.raises(ValueError):
        timestamp_from_wire(text)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "20260102-03:04:05.000"),
        (datetime(2026, 1, 2, 3, 4, 5, 7000, tzinfo=UTC), "20260102-03:04:05.007"),
        (datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=UTC), "20260102-03:04:05.000007"),
    ],
)
def test_timestamps_encode_in_milliseconds_unless_microseconds_matter(value: datetime, wire: str) -> None:
    from kalshi_fix._types import timestamp_to_wire

    assert timestamp_to_wire(value, 60) == wire


def test_decimal_wire_forms() -> None:
    from kalshi_fix._types import decimal_from_wire, decimal_to_wire, price_from_cents, price_to_cents

    assert decimal_to_wire(Decimal("1E+3"), 38) == "1000"
    assert decimal_to_wire(Decimal("0.0000001"), 38) == "0.0000001"
    assert decimal_to_wire(Decimal("2.50"), 38) == "2.50"
    assert decimal_to_wire(7, 38) == "7"
    assert price_to_cents(Decimal("0.5"), 44, True) == "50"
    assert price_to_cents(Decimal("0.055"), 6, False) == "5.5"
    assert price_from_cents("55") == Decimal("0.55")
    for bad in ("NaN", "Infinity", "1e5", "abc", "", "1" * 41):
        with pytest.raises((ValueError, ArithmeticError)):
            decimal_from_wire(bad)


@pytest.mark.parametrize("text", ["x", "a" * 300, "é" * 150, "é" * 1000, "\udcff" * 400])
def test_checksum_verified_at_every_frame_size(text: str) -> None:
    from kalshi_fix.messages import Logout

    wire = Logout(text=text).encode(header())
    decoded = decode_message(wire)
    assert isinstance(decoded, Logout)
    assert decoded.text == text
    body_end = wire.rindex(b"10=")
    wrong = wire[: body_end + 3] + b"%03d" % ((int(wire[body_end + 3 : body_end + 6]) + 1) % 256) + b"\x01"
    with pytest.raises(FixChecksumError):
        decode_message(wrong)


def test_splitter_holds_a_bounded_number_of_errors() -> None:
    splitter = FrameSplitter()
    frames = some_frames()
    for _ in range(1500):
        assert splitter.feed(b"junk\x01" + frames[0]) == [frames[0]]
    assert len(splitter.take_errors()) == 1000
    assert splitter.dropped_errors == 500


def test_checksum_verification_can_be_skipped_for_inspection() -> None:
    wrong = frame_from_body(HB_BODY + b"112=TR9\x01", cks=b"999")
    with pytest.raises(FixChecksumError):
        parse_frame(wrong)
    assert parse_frame(wrong, verify_checksum=False).get(112) == "TR9"
    assert parse_frame(frame_from_body(HB_BODY, cks=b"9x9"), verify_checksum=False).msg_seq_num == 3


@pytest.mark.parametrize("junk", ["\u00b9", "\u0663", "1\u0663"])
def test_an_int_field_given_non_ascii_digits_never_leaves_the_client(junk: str) -> None:
    from kalshi_fix._codec import SessionHeader
    from kalshi_fix._errors import FixEncodeError
    from kalshi_fix.messages import ResendRequest

    header = SessionHeader(
        sender_comp_id="k", target_comp_id="KalshiRT", msg_seq_num=2, sending_time="20261124-09:30:01.123"
    )
    with pytest.raises(FixEncodeError):
        ResendRequest(begin_seq_no=junk, end_seq_no=0).encode(header)  # type: ignore[arg-type]
