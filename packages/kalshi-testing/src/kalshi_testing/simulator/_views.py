"""Spec-shaped views of exchange state: REST objects and WebSocket messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import _format as fmt
from ._matching import BookSide, Order
from ._shapes import rest, ws
from ._state import ONE, ZERO, ExchangeState, Market, Position

__all__ = ["ExchangeViews"]


class ExchangeViews(ExchangeState):
    def market_view(self, market: Market) -> dict[str, Any]:
        """The spec `Market` object, with live prices from the book."""
        book = market.book
        bid = book.best(BookSide.BID)
        ask = book.best(BookSide.ASK)
        bid_size = book.size_at(BookSide.BID, bid) if bid is not None else ZERO
        ask_size = book.size_at(BookSide.ASK, ask) if ask is not None else ZERO
        bid_d = bid if bid is not None else ZERO
        ask_d = ask if ask is not None else ONE
        live = {
            "yes_bid_dollars": fmt.dollars(bid_d),
            "yes_ask_dollars": fmt.dollars(ask_d),
            "yes_bid_size_fp": fmt.count(bid_size),
            "yes_ask_size_fp": fmt.count(ask_size),
            "no_bid_dollars": fmt.dollars(ONE - ask_d),
            "no_ask_dollars": fmt.dollars(ONE - bid_d),
            "last_price_dollars": fmt.dollars(market.last_price),
            "previous_price_dollars": fmt.dollars(ZERO),
            "previous_yes_bid_dollars": fmt.dollars(ZERO),
            "previous_yes_ask_dollars": fmt.dollars(ZERO),
            "volume_fp": fmt.count(market.volume),
            "volume_24h_fp": fmt.count(market.volume),
            "open_interest_fp": fmt.count(market.open_interest),
            "notional_value_dollars": fmt.dollars(ONE),
        }
        return rest("Market", **(market.info | live))

    def orderbook_view(self, market: Market, depth: int = 0) -> dict[str, Any]:
        """The spec `OrderbookCountFp`: YES bids and NO bids (asks at 1 - price), best first."""
        yes = [[fmt.dollars(p), fmt.count(q)] for p, q in market.book.levels(BookSide.BID, depth)]
        no = [[fmt.dollars(ONE - p), fmt.count(q)] for p, q in market.book.levels(BookSide.ASK, depth)]
        return rest("OrderbookCountFp", yes_dollars=yes, no_dollars=no)

    def snapshot_msg(self, market: Market) -> dict[str, Any]:
        """The WebSocket `orderbook_snapshot` msg; an empty side's key is left out."""
        values: dict[str, Any] = {"market_ticker": market.ticker, "market_id": market.market_id, "clock": market.clock}
        yes = [[fmt.dollars(p), fmt.count(q)] for p, q in reversed(market.book.levels(BookSide.BID))]
        no = [[fmt.dollars(ONE - p), fmt.count(q)] for p, q in reversed(market.book.levels(BookSide.ASK))]
        if yes:
            values["yes_dollars_fp"] = yes
        if no:
            values["no_dollars_fp"] = no
        return ws("orderbook_snapshot", **values)

    def ticker_msg(self, market: Market, last_size: Decimal = ZERO) -> dict[str, Any]:
        """The WebSocket `ticker` msg for a market."""
        view = self.market_view(market)
        now = self.clock()
        return ws(
            "ticker",
            market_id=market.market_id,
            market_ticker=market.ticker,
            price_dollars=view["last_price_dollars"],
            yes_bid_dollars=view["yes_bid_dollars"],
            yes_ask_dollars=view["yes_ask_dollars"],
            yes_bid_size_fp=view["yes_bid_size_fp"],
            yes_ask_size_fp=view["yes_ask_size_fp"],
            last_trade_size_fp=fmt.count(last_size),
            volume_fp=view["volume_fp"],
            open_interest_fp=view["open_interest_fp"],
            dollar_volume=int(market.volume * market.last_price),
            dollar_open_interest=int(market.open_interest),
            ts=now // 1000,
            ts_ms=now,
            time=fmt.rfc3339(now),
        )

    def order_view(self, order: Order) -> dict[str, Any]:
        """The spec `Order` object."""
        m = order.meta
        yes = order.price
        return rest(
            "Order",
            order_id=order.order_id,
            user_id=m["user_id"],
            client_order_id=m.get("client_order_id", ""),
            ticker=m["ticker"],
            side="yes" if order.side is BookSide.BID else "no",
            action="buy",
            outcome_side="yes" if order.side is BookSide.BID else "no",
            book_side=order.side.value,
            type="limit",
            status=order.status.value,
            yes_price_dollars=fmt.dollars(yes),
            no_price_dollars=fmt.dollars(ONE - yes),
            fill_count_fp=fmt.count(order.filled),
            remaining_count_fp=fmt.count(order.remaining),
            initial_count_fp=fmt.count(m["initial"]),
            taker_fill_cost_dollars=fmt.dollars(m["taker_cost"]),
            maker_fill_cost_dollars=fmt.dollars(m["maker_cost"]),
            taker_fees_dollars=fmt.dollars(m["taker_fees"]),
            maker_fees_dollars=fmt.dollars(ZERO),
            expiration_time=fmt.rfc3339(m["expiration_s"] * 1000) if m.get("expiration_s") else None,
            created_time=fmt.rfc3339(m["created_ms"]),
            last_update_time=fmt.rfc3339(m["updated_ms"]),
            self_trade_prevention_type=order.self_trade_prevention.value,
            order_group_id=m.get("order_group_id"),
            cancel_order_on_pause=m.get("cancel_order_on_pause", False),
            subaccount_number=m["subaccount"],
            exchange_index=0,
        )

    def user_order_msg(self, order: Order) -> dict[str, Any]:
        """The WebSocket `user_order` msg."""
        m = order.meta
        bid = order.side is BookSide.BID
        return ws(
            "user_order",
            order_id=order.order_id,
            user_id=m["user_id"],
            ticker=m["ticker"],
            exchange_index=0,
            status=order.status.value,
            side="yes" if bid else "no",
            is_yes=bid,
            outcome_side="yes" if bid else "no",
            book_side=order.side.value,
            yes_price_dollars=fmt.dollars(order.price),
            fill_count_fp=fmt.count(order.filled),
            remaining_count_fp=fmt.count(order.remaining),
            initial_count_fp=fmt.count(m["initial"]),
            taker_fill_cost_dollars=fmt.dollars(m["taker_cost"]),
            maker_fill_cost_dollars=fmt.dollars(m["maker_cost"]),
            taker_fees_dollars=fmt.dollars(m["taker_fees"]),
            maker_fees_dollars=fmt.dollars(ZERO),
            client_order_id=m.get("client_order_id", ""),
            order_group_id=m.get("order_group_id"),
            self_trade_prevention_type=order.self_trade_prevention.value,
            created_time=fmt.rfc3339(m["created_ms"]),
            created_ts_ms=m["created_ms"],
            last_update_time=fmt.rfc3339(m["updated_ms"]),
            last_updated_ts_ms=m["updated_ms"],
            last_update_reason=order.last_update_reason or None,
            subaccount_number=m["subaccount"],
        )

    def position_view(self, pos: Position) -> dict[str, Any]:
        """The spec `MarketPosition` object."""
        return rest(
            "MarketPosition",
            ticker=pos.ticker,
            exchange_index=0,
            total_traded_dollars=fmt.dollars(pos.total_traded),
            position_fp=fmt.count(pos.position),
            market_exposure_dollars=fmt.dollars(pos.cost),
            realized_pnl_dollars=fmt.dollars(pos.realized_pnl),
            fees_paid_dollars=fmt.dollars(pos.fees_paid),
            last_updated_ts=fmt.rfc3339(pos.updated_ms),
        )

    def balance_view(self, user_id: str, subaccount: int | None = None) -> dict[str, Any]:
        """The spec `GetBalanceResponse`: `balance` and `portfolio_value` in integer cents."""
        accounts = [a for (u, s), a in self.accounts.items() if u == user_id and subaccount in (None, s)]
        cash = sum((a.balance for a in accounts), ZERO)
        value = cash
        available = cash - sum((a.reserved for a in accounts), ZERO)
        for a in accounts:
            for p in a.positions.values():
                last = self.markets[p.ticker].last_price
                value += p.position * last if p.position > 0 else -p.position * (ONE - last)
        updated = max((a.updated_ms for a in accounts), default=0)
        return rest(
            "GetBalanceResponse",
            balance=int(available * 100),
            balance_dollars=fmt.dollars(available),
            portfolio_value=int(value * 100),
            updated_ts=updated // 1000,
        )
