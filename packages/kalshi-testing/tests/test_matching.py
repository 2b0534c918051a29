from __future__ import annotations

from decimal import Decimal as D

import pytest

from kalshi_testing.simulator import BookSide, Order, OrderBook, OrderStatus, SelfTradePrevention, TimeInForce


def order(oid: str, owner: str, side: str, price: str, count: str, **kw: object) -> Order:
    return Order(oid, owner=owner, side=BookSide(side), price=D(price), count=D(count), **kw)  # type: ignore[arg-type]


def test_price_then_time_priority_and_maker_price() -> None:
    book = OrderBook()
    book.submit(order("a1", "mm", "ask", "0.56", "5"))
    book.submit(order("a2", "mm2", "ask", "0.55", "5"))
    book.submit(order("a3", "mm3", "ask", "0.55", "5"))
    result = book.submit(order("b1", "taker", "bid", "0.60", "12"))
    assert [(e.maker.order_id, e.price, e.count) for e in result.executions] == [
        ("a2", D("0.55"), D("5")),
        ("a3", D("0.55"), D("5")),
        ("a1", D("0.56"), D("2")),
    ]
    assert result.order.status is OrderStatus.EXECUTED
    assert book.levels(BookSide.ASK) == [(D("0.56"), D("3"))]
    assert book.best(BookSide.BID) is None


def test_partial_fill_rests_remainder_gtc() -> None:
    book = OrderBook()
    book.submit(order("a1", "mm", "ask", "0.40", "3"))
    result = book.submit(order("b1", "t", "bid", "0.45", "10"))
    assert result.order.filled == D("3")
    assert result.order.remaining == D("7")
    assert result.order.status is OrderStatus.RESTING
    assert book.levels(BookSide.BID) == [(D("0.45"), D("7"))]


def test_ioc_cancels_remainder_and_fok_kills_whole_order() -> None:
    book = OrderBook()
    book.submit(order("a1", "mm", "ask", "0.40", "3"))
    ioc = book.submit(order("b1", "t", "bid", "0.45", "10", time_in_force=TimeInForce.IMMEDIATE_OR_CANCEL))
    assert ioc.order.filled == D("3")
    assert ioc.order.remaining == 0
    assert ioc.order.status is OrderStatus.CANCELED
    book.submit(order("a2", "mm", "ask", "0.40", "3"))
    fok = book.submit(order("b2", "t", "bid", "0.45", "4", time_in_force=TimeInForce.FILL_OR_KILL))
    assert fok.executions == []
    assert fok.order.status is OrderStatus.CANCELED
    assert book.size_at(BookSide.ASK, D("0.40")) == D("3")
    fok_ok = book.submit(order("b3", "t", "bid", "0.45", "3", time_in_force=TimeInForce.FILL_OR_KILL))
    assert fok_ok.order.status is OrderStatus.EXECUTED


def test_post_only_that_would_cross_is_cancelled_untouched() -> None:
    book = OrderBook()
    book.submit(order("a1", "mm", "ask", "0.40", "3"))
    result = book.submit(order("b1", "t", "bid", "0.40", "1", post_only=True))
    assert result.executions == []
    assert result.order.last_update_reason == "PostOnlyCrossCancel"
    assert book.size_at(BookSide.ASK, D("0.40")) == D("3")


def test_self_trade_taker_at_cross_cancels_taker() -> None:
    book = OrderBook()
    book.submit(order("a0", "other", "ask", "0.39", "1"))
    book.submit(order("a1", "me", "ask", "0.40", "3"))
    result = book.submit(order("b1", "me", "bid", "0.45", "5"))
    assert [e.maker.order_id for e in result.executions] == ["a0"]
    assert result.order.status is OrderStatus.CANCELED
    assert result.order.last_update_reason == "SelfTradeCancel"
    assert book.get("a1") is not None


def test_self_trade_maker_cancels_resting_and_continues() -> None:
    book = OrderBook()
    book.submit(order("a1", "me", "ask", "0.40", "3"))
    book.submit(order("a2", "other", "ask", "0.41", "3"))
    result = book.submit(order("b1", "me", "bid", "0.45", "2", self_trade_prevention=SelfTradePrevention.MAKER))
    assert [m.order_id for m in result.cancelled_makers] == ["a1"]
    assert [e.maker.order_id for e in result.executions] == ["a2"]
    assert book.get("a1") is None


def test_reduce_keeps_priority_amend_up_loses_it() -> None:
    book = OrderBook()
    book.submit(order("a1", "m1", "ask", "0.50", "5"))
    book.submit(order("a2", "m2", "ask", "0.50", "5"))
    book.reduce("a1", D("2"))
    r = book.submit(order("b1", "t", "bid", "0.50", "1"))
    assert r.executions[0].maker.order_id == "a1"
    book.amend("a1", D("0.50"), D("9"))  # size up: back of the queue
    r = book.submit(order("b2", "t", "bid", "0.50", "1"))
    assert r.executions[0].maker.order_id == "a2"


def test_amend_to_crossing_price_trades() -> None:
    book = OrderBook()
    book.submit(order("a1", "m1", "ask", "0.50", "5"))
    book.submit(order("b1", "t", "bid", "0.40", "5"))
    r = book.amend("b1", D("0.50"), D("5"))
    assert r is not None
    assert r.executions[0].count == D("5")
    assert [c.delta for c in r.changes] == [D("-5"), D("-5")]


def test_cancel_unknown_returns_none_and_bad_inputs_raise() -> None:
    book = OrderBook()
    assert book.cancel("missing") is None
    with pytest.raises(ValueError):
        order("x", "o", "bid", "0.5", "0")
    book.submit(order("a1", "m", "ask", "0.5", "1"))
    with pytest.raises(ValueError):
        book.submit(book.get("a1"))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        book.reduce("a1", D("2"))


def test_level_changes_sum_to_book() -> None:
    book = OrderBook()
    total: dict[tuple[BookSide, D], D] = {}
    ops = [order(f"o{i}", f"u{i % 3}", "bid" if i % 2 else "ask", f"0.{40 + i % 7}", str(1 + i % 4)) for i in range(40)]
    for o in ops:
        for c in book.submit(o).changes:
            total[(c.side, c.price)] = total.get((c.side, c.price), D(0)) + c.delta
    for side in BookSide:
        levels = dict(book.levels(side))
        for (s, p), q in total.items():
            if s is side:
                assert levels.get(p, D(0)) == q
