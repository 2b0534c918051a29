"""Settlement of one book operation: book deltas, trades, fills, positions and cash."""

from __future__ import annotations

from decimal import Decimal

from . import _format as fmt
from ._matching import BookSide, Execution, MatchResult, Order, OrderStatus
from ._shapes import rest, ws
from ._state import ONE, ZERO, FeedEvent, Market, Position, taker_fee
from ._views import ExchangeViews

__all__ = ["ExchangeFills"]


class ExchangeFills(ExchangeViews):
    def _apply(self, market: Market, result: MatchResult) -> None:
        now = self.clock()
        touched = {result.order.order_id: result.order}
        for maker in result.cancelled_makers:
            touched[maker.order_id] = maker
        if result.changes:
            market.clock += 1
        for change in result.changes:
            touched[change.order.order_id] = change.order
            yes = change.side is BookSide.BID
            msg = ws(
                "orderbook_delta",
                market_ticker=market.ticker,
                market_id=market.market_id,
                clock=market.clock,
                price_dollars=fmt.dollars(change.price if yes else ONE - change.price),
                delta_fp=fmt.count(change.delta),
                side="yes" if yes else "no",
                ts=fmt.rfc3339(now),
                ts_ms=now,
            )
            owner_extra = {}
            if change.order.meta.get("client_order_id"):
                owner_extra = {"client_order_id": change.order.meta["client_order_id"]}
            self._publish(
                FeedEvent(
                    "orderbook_delta",
                    "orderbook_delta",
                    msg,
                    ticker=market.ticker,
                    owner=change.order.owner,
                    owner_extra=owner_extra,
                )
            )
        last_size = ZERO
        for ex in result.executions:
            last_size = ex.count
            self._execute(market, ex, now)
        for order in touched.values():
            order.meta["updated_ms"] = now
            self._reserve(order)
            self._publish_order(order)
        if result.executions or result.changes:
            self._publish(FeedEvent("ticker", "ticker", self.ticker_msg(market, last_size), ticker=market.ticker))

    @staticmethod
    def reservation(order: Order, price: Decimal, remaining: Decimal) -> Decimal:
        """Cash a resting order holds: the cost of the contracts it would open (closing ones cost nothing)."""
        unit = price if order.side is BookSide.BID else ONE - price
        opening: Decimal = order.meta["opening"]
        return min(remaining, opening) * unit

    def _reserve(self, order: Order) -> None:
        """Bring the account's reserved cash in line with `order` (released on fill, cancel, expiry)."""
        m = order.meta
        resting = order.status is OrderStatus.RESTING
        held = self.reservation(order, order.price, order.remaining) if resting else ZERO
        self.account(m["user_id"], m["subaccount"]).reserved += held - m["reserved"]
        m["reserved"] = held

    def _publish_order(self, order: Order) -> None:
        self._publish(
            FeedEvent(
                "user_orders",
                "user_order",
                self.user_order_msg(order),
                ticker=order.meta["ticker"],
                user_id=order.meta["user_id"],
            )
        )

    def _execute(self, market: Market, ex: Execution, now: int) -> None:
        maker, taker, price, count = ex.maker, ex.taker, ex.price, ex.count
        trade_id = self._next_id()
        taker_bid = taker.side is BookSide.BID
        market.last_price = price
        market.volume += count
        trade = rest(
            "Trade",
            trade_id=trade_id,
            ticker=market.ticker,
            count_fp=fmt.count(count),
            yes_price_dollars=fmt.dollars(price),
            no_price_dollars=fmt.dollars(ONE - price),
            taker_side="yes" if taker_bid else "no",
            taker_outcome_side="yes" if taker_bid else "no",
            taker_book_side=taker.side.value,
            created_time=fmt.rfc3339(now),
            is_block_trade=False,
        )
        market.trades.append(trade)
        self._publish(
            FeedEvent(
                "trade",
                "trade",
                ws(
                    "trade",
                    trade_id=trade_id,
                    market_ticker=market.ticker,
                    yes_price_dollars=trade["yes_price_dollars"],
                    no_price_dollars=trade["no_price_dollars"],
                    count_fp=trade["count_fp"],
                    taker_side=trade["taker_side"],
                    taker_outcome_side=trade["taker_outcome_side"],
                    taker_book_side=trade["taker_book_side"],
                    is_block_trade=False,
                    ts=now // 1000,
                    ts_ms=now,
                ),
                ticker=market.ticker,
            )
        )
        for order, is_taker in ((maker, False), (taker, True)):
            self._settle_fill(market, order, is_taker=is_taker, trade_id=trade_id, price=price, count=count, now=now)
        market.open_interest = sum(
            (
                max(a.positions[market.ticker].position, ZERO)
                for a in self.accounts.values()
                if market.ticker in a.positions
            ),
            ZERO,
        )

    def _settle_fill(
        self, market: Market, order: Order, *, is_taker: bool, trade_id: str, price: Decimal, count: Decimal, now: int
    ) -> None:
        m = order.meta
        account = self.account(m["user_id"], m["subaccount"])
        pos = account.positions.setdefault(market.ticker, Position(market.ticker))
        bid = order.side is BookSide.BID
        delta = count if bid else -count
        fee = taker_fee(count, price) if is_taker else ZERO
        # Closing part first: it pays back the other leg; the rest opens new contracts.
        closing = min(count, max(ZERO, -pos.position if bid else pos.position))
        opening = count - closing
        unit_open = price if bid else ONE - price
        cash = -opening * unit_open
        if closing:
            avg = pos.cost / abs(pos.position)
            proceeds = closing * (ONE - price if bid else price)
            pos.realized_pnl += proceeds - avg * closing
            pos.cost -= avg * closing
            cash += proceeds
        pos.cost += opening * unit_open
        pos.position += delta
        pos.fees_paid += fee
        pos.total_traded += count * unit_open
        pos.volume += count
        pos.updated_ms = now
        account.balance += cash - fee
        account.updated_ms = now
        cost = count * (price if bid else ONE - price)
        m["fill_cost"] += count * price
        m["fees"] += fee
        m["taker_cost" if is_taker else "maker_cost"] += cost
        if is_taker:
            m["taker_fees"] += fee
        fill = rest(
            "Fill",
            fill_id=self._next_id(),
            exchange_index=0,
            trade_id=trade_id,
            order_id=order.order_id,
            ticker=market.ticker,
            market_ticker=market.ticker,
            side="yes" if bid else "no",
            action="buy",
            outcome_side="yes" if bid else "no",
            book_side=order.side.value,
            count_fp=fmt.count(count),
            yes_price_dollars=fmt.dollars(price),
            no_price_dollars=fmt.dollars(ONE - price),
            is_taker=is_taker,
            created_time=fmt.rfc3339(now),
            fee_cost=fmt.dollars(fee),
            subaccount_number=m["subaccount"],
            ts=now // 1000,
        )
        account.fills.append(fill)
        user = m["user_id"]
        self._publish(
            FeedEvent(
                "fill",
                "fill",
                ws(
                    "fill",
                    trade_id=trade_id,
                    order_id=order.order_id,
                    client_order_id=m.get("client_order_id"),
                    market_ticker=market.ticker,
                    exchange_index=0,
                    is_taker=is_taker,
                    side="yes" if bid else "no",
                    ts=now // 1000,
                    ts_ms=now,
                    yes_price_dollars=fmt.dollars(price),
                    count_fp=fmt.count(count),
                    fee_cost=fmt.dollars(fee),
                    action="buy",
                    post_position_fp=fmt.count(pos.position),
                    purchased_side="yes" if bid else "no",
                    outcome_side="yes" if bid else "no",
                    book_side=order.side.value,
                    subaccount=m["subaccount"],
                ),
                ticker=market.ticker,
                user_id=user,
            )
        )
        self._publish(
            FeedEvent(
                "market_positions",
                "market_position",
                ws(
                    "market_position",
                    user_id=user,
                    market_ticker=market.ticker,
                    position_fp=fmt.count(pos.position),
                    position_cost_dollars=fmt.dollars(pos.cost),
                    realized_pnl_dollars=fmt.dollars(pos.realized_pnl),
                    fees_paid_dollars=fmt.dollars(pos.fees_paid),
                    position_fee_cost_dollars=fmt.dollars(pos.fees_paid),
                    volume_fp=fmt.count(pos.volume),
                    subaccount=m["subaccount"],
                ),
                ticker=market.ticker,
                user_id=user,
            )
        )
        self._on_fill(order, count, now)
