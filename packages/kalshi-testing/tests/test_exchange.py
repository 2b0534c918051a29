"""The Exchange layer on its own: no sockets, a fake clock."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from kalshi_testing.simulator import Exchange, ExchangeError, FeedEvent, load_scenario

T = "M-1"


class Clock:
    def __init__(self) -> None:
        self.ms = 1_795_536_000_000

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ex(clock: Clock) -> Exchange:
    scenario = load_scenario(
        {
            "series": [{"ticker": "S", "title": "s"}],
            "events": [{"event_ticker": "E", "series_ticker": "S", "title": "e"}],
            "markets": [{"ticker": T, "event_ticker": "E"}],
            "accounts": [{"user_id": "a", "balance": "100"}, {"user_id": "b", "balance": "100"}],
        }
    )
    return Exchange(scenario, clock=clock)


def order(side: str, price: str, count: str, **extra: Any) -> dict[str, Any]:
    return {
        "ticker": T,
        "side": side,
        "price": price,
        "count": count,
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    } | extra


def test_round_trip_realises_pnl_and_conserves_cash(ex: Exchange) -> None:
    ex.create_order("a", order("ask", "0.40", "10"))
    ex.create_order("b", order("bid", "0.40", "10"))  # b long 10 YES @0.40, a long 10 NO @0.60
    ex.create_order("a", order("bid", "0.70", "10"))
    ex.create_order("b", order("ask", "0.70", "10"))  # both flat again: b sold at 0.70
    a, b = ex.account("a"), ex.account("b")
    assert b.positions[T].position == 0
    assert a.positions[T].position == 0
    assert b.positions[T].realized_pnl == D("3.00")
    assert a.positions[T].realized_pnl == D("-3.00")
    fees = a.positions[T].fees_paid + b.positions[T].fees_paid
    assert a.balance + b.balance + fees == D("200")  # cash is conserved once both are flat


def test_reduce_only_caps_at_the_position(ex: Exchange) -> None:
    ex.create_order("a", order("ask", "0.50", "3"))
    ex.create_order("b", order("bid", "0.50", "3"))
    ex.create_order("a", order("bid", "0.45", "10"))
    r = ex.create_order("b", order("ask", "0.40", "10", time_in_force="immediate_or_cancel", reduce_only=True))
    assert r["fill_count"] == "3.00"  # b held 3 YES, so only 3 could be sold
    flat = ex.create_order("b", order("ask", "0.40", "1", time_in_force="immediate_or_cancel", reduce_only=True))
    assert flat["fill_count"] == "0.00"
    assert ex.orders[flat["order_id"]].last_update_reason == "ReduceOnlyCancel"


def test_expiration_cancels_on_the_clock(ex: Exchange, clock: Clock) -> None:
    r = ex.create_order("a", order("bid", "0.30", "2", expiration_time=clock.ms // 1000 + 60))
    assert ex.expire_orders() == 0
    clock.ms += 61_000
    assert ex.expire_orders() == 1
    assert ex.orders[r["order_id"]].last_update_reason == "ExpiryCancel"
    with pytest.raises(ExchangeError) as err:
        ex.create_order("a", order("bid", "0.30", "2", expiration_time=clock.ms // 1000 - 1))
    assert err.value.status == 400


def test_feed_events_in_order_and_private_marking(ex: Exchange) -> None:
    events: list[FeedEvent] = []
    ex.listeners.append(events.append)
    ex.create_order("a", order("ask", "0.55", "2", client_order_id="c"))
    ex.create_order("b", order("bid", "0.55", "1"))
    kinds = [e.type for e in events]
    assert kinds[:2] == ["orderbook_delta", "user_order"]
    assert kinds.index("trade") < kinds.index("fill")
    fills = [e for e in events if e.type == "fill"]
    assert {e.user_id for e in fills} == {"a", "b"}
    deltas = [e for e in events if e.type == "orderbook_delta"]
    assert deltas[0].owner == "a"
    assert deltas[0].owner_extra == {"client_order_id": "c"}
    assert "client_order_id" not in deltas[0].msg
    assert [d.msg["clock"] for d in deltas] == sorted(d.msg["clock"] for d in deltas)


def test_group_window_rolls_over_15_seconds(ex: Exchange, clock: Clock) -> None:
    gid = ex.create_group("a", {"contracts_limit": 3})["order_group_id"]
    ex.create_order("a", order("ask", "0.60", "10", order_group_id=gid))
    ex.create_order("b", order("bid", "0.60", "2"))
    clock.ms += 16_000
    ex.create_order("b", order("bid", "0.60", "2"))  # 2 in the current window: below 3
    assert not ex.groups[gid].triggered
    ex.create_order("b", order("bid", "0.60", "1"))
    assert ex.groups[gid].triggered
    with pytest.raises(ExchangeError, match="disagree"):
        ex.create_group("a", {"contracts_limit": 3, "contracts_limit_fp": "4.00"})


def test_settlement_pays_winners_and_flattens(ex: Exchange) -> None:
    events: list[FeedEvent] = []
    ex.listeners.append(events.append)
    ex.create_order("a", order("ask", "0.30", "10"))
    ex.create_order("b", order("bid", "0.30", "10"))  # b: 10 YES for $3.00; a: 10 NO for $7.00
    ex.create_order("a", order("ask", "0.90", "1"))  # still resting when the market closes
    b_before, a_before = ex.account("b").balance, ex.account("a").balance
    ex.settle_market(T, "yes")
    assert ex.account("b").balance == b_before + 10
    assert ex.account("a").balance == a_before
    assert ex.account("b").positions[T].realized_pnl == D("7.00")
    assert ex.account("a").positions[T].realized_pnl == D("-7.00")
    assert ex.account("a").settlements[0]["no_count_fp"] == "10.00"
    assert ex.markets[T].info["status"] == "finalized"
    assert len(ex.markets[T].book) == 0  # the resting ask was cancelled at close
    lifecycle = [e.msg["event_type"] for e in events if e.type == "market_lifecycle_v2"]
    assert lifecycle == ["deactivated", "determined", "settled"]
    with pytest.raises(ExchangeError):
        ex.create_order("a", order("bid", "0.30", "1"))
    with pytest.raises(ExchangeError):
        ex.settle_market(T, "maybe")


def test_resting_orders_reserve_balance_and_release_it_on_cancel_and_fill(ex: Exchange) -> None:
    """A trader cannot commit the same dollars twice: resting orders hold their cost until filled or cancelled."""
    ex.add_user("c", D("5"))
    first = ex.create_order("c", order("bid", "0.40", "10"))  # rests; needs $4.00 + fee $0.17 <= $5
    assert ex.account("c").reserved == D("4.00")
    assert ex.balance_view("c")["balance_dollars"] == "1.0000"
    with pytest.raises(ExchangeError) as refused:
        ex.create_order("c", order("bid", "0.40", "3"))  # $1.20 + fee > the $1.00 not already held
    assert refused.value.code == "insufficient_balance"
    assert ex.account("c").reserved == D("4.00")  # a refused order holds nothing
    ex.create_order("a", order("ask", "0.40", "4"))  # fills 4 of c's 10: $1.60 paid, hold drops to $2.40
    assert ex.account("c").reserved == D("2.40")
    assert ex.account("c").balance == D("3.40")
    ex.cancel_order("c", first["order_id"])  # the rest is released
    assert ex.account("c").reserved == 0
    assert ex.balance_view("c")["balance_dollars"] == "3.4000"
    ex.create_order("c", order("bid", "0.40", "3"))  # now it fits


def test_closing_orders_hold_nothing_and_amend_checks_the_extra_hold(ex: Exchange) -> None:
    ex.create_order("a", order("ask", "0.50", "10"))
    ex.create_order("b", order("bid", "0.50", "10"))  # b holds 10 YES
    held = ex.create_order("b", order("ask", "0.90", "10"))  # selling what b holds opens nothing
    assert ex.account("b").reserved == 0
    bid = ex.create_order("a", order("bid", "0.10", "10"))  # opens 10 YES? no: a holds 10 NO, so it closes
    assert ex.account("a").reserved == 0
    ex.cancel_order("a", bid["order_id"])
    ex.add_user("d", D("2"))
    small = ex.create_order("d", order("bid", "0.10", "10"))  # holds $1.00
    with pytest.raises(ExchangeError) as refused:
        ex.amend_order("d", small["order_id"], {"ticker": T, "side": "bid", "price": "0.10", "count": "30"})
    assert refused.value.code == "insufficient_balance"  # $2.00 more than the $1.00 free
    ex.amend_order("d", small["order_id"], {"ticker": T, "side": "bid", "price": "0.15", "count": "10"})
    assert ex.account("d").reserved == D("1.50")
    ex.cancel_order("b", held["order_id"])
