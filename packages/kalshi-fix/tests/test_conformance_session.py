"""Session rules as Kalshi documents them: who may send to us (49/56), gap fills, and market-data books.

Messages are shaped as docs.kalshi.com/fix shows them: Kalshi sends 49=Kalshi (common-components) or 49=KalshiMD
(market-data), and 56 is our API key.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kalshi_fix import (
    CloseConnection,
    FixCompIdError,
    LoggedOn,
    OrderBook,
    SessionConfig,
    SessionProtocol,
    SessionReject,
    SessionState,
    decode_app_message,
)
from kalshi_fix._codec import parse_frame
from kalshi_fix._session import ApplicationMessage, build_frame, encode_fields
from kalshi_fix._store import MemoryStore
from kalshi_fix.messages import MarketDataIncrementalRefresh, MarketDataSnapshotFullRefresh

T0 = 1_763_000_000.0
KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"
STAMP = "20251113-02:13:20.000"


def kalshi(msg_type: str, seq: int, body: str, *, sender: str = "Kalshi", target: str = KEY) -> bytes:
    """A frame as the gateway sends it: 49 is Kalshi's identity, 56 our API key."""
    wire = (body + "|" if body else "").replace("|", "\x01").encode()
    return build_frame(msg_type, sender, target, seq, STAMP, wire)


def logged_on(target: str = "KalshiNR", *, sender: str = "Kalshi", **config: object) -> SessionProtocol:
    session = SessionProtocol(SessionConfig(KEY, target, **config), MemoryStore(keep_messages=False))  # type: ignore[arg-type]
    session.connect(T0)
    session.data_to_send()
    events = session.receive(kalshi("A", 1, "98=0|108=30|141=Y|1137=9", sender=sender), T0)
    assert any(isinstance(e, LoggedOn) for e in events), events
    return session


def sent(session: SessionProtocol) -> list[dict[str, str]]:
    return [parse_frame(f).fields for f in session.data_to_send()]


@pytest.mark.parametrize(
    ("target", "sender"), [("KalshiNR", "Kalshi"), ("KalshiMD", "KalshiMD"), ("KalshiRT", "KalshiRT")]
)
def test_documented_kalshi_identities_stay_logged_on(target: str, sender: str) -> None:
    session = logged_on(target, sender=sender)
    events = session.receive(
        kalshi("8", 2, "37=o|11=c|17=1;1|150=0|39=0|54=1|55=KX|151=1|14=0|6=0|38=1", sender=sender), T0
    )
    assert [type(e) for e in events] == [ApplicationMessage]
    assert session.state is SessionState.ACTIVE
    assert all(f["35"] != "3" and f["35"] != "5" for f in sent(session))


def test_a_foreign_sender_ends_the_session_once_with_a_typed_error_naming_both_values() -> None:
    session = logged_on()
    events = session.receive(kalshi("0", 2, "", sender="Mallory"), T0)
    closes = [e for e in events if isinstance(e, CloseConnection)]
    assert len(closes) == 1
    close = closes[0]
    assert close.reconnect is False
    assert isinstance(close.error, FixCompIdError)
    assert close.error.tag == 49
    assert close.error.received == "Mallory"
    assert "Kalshi" in close.error.expected
    assert "'Mallory'" in str(close.error) and "'Kalshi'" in str(close.error)
    out = sent(session)
    assert [f["35"] for f in out] == ["3", "5"]
    assert out[0]["373"] == "9"
    assert out[0]["371"] == "49"
    assert session.state is SessionState.DISCONNECTED


def test_a_target_that_is_not_our_key_is_refused() -> None:
    session = logged_on()
    events = session.receive(kalshi("0", 2, "", target="someone-else"), T0)
    (close,) = [e for e in events if isinstance(e, CloseConnection)]
    assert isinstance(close.error, FixCompIdError)
    assert close.error.tag == 56
    assert close.error.received == "someone-else"
    assert close.error.expected == frozenset({KEY})


def test_a_logon_answer_from_a_foreign_sender_never_logs_on() -> None:
    session = SessionProtocol(SessionConfig(KEY, "KalshiNR"), MemoryStore(keep_messages=False))
    session.connect(T0)
    session.data_to_send()
    events = session.receive(kalshi("A", 1, "98=0|108=30|141=Y|1137=9", sender="Mallory"), T0)
    assert not any(isinstance(e, LoggedOn) for e in events)
    (close,) = [e for e in events if isinstance(e, CloseConnection)]
    assert close.reconnect is False
    assert isinstance(close.error, FixCompIdError)


def test_the_accepted_identities_are_a_parameter() -> None:
    session = logged_on(sender="KalshiGW", counterparty_comp_ids=frozenset({"KalshiGW"}))
    assert session.receive(kalshi("0", 2, "", sender="KalshiGW"), T0) == []
    events = session.receive(kalshi("0", 3, "", sender="Kalshi"), T0)
    assert isinstance(events[-1], CloseConnection)
    assert events[-1].error is not None


def test_an_acceptor_can_answer_as_kalshi() -> None:
    acceptor = SessionProtocol(
        SessionConfig("Kalshi", KEY, initiator=False, local_comp_ids=frozenset({"KalshiNR"})),
        MemoryStore(keep_messages=False),
    )
    client = SessionProtocol(SessionConfig(KEY, "KalshiNR"), MemoryStore(keep_messages=False))
    acceptor.accept(T0)
    client.connect(T0)
    for frame in client.data_to_send():
        acceptor.receive(frame, T0)
    (answer,) = acceptor.data_to_send()
    assert parse_frame(answer).fields["49"] == "Kalshi"
    assert any(isinstance(e, LoggedOn) for e in client.receive(answer, T0))


# ------------------------------------------------------------------------------------------ sequence rules


def test_a_gap_fill_below_the_expected_number_is_rejected_and_never_rewinds() -> None:
    session = logged_on()
    for seq in range(2, 6):
        session.receive(kalshi("0", seq, ""), T0)
    assert session.store.next_target_seq == 6
    # in sequence, but NewSeqNo points backwards
    events = session.receive(kalshi("4", 6, "123=Y|36=3"), T0)
    assert events == []
    (reject,) = sent(session)
    assert reject["35"] == "3"
    assert reject["373"] == "5"
    assert reject["371"] == "36"
    assert reject["45"] == "6"
    assert session.store.next_target_seq == 7  # the gap fill is consumed; the counter did not go back to 3
    assert session.state is SessionState.ACTIVE
    # the session goes on
    assert [
        type(e)
        for e in session.receive(kalshi("8", 7, "37=o|11=c|17=1;1|150=0|39=0|54=1|55=KX|151=1|14=0|6=0|38=1"), T0)
    ] == [ApplicationMessage]


def test_a_gap_fill_equal_to_its_own_number_is_rejected() -> None:
    session = logged_on()
    session.receive(kalshi("4", 2, "123=Y|36=2"), T0)
    (reject,) = sent(session)
    assert reject["373"] == "5"
    assert session.store.next_target_seq == 3


def test_a_gap_fill_forward_moves_the_counter() -> None:
    session = logged_on()
    assert session.receive(kalshi("4", 2, "123=Y|36=10"), T0) == []
    assert session.store.next_target_seq == 10
    assert sent(session) == []


def test_a_sequence_reset_below_expected_is_rejected_without_rewinding() -> None:
    session = logged_on()
    session.receive(kalshi("0", 2, ""), T0)
    session.receive(kalshi("4", 9, "36=2"), T0)  # Reset mode: MsgSeqNum is ignored
    (reject,) = sent(session)
    assert reject["373"] == "5"
    assert session.store.next_target_seq == 3


def test_a_resent_duplicate_below_expected_is_ignored() -> None:
    session = logged_on()
    session.receive(kalshi("0", 2, ""), T0)
    dup = build_frame("4", "Kalshi", KEY, 1, STAMP, b"123=Y\x0136=2\x01", poss_dup=True, orig_sending_time=STAMP)
    assert session.receive(dup, T0) == []
    assert sent(session) == []
    assert session.store.next_target_seq == 3


def test_too_low_without_possdup_is_fatal() -> None:
    session = logged_on()
    session.receive(kalshi("0", 2, ""), T0)
    events = session.receive(kalshi("0", 2, ""), T0)
    assert isinstance(events[-1], CloseConnection)
    assert [f["35"] for f in sent(session)] == ["5"]


def test_a_session_reject_from_kalshi_is_reported() -> None:
    session = logged_on()
    events = session.receive(kalshi("3", 2, "45=4|373=10|58=SendingTime accuracy problem"), T0)
    assert events == [SessionReject(4, 10, "SendingTime accuracy problem")]


def test_logon_without_retransmission_always_resets() -> None:
    """docs.kalshi.com/fix/connectivity: sessions without retransmission must log on with 141=Y."""
    session = SessionProtocol(SessionConfig(KEY, "KalshiNR"), MemoryStore(keep_messages=False))
    session.store.set_next_target_seq(40)
    session.connect(T0)
    (logon,) = sent(session)
    assert logon["141"] == "Y"
    assert logon["34"] == "1"


# ------------------------------------------------------------------------------------------ market data


def md(msg_type: str, body: str) -> bytes:
    return kalshi(msg_type, 2, body, sender="KalshiMD")


def test_md_prices_are_dollars_on_a_cents_session() -> None:
    """A 0.35 bid is 0.35, not 0.0035, on a prediction session without UseDollars."""
    frame = parse_frame(md("W", "55=KX|268=2|269=0|270=0.3500|271=10.00|269=1|270=0.6500|271=5.00"), use_dollars=False)
    snap = decode_app_message(frame)
    assert isinstance(snap, MarketDataSnapshotFullRefresh)
    book = OrderBook("KX")
    book.apply_snapshot(snap)
    assert book.best_bid() == (Decimal("0.35"), Decimal(10))
    assert book.best_offer() == (Decimal("0.65"), Decimal(5))
    assert snap.encode_body(use_dollars=False) == snap.encode_body(use_dollars=True)
    assert b"270=0.3500\x01" in snap.encode_body()  # Decimal keeps the documented scale


def _book() -> OrderBook:
    book = OrderBook("KX")
    snap = decode_app_message(parse_frame(md("W", "55=KX|268=1|269=0|270=0.30|271=10")))
    assert isinstance(snap, MarketDataSnapshotFullRefresh)
    book.apply_snapshot(snap)
    return book


def _apply(book: OrderBook, body: str) -> None:
    update = decode_app_message(parse_frame(md("X", body)))
    assert isinstance(update, MarketDataIncrementalRefresh)
    assert book.apply_incremental(update.md_entries or [])


def test_md_new_is_applied_like_change() -> None:
    book = _book()
    _apply(book, "268=1|279=0|55=KX|269=0|270=0.31|271=7")
    assert book.bid_levels() == [(Decimal("0.31"), Decimal(7)), (Decimal("0.30"), Decimal(10))]
    _apply(book, "268=1|279=0|55=KX|269=0|270=0.31|271=9")
    assert book.best_bid() == (Decimal("0.31"), Decimal(9))


def test_md_unknown_action_is_counted_and_never_applied() -> None:
    book = _book()
    _apply(book, "268=2|279=7|55=KX|269=0|270=0.30|271=0|279=5|55=KX|269=0|270=0.40|271=3")
    assert book.bid_levels() == [(Decimal("0.30"), Decimal(10))]
    assert book.ignored == 2


def test_md_trade_entries_never_touch_the_book() -> None:
    book = _book()
    _apply(book, "268=1|279=0|55=KX|269=2|270=0.55|271=4")
    assert book.offers == {}
    assert book.ignored == 1


def test_md_delete_and_zero_size_remove_a_level() -> None:
    book = _book()
    _apply(book, "268=1|279=2|55=KX|269=0|270=0.30")
    assert book.bids == {}


def test_encode_fields_leaves_none_out() -> None:
    assert encode_fields(((1, None), (2, "x"))) == b"2=x\x01"
