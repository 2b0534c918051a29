"""KalshiProtocol with no sockets and no event loop: bytes in, events and commands out, a fake clock."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol_support import WALL, frame, new_protocol, sent

from kalshi_auth import KalshiConfigError
from kalshi_ws import (
    BookKeeper,
    KalshiBackpressureError,
    KalshiProtocol,
    KalshiSequenceGapError,
    KalshiSubscriptionError,
    MalformedMessage,
    Overflow,
    RawMessage,
    Reconnected,
    Resyncing,
    SequenceGap,
)
from kalshi_ws._protocol import CommandDone, PeerDead, SubscriptionActive, SubscriptionFailed, SubState
from kalshi_ws.messages import OkResponseMsg, OrderbookDelta, OrderbookSnapshot, Ticker


def snapshot(sid: int, seq: int, ticker: str = "M", clock: int = 10, **extra: Any) -> bytes:
    msg = {"market_ticker": ticker, "market_id": "u", "clock": clock, "yes_dollars_fp": [["0.4000", "10.00"]]}
    return frame({"type": "orderbook_snapshot", "sid": sid, "seq": seq, "msg": msg, **extra})


def delta(sid: int, seq: int, ticker: str = "M", clock: int = 11, price: str = "0.4000", size: str = "1.00") -> bytes:
    msg = {
        "market_ticker": ticker,
        "market_id": "u",
        "clock": clock,
        "price_dollars": price,
        "delta_fp": size,
        "side": "yes",
    }
    return frame({"type": "orderbook_delta", "sid": sid, "seq": seq, "sending_ts_ms": WALL - 250, "msg": msg})


def ticker(sid: int, price: str = "0.5000") -> bytes:
    msg = {
        "market_id": "u",
        "market_ticker": "M",
        "price_dollars": price,
        "yes_bid_dollars": "0.4900",
        "yes_ask_dollars": "0.5100",
        "volume_fp": "1.00",
        "open_interest_fp": "1.00",
        "dollar_volume": 1,
        "dollar_open_interest": 1,
        "yes_bid_size_fp": "1.00",
        "yes_ask_size_fp": "1.00",
        "last_trade_size_fp": "1.00",
        "ts": 1,
        "ts_ms": 1000,
        "time": "2022-11-22T20:44:01Z",
    }
    return frame({"type": "ticker", "sid": sid, "msg": msg})


def active_orderbook(proto: KalshiProtocol, sid: int = 7, **kw: Any):
    sub = proto.subscribe("orderbook_delta", {"market_tickers": ["M"]}, 0.0, keeper=BookKeeper(), **kw)
    (cmd,) = sent(proto)
    proto.receive(
        frame({"id": cmd["id"], "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": sid}}), 0.1, WALL
    )
    assert proto.events_received() == [SubscriptionActive(sub)]
    return sub


def test_subscribe_sends_command_and_ack_activates() -> None:
    proto = new_protocol()
    sub = proto.subscribe("ticker", {"market_tickers": ["A"]}, 0.0)
    assert sent(proto) == [{"id": 1, "cmd": "subscribe", "params": {"channels": ["ticker"], "market_tickers": ["A"]}}]
    assert sub.state is SubState.PENDING
    proto.receive(frame({"id": 1, "type": "subscribed", "msg": {"channel": "ticker", "sid": 3}}), 0.1, WALL)
    assert proto.events_received() == [SubscriptionActive(sub)]
    assert sub.sid == 3
    assert sub.state is SubState.ACTIVE
    proto.receive(ticker(3), 0.2, WALL)
    (msg,) = sub.queue
    assert isinstance(msg, Ticker)
    assert msg.received_ms == WALL
    assert proto.ready_subscriptions() == [sub]


def test_command_ids_increase_from_one() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    ids = [
        proto.list_subscriptions(0.2),
        proto.update_subscription(sub, "add_markets", {"market_tickers": ["N"]}, 0.2),
        proto.unsubscribe(sub, 0.3),
    ]
    assert ids == [2, 3, 4]
    cmds = sent(proto)
    assert [c["cmd"] for c in cmds] == ["list_subscriptions", "update_subscription", "unsubscribe"]
    assert "params" not in cmds[0]
    assert cmds[1]["params"] == {"sid": 7, "action": "add_markets", "market_tickers": ["N"]}
    assert cmds[2]["params"] == {"sids": [7]}
    assert sub.params["market_tickers"] == ["M", "N"]


def test_routing_by_type_books_and_message_age() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    proto.receive(delta(7, 2), 0.3, WALL)
    snap, dlt = sub.queue
    assert isinstance(snap, OrderbookSnapshot)
    assert isinstance(dlt, OrderbookDelta)
    assert dlt.age_ms == 250
    assert sub.keeper.books["M"].best_yes_bid[1] == 11
    assert sub.last_seq == 2


def test_duplicate_seq_is_dropped() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    proto.receive(delta(7, 2), 0.3, WALL)
    proto.receive(delta(7, 2), 0.3, WALL)
    assert len(sub.queue) == 2
    assert sub.duplicates == 1
    assert sub.keeper.books["M"].best_yes_bid[1] == 11


def test_seq_gap_reports_and_resubscribes_for_fresh_snapshot() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    proto.receive(delta(7, 3), 0.3, WALL)  # seq 2 lost
    gap = sub.queue[-1]
    assert gap == SequenceGap("orderbook_delta", 7, expected=2, received=3, resyncing=True)
    assert not sub.keeper.books["M"].ready  # local book dropped until a fresh snapshot
    cmds = sent(proto)
    assert cmds[0] == {"id": 2, "cmd": "unsubscribe", "params": {"sids": [7]}}
    assert cmds[1]["cmd"] == "subscribe"
    assert cmds[1]["params"]["market_tickers"] == ["M"]
    # frames still arriving on the old sid are ignored
    proto.receive(delta(7, 4), 0.35, WALL)
    assert sub.queue[-1] is gap
    proto.receive(
        frame({"id": cmds[1]["id"], "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": 8}}), 0.4, WALL
    )
    proto.receive(snapshot(8, 1), 0.5, WALL)
    proto.receive(delta(8, 2), 0.6, WALL)
    assert sub.sid == 8
    assert sub.gaps == 1
    assert sub.keeper.books["M"].best_yes_bid[1] == 11
    assert proto.events_received() == []  # a resubscribe is not a user command


def test_seq_going_back_is_a_reset() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    proto.receive(delta(7, 2), 0.2, WALL)
    proto.receive(delta(7, 1), 0.2, WALL)
    assert isinstance(sub.queue[-1], SequenceGap)
    assert sub.queue[-1].received == 1


def test_gap_with_on_gap_raise_ends_stream_with_error() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto, on_gap="raise")
    proto.receive(snapshot(7, 1), 0.2, WALL)
    proto.receive(delta(7, 5), 0.3, WALL)
    assert isinstance(sub.queue[-1], SequenceGap)
    assert not sub.queue[-1].resyncing
    assert isinstance(sub.error, KalshiSequenceGapError)
    assert sub.error.expected == 2
    assert sub.error.received == 5
    assert sub.state is SubState.CLOSED
    assert sent(proto)[0]["cmd"] == "unsubscribe"


def test_delta_before_snapshot_forces_resync() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(delta(7, 1), 0.2, WALL)
    assert isinstance(sub.queue[-1], Resyncing)
    assert "before snapshot" in sub.queue[-1].reason
    assert [c["cmd"] for c in sent(proto)] == ["unsubscribe", "subscribe"]


def test_frames_before_ack_are_held_and_replayed() -> None:
    proto = new_protocol()
    sub = proto.subscribe("orderbook_delta", {"market_tickers": ["M"]}, 0.0, keeper=BookKeeper())
    (cmd,) = sent(proto)
    proto.receive(snapshot(9, 1), 0.1, WALL)
    proto.receive(delta(9, 2), 0.1, WALL)
    assert not sub.queue
    proto.receive(
        frame({"id": cmd["id"], "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": 9}}), 0.2, WALL
    )
    assert [type(m) for m in sub.queue] == [OrderbookSnapshot, OrderbookDelta]


def test_error_reply_fails_subscribe_with_code_and_message() -> None:
    proto = new_protocol()
    sub = proto.subscribe("fill", {}, 0.0)
    (cmd,) = sent(proto)
    proto.receive(
        frame({"id": cmd["id"], "type": "error", "msg": {"code": 9, "msg": "Authentication required"}}), 0.1, WALL
    )
    (event,) = proto.events_received()
    assert isinstance(event, SubscriptionFailed)
    assert event.subscription is sub
    assert isinstance(event.error, KalshiSubscriptionError)
    assert (event.error.code, event.error.server_message, event.error.command_id) == (9, "Authentication required", 1)
    assert sub.state is SubState.CLOSED


def test_update_ok_and_list_replies_are_matched_to_commands() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    cid = proto.update_subscription(sub, "add_markets", {"market_tickers": ["N"]}, 0.3)
    proto.receive(
        frame({"id": cid, "type": "ok", "sid": 7, "seq": 2, "msg": {"market_tickers": ["M", "N"]}}), 0.4, WALL
    )
    (done,) = proto.events_received()
    assert done.command_id == cid
    assert isinstance(done.result, OkResponseMsg)
    assert done.result.market_tickers == ["M", "N"]
    assert sub.last_seq == 2  # the ack's seq counts in the subscription's sequence
    lid = proto.list_subscriptions(0.5)
    proto.receive(frame({"id": lid, "type": "ok", "msg": [{"channel": "orderbook_delta", "sid": 7}]}), 0.6, WALL)
    (done,) = proto.events_received()
    assert [(r.channel, r.sid) for r in done.result] == [("orderbook_delta", 7)]


def test_get_snapshot_reply_completes_command_and_refreshes_book() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    cid = proto.update_subscription(sub, "get_snapshot", {"market_tickers": ["M"]}, 0.3)
    proto.receive(snapshot(7, 2, clock=20, id=cid), 0.4, WALL)
    (done,) = proto.events_received()
    assert isinstance(done, CommandDone)
    assert isinstance(done.result, OrderbookSnapshot)
    assert sub.keeper.books["M"].clock == 20


def test_update_error_reply_is_a_typed_error() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    cid = proto.update_subscription(sub, "frobnicate", {}, 0.3)
    proto.receive(
        frame({"id": cid, "type": "error", "sid": 7, "msg": {"code": 13, "msg": "Unsupported action"}}), 0.4, WALL
    )
    (done,) = proto.events_received()
    assert isinstance(done.error, KalshiSubscriptionError)
    assert done.error.code == 13


def test_terminal_channel_error_resubscribes() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(
        frame({"type": "error", "sid": 7, "msg": {"code": 25, "msg": "Subscription buffer overflow"}}), 0.2, WALL
    )
    assert isinstance(sub.queue[-1], Resyncing)
    assert "25" in sub.queue[-1].reason
    assert [c["cmd"] for c in sent(proto)] == ["unsubscribe", "subscribe"]


def test_unprompted_unsubscribed_ends_stream() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(frame({"type": "unsubscribed", "sid": 7, "seq": 1}), 0.2, WALL)
    assert sub.closed
    assert sub.state is SubState.CLOSED


def test_unknown_type_reaches_consumer_raw_and_is_sequenced() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    proto.receive(frame({"type": "brand_new_thing", "sid": 7, "seq": 2, "msg": {"x": 1}}), 0.3, WALL)
    raw = sub.queue[-1]
    assert isinstance(raw, RawMessage)
    assert raw.type == "brand_new_thing"
    assert raw.payload["msg"] == {"x": 1}
    assert raw.received_ms == WALL
    assert sub.last_seq == 2
    proto.receive(frame({"type": "other_new_thing"}), 0.3, WALL)  # no sid: session-level
    assert proto.session_events[-1].type == "other_new_thing"


def test_malformed_frames_are_reported_and_session_survives() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    proto.receive(b"{not json", 0.3, WALL)
    assert isinstance(proto.session_events[-1], MalformedMessage)
    sent(proto)
    bad = frame({"type": "orderbook_delta", "sid": 7, "seq": 2, "msg": {"market_ticker": 5}})
    proto.receive(bad, 0.3, WALL)
    event, resync = list(sub.queue)[-2:]
    assert isinstance(event, MalformedMessage)
    assert event.error.data == bad
    assert event.error.sid == 7
    # a lost frame of a book channel: the book is dropped and rebuilt from a fresh snapshot
    assert resync == Resyncing("malformed frame")
    assert not sub.keeper.books["M"].ready
    assert [c["cmd"] for c in sent(proto)] == ["unsubscribe", "subscribe"]


def test_overflow_drop_oldest_keeps_newest_and_counts() -> None:
    proto = new_protocol()
    sub = proto.subscribe("ticker", {}, 0.0, capacity=3, overflow=Overflow.DROP_OLDEST)
    proto.receive(frame({"id": 1, "type": "subscribed", "msg": {"channel": "ticker", "sid": 2}}), 0.0, WALL)
    for i in range(10):
        proto.receive(ticker(2, price=f"0.{i:02d}00"), 0.1, WALL)
    assert len(sub.queue) == 3
    assert sub.dropped == 7
    assert [str(m.msg.price_dollars) for m in sub.queue] == ["0.0700", "0.0800", "0.0900"]


def test_overflow_resync_clears_queue_and_resubscribes() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto, capacity=3, overflow=Overflow.RESYNC)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    for seq in range(2, 5):
        proto.receive(delta(7, seq), 0.3, WALL)
    assert list(sub.queue) == [Resyncing("backpressure", dropped=4)]
    assert [c["cmd"] for c in sent(proto)] == ["unsubscribe", "subscribe"]


def test_overflow_raise_ends_stream_with_backpressure_error() -> None:
    proto = new_protocol()
    sub = proto.subscribe("fill", {}, 0.0, capacity=2, overflow=Overflow.RAISE)
    proto.receive(frame({"id": 1, "type": "subscribed", "msg": {"channel": "fill", "sid": 4}}), 0.0, WALL)
    sent(proto)
    fill = {
        "trade_id": "t",
        "order_id": "o",
        "market_ticker": "M",
        "is_taker": True,
        "yes_price_dollars": "0.5000",
        "count_fp": "1.00",
        "fee_cost": "0.010000",
        "outcome_side": "yes",
        "book_side": "bid",
        "ts_ms": 1,
        "post_position_fp": "1.00",
    }
    for _ in range(3):
        proto.receive(frame({"type": "fill", "sid": 4, "msg": fill}), 0.1, WALL)
    assert len(sub.queue) == 2
    assert isinstance(sub.error, KalshiBackpressureError)
    assert sub.error.capacity == 2
    assert sent(proto) == [{"id": 2, "cmd": "unsubscribe", "params": {"sids": [4]}}]


def test_dead_peer_and_command_timeout_with_fake_clock() -> None:
    proto = new_protocol(dead_peer_timeout=30.0, command_timeout=5.0)
    proto.subscribe("ticker", {}, 1.0)
    assert proto.next_deadline() == 6.0
    proto.check_timeouts(5.9)
    assert proto.events_received() == []
    proto.check_timeouts(6.0)
    (failed,) = proto.events_received()
    assert isinstance(failed, SubscriptionFailed)
    assert "no reply" in str(failed.error)
    proto.receive(b"{}", 10.0, WALL)  # any frame is life
    proto.activity(20.0)  # a ping
    assert proto.next_deadline() == 50.0
    proto.check_timeouts(49.9)
    assert proto.events_received() == []
    proto.check_timeouts(50.0)
    assert proto.events_received() == [PeerDead(30.0)]
    proto.check_timeouts(60.0)
    assert proto.events_received() == []  # reported once per connection


def test_reconnect_resubscribes_everything_with_reconnected_event() -> None:
    proto = new_protocol()
    sub = active_orderbook(proto)
    proto.receive(snapshot(7, 1), 0.2, WALL)
    lid = proto.list_subscriptions(0.3)
    proto.connection_lost()
    (done,) = proto.events_received()
    assert done.command_id == lid
    assert done.error is not None
    assert sub.sid is None
    assert not sub.keeper.books["M"].ready
    assert proto.data_to_send() == []
    proto.connection_made(5.0, reconnect_attempt=2, downtime=1.5)
    assert sub.queue[-1] == Reconnected(2, 1.5)
    (cmd,) = sent(proto)
    assert cmd["cmd"] == "subscribe"
    assert cmd["params"] == {"channels": ["orderbook_delta"], "market_tickers": ["M"]}
    proto.receive(
        frame({"id": cmd["id"], "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": 1}}), 5.1, WALL
    )
    proto.receive(snapshot(1, 1), 5.2, WALL)
    assert sub.sid == 1
    assert sub.keeper.books["M"].ready


def test_abandoned_subscribe_ack_is_unsubscribed() -> None:
    proto = new_protocol()
    proto.receive(frame({"id": 99, "type": "subscribed", "msg": {"channel": "ticker", "sid": 5}}), 0.1, WALL)
    assert sent(proto) == [{"id": 1, "cmd": "unsubscribe", "params": {"sids": [5]}}]


def test_bad_arguments_are_typed_config_errors() -> None:
    proto = new_protocol()
    with pytest.raises(KalshiConfigError, match="capacity"):
        proto.subscribe("ticker", {}, 0.0, capacity=0)
    with pytest.raises(KalshiConfigError, match="on_gap"):
        proto.subscribe("ticker", {}, 0.0, on_gap="ignore")
    assert proto.data_to_send() == []  # nothing was sent


# ---- property: every sequenced frame is delivered once, or its loss is reported ------------------


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.sampled_from(["next", "dup", "skip", "back"]), max_size=60))
def test_seq_stream_is_exact_or_reports_the_gap(steps: list[str]) -> None:
    """On a sequenced channel (order_group_updates) every frame arrives once, or the loss is reported."""
    proto = new_protocol()
    sub = proto.subscribe("order_group_updates", {}, 0.0)
    (cmd,) = sent(proto)
    sid = 5
    ack = {"type": "subscribed", "msg": {"channel": "order_group_updates", "sid": sid}}
    proto.receive(frame({"id": cmd["id"], **ack}), 0.0, WALL)
    body = {"event_type": "created", "order_group_id": "g", "ts_ms": 1}
    seq = 0
    expected: list[Any] = []  # what the consumer must see, in order
    for step in steps:
        if step == "dup" and seq:
            pass  # resend the same seq: dropped
        elif step == "skip":
            seq += 2
        elif step == "back" and seq > 1:
            seq -= 1
        else:
            seq += 1
        before = sub.last_seq
        proto.receive(frame({"type": "order_group_updates", "sid": sid, "seq": seq, "msg": body}), 0.1, WALL)
        if before is None or seq == before + 1:
            expected.append(("update", seq))
        elif seq == before:
            continue
        else:
            expected.append(("gap", before + 1, seq))
            # the engine resubscribed: acknowledge with a new sid, the server restarts seq at 0
            resub = [c for c in sent(proto) if c["cmd"] == "subscribe"]
            assert len(resub) == 1
            sid += 1
            ack = {"type": "subscribed", "msg": {"channel": "order_group_updates", "sid": sid}}
            proto.receive(frame({"id": resub[0]["id"], **ack}), 0.1, WALL)
            seq = 0
    seen: list[Any] = []
    for item in sub.queue:
        if isinstance(item, SequenceGap):
            seen.append(("gap", item.expected, item.received))
        else:
            seen.append(("update", item.seq))
    assert seen == expected


TRADE_MSG = {
    "trade_id": "t",
    "market_ticker": "M",
    "yes_price_dollars": "0.5000",
    "no_price_dollars": "0.5000",
    "count_fp": "1.00",
    "taker_outcome_side": "yes",
    "taker_book_side": "bid",
    "ts_ms": 1,
}


@settings(max_examples=100, deadline=None)
@given(seqs=st.lists(st.integers(min_value=1, max_value=50), max_size=40))
def test_unsequenced_channel_never_drops_a_trade_for_its_seq(seqs: list[int]) -> None:
    """trade is not a sequenced channel: whatever its seq does, every trade reaches the consumer."""
    proto = new_protocol()
    sub = proto.subscribe("trade", {}, 0.0)
    (cmd,) = sent(proto)
    proto.receive(frame({"id": cmd["id"], "type": "subscribed", "msg": {"channel": "trade", "sid": 5}}), 0.0, WALL)
    for seq in seqs:
        proto.receive(frame({"type": "trade", "sid": 5, "seq": seq, "msg": TRADE_MSG}), 0.1, WALL)
    assert [m.seq for m in sub.queue] == seqs
    assert sent(proto) == []  # no resubscribe
    assert sub.gaps == 0
