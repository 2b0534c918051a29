"""What a trader must never see from a session: a stale book, a hung subscribe, a dropped trade,
a misapplied delta, a swallowed server error, a typo sent to the server, a live stream torn down
by someone else's ack. Sans I/O: frames in, events out, a fake clock."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from protocol_support import WALL, frame, new_protocol, sent

from kalshi_auth import KalshiConfigError
from kalshi_ws import (
    BookKeeper,
    ErrorReceived,
    KalshiConnectionError,
    KalshiProtocol,
    KalshiSubscriptionError,
    MalformedMessage,
    OrderBook,
    Resyncing,
)
from kalshi_ws._protocol import CommandDone, SubscriptionActive, SubscriptionFailed
from kalshi_ws.messages import CHANNELS, SERVER_MESSAGES


def subscribed(proto: KalshiProtocol, cid: int, sid: int, channel: str = "orderbook_delta") -> None:
    proto.receive(frame({"id": cid, "type": "subscribed", "msg": {"channel": channel, "sid": sid}}), 0.1, WALL)


def book_sub(proto: KalshiProtocol, sid: int = 7):
    sub = proto.subscribe("orderbook_delta", {"market_tickers": ["M"]}, 0.0, keeper=BookKeeper())
    (cmd,) = sent(proto)
    subscribed(proto, cmd["id"], sid)
    assert proto.events_received() == [SubscriptionActive(sub)]
    snap = {"market_ticker": "M", "market_id": "u", "clock": 10, "yes_dollars_fp": [["0.4000", "10.00"]]}
    proto.receive(frame({"type": "orderbook_snapshot", "sid": sid, "seq": 1, "msg": snap}), 0.2, WALL)
    assert sub.keeper.books["M"].ready
    return sub


def delta(sid: int, seq: int, side: str, price: str = "0.4000", size: str = "5.00") -> bytes:
    body = {"market_ticker": "M", "market_id": "u", "clock": 11, "price_dollars": price, "delta_fp": size, "side": side}
    return frame({"type": "orderbook_delta", "sid": sid, "seq": seq, "msg": body})


# ---- books go with their subscription ------------------------------------------------------------


def test_unsubscribe_removes_the_books_and_a_held_reference_reads_not_ready() -> None:
    proto = new_protocol()
    sub = book_sub(proto)
    held = sub.keeper.books["M"]
    proto.unsubscribe(sub, 0.3)
    assert sub.keeper.books == {}
    assert not held.ready
    assert held.best_yes_bid is None


def test_server_initiated_unsubscribed_removes_the_books() -> None:
    proto = new_protocol()
    sub = book_sub(proto)
    held = sub.keeper.books["M"]
    proto.receive(frame({"type": "unsubscribed", "sid": 7, "seq": 2}), 0.3, WALL)
    assert sub.closed
    assert sub.keeper.books == {}
    assert not held.ready


# ---- subscribe never hangs -----------------------------------------------------------------------


def test_subscribe_times_out_even_while_disconnected_with_a_named_error() -> None:
    proto = KalshiProtocol(CHANNELS, SERVER_MESSAGES, command_timeout=5.0)
    sub = proto.subscribe("ticker", {}, 1.0)  # not connected: nothing sent yet
    assert proto.next_deadline() == 6.0
    proto.check_timeouts(5.9)
    assert proto.events_received() == []
    proto.check_timeouts(6.0)
    (failed,) = proto.events_received()
    assert isinstance(failed, SubscriptionFailed) and failed.subscription is sub
    assert isinstance(failed.error, KalshiSubscriptionError)
    assert failed.error.channel == "ticker" and failed.error.operation == "subscribe"
    assert "subscribe ticker" in str(failed.error)


def test_subscribe_pending_across_a_drop_is_resent_then_times_out() -> None:
    proto = new_protocol(command_timeout=5.0)
    proto.subscribe("trade", {}, 0.0)
    (first,) = sent(proto)
    proto.connection_lost()
    proto.connection_made(1.0)
    (again,) = sent(proto)
    assert again["cmd"] == "subscribe" and again["id"] != first["id"]
    proto.check_timeouts(5.0)
    (failed,) = proto.events_received()
    assert isinstance(failed, SubscriptionFailed)
    assert failed.error.command_id == again["id"]
    # the late ack of the abandoned subscribe is unsubscribed, never delivered
    subscribed(proto, again["id"], 9, "trade")
    assert sent(proto) == [{"id": again["id"] + 1, "cmd": "unsubscribe", "params": {"sids": [9]}}]


@pytest.mark.parametrize(
    "cause", [KalshiConnectionError("connection closed (code 1008); not reconnecting"), None], ids=["close", "session"]
)
def test_close_all_fails_every_pending_subscribe_naming_channel_operation_and_command(cause: Any) -> None:
    proto = new_protocol()
    a = proto.subscribe("trade", {}, 0.0)
    b = proto.subscribe("fill", {}, 0.0)
    ids = [c["id"] for c in sent(proto)]
    proto.close_all(cause)
    failures = proto.events_received()
    assert [type(f) for f in failures] == [SubscriptionFailed, SubscriptionFailed]
    for failure, sub, cid in zip(failures, (a, b), ids, strict=True):
        error = failure.error
        assert isinstance(error, KalshiSubscriptionError)
        assert (error.channel, error.operation, error.command_id) == (sub.channel, "subscribe", cid)
        assert f"(command {cid})" in str(error)
        assert error.__cause__ is cause
        assert sub.closed


def test_close_all_ends_active_streams_and_answers_other_commands() -> None:
    proto = new_protocol()
    sub = book_sub(proto)
    proto.list_subscriptions(0.3)
    proto.close_all()
    assert [type(e) for e in proto.events_received()] == [CommandDone]
    assert sub.closed and sub.error is None
    proto.connection_lost()
    assert proto.next_deadline() is None  # nothing left to time out


# ---- seq, error envelopes, strict book fields ----------------------------------------------------


def test_a_delta_with_a_side_outside_yes_no_is_never_applied_and_resyncs() -> None:
    proto = new_protocol()
    sub = book_sub(proto)
    sent(proto)
    proto.receive(delta(7, 2, "bid"), 0.3, WALL)
    book: OrderBook = sub.keeper.books["M"]
    assert not book.ready  # reset for the fresh snapshot, never applied to the YES side
    assert isinstance(sub.queue[-1], Resyncing)
    assert "unknown side 'bid'" in sub.queue[-1].reason
    assert [c["cmd"] for c in sent(proto)] == ["unsubscribe", "subscribe"]


def test_bid_ask_book_rejects_yes_and_no() -> None:
    book = OrderBook.bid_ask("BTC-PERP")
    book.apply_snapshot([], [])
    with pytest.raises(Exception, match="unknown side 'yes'"):
        book.apply_delta("yes", Decimal("1"), Decimal("1"))
    assert len(book) == 0


def test_error_envelope_on_a_data_frame_reaches_the_error_path() -> None:
    proto = new_protocol()
    sub = book_sub(proto)
    body = {"market_ticker": "M", "market_id": "u", "clock": 12, "price_dollars": "0.4", "delta_fp": "1", "side": "yes"}
    bad = {"type": "orderbook_delta", "sid": 7, "seq": 2, "msg": body, "error": {"code": 17, "msg": "shard moved"}}
    proto.receive(frame(bad), 0.3, WALL)
    event = sub.queue[-1]
    assert isinstance(event, ErrorReceived)
    assert (event.code, event.server_message, event.error.channel) == (17, "shard moved", "orderbook_delta")
    assert sub.keeper.books["M"].size_at("yes", Decimal("0.4")) == 10  # not applied
    # on an unknown sid it is still reported, at session level
    proto.receive(frame({**bad, "sid": 99}), 0.3, WALL)
    assert isinstance(proto.session_events[-1], ErrorReceived)
    assert proto.session_events[-1].code == 17
    # "error": null is a normal frame
    proto.receive(frame({**bad, "seq": 2, "error": None}), 0.4, WALL)
    assert sub.queue[-1].msg.clock == 12


def test_error_frame_without_a_body_is_still_typed() -> None:
    proto = new_protocol()
    proto.receive(frame({"type": "error", "id": 0}), 0.1, WALL)
    event = proto.session_events[-1]
    assert isinstance(event, ErrorReceived) and event.code is None


def test_malformed_frame_of_an_unsequenced_channel_is_reported_without_resync() -> None:
    proto = new_protocol()
    sub = proto.subscribe("trade", {}, 0.0)
    (cmd,) = sent(proto)
    subscribed(proto, cmd["id"], 3, "trade")
    proto.receive(frame({"type": "trade", "sid": 3, "seq": 1, "msg": {"trade_id": None}}), 0.2, WALL)
    assert isinstance(sub.queue[-1], MalformedMessage)
    assert sent(proto) == []


# ---- params are checked before a byte is sent ----------------------------------------------------


def test_misspelled_param_raises_before_sending() -> None:
    proto = new_protocol()
    with pytest.raises(KalshiConfigError, match="market_tikers"):
        proto.subscribe("orderbook_delta", {"market_tikers": ["M"]}, 0.0)
    with pytest.raises(KalshiConfigError, match="shard_factor"):
        proto.subscribe("trade", {"shard_factor": 2, "shard_key": 0}, 0.0)
    with pytest.raises(KalshiConfigError, match="market_id"):
        proto.subscribe("orderbook_delta", {"market_id": "u"}, 0.0)
    assert proto.data_to_send() == []
    assert proto.subscriptions == []
    proto.subscribe("communications", {"shard_factor": 2, "shard_key": 0}, 0.0)
    proto.subscribe("brand_new_channel", {"anything": 1}, 0.0)  # unknown channels pass through
    assert len(sent(proto)) == 2


# ---- orphan acks ---------------------------------------------------------------------------------


def test_late_unsubscribed_of_an_orphan_never_tears_down_a_live_subscription_on_the_same_sid() -> None:
    proto = new_protocol()
    subscribed(proto, 99, 5, "ticker")  # an ack nobody waits for
    (unsub,) = sent(proto)
    assert unsub["params"] == {"sids": [5]}
    sub = proto.subscribe("trade", {}, 0.2)
    (cmd,) = sent(proto)
    subscribed(proto, cmd["id"], 5, "trade")  # the server reuses sid 5
    assert sub.sid == 5
    proto.receive(frame({"id": unsub["id"], "type": "unsubscribed", "sid": 5, "seq": 1}), 0.3, WALL)
    assert not sub.closed and sub.sid == 5
    trade = {
        "trade_id": "t",
        "market_ticker": "M",
        "yes_price_dollars": "0.5",
        "no_price_dollars": "0.5",
        "count_fp": "1",
        "taker_outcome_side": "yes",
        "taker_book_side": "bid",
        "ts_ms": 1,
    }
    proto.receive(frame({"type": "trade", "sid": 5, "seq": 1, "msg": trade}), 0.4, WALL)
    assert sub.queue[-1].msg.trade_id == "t"


# ---- logging --------------------------------------------------------------------------------------


def test_resync_logs_one_line_under_kalshi_ws(caplog: pytest.LogCaptureFixture) -> None:
    proto = new_protocol()
    sub = book_sub(proto)
    with caplog.at_level(logging.DEBUG, logger="kalshi.ws"):
        proto.receive(delta(7, 5, "yes"), 0.3, WALL)  # a gap
    resyncs = [r for r in caplog.records if r.name == "kalshi.ws" and "resync" in r.getMessage()]
    assert len(resyncs) == 1
    assert "orderbook_delta" in resyncs[0].getMessage()
    assert sub.gaps == 1
