"""The order rules the prediction and perps engines share (`_state`, `_groups`), run against both engines.

A trader who decreases, cancels or groups orders must see the same outcome on either product: a
decrease that over-shoots cancels the rest (it never grows the order), a cancel-all touches only the
caller's orders, and an order group that reaches its limit cancels every resting order it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from kalshi_testing.simulator._exchange import Exchange, ExchangeError
from kalshi_testing.simulator._matching import OrderStatus
from kalshi_testing.simulator._scenario import Scenario
from kalshi_testing.simulator.perps._engine import PerpsExchange

_NOW = 1_767_225_600_000


@dataclass
class Product:
    """One engine plus what differs between the products: its market, prices and group lookup."""

    engine: Any
    ticker: str
    price: str
    lower: str

    def order(self, user: str, side: str, price: str, count: str, **extra: Any) -> str:
        body = {
            "ticker": self.ticker,
            "side": side,
            "price": price,
            "count": count,
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "maker",
        } | extra
        body.setdefault("client_order_id", f"{user}-{side}-{price}-{count}-{len(self.engine.orders)}")
        return str(self.engine.create_order(user, body)["order_id"])

    def group(self, user: str, group_id: str) -> Any:
        engine = self.engine
        return engine.order_group(user, group_id) if isinstance(engine, PerpsExchange) else engine.group(user, group_id)


def _prediction() -> Product:
    scenario = Scenario.from_dict(
        {
            "series": [{"ticker": "S", "title": "Series"}],
            "events": [{"event_ticker": "S-1", "series_ticker": "S", "title": "Event"}],
            "markets": [{"ticker": "S-1-A", "event_ticker": "S-1", "title": "A", "status": "active"}],
            "accounts": [{"user_id": "alice", "balance": "1000"}, {"user_id": "bob", "balance": "1000"}],
        }
    )
    return Product(Exchange(scenario, clock=lambda: _NOW), "S-1-A", "0.30", "0.20")


def _perps() -> Product:
    engine = PerpsExchange(clock=lambda: _NOW, liquidity=False)
    for user in ("alice", "bob"):
        engine.deposit(user, Decimal(100_000))
    return Product(engine, "ETH-PERP", "3490.00", "3480.00")


@pytest.fixture(params=["prediction", "perps"])
def product(request: pytest.FixtureRequest) -> Product:
    return _prediction() if request.param == "prediction" else _perps()


def _remaining(product: Product, order_id: str) -> Decimal:
    return Decimal(product.engine.orders[order_id].remaining)


def test_decrease_needs_exactly_one_field_and_never_grows_the_order(product: Product) -> None:
    oid = product.order("alice", "bid", product.price, "10")
    for body in ({}, {"reduce_by": "1", "reduce_to": "2"}):
        with pytest.raises(ExchangeError) as err:
            product.engine.decrease_order("alice", oid, body)
        assert err.value.status == 400
    assert _remaining(product, oid) == 10
    product.engine.decrease_order("alice", oid, {"reduce_to": "50"})  # above the remainder: unchanged
    assert _remaining(product, oid) == 10
    product.engine.decrease_order("alice", oid, {"reduce_by": "3"})
    assert _remaining(product, oid) == 7
    product.engine.decrease_order("alice", oid, {"reduce_by": "99"})  # past zero: the order is cancelled
    assert product.engine.orders[oid].status is OrderStatus.CANCELED
    with pytest.raises(ExchangeError) as err:
        product.engine.decrease_order("alice", oid, {"reduce_by": "1"})
    assert err.value.status == 404


def test_cancel_is_404_for_another_user_or_a_finished_order(product: Product) -> None:
    oid = product.order("alice", "bid", product.price, "2")
    with pytest.raises(ExchangeError) as err:
        product.engine.cancel_order("bob", oid)
    assert (err.value.status, err.value.code) == (404, "order_not_found")
    product.engine.cancel_order("alice", oid)
    with pytest.raises(ExchangeError) as err:
        product.engine.cancel_order("alice", oid)
    assert (err.value.status, err.value.code) == (404, "order_not_found")


def test_cancel_all_touches_only_the_callers_resting_orders(product: Product) -> None:
    mine = [product.order("alice", "bid", product.lower, "1") for _ in range(2)]
    theirs = product.order("bob", "bid", product.lower, "1")
    assert product.engine.cancel_all("alice") == 2
    assert product.engine.cancel_all("alice") == 0
    assert all(product.engine.orders[o].status is OrderStatus.CANCELED for o in mine)
    assert product.engine.orders[theirs].status is OrderStatus.RESTING


def test_group_limit_reached_by_fills_cancels_the_groups_resting_orders(product: Product) -> None:
    group_id = product.engine.create_group("alice", {"contracts_limit": 2})["order_group_id"]
    first = product.order("alice", "bid", product.price, "10", order_group_id=group_id)
    second = product.order("alice", "bid", product.lower, "1", order_group_id=group_id)
    outside = product.order("alice", "bid", product.lower, "1")
    product.order("bob", "ask", product.price, "2", time_in_force="immediate_or_cancel")
    group = product.group("alice", group_id)
    assert group.triggered
    assert product.engine.orders[first].status is OrderStatus.CANCELED
    assert product.engine.orders[second].status is OrderStatus.CANCELED
    assert product.engine.orders[outside].status is OrderStatus.RESTING
    with pytest.raises(ExchangeError) as err:
        product.order("alice", "bid", product.lower, "1", order_group_id=group_id)
    assert err.value.code == "order_group_triggered"
    product.engine.reset_group(group)
    assert not group.triggered
    assert not group.window
    product.order("alice", "bid", product.lower, "1", order_group_id=group_id)


def test_group_delete_cancels_its_orders_and_forgets_it(product: Product) -> None:
    group_id = product.engine.create_group("alice", {"contracts_limit_fp": "5"})["order_group_id"]
    with pytest.raises(ExchangeError) as err:
        product.group("bob", group_id)
    assert (err.value.status, err.value.code) == (404, "order_group_not_found")
    oid = product.order("alice", "bid", product.lower, "1", order_group_id=group_id)
    view = product.engine.group_view(product.group("alice", group_id), with_orders=True)
    assert view["orders"] == [oid]
    assert view["contracts_limit_fp"] == "5.00"
    product.engine.delete_group(product.group("alice", group_id))
    assert product.engine.orders[oid].status is OrderStatus.CANCELED
    with pytest.raises(ExchangeError):
        product.group("alice", group_id)


@pytest.mark.parametrize(("body", "message"), [({}, "send contracts_limit"), ({"contracts_limit": 0}, "at least 1")])
def test_group_limit_is_checked_alike(product: Product, body: dict[str, Any], message: str) -> None:
    with pytest.raises(ExchangeError) as err:
        product.engine.create_group("alice", body)
    assert err.value.status == 400
    assert message in err.value.message
