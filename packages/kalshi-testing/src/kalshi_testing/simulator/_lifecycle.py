"""Market lifecycle: closing a market and settling it."""

from __future__ import annotations

from typing import Any

from . import _format as fmt
from ._fills import ExchangeFills
from ._shapes import rest, ws
from ._state import ONE, ZERO, ExchangeError, FeedEvent, Market

__all__ = ["ExchangeLifecycle"]


class ExchangeLifecycle(ExchangeFills):
    def _lifecycle(self, market: Market, event_type: str, **values: Any) -> None:
        msg = ws("market_lifecycle_v2", market_ticker=market.ticker, event_type=event_type, exchange_index=0, **values)
        self._publish(FeedEvent("market_lifecycle_v2", "market_lifecycle_v2", msg, ticker=market.ticker))

    def close_market(self, ticker: str) -> int:
        """Stop trading a market: cancel its resting orders (`CloseCancel`); returns how many."""
        market = self.market(ticker)
        cancelled = 0
        for order in market.book.orders():
            result = market.book.cancel(order.order_id, "CloseCancel")
            if result is not None:
                self._apply(market, result)
                cancelled += 1
        market.info["status"] = "closed"
        self._lifecycle(market, "deactivated", is_deactivated=True, close_ts=self.clock() // 1000)
        return cancelled

    def settle_market(self, ticker: str, result: str) -> None:
        """Determine and settle a market: pay $1 per winning contract, flatten positions, record settlements."""
        if result not in ("yes", "no"):
            raise ExchangeError(400, "invalid_parameters", "result must be 'yes' or 'no'")
        market = self.market(ticker)
        if market.info.get("status") == "active":
            self.close_market(ticker)
        now = self.clock()
        value = ONE if result == "yes" else ZERO
        market.info |= {
            "status": "finalized",
            "result": result,
            "settlement_value_dollars": fmt.dollars(value),
            "settlement_ts": fmt.rfc3339(now),
        }
        self._lifecycle(
            market, "determined", result=result, determination_ts=now // 1000, settlement_value=fmt.dollars(value)
        )
        for account in self.accounts.values():
            pos = account.positions.get(ticker)
            if pos is None or pos.position == 0:
                continue
            yes_count = max(pos.position, ZERO)
            no_count = max(-pos.position, ZERO)
            payout = yes_count * value + no_count * (ONE - value)
            account.balance += payout
            account.updated_ms = now
            pos.realized_pnl += payout - pos.cost
            account.settlements.append(
                rest(
                    "Settlement",
                    ticker=ticker,
                    exchange_index=0,
                    event_ticker=market.info["event_ticker"],
                    market_result=result,
                    yes_count_fp=fmt.count(yes_count),
                    yes_total_cost_dollars=fmt.dollars(pos.cost if yes_count else ZERO),
                    no_count_fp=fmt.count(no_count),
                    no_total_cost_dollars=fmt.dollars(pos.cost if no_count else ZERO),
                    revenue=int(payout * 100),
                    settled_time=fmt.rfc3339(now),
                    fee_cost=fmt.dollars(pos.fees_paid),
                    value=int(value * 100),
                )
            )
            pos.position = ZERO
            pos.cost = ZERO
            pos.updated_ms = now
            self._publish(
                FeedEvent(
                    "market_positions",
                    "market_position",
                    ws(
                        "market_position",
                        user_id=account.user_id,
                        market_ticker=ticker,
                        position_fp=fmt.count(ZERO),
                        position_cost_dollars=fmt.dollars(ZERO),
                        realized_pnl_dollars=fmt.dollars(pos.realized_pnl),
                        fees_paid_dollars=fmt.dollars(pos.fees_paid),
                        position_fee_cost_dollars=fmt.dollars(pos.fees_paid),
                        volume_fp=fmt.count(pos.volume),
                        subaccount=account.subaccount,
                    ),
                    ticker=ticker,
                    user_id=account.user_id,
                )
            )
        self._lifecycle(market, "settled", settled_ts=now // 1000)
