"""OrderBook: unit tests and property tests against a naive reference model."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalshi_ws import BookKeeper, KalshiOrderBookError, OrderBook
from kalshi_ws.messages import OrderbookDelta, OrderbookSnapshot

D = Decimal


def snapshot_book() -> OrderBook:
    book = OrderBook("FED")
    book.apply_snapshot(
        [(D("0.08"), D("300")), (D("0.22"), D("333"))], [(D("0.54"), D("20")), (D("0.56"), D("146"))], 10
    )
    return book


def test_snapshot_top_of_book_spread_mid() -> None:
    book = snapshot_book()
    assert book.best_yes_bid == (D("0.22"), D("333"))
    assert book.best_no_bid == (D("0.56"), D("146"))
    assert book.best_yes_ask == (D("0.44"), D("146"))
    assert book.best_no_ask == (D("0.78"), D("333"))
    assert book.spread == D("0.22")
    assert book.mid == D("0.33")
    assert book.yes_bids() == [(D("0.22"), D("333")), (D("0.08"), D("300"))]
    assert book.no_bids(1) == [(D("0.56"), D("146"))]
    assert len(book) == 4


def test_missing_side_is_empty() -> None:
    book = OrderBook("X")
    book.apply_snapshot([(D("0.40"), D("5"))], None, 0)
    assert book.ready
    assert book.best_no_bid is None
    assert book.best_yes_ask is None
    assert book.spread is None
    assert book.mid is None


def test_delta_updates_creates_and_removes_levels() -> None:
    book = snapshot_book()
    book.apply_delta("yes", D("0.22"), D("-33"), 11)
    assert book.best_yes_bid == (D("0.22"), D("300"))
    book.apply_delta("yes", D("0.30"), D("7.50"), 12)
    assert book.best_yes_bid == (D("0.30"), D("7.50"))
    book.apply_delta("yes", D("0.30"), D("-7.50"), 12)  # several deltas may share a clock
    assert book.best_yes_bid == (D("0.22"), D("300"))
    book.apply_delta("no", D("0.56"), D("-200"), 13)  # below zero removes the level
    assert book.best_no_bid == (D("0.54"), D("20"))
    assert book.size_at("no", D("0.56")) == 0
    assert book.clock == 13


def test_price_strings_with_different_scale_are_one_level() -> None:
    book = snapshot_book()
    book.apply_delta("yes", D("0.2200"), D("1.00"), 11)
    assert book.size_at("yes", D("0.22")) == D("334")


def test_delta_before_snapshot_is_refused() -> None:
    book = OrderBook("X")
    with pytest.raises(KalshiOrderBookError, match="before snapshot"):
        book.apply_delta("yes", D("0.5"), D("1"), 1)


@pytest.mark.parametrize("clock", [9, 10])
def test_delta_out_of_sequence_is_refused_and_book_unchanged(clock: int) -> None:
    book = snapshot_book()
    before = book.yes_bids()
    with pytest.raises(KalshiOrderBookError, match="out of sequence"):
        book.apply_delta("yes", D("0.22"), D("5"), clock)
    assert book.yes_bids() == before


def test_negative_delta_on_missing_level_and_bad_side_are_refused() -> None:
    book = snapshot_book()
    with pytest.raises(KalshiOrderBookError, match="empty yes level"):
        book.apply_delta("yes", D("0.99"), D("-1"), 11)
    with pytest.raises(KalshiOrderBookError, match="unknown side"):
        book.apply_delta("maybe", D("0.5"), D("1"), 11)


def test_reset_requires_new_snapshot() -> None:
    book = snapshot_book()
    book.reset()
    assert not book.ready
    assert len(book) == 0
    with pytest.raises(KalshiOrderBookError):
        book.apply_delta("yes", D("0.22"), D("1"), 11)


def test_use_yes_price_reads_no_side_in_yes_prices() -> None:
    book = OrderBook("X", use_yes_price=True)
    # NO bids at no-prices 0.56 and 0.54 reported in yes-leg prices 0.44 and 0.46
    book.apply_snapshot([(D("0.22"), D("1"))], [(D("0.46"), D("20")), (D("0.44"), D("146"))], 1)
    assert book.best_no_bid == (D("0.44"), D("146"))
    assert book.best_yes_ask == (D("0.44"), D("146"))
    assert book.no_bids() == [(D("0.44"), D("146")), (D("0.46"), D("20"))]


def test_bid_ask_book_for_other_products() -> None:
    book = OrderBook.bid_ask("PERP")
    book.apply_snapshot([(D("99.50"), D("3")), (D("99.00"), D("1"))], [(D("100.50"), D("2")), (D("101.00"), D("5"))], 1)
    assert book.best_bid == (D("99.50"), D("3"))
    assert book.best_ask == (D("100.50"), D("2"))
    assert book.spread == D("1.00")
    assert book.mid == D("100.00")
    book.apply_delta("ask", D("100.25"), D("4"), 2)
    book.apply_delta("bid", D("99.50"), D("-3"), 2)
    assert book.best_ask == (D("100.25"), D("4"))
    assert book.best_bid == (D("99.00"), D("1"))
    assert book.no_bids(2) == [(D("100.25"), D("4")), (D("100.50"), D("2"))]


def test_apply_messages_and_ticker_check() -> None:
    snap = msgspec.json.decode(
        b'{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"M","market_id":"x","clock":5,'
        b'"yes_dollars_fp":[["0.1000","2.00"]]}}',
        type=OrderbookSnapshot,
    )
    delta = msgspec.json.decode(
        b'{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"M","market_id":"x","clock":6,'
        b'"price_dollars":"0.1000","delta_fp":"3.00","side":"yes"}}',
        type=OrderbookDelta,
    )
    book = OrderBook("M")
    book.apply(snap)
    book.apply(delta)
    assert book.best_yes_bid == (D("0.1"), D("5"))
    with pytest.raises(KalshiOrderBookError, match="applied to the book of"):
        OrderBook("OTHER").apply(snap)
    keeper = BookKeeper()
    with pytest.raises(KalshiOrderBookError, match="before snapshot"):
        keeper(delta)
    keeper(snap)
    keeper(delta)
    assert keeper.books["M"].best_yes_bid == (D("0.1"), D("5"))
    keeper.reset()
    assert not keeper.books["M"].ready


# ---- property tests against a naive model -------------------------------------------------------
prices = st.integers(min_value=1, max_value=99).map(lambda c: Decimal(c) / 100)
sizes = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)
deltas = st.integers(min_value=-50_000, max_value=50_000).filter(bool).map(lambda c: Decimal(c) / 100)
levels = st.lists(st.tuples(prices, sizes), max_size=30, unique_by=lambda t: t[0])
ops = st.lists(st.tuples(st.sampled_from(["yes", "no"]), prices, deltas), max_size=200)


class NaiveBook:
    def __init__(self, yes: list[tuple[Decimal, Decimal]], no: list[tuple[Decimal, Decimal]]) -> None:
        self.sides = {"yes": dict(yes), "no": dict(no)}

    def apply(self, side: str, price: Decimal, delta: Decimal) -> bool:
        level = self.sides[side]
        if price not in level and delta < 0:
            return False
        new = level.get(price, Decimal(0)) + delta
        if new > 0:
            level[price] = new
        else:
            level.pop(price, None)
        return True

    def best(self, side: str) -> tuple[Decimal, Decimal] | None:
        level = self.sides[side]
        if not level:
            return None
        p = max(level)
        return p, level[p]

    def bids(self, side: str) -> list[tuple[Decimal, Decimal]]:
        return sorted(self.sides[side].items(), reverse=True)


@settings(max_examples=150, deadline=None)
@given(yes=levels, no=levels, operations=ops)
def test_book_matches_naive_model(yes, no, operations) -> None:
    book = OrderBook("P")
    book.apply_snapshot(yes, no, 1)
    model = NaiveBook(yes, no)
    clock = 1
    for side, price, delta in operations:
        clock += 1
        if model.apply(side, price, delta):
            book.apply_delta(side, price, delta, clock)
        else:
            with pytest.raises(KalshiOrderBookError):
                book.apply_delta(side, price, delta, clock)
        assert book.best_yes_bid == model.best("yes")
        assert book.best_no_bid == model.best("no")
    assert book.yes_bids() == model.bids("yes")
    assert book.no_bids() == model.bids("no")
    assert book.yes_bids(3) == model.bids("yes")[:3]
    best_no = model.best("no")
    assert book.best_yes_ask == (None if best_no is None else (1 - best_no[0], best_no[1]))


def test_size_at_accepts_bid_ask_names_and_refuses_others() -> None:
    from kalshi_auth import KalshiConfigError

    book = OrderBook("T")
    book.apply_snapshot([(D("0.40"), D("5"))], [(D("0.55"), D("7"))])
    assert book.size_at("bid", D("0.40")) == book.size_at("yes", D("0.40")) == D("5")
    assert book.size_at("ask", D("0.55")) == book.size_at("no", D("0.55")) == D("7")
    assert book.size_at("bid", D("0.55")) == 0
    with pytest.raises(KalshiConfigError):
        book.size_at("buy", D("0.40"))
