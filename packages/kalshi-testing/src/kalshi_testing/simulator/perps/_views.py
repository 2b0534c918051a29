"""Spec shapes of the perps engine's state, and the margin arithmetic behind balance and risk."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._matching import BookSide, Order, OrderStatus

from ._base import EngineBase
from ._spec import INITIAL_MARGIN, MAINTENANCE_MARGIN, PERPS
from ._state import MarginAccount, PerpsMarket

__all__ = ["Views"]

_ZERO = Decimal(0)


class Views(EngineBase):
    """Read-only views of `PerpsExchange` state in specs/perps_openapi.yaml and perps_asyncapi.yaml shapes."""

    # --- margin arithmetic ---------------------------------------------------------------------

    def _resting_margin(self, user_id: str, subaccount: int) -> Decimal:
        total = _ZERO
        for order in self.orders.values():
            m = order.meta
            if m["user_id"] == user_id and m["subaccount"] == subaccount and order.status is OrderStatus.RESTING:
                market = self.markets[m["ticker"]]
                total += order.remaining * order.price * market.contract_size * INITIAL_MARGIN
        return total

    def margin_figures(self, account: MarginAccount) -> dict[str, Decimal]:
        """position value, unrealised PnL, equity, initial/maintenance margin and the resting-order reserve."""
        value = unrealized = notional = _ZERO
        for pos in account.positions.values():
            market = self.markets[pos.ticker]
            mark = market.mark_price
            value += pos.position * mark * market.contract_size
            unrealized += (mark - pos.entry_price) * pos.position * market.contract_size
            notional += abs(pos.position) * mark * market.contract_size
        equity = account.cash + unrealized
        resting = self._resting_margin(account.user_id, account.subaccount)
        initial = notional * INITIAL_MARGIN
        return {
            "position_value": value,
            "unrealized": unrealized,
            "account_equity": equity,
            "initial_margin": initial,
            "maintenance_margin": notional * MAINTENANCE_MARGIN,
            "resting_orders_margin": resting,
            "available_balance": equity - initial - resting,
            "notional": notional,
        }

    def available(self, user_id: str, subaccount: int = 0) -> Decimal:
        """Equity less initial margin and the margin reserved by resting orders."""
        key = (user_id, subaccount)
        if key not in self.accounts:
            return _ZERO
        return self.margin_figures(self.accounts[key])["available_balance"]

    def user_accounts(self, user_id: str, subaccount: int | None = None) -> list[MarginAccount]:
        """The user's margin accounts (one subaccount, or all), primary first."""
        return [a for (u, s), a in sorted(self.accounts.items()) if u == user_id and subaccount in (None, s)]

    # --- REST views ----------------------------------------------------------------------------

    def balance_view(self, user_id: str, *, compute_available: bool) -> dict[str, Any]:
        """`GetMarginBalanceResponse`: one entry per subaccount; `available_balance` is 0 unless computed."""
        rows = []
        settled = _ZERO
        for account in self.user_accounts(user_id):
            f = self.margin_figures(account)
            settled += account.cash
            rows.append(
                PERPS.rest(
                    "MarginSubaccountBalance",
                    subaccount=account.subaccount,
                    position_value=fmt.dollars(f["position_value"]),
                    account_equity=fmt.dollars(f["account_equity"]),
                    maintenance_margin=fmt.dollars(f["maintenance_margin"]),
                    initial_margin=fmt.dollars(f["initial_margin"]),
                    resting_orders_margin=fmt.dollars(f["resting_orders_margin"]),
                    available_balance=fmt.dollars(f["available_balance"] if compute_available else _ZERO),
                )
            )
        return PERPS.rest("GetMarginBalanceResponse", subaccount_balances=rows, settled_funds=fmt.dollars(settled))

    def positions_view(self, user_id: str, subaccount: int | None, ticker: str | None) -> list[dict[str, Any]]:
        """`MarginPosition` rows of open positions."""
        out = []
        for account in self.user_accounts(user_id, subaccount):
            for pos in account.positions.values():
                if pos.position == 0 or ticker not in (None, pos.ticker):
                    continue
                market = self.markets[pos.ticker]
                unrealized = (market.mark_price - pos.entry_price) * pos.position * market.contract_size
                out.append(
                    PERPS.rest(
                        "MarginPosition",
                        subaccount=account.subaccount,
                        market_ticker=pos.ticker,
                        position=fmt.count(pos.position),
                        entry_price=fmt.dollars(pos.entry_price),
                        unrealized_pnl=fmt.dollars(unrealized),
                        fees=fmt.dollars(pos.fees),
                        is_portfolio=False,
                    )
                )
        return out

    def risk_view(self, user_id: str) -> dict[str, Any]:
        """`GetMarginRiskResponse` across the user's subaccounts."""
        rows = []
        notional = maintenance = equity = _ZERO
        for account in self.user_accounts(user_id):
            f = self.margin_figures(account)
            equity += f["account_equity"]
            for pos in account.positions.values():
                if pos.position == 0:
                    continue
                market = self.markets[pos.ticker]
                mark = market.mark_price
                pos_notional = abs(pos.position) * mark * market.contract_size
                notional += pos_notional
                maintenance += pos_notional * MAINTENANCE_MARGIN
                rows.append(
                    PERPS.rest(
                        "MarginRiskPosition",
                        subaccount=account.subaccount,
                        market_ticker=pos.ticker,
                        position=fmt.count(pos.position),
                        mark_price=fmt.dollars(mark),
                        position_notional=fmt.dollars(pos_notional),
                        maintenance_margin_required=fmt.dollars(pos_notional * MAINTENANCE_MARGIN),
                        is_portfolio=False,
                    )
                )
        leverage = float((notional / equity).quantize(Decimal("0.0001"))) if equity > 0 and notional else None
        return PERPS.rest(
            "GetMarginRiskResponse",
            account_leverage=leverage,
            total_position_notional=fmt.dollars(notional),
            total_maintenance_margin=fmt.dollars(maintenance),
            positions=rows,
        )

    def open_interest(self, market: PerpsMarket) -> Decimal:
        """Contracts held long (equal to those held short)."""
        return sum(
            (
                max(a.positions[market.ticker].position, _ZERO)
                for a in self.accounts.values()
                if market.ticker in a.positions
            ),
            _ZERO,
        )

    def market_view(self, market: PerpsMarket) -> dict[str, Any]:
        """The spec `MarginMarket` with live prices from the book."""
        book = market.book
        bid, ask = book.best(BookSide.BID), book.best(BookSide.ASK)
        cs = market.contract_size
        oi = self.open_interest(market)
        now = self.clock()
        live = {
            "market_id": market.market_id,
            "price": fmt.dollars(market.last_price),
            "bid": fmt.dollars(bid or _ZERO),
            "ask": fmt.dollars(ask or _ZERO),
            "bid_size_fp": fmt.count(book.size_at(BookSide.BID, bid) if bid is not None else _ZERO),
            "ask_size_fp": fmt.count(book.size_at(BookSide.ASK, ask) if ask is not None else _ZERO),
            "volume": fmt.count(market.volume),
            "volume_24h": fmt.count(market.volume),
            "open_interest": fmt.count(oi),
            "volume_notional_value_dollars": fmt.dollars(market.volume * market.mark_price * cs),
            "volume_24h_notional_value_dollars": fmt.dollars(market.volume * market.mark_price * cs),
            "open_interest_notional_value_dollars": fmt.dollars(oi * market.mark_price * cs),
            "reference_price": {"price": fmt.dollars(market.index_price), "ts_ms": now},
            "settlement_mark_price": {"price": fmt.dollars(market.mark_price), "ts_ms": now},
            "schedule": {"is_open": market.info["status"] == "active", "next_close_ts": None, "next_open_ts": None},
            "leverage_estimate": float(1 / INITIAL_MARGIN),
        }
        return PERPS.rest("MarginMarket", **(market.info | live))

    def orderbook_view(self, market: PerpsMarket, depth: int = 0, bucket: Decimal | None = None) -> dict[str, Any]:
        """`MarginOrderbookCount`: bids best (highest) first, asks best (lowest) first.

        `bucket` (`aggregation_tick_size`) sums levels into price buckets: bids down to a multiple
        of it, asks up to one, so an aggregated level is never better than the orders in it.
        """
        sides = {}
        for side in (BookSide.BID, BookSide.ASK):
            levels = market.book.levels(side, 0 if bucket else depth)
            if bucket:
                merged: dict[Decimal, Decimal] = {}
                rounding = ROUND_FLOOR if side is BookSide.BID else ROUND_CEILING
                for price, size in levels:
                    key = (price / bucket).to_integral_value(rounding) * bucket
                    merged[key] = merged.get(key, _ZERO) + size
                levels = list(merged.items())[: depth or None]
            sides[side] = [[fmt.dollars(p), fmt.count(q)] for p, q in levels]
        return PERPS.rest("MarginOrderbookCount", bids=sides[BookSide.BID], asks=sides[BookSide.ASK])

    def order_view(self, order: Order) -> dict[str, Any]:
        """The spec `MarginOrder`."""
        m = order.meta
        return PERPS.rest(
            "MarginOrder",
            order_id=order.order_id,
            user_id=m["user_id"],
            client_order_id=m["client_order_id"],
            ticker=m["ticker"],
            side=order.side.value,
            last_update_reason=order.last_update_reason if order.last_update_reason in _REST_REASONS else "",
            price=fmt.dollars(order.price),
            fill_count=fmt.count(order.filled),
            remaining_count=fmt.count(order.remaining),
            expiration_time=fmt.rfc3339(m["expiration_s"] * 1000) if m.get("expiration_s") else None,
            created_time=fmt.rfc3339(m["created_ms"]),
            last_update_time=fmt.rfc3339(m["updated_ms"]),
            self_trade_prevention_type=order.self_trade_prevention.value,
            cancel_order_on_pause=m["cancel_order_on_pause"],
            order_group_id=m.get("order_group_id"),
            order_source=m["order_source"],
            order_reason=m.get("order_reason"),
        )

    # --- WebSocket msgs ------------------------------------------------------------------------

    def snapshot_msg(self, market: PerpsMarket) -> dict[str, Any]:
        """The `orderbook_snapshot` msg: `bid` and `ask` arrays of [price, count], best first."""
        book = self.orderbook_view(market)
        return PERPS.ws("orderbook_snapshot", market_ticker=market.ticker, bid=book["bids"], ask=book["asks"])

    def ticker_msg(self, market: PerpsMarket) -> dict[str, Any]:
        """The `ticker` msg, with the live funding rate and the next funding time."""
        view = self.market_view(market)
        now = self.clock()
        last = market.trades[-1]["count"] if market.trades else fmt.count(_ZERO)
        return PERPS.ws(
            "ticker",
            market_ticker=market.ticker,
            last_trade_size_fp=last,
            funding_rate={
                "rate": float(self.funding_rate(market)),
                "next_funding_time_ms": market.next_funding_ms,
                "ts_ms": now,
            },
            ts_ms=now,
            **{k: view[k] for k in _TICKER_FIELDS},
        )

    def user_order_msg(self, order: Order) -> dict[str, Any]:
        """The `user_order` msg (no status field: remaining_count and last_update_reason tell the state)."""
        m = order.meta
        reason = order.last_update_reason
        return PERPS.ws(
            "user_order",
            order_id=order.order_id,
            user_id=m["user_id"],
            client_order_id=m["client_order_id"],
            ticker=m["ticker"],
            side=order.side.value,
            price=fmt.dollars(order.price),
            fill_count=fmt.count(order.filled),
            remaining_count=fmt.count(order.remaining),
            self_trade_prevention_type=order.self_trade_prevention.value,
            order_group_id=m.get("order_group_id"),
            expiration_ts_ms=m["expiration_s"] * 1000 if m.get("expiration_s") else None,
            created_ts_ms=m["created_ms"],
            last_updated_ts_ms=m["updated_ms"],
            last_update_reason=reason if reason in _WS_REASONS else None,
            subaccount_number=m["subaccount"],
            order_source=m["order_source"],
        )


_TICKER_FIELDS = (
    "price",
    "bid",
    "ask",
    "bid_size_fp",
    "ask_size_fp",
    "volume",
    "volume_notional_value_dollars",
    "volume_24h",
    "volume_24h_notional_value_dollars",
    "open_interest",
    "open_interest_notional_value_dollars",
    "reference_price",
    "settlement_mark_price",
)
_REST_REASONS = frozenset(PERPS.enums["LastUpdateReason"])
_WS_REASONS = frozenset(PERPS.ws_field_enums["user_order"]["last_update_reason"])
