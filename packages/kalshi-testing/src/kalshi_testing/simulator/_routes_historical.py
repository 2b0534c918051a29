"""REST routes for the historical tier: data older than `Exchange.historical_cutoff_ms`.

The cutoff starts at the scenario's start, so nothing is historical until a test moves it
(`sim.call(lambda ex: setattr(ex, "historical_cutoff_ms", sim.clock()))`); then settled markets,
trades, fills and finished orders before it are served here (openapi.yaml, historical tag).
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web

from . import _format as fmt
from ._candles import candle_window, candlesticks
from ._exchange import ExchangeError
from ._http import USER, RouteBase, answer, int_query
from ._matching import OrderStatus
from ._pagination import paginate
from ._state import Market

__all__ = ["HistoricalRoutes"]


class HistoricalRoutes(RouteBase):
    """Archived markets, trades and portfolio history."""

    OPERATIONS: ClassVar[dict[str, str]] = {
        "GetHistoricalCutoff": "hist_cutoff",
        "GetHistoricalMarkets": "hist_markets",
        "GetHistoricalMarket": "hist_market",
        "GetMarketCandlesticksHistorical": "hist_candlesticks",
        "GetTradesHistorical": "hist_trades",
        "GetFillsHistorical": "hist_fills",
        "GetHistoricalOrders": "hist_orders",
        "GetHistoricalPositions": "hist_positions",
    }

    def _cutoff(self) -> str:
        return fmt.rfc3339(self.exchange.historical_cutoff_ms)

    def _archived(self) -> list[Market]:
        cutoff = self._cutoff()
        return [
            m
            for m in self.exchange.markets.values()
            if m.info.get("status") == "finalized" and str(m.info.get("settlement_ts", "")) < cutoff
        ]

    @staticmethod
    def _time_window(items: list[dict[str, Any]], q: Any, field: str) -> list[dict[str, Any]]:
        lo, hi = int_query(q, "min_ts"), int_query(q, "max_ts")
        if lo is not None:
            items = [i for i in items if i[field] >= fmt.rfc3339(lo * 1000)]
        if hi is not None:
            items = [i for i in items if i[field] <= fmt.rfc3339(hi * 1000)]
        if "ticker" in q:
            items = [i for i in items if i["ticker"] == q["ticker"]]
        return items

    async def hist_cutoff(self, request: web.Request) -> web.Response:
        """GetHistoricalCutoff: one cutoff for markets, trades and orders."""
        cut = self._cutoff()
        return answer(
            "GetHistoricalCutoff",
            market_settled_ts=cut,
            trades_created_ts=cut,
            orders_updated_ts=cut,
            market_positions_last_updated_ts=cut,
        )

    async def hist_markets(self, request: web.Request) -> web.Response:
        """GetHistoricalMarkets: settled before the cutoff; filters tickers, event_ticker."""
        q = request.query
        markets = self._archived()
        if "tickers" in q:
            markets = [m for m in markets if m.ticker in q["tickers"].split(",")]
        if "event_ticker" in q:
            markets = [m for m in markets if m.info["event_ticker"] == q["event_ticker"]]
        page, cursor = paginate(markets, q, "markets")
        return answer("GetHistoricalMarkets", markets=[self.exchange.market_view(m) for m in page], cursor=cursor)

    def _archived_market(self, ticker: str) -> Market:
        for market in self._archived():
            if market.ticker == ticker:
                return market
        raise ExchangeError(404, "market_not_found", f"market {ticker} is not in the historical tier")

    async def hist_market(self, request: web.Request) -> web.Response:
        """GetHistoricalMarket."""
        market = self._archived_market(request.match_info["ticker"])
        return answer("GetHistoricalMarket", market=self.exchange.market_view(market))

    async def hist_candlesticks(self, request: web.Request) -> web.Response:
        """GetMarketCandlesticksHistorical."""
        market = self._archived_market(request.match_info["ticker"])
        candles = candlesticks(market, *candle_window(request.query))
        return answer("GetMarketCandlesticksHistorical", ticker=market.ticker, candlesticks=candles)

    async def hist_trades(self, request: web.Request) -> web.Response:
        """GetTradesHistorical: trades before the cutoff, newest first."""
        cut = self._cutoff()
        items = [t for m in self.exchange.markets.values() for t in m.trades if t["created_time"] < cut]
        items = self._time_window(
            sorted(items, key=lambda t: t["created_time"], reverse=True), request.query, "created_time"
        )
        page, cursor = paginate(items, request.query, "trades")
        return answer("GetTradesHistorical", trades=page, cursor=cursor)

    async def hist_fills(self, request: web.Request) -> web.Response:
        """GetFillsHistorical: the user's fills before the cutoff, newest first."""
        cut = self._cutoff()
        sub = int_query(request.query, "subaccount")
        items = [
            f
            for (u, s), a in self.exchange.accounts.items()
            if u == USER.get() and sub in (None, s)
            for f in a.fills
            if f["created_time"] < cut
        ]
        items = self._time_window(
            sorted(items, key=lambda f: f["created_time"], reverse=True), request.query, "created_time"
        )
        page, cursor = paginate(items, request.query, "fills")
        return answer("GetFillsHistorical", fills=page, cursor=cursor)

    async def hist_orders(self, request: web.Request) -> web.Response:
        """GetHistoricalOrders: the user's finished orders last updated before the cutoff."""
        q = request.query
        sub = int_query(q, "subaccount")
        orders = [
            o
            for o in self.exchange.orders.values()
            if o.meta["user_id"] == USER.get()
            and sub in (None, o.meta["subaccount"])
            and o.status is not OrderStatus.RESTING
            and o.meta["updated_ms"] < self.exchange.historical_cutoff_ms
        ]
        if "ticker" in q:
            orders = [o for o in orders if o.meta["ticker"] == q["ticker"]]
        orders.sort(key=lambda o: (o.meta["created_ms"], o.order_id), reverse=True)
        page, cursor = paginate(orders, q, "orders")
        return answer("GetHistoricalOrders", orders=[self.exchange.order_view(o) for o in page], cursor=cursor)

    async def hist_positions(self, request: web.Request) -> web.Response:
        """GetHistoricalPositions: the user's positions in archived markets."""
        q = request.query
        archived = {m.ticker for m in self._archived()}
        sub = int_query(q, "subaccount") or 0
        positions = [p for t, p in sorted(self.exchange.account(USER.get(), sub).positions.items()) if t in archived]
        if "ticker" in q:
            positions = [p for p in positions if p.ticker == q["ticker"]]
        page, cursor = paginate(positions, q, "positions")
        views = [self.exchange.position_view(p) for p in page]
        return answer("GetHistoricalPositions", market_positions=views, event_positions=[], cursor=cursor)
