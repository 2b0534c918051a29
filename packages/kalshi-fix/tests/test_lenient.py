"""Tolerant application decoding: one test per LENIENT_TAGS entry, and the strict tags that stay strict."""

from __future__ import annotations

import pytest

from kalshi_fix import FixChecksumError, FixFieldValueError, FixMissingTagError, decode_app_message, parse_frame
from kalshi_fix._session import build_frame
from kalshi_fix.messages import ExecutionReport, MarketSettlementReport, OrderCancelReject
from kalshi_fix.messages._generated import MESSAGE_TYPES
from kalshi_fix.messages._lenient import LENIENT_TAGS, lenient_decode_counts

KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"
STAMP = "20251113-02:13:20.000"

#: A complete, valid body for every MsgType in LENIENT_TAGS.
FULL = {
    "8": "37=o|11=c|17=1;1|150=0|39=0|54=1|55=KX|151=1|14=0|6=0|38=1",
    "9": "37=o|11=c|41=p|39=0|434=1|102=0|58=too late",
    "r": "11=c|37=o|531=6",
    "j": "45=3|372=D|380=8|58=rate limit",
    "b": "131=q|303=1",
    "AG": "131=q|658=1|58=no",
    "UMS": "20105=id|55=KX|715=20251113|20107=yes|730=100.00",
    "U2": "45=3|21003=5",
    "U3": "45=3|21004=1",
}


def frame(msg_type: str, body: str) -> bytes:
    return build_frame(msg_type, "Kalshi", KEY, 2, STAMP, (body + "|").replace("|", "\x01").encode())


def without(body: str, tag: int) -> str:
    return "|".join(p for p in body.split("|") if not p.startswith(f"{tag}="))


def test_every_lenient_message_type_has_a_full_body() -> None:
    assert set(FULL) == set(LENIENT_TAGS)
    for msg_type, body in FULL.items():
        assert type(decode_app_message(frame(msg_type, body))) is MESSAGE_TYPES[msg_type]


def test_lenient_tags_are_dictionary_required() -> None:
    """An entry for an optional tag would be dead weight: every listed tag is required by the dictionary."""
    for msg_type, tags in LENIENT_TAGS.items():
        cls = MESSAGE_TYPES[msg_type]
        required = {cls._TAG_OF[a] for a in cls._REQUIRED}
        assert tags <= required, (msg_type, tags - required)


@pytest.mark.parametrize(("msg_type", "tag"), sorted((m, t) for m, tags in LENIENT_TAGS.items() for t in tags))
def test_a_missing_lenient_tag_is_delivered_as_none_with_a_counted_warning(
    msg_type: str, tag: int, caplog: pytest.LogCaptureFixture
) -> None:
    cls = MESSAGE_TYPES[msg_type]
    attr = next(a for a, t in cls._TAG_OF.items() if t == tag)
    before = lenient_decode_counts().get((msg_type, tag), 0)
    message = decode_app_message(frame(msg_type, without(FULL[msg_type], tag)))
    assert type(message) is cls
    assert getattr(message, attr) is None
    assert lenient_decode_counts()[msg_type, tag] == before + 1
    assert any(str(tag) in r.getMessage() for r in caplog.records)
    # the typed class path (what sessions use) is just as tolerant
    assert cls.from_frame(parse_frame(frame(msg_type, without(FULL[msg_type], tag)))) == message


@pytest.mark.parametrize("tag", [37, 11, 39, 150, 55])
def test_an_execution_report_without_its_identity_or_state_stays_strict(tag: int) -> None:
    with pytest.raises(FixMissingTagError) as info:
        decode_app_message(frame("8", without(FULL["8"], tag)))
    assert info.value.tag == tag


def test_an_execution_report_missing_several_reporting_fields() -> None:
    body = without(without(without(FULL["8"], 17), 6), 14)
    report = decode_app_message(frame("8", body))
    assert isinstance(report, ExecutionReport)
    assert (report.exec_id, report.avg_px, report.cum_qty) == (None, None, None)
    assert report.order_id == "o"


def test_a_present_but_malformed_size_stays_strict() -> None:
    with pytest.raises(FixFieldValueError):
        decode_app_message(frame("8", without(FULL["8"], 17).replace("151=1", "151=lots")))


def test_cancel_reject_without_434_and_settlement_fragment_without_715() -> None:
    reject = decode_app_message(frame("9", without(FULL["9"], 434)))
    assert isinstance(reject, OrderCancelReject)
    assert reject.cxl_rej_response_to is None
    assert reject.ord_status == "0"
    fragment = decode_app_message(frame("UMS", without(FULL["UMS"], 715) + "|893=N"))
    assert isinstance(fragment, MarketSettlementReport)
    assert fragment.clearing_business_date is None
    assert fragment.last_fragment is False


@pytest.mark.parametrize(("msg_type", "tag"), [("9", 37), ("9", 39), ("UMS", 55), ("UMS", 730), ("r", 531), ("f", 326)])
def test_tags_outside_the_table_stay_strict(msg_type: str, tag: int) -> None:
    body = FULL.get(msg_type, "55=KX|326=2")
    with pytest.raises(FixMissingTagError):
        decode_app_message(frame(msg_type, without(body, tag)))


def test_malformed_frames_stay_strict() -> None:
    good = frame("8", without(FULL["8"], 17))
    with pytest.raises(FixChecksumError):
        decode_app_message(good[:-4] + b"000\x01")
