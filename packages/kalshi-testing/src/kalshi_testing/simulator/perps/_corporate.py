"""Corporate actions on perps markets: stock splits, final settlements and ticker changes (perps_openapi.yaml).

Applying one changes positions without a fill, bumps the market version where trading resumes
on new terms, lists a `MarginCorporateAction` notice (`GET /margin/corporate_actions`) and streams
a `corporate_actions_delta` (perps_asyncapi.yaml). Resting orders in the market are cancelled.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._exchange import ExchangeError, FeedEvent

from ._base import EngineBase
from ._spec import PERPS
from ._state import PerpsMarket

__all__ = ["CorporateActions"]

_ZERO = Decimal(0)
_WEEK_MS = 7 * 86_400_000


class CorporateActions(EngineBase):
    """Applies corporate actions and keeps their notices."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notices: list[tuple[int, dict[str, Any]]] = []
        """(applied at ms, `MarginCorporateAction`), oldest first."""

    def corporate_actions(self, ticker: str | None = None, market_id: str | None = None) -> list[dict[str, Any]]:
        """Notices of the last 7 days (GetMarginCorporateActions), optionally for one market."""
        since = self.clock() - _WEEK_MS
        return [
            n
            for at, n in self.notices
            if at >= since and ticker in (None, "", n["market_ticker"]) and market_id in (None, "", n["market_id"])
        ]

    def _cancel_resting(self, market: PerpsMarket) -> None:
        for order in market.book.orders():
            result = market.book.cancel(order.order_id, "CloseCancel")
            if result is not None:
                self.apply(market, result)

    def stock_split(self, ticker: str, ratio_old: int, ratio_new: int) -> dict[str, Any]:
        """`ratio_old` contracts become `ratio_new`: positions scale up, prices scale down."""
        if ratio_old <= 0 or ratio_new <= 0:
            raise ExchangeError(400, "invalid_parameters", "split ratios must be positive")
        market = self.market(ticker)
        self._cancel_resting(market)
        factor = Decimal(ratio_new) / Decimal(ratio_old)
        pre = market.mark_price
        for account in self.accounts.values():
            pos = account.positions.get(ticker)
            if pos is not None:
                pos.position *= factor
                pos.entry_price /= factor
        market.last_price /= factor
        market.index_price /= factor
        market.info["market_version"] += 1
        terms = {"ratio_old": str(ratio_old), "ratio_new": str(ratio_new)}
        post = market.mark_price
        marks = {"pre_split_mark_price": fmt.dollars(pre), "post_split_mark_price": fmt.dollars(post)}
        return self._record(market, "stock_split", "split", rest_terms=terms, ws_terms=terms | marks)

    def final_settlement(self, ticker: str, price: Decimal) -> dict[str, Any]:
        """Close every position at `price` (PnL into cash) and stop trading the market."""
        market = self.market(ticker)
        self._cancel_resting(market)
        for account in self.accounts.values():
            pos = account.positions.get(ticker)
            if pos is None or pos.position == 0:
                continue
            pnl = (price - pos.entry_price) * pos.position * market.contract_size
            account.cash += pnl
            pos.realized_pnl += pnl
            pos.position = _ZERO
            pos.entry_price = _ZERO
        market.last_price = price
        market.info["status"] = "closed"
        per_contract = {"settlement_price_per_contract": fmt.dollars(price)}
        rest_terms = {"reason": "expiry"} | per_contract
        return self._record(
            market, "final_settlement", "final_settlement", rest_terms=rest_terms, ws_terms=per_contract
        )

    def change_ticker(self, ticker: str, new_ticker: str) -> dict[str, Any]:
        """Rename a market; positions and orders follow, and the market version increases."""
        market = self.market(ticker)
        if new_ticker in self.markets:
            raise ExchangeError(400, "invalid_parameters", f"market {new_ticker} already exists")
        self._cancel_resting(market)
        del self.markets[ticker]
        market.info["ticker"] = new_ticker
        market.info["market_version"] += 1
        self.markets[new_ticker] = market
        for account in self.accounts.values():
            if ticker in account.positions:
                pos = account.positions.pop(ticker)
                pos.ticker = new_ticker
                account.positions[new_ticker] = pos
        for order in self.orders.values():
            if order.meta["ticker"] == ticker:
                order.meta["ticker"] = new_ticker
        terms = {"old_ticker": ticker, "new_ticker": new_ticker}
        return self._record(
            market, "ticker_change", "ticker_change", rest_terms=terms, ws_terms=terms, feed_ticker=ticker
        )

    def _record(
        self,
        market: PerpsMarket,
        kind: str,
        key: str,
        *,
        rest_terms: dict[str, Any],
        ws_terms: dict[str, Any],
        feed_ticker: str | None = None,
    ) -> dict[str, Any]:
        now = self.clock()
        notice = PERPS.rest(
            "MarginCorporateAction",
            id=self.next_id(),
            market_id=market.market_id,
            market_ticker=market.ticker,
            type=kind,
            status="applied",
            updated_ts=fmt.rfc3339(now),
            execution_time=fmt.rfc3339(now),
            **{key: rest_terms},
        )
        self.notices.append((now, notice))
        action = {
            "id": notice["id"],
            "market_id": market.market_id,
            "market_ticker": market.ticker,
            "type": kind,
            "ts_ms": now,
            key: ws_terms,
        }
        msg = PERPS.ws("corporate_actions_delta", corporate_action=action)
        self.publish(
            FeedEvent("corporate_actions", "corporate_actions_delta", msg, ticker=feed_ticker or market.ticker)
        )
        return notice
