"""Settling a book operation on the perps engine: trades, fills, positions, fees and the feed."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._exchange import FeedEvent
from kalshi_testing.simulator._matching import BookSide, MatchResult, Order

from ._base import EngineBase
from ._spec import PERPS, TAKER_FEE
from ._state import MarginPosition, PerpsMarket

__all__ = ["Fills", "fee"]

_ZERO = Decimal(0)
_CENTICENT = Decimal("0.0001")


def fee(count: Decimal, price: Decimal, contract_size: Decimal) -> Decimal:
    """The taker fee of a fill, rounded up to the centicent."""
    return (count * price * contract_size * TAKER_FEE).quantize(_CENTICENT, rounding=ROUND_CEILING)


class Fills(EngineBase):
    """Turns `MatchResult`s into money and messages."""

    def apply(self, market: PerpsMarket, result: MatchResult) -> None:
        """Turn a book operation into fills, trades, order updates and book deltas."""
        now = self.clock()
        touched: dict[str, Order] = {result.order.order_id: result.order}
        for execution in result.executions:
            trade_id = self.next_id()
            for order, is_taker in ((execution.maker, False), (execution.taker, True)):
                self._fill(
                    market,
                    order,
                    price=execution.price,
                    count=execution.count,
                    is_taker=is_taker,
                    trade_id=trade_id,
                    now=now,
                )
                touched[order.order_id] = order
            market.last_price = execution.price
            market.volume += execution.count
            trade = PERPS.rest(
                "MarginTrade",
                trade_id=trade_id,
                ticker=market.ticker,
                count=fmt.count(execution.count),
                price=fmt.dollars(execution.price),
                created_time=fmt.rfc3339(now),
                taker_side=execution.taker.side.value,
            )
            market.trades.append(trade)
            msg = PERPS.ws(
                "trade",
                trade_id=trade_id,
                market_ticker=market.ticker,
                price=trade["price"],
                count=trade["count"],
                taker_side=trade["taker_side"],
                ts_ms=now,
            )
            self.publish(FeedEvent("trade", "trade", msg, ticker=market.ticker))
        for maker in result.cancelled_makers:
            touched[maker.order_id] = maker
        for change in result.changes:
            order = change.order
            msg = PERPS.ws(
                "orderbook_delta",
                market_ticker=market.ticker,
                price=fmt.dollars(change.price),
                delta=fmt.count(change.delta),
                side=change.side.value,
                ts_ms=now,
            )
            extra: dict[str, Any] = {"client_order_id": order.meta["client_order_id"]}
            extra["subaccount"] = order.meta["subaccount"]
            if order.last_update_reason in _DELTA_REASONS:
                extra["last_update_reason"] = order.last_update_reason
            self.publish(
                FeedEvent(
                    "orderbook_delta", "orderbook_delta", msg, market.ticker, owner=order.owner, owner_extra=extra
                )
            )
        for order in touched.values():
            order.meta["updated_ms"] = now
            msg = self.user_order_msg(order)
            self.publish(FeedEvent("user_orders", "user_order", msg, market.ticker, user_id=order.meta["user_id"]))
        if result.executions or result.changes:
            self.publish(FeedEvent("ticker", "ticker", self.ticker_msg(market), ticker=market.ticker))
        if result.executions:
            self.check_exit_triggers(market)
            self.check_liquidations(market)

    def _fill(
        self,
        market: PerpsMarket,
        order: Order,
        *,
        price: Decimal,
        count: Decimal,
        is_taker: bool,
        trade_id: str,
        now: int,
    ) -> None:
        m = order.meta
        account = self.account(m["user_id"], m["subaccount"])
        pos = account.positions.setdefault(market.ticker, MarginPosition(market.ticker))
        signed = count if order.side is BookSide.BID else -count
        cost = fee(count, price, market.contract_size) if is_taker else _ZERO
        entry_before = pos.entry_price
        realized = _ZERO
        if pos.position == 0 or (pos.position > 0) == (signed > 0):
            total = pos.position + signed
            pos.entry_price = (pos.entry_price * abs(pos.position) + price * count) / abs(total)
            pos.position = total
        else:
            closed = min(count, abs(pos.position))
            direction = 1 if pos.position > 0 else -1
            realized = (price - pos.entry_price) * closed * direction * market.contract_size
            pos.position += signed
            if pos.position == 0:
                pos.entry_price = _ZERO
            elif (pos.position > 0) != (direction > 0):
                pos.entry_price = price  # flipped: the rest opened at this price
        account.cash += realized - cost
        pos.realized_pnl += realized
        pos.fees += cost
        pos.updated_ms = account.updated_ms = now
        m["fill_cost"] += price * count
        m["fees"] += cost
        source = m["order_source"]
        fill = PERPS.rest(
            "MarginFill",
            fill_id=self.next_id(),
            order_id=order.order_id,
            is_taker=is_taker,
            side=order.side.value,
            count=fmt.count(count),
            created_time=fmt.rfc3339(now),
            ticker=market.ticker,
            price=fmt.dollars(price),
            entry_price=fmt.dollars(entry_before or price),
            fees=fmt.dollars(cost),
            realized_pnl=fmt.dollars(realized),
            order_source=source,
        )
        account.fills.append(fill | {"subaccount": m["subaccount"], "ts_ms": now})
        msg = PERPS.ws(
            "fill",
            trade_id=trade_id,
            order_id=order.order_id,
            client_order_id=m["client_order_id"],
            market_ticker=market.ticker,
            is_taker=is_taker,
            side=order.side.value,
            ts_ms=now,
            price=fmt.dollars(price),
            count=fmt.count(count),
            fee_cost=fmt.dollars(cost),
            post_position=fmt.count(pos.position),
            subaccount=m["subaccount"],
            order_source=source,
        )
        self.publish(FeedEvent("fill", "fill", msg, market.ticker, user_id=m["user_id"]))
        if m.get("order_group_id"):
            self.count_group_fill(m["order_group_id"], count, now)


_DELTA_REASONS = frozenset(PERPS.ws_field_enums["orderbook_delta"]["last_update_reason"])
