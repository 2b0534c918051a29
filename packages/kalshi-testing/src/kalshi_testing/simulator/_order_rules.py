"""Order rules the prediction and perps engines share: parsing, resting checks, cancels, decreases.

Each engine passes what differs (its markets, its `apply`), so one piece serves both products.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from . import _format as fmt
from ._matching import BookSide, MatchResult, Order, OrderStatus, SelfTradePrevention, TimeInForce
from ._state import ZERO, ExchangeError, M, OrderGroup

__all__ = [
    "cancel_resting",
    "decrease_target",
    "fill_averages",
    "order_meta",
    "owned_orders",
    "parse_order",
    "price_and_count",
    "resting_order",
]


def owned_orders(orders: Mapping[str, Order], user_id: str, subaccount: int | None) -> list[Order]:
    """The orders of `user_id` (in `subaccount` when given), oldest first."""
    return [o for o in orders.values() if o.meta["user_id"] == user_id and subaccount in (None, o.meta["subaccount"])]


def resting_order(markets: Mapping[str, M], order: Order) -> M:
    """The market where `order` rests; a 404 if it is not resting."""
    market = markets[order.meta["ticker"]]
    if market.book.get(order.order_id) is None:
        raise ExchangeError(404, "order_not_found", f"order {order.order_id} is not resting")
    return market


def cancel_resting(markets: Mapping[str, M], orders: Iterable[Order], apply: Callable[[M, MatchResult], None]) -> int:
    """Cancel each of `orders` still resting in its market's book, `apply` each result; returns how many."""
    cancelled = 0
    for order in orders:
        if order.status is OrderStatus.RESTING:
            market = markets[order.meta["ticker"]]
            result = market.book.cancel(order.order_id)
            if result is not None:
                apply(market, result)
                cancelled += 1
    return cancelled


def price_and_count(body: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """The `price` and `count` of an order or amend body; a 400 if either is malformed."""
    try:
        return fmt.parse_price(body["price"]), fmt.parse_count(body["count"])
    except ValueError as exc:
        raise ExchangeError(400, "invalid_parameters", str(exc)) from None


def parse_order(body: dict[str, Any]) -> tuple[BookSide, TimeInForce, SelfTradePrevention, Decimal, Decimal]:
    """Side, time in force, self-trade prevention, price and count of an order body; a 400 if one is malformed."""
    try:
        side = BookSide(body["side"])
        tif = TimeInForce(body["time_in_force"])
        stp = SelfTradePrevention(body["self_trade_prevention_type"])
    except ValueError as exc:
        raise ExchangeError(400, "invalid_parameters", str(exc)) from None
    price, count = price_and_count(body)
    return side, tif, stp, price, count


def fill_averages(order: Order) -> dict[str, str]:
    """`average_fill_price` and `average_fee_paid` of an order that has filled; empty otherwise."""
    if not order.filled:
        return {}
    m = order.meta
    return {
        "average_fill_price": fmt.dollars(m["fill_cost"] / order.filled),
        "average_fee_paid": fmt.dollars(m["fees"] / order.filled),
    }


def decrease_target(body: dict[str, Any], remaining: Decimal) -> Decimal:
    """The new remaining count of a decrease body (exactly one of `reduce_by` / `reduce_to`), within 0..`remaining`."""
    by, to = body.get("reduce_by"), body.get("reduce_to")
    if (by is None) == (to is None):
        raise ExchangeError(400, "invalid_parameters", "send exactly one of reduce_by or reduce_to")
    try:
        target = remaining - fmt.parse_count(by) if by is not None else fmt.parse_count(to)
    except ValueError as exc:
        raise ExchangeError(400, "invalid_parameters", str(exc)) from None
    return min(max(target, ZERO), remaining)


def order_meta(  # noqa: PLR0917 - the fields every new order records, in one call per engine
    body: dict[str, Any],
    user_id: str,
    subaccount: int,
    ticker: str,
    client_order_id: Any,
    group: OrderGroup | None,
    expiration: int | None,
    now: int,
) -> dict[str, Any]:
    """The bookkeeping both engines keep on a new order (`Order.meta`); each adds its own keys."""
    return {
        "user_id": user_id,
        "subaccount": subaccount,
        "ticker": ticker,
        "client_order_id": client_order_id,
        "created_ms": now,
        "updated_ms": now,
        "fill_cost": ZERO,
        "fees": ZERO,
        "request": dict(body),
        "order_group_id": group.group_id if group else None,
        "expiration_s": expiration,
        "cancel_order_on_pause": bool(body.get("cancel_order_on_pause")),
    }
