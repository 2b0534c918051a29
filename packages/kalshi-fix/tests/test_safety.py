"""Strict about what is sent: malformed bodies never reach the wire; secrets never reach a repr."""

from __future__ import annotations

import pytest

from kalshi_fix import (
    FixEncodeError,
    FixUnknownMsgTypeError,
    LoggedOn,
    SessionConfig,
    SessionHeader,
    SessionProtocol,
    decode_admin_message,
    decode_app_message,
    decode_message,
    encode_frame,
    parse_frame,
)
from kalshi_fix._session import build_frame
from kalshi_fix._store import MemoryStore
from kalshi_fix.messages import MarketDataRequest, RelatedSym, SubscriptionRequestType

KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"
HEADER = SessionHeader(
    sender_comp_id=KEY, target_comp_id="KalshiNR", msg_seq_num=2, sending_time="20251113-02:13:20.000"
)


@pytest.mark.parametrize(
    "body",
    [
        b"55=KX",  # no final SOH
        b"55KX\x01",  # no '='
        b"5a=KX\x01",  # tag not a number
        b"=KX\x01",  # empty tag
        b"35=D\x0155=KX\x01",  # framing tags belong to the encoder
        b"55=KX\x018=FIX.4.2\x01",
        b"55=KX\x019=12\x01",
        b"55=KX\x0110=000\x01",
        b"96=sig\x01",  # data without its length
        b"95=9\x0196=sig\x01",  # length that does not match
        b"95=3\x0155=KX\x0196=sig\x01",  # length not right before its data
        b"93=3\x01",  # length with no data
        b"55=KX\x01\x0154=1\x01",  # empty field
    ],
)
def test_encode_frame_refuses_a_malformed_body(body: bytes) -> None:
    with pytest.raises(FixEncodeError):
        encode_frame("D", HEADER, body)


def test_encode_frame_accepts_values_with_equals_and_data_with_soh() -> None:
    encode_frame("D", HEADER, b"58=a=b\x01")
    wire = encode_frame("A", HEADER, b"98=0\x0195=4\x0196=\x0135=\x011137=9\x01")
    assert parse_frame(wire).fields["96"] == "\x0135="


def test_a_raw_send_with_a_bad_body_sends_nothing_and_uses_no_seq() -> None:
    session = SessionProtocol(SessionConfig(KEY, "KalshiNR"), MemoryStore(keep_messages=False))
    session.connect(0.0)
    session.data_to_send()
    answer = build_frame("A", "Kalshi", KEY, 1, "20251113-02:13:20.000", b"98=0\x01108=30\x01141=Y\x011137=9\x01")
    assert any(isinstance(e, LoggedOn) for e in session.receive(answer, 0.0))
    session.data_to_send()
    next_seq = session.store.next_sender_seq
    with pytest.raises(FixEncodeError):
        session.send("D", b"35=8\x0155=KX\x01", 0.0)
    assert session.data_to_send() == []
    assert session.store.next_sender_seq == next_seq


def test_secrets_are_redacted_in_repr_and_str() -> None:
    body = b"98=0\x01108=30\x0195=13\x0196=c2ln\x01bmF0dXJl\x01554=hunter2\x011137=9\x01"
    wire = encode_frame("A", HEADER, body)
    frame = parse_frame(wire)
    logon = decode_message(frame)
    for text in (repr(frame), str(frame), repr(logon), str(logon)):
        assert "hunter2" not in text
        assert "c2ln" not in text
        assert "bmF0dXJl" not in text
        assert "***" in text
    signed = encode_frame("A", HEADER, b"98=0\x01108=30\x011137=9\x0193=6\x0189=s\x01cret\x01")
    assert b"cret" not in repr(parse_frame(signed)).encode()


def test_an_empty_repeating_group_is_left_out() -> None:
    cancel_all = MarketDataRequest(subscription_request_type=SubscriptionRequestType.UNSUBSCRIBE, related_sym=[])
    assert cancel_all.encode_body() == b"263=2\x01"
    one = MarketDataRequest(subscription_request_type="1", related_sym=[RelatedSym(symbol="KX")])
    assert one.encode_body() == b"263=1\x01146=1\x0155=KX\x01"


def test_admin_and_application_messages_have_separate_doors() -> None:
    heartbeat = encode_frame("0", HEADER, b"112=TR1\x01")
    report = encode_frame("9", HEADER, b"37=o\x0111=c\x0139=0\x01434=1\x01")
    with pytest.raises(FixUnknownMsgTypeError, match="not an application message"):
        decode_app_message(heartbeat)
    with pytest.raises(FixUnknownMsgTypeError, match="not an admin message"):
        decode_admin_message(report)
    assert type(decode_admin_message(heartbeat)).__name__ == "Heartbeat"
    assert type(decode_app_message(report)).__name__ == "OrderCancelReject"
    assert type(decode_message(heartbeat)).__name__ == "Heartbeat"
