"""A pure price-time-priority limit order book: no I/O, no clock, no product knowledge.

Both sides are quoted on one leg (`bid` buys it, `ask` sells it), which is how Kalshi's V2 event
orders (the YES leg), perps and FIX order entry all express an order. The surface layers
(`_exchange.py` for prediction REST/WS; later perps and a FIX acceptor) translate their wire
shapes into `Order` objects, call `OrderBook.submit` / `cancel` / `reduce` / `amend`, and turn the
returned `MatchResult` into fills, balances and feed messages.

```python
book = OrderBook()
maker = Order("o1", owner="alice", side=BookSide.ASK, price=Decimal("0.55"), count=Decimal("10"))
book.submit(maker)
result = book.submit(Order("o2", owner="bob", side=BookSide.BID, price=Decimal("0.60"), count=Decimal("4")))
result.executions[0].price  # Decimal("0.55"): trades happen at the resting order's price
```
"""

from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

__all__ = [
    "BookSide",
    "CancelReason",
    "Execution",
    "LevelChange",
    "MatchResult",
    "Order",
    "OrderBook",
    "OrderStatus",
    "SelfTradePrevention",
    "TimeInForce",
]

_ZERO = Decimal(0)


class BookSide(StrEnum):
    """The side of the quoted leg: `bid` buys it, `ask` sells it."""

    BID = "bid"
    ASK = "ask"

    @property
    def opposite(self) -> BookSide:
        """The side this side trades against."""
        return BookSide.ASK if self is BookSide.BID else BookSide.BID


class TimeInForce(StrEnum):
    """How long an order may rest (the spec's `time_in_force` values)."""

    GOOD_TILL_CANCELED = "good_till_canceled"
    IMMEDIATE_OR_CANCEL = "immediate_or_cancel"
    FILL_OR_KILL = "fill_or_kill"


class SelfTradePrevention(StrEnum):
    """What happens when an order would trade against its owner's resting order."""

    TAKER_AT_CROSS = "taker_at_cross"
    """Cancel the incoming order's remainder at the crossing point."""
    MAKER = "maker"
    """Cancel the owner's resting order and keep matching."""


class OrderStatus(StrEnum):
    """The spec's `OrderStatus`."""

    RESTING = "resting"
    CANCELED = "canceled"
    EXECUTED = "executed"


class CancelReason(StrEnum):
    """Why an order stopped resting (WS `user_order.last_update_reason` values).

    `CANCELED` ("", sent as no reason) covers a cancel request and an IOC/FOK remainder: the spec's
    `lastUpdateReason` enum (specs/asyncapi.yaml) names no reason for either."""

    CANCELED = ""
    DECREASE = "Decrease"
    SELF_TRADE = "SelfTradeCancel"
    POST_ONLY_CROSS = "PostOnlyCrossCancel"
    REDUCE_ONLY = "ReduceOnlyCancel"
    EXPIRY = "ExpiryCancel"


@dataclass(slots=True, eq=False)
class Order:
    """One order. The book mutates `remaining`, `filled`, `status` and `priority` in place.

    `owner` is the identity self-trade prevention compares; `meta` is free for the surface layer
    (ticker, subaccount, order group, timestamps) and never read by the book.
    """

    order_id: str
    owner: str
    side: BookSide
    price: Decimal
    count: Decimal
    time_in_force: TimeInForce = TimeInForce.GOOD_TILL_CANCELED
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.TAKER_AT_CROSS
    post_only: bool = False
    remaining: Decimal = _ZERO
    filled: Decimal = _ZERO
    status: OrderStatus = OrderStatus.RESTING
    last_update_reason: str = ""
    priority: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.count <= 0:
            raise ValueError("count must be positive")
        if not self.remaining:
            self.remaining = self.count - self.filled


@dataclass(frozen=True, slots=True)
class Execution:
    """One trade: `taker` crossed the resting `maker` for `count` at the maker's `price`."""

    maker: Order
    taker: Order
    price: Decimal
    count: Decimal


@dataclass(frozen=True, slots=True)
class LevelChange:
    """The resting size at (`side`, `price`) changed by `delta` (signed), caused by `order`."""

    side: BookSide
    price: Decimal
    delta: Decimal
    order: Order


@dataclass(slots=True)
class MatchResult:
    """What one book operation did, in the order it happened."""

    order: Order
    executions: list[Execution] = field(default_factory=list)
    cancelled_makers: list[Order] = field(default_factory=list)
    changes: list[LevelChange] = field(default_factory=list)


class OrderBook:
    """One market's two-sided book with price-time priority.

    Price levels live in a dict of FIFO queues plus a sorted price list per side, so the best
    price is O(1) and inserting a new level is O(log n) search plus a list insert.
    """

    __slots__ = ("_levels", "_orders", "_prices", "_sequence")

    def __init__(self) -> None:
        self._levels: dict[BookSide, dict[Decimal, deque[Order]]] = {BookSide.BID: {}, BookSide.ASK: {}}
        self._prices: dict[BookSide, list[Decimal]] = {BookSide.BID: [], BookSide.ASK: []}
        self._orders: dict[str, Order] = {}
        self._sequence = 0

    # --- queries -------------------------------------------------------------------------------

    def get(self, order_id: str) -> Order | None:
        """Return the resting order `order_id`, or None."""
        return self._orders.get(order_id)

    def __len__(self) -> int:
        return len(self._orders)

    def best(self, side: BookSide) -> Decimal | None:
        """The best resting price on `side` (highest bid, lowest ask), or None when empty."""
        prices = self._prices[side]
        if not prices:
            return None
        return prices[-1] if side is BookSide.BID else prices[0]

    def levels(self, side: BookSide, depth: int = 0) -> list[tuple[Decimal, Decimal]]:
        """Aggregated `(price, size)` levels on `side`, best first; `depth` > 0 limits the count."""
        prices = self._prices[side]
        ordered = reversed(prices) if side is BookSide.BID else iter(prices)
        out: list[tuple[Decimal, Decimal]] = []
        for price in ordered:
            out.append((price, sum((o.remaining for o in self._levels[side][price]), _ZERO)))
            if depth > 0 and len(out) >= depth:
                break
        return out

    def size_at(self, side: BookSide, price: Decimal) -> Decimal:
        """Total resting size at one price."""
        queue = self._levels[side].get(price)
        return sum((o.remaining for o in queue), _ZERO) if queue else _ZERO

    def queue_ahead(self, order_id: str) -> Decimal | None:
        """Contracts resting ahead of a resting order at its price (None if not resting)."""
        order = self._orders.get(order_id)
        if order is None:
            return None
        ahead = _ZERO
        for other in self._levels[order.side][order.price]:
            if other is order:
                return ahead
            ahead += other.remaining
        return ahead

    def orders(self) -> list[Order]:
        """Every resting order, in no particular order."""
        return list(self._orders.values())

    # --- operations ----------------------------------------------------------------------------

    def submit(self, order: Order) -> MatchResult:
        """Match an incoming order, then rest, cancel or kill its remainder by its time in force."""
        if order.order_id in self._orders:
            raise ValueError(f"order {order.order_id} is already in the book")
        result = MatchResult(order)
        opposite = order.side.opposite
        if order.post_only and self._crosses(order, self.best(opposite)):
            self._finish(order, CancelReason.POST_ONLY_CROSS)
            return result
        if order.time_in_force is TimeInForce.FILL_OR_KILL and self._fillable(order) < order.remaining:
            self._finish(order, CancelReason.CANCELED)
            return result
        while order.remaining > 0:
            price = self.best(opposite)
            if price is None or not self._crosses(order, price):
                break
            maker = self._levels[opposite][price][0]
            if maker.owner == order.owner:
                if order.self_trade_prevention is SelfTradePrevention.TAKER_AT_CROSS:
                    self._finish(order, CancelReason.SELF_TRADE)
                    return result
                self._remove(maker, result, CancelReason.SELF_TRADE)
                result.cancelled_makers.append(maker)
                continue
            count = min(order.remaining, maker.remaining)
            for o in (order, maker):
                o.remaining -= count
                o.filled += count
            result.executions.append(Execution(maker, order, price, count))
            result.changes.append(LevelChange(opposite, price, -count, maker))
            if maker.remaining == 0:
                maker.status = OrderStatus.EXECUTED
                maker.last_update_reason = "Trade"
                self._pop(maker)
        if order.remaining == 0:
            order.status = OrderStatus.EXECUTED
            order.last_update_reason = "Trade" if order.filled else order.last_update_reason
        elif order.time_in_force is TimeInForce.GOOD_TILL_CANCELED:
            self._rest(order, result)
        else:
            self._finish(order, CancelReason.CANCELED)
        return result

    def cancel(self, order_id: str, reason: str = CancelReason.CANCELED) -> MatchResult | None:
        """Cancel a resting order; returns None if it is not resting. `remaining` is kept as `reduced_by`."""
        order = self._orders.get(order_id)
        if order is None:
            return None
        result = MatchResult(order)
        self._remove(order, result, reason)
        return result

    def reduce(self, order_id: str, new_remaining: Decimal) -> MatchResult | None:
        """Shrink a resting order's remainder, keeping its queue position; 0 cancels it."""
        order = self._orders.get(order_id)
        if order is None:
            return None
        if new_remaining < 0 or new_remaining > order.remaining:
            raise ValueError("a decrease must leave between 0 and the current remaining count")
        result = MatchResult(order)
        if new_remaining == 0:
            self._remove(order, result, CancelReason.DECREASE)
            return result
        delta = new_remaining - order.remaining
        order.remaining = new_remaining
        order.count += delta
        order.last_update_reason = CancelReason.DECREASE
        result.changes.append(LevelChange(order.side, order.price, delta, order))
        return result

    def amend(self, order_id: str, price: Decimal, total_count: Decimal) -> MatchResult | None:
        """Change price and/or total count (filled + resting).

        A size decrease at the same price keeps queue position; a new price or a larger size
        re-enters the book at the back (and may trade).
        """
        order = self._orders.get(order_id)
        if order is None:
            return None
        new_remaining = total_count - order.filled
        if new_remaining <= 0:
            raise ValueError("the amended count must exceed the filled count")
        if price == order.price and new_remaining <= order.remaining:
            result = self.reduce(order_id, new_remaining)
            assert result is not None
            result.order.last_update_reason = "Amend"
            return result
        first = MatchResult(order)
        self._pop(order)
        first.changes.append(LevelChange(order.side, order.price, -order.remaining, order))
        order.price = price
        order.count = total_count
        order.remaining = new_remaining
        order.last_update_reason = "Amend"
        second = self.submit(order)
        second.changes[:0] = first.changes
        return second

    # --- internals -----------------------------------------------------------------------------

    @staticmethod
    def _crosses(order: Order, price: Decimal | None) -> bool:
        if price is None:
            return False
        return price <= order.price if order.side is BookSide.BID else price >= order.price

    def _fillable(self, order: Order) -> Decimal:
        """How much of `order` could trade right now, honouring self-trade prevention."""
        total = _ZERO
        side = order.side.opposite
        prices = self._prices[side]
        for price in reversed(prices) if side is BookSide.BID else prices:
            if not self._crosses(order, price):
                break
            for maker in self._levels[side][price]:
                if maker.owner == order.owner:
                    if order.self_trade_prevention is SelfTradePrevention.TAKER_AT_CROSS:
                        return total
                    continue
                total += maker.remaining
                if total >= order.remaining:
                    return total
        return total

    def _rest(self, order: Order, result: MatchResult) -> None:
        self._sequence += 1
        order.priority = self._sequence
        order.status = OrderStatus.RESTING
        levels = self._levels[order.side]
        queue = levels.get(order.price)
        if queue is None:
            queue = levels[order.price] = deque()
            bisect.insort(self._prices[order.side], order.price)
        queue.append(order)
        self._orders[order.order_id] = order
        result.changes.append(LevelChange(order.side, order.price, order.remaining, order))

    def _pop(self, order: Order) -> None:
        levels = self._levels[order.side]
        queue = levels[order.price]
        queue.remove(order)
        if not queue:
            del levels[order.price]
            prices = self._prices[order.side]
            del prices[bisect.bisect_left(prices, order.price)]
        del self._orders[order.order_id]

    def _remove(self, order: Order, result: MatchResult, reason: str) -> None:
        self._pop(order)
        result.changes.append(LevelChange(order.side, order.price, -order.remaining, order))
        self._finish(order, reason)

    @staticmethod
    def _finish(order: Order, reason: str) -> None:
        """Cancel what is left of an order that is not (or no longer) in the book."""
        order.status = OrderStatus.CANCELED
        order.last_update_reason = reason
        order.meta["reduced_by"] = order.remaining
        order.remaining = _ZERO
