"""REST routes for the exchange, series, events, markets and market data."""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web

from . import _format as fmt
from ._candles import candle_window, candlesticks
from ._exchange import ExchangeError
from ._http import RouteBase, int_query, reply
from ._pagination import paginate
from ._shapes import rest

__all__ = ["MarketRoutes"]

_MARKET_STATUS = {
    "unopened": {"initialized"},
    "open": {"active"},
    "paused": {"inactive"},
    "closed": {"closed"},
    "settled": {"determined", "finalized", "amended", "disputed"},
}
"""Query `status` values -> Market.status values."""


class MarketRoutes(RouteBase):
    """Public market data."""

    OPERATIONS: ClassVar[dict[str, str]] = {
        "GetExchangeStatus": "exchange_status",
        "GetExchangeSchedule": "exchange_schedule",
        "GetSeriesList": "series_list",
        "GetSeries": "series_one",
        "GetMarketCandlesticks": "candlesticks",
        "GetEvents": "events_list",
        "GetEvent": "event_one",
        "GetMarkets": "markets_list",
        "GetTrades": "trades",
        "GetMarketOrderbooks": "orderbooks",
        "GetMarket": "market_one",
        "GetMarketOrderbook": "orderbook",
        "GetUserDataTimestamp": "user_data_timestamp",
    }

    async def exchange_status(self, request: web.Request) -> web.Response:
        """GetExchangeStatus."""
        active = self.exchange.trading_active
        return reply(
            rest("ExchangeStatus", exchange_active=True, trading_active=active, exchange_estimated_resume_time=None)
        )

    async def exchange_schedule(self, request: web.Request) -> web.Response:
        """GetExchangeSchedule: open around the clock."""
        day = [rest("DailySchedule", open_time="00:00", close_time="24:00")]
        week = rest(
            "WeeklySchedule",
            start_time="2026-01-01T00:00:00Z",
            end_time="2027-01-01T00:00:00Z",
            **{d: day for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")},
        )
        return reply(
            rest(
                "GetExchangeScheduleResponse", schedule=rest("Schedule", standard_hours=[week], maintenance_windows=[])
            )
        )

    async def series_list(self, request: web.Request) -> web.Response:
        """GetSeriesList (not paginated)."""
        category = request.query.get("category")
        items = [rest("Series", **s) for s in self.exchange.series.values() if category in (None, s.get("category"))]
        return reply(rest("GetSeriesListResponse", series=items))

    async def series_one(self, request: web.Request) -> web.Response:
        """GetSeries."""
        s = self.exchange.series.get(request.match_info["series_ticker"])
        if s is None:
            raise ExchangeError(404, "series_not_found", "series not found")
        return reply(rest("GetSeriesResponse", series=rest("Series", **s)))

    def _event_view(self, e: dict[str, Any], nested: bool) -> dict[str, Any]:
        values = dict(e)
        if nested:
            values["markets"] = [
                self.exchange.market_view(m)
                for m in self.exchange.markets.values()
                if m.info["event_ticker"] == e["event_ticker"]
            ]
        return rest("EventData", **values)

    def _event_status(self, event_ticker: str) -> set[str]:
        return {str(m.info["status"]) for m in self.exchange.markets.values() if m.info["event_ticker"] == event_ticker}

    async def events_list(self, request: web.Request) -> web.Response:
        """GetEvents: filters status, series_ticker, with_nested_markets; limit 1-200 (200)."""
        q = request.query
        nested = q.get("with_nested_markets") == "true"
        if nested and q.get("exclude_markets") == "true":
            raise ExchangeError(400, "invalid_parameters", "exclude_markets and with_nested_markets conflict")
        items = list(self.exchange.events.values())
        if "series_ticker" in q:
            items = [e for e in items if e["series_ticker"] == q["series_ticker"]]
        if "status" in q:
            wanted = _MARKET_STATUS.get(q["status"])
            if wanted is None:
                raise ExchangeError(400, "invalid_parameters", f"unknown status {q['status']!r}", "status")
            items = [e for e in items if self._event_status(e["event_ticker"]) & wanted]
        if "min_close_ts" in q:
            closes = {m.info["event_ticker"]: m.info["close_time"] for m in self.exchange.markets.values()}
            limit = fmt.rfc3339((int_query(q, "min_close_ts") or 0) * 1000)
            items = [e for e in items if closes.get(e["event_ticker"], "") >= limit]
        page, cursor = paginate(items, q, "events")
        return reply(rest("GetEventsResponse", events=[self._event_view(e, nested) for e in page], cursor=cursor))

    async def event_one(self, request: web.Request) -> web.Response:
        """GetEvent, with its markets."""
        e = self.exchange.events.get(request.match_info["event_ticker"])
        if e is None:
            raise ExchangeError(404, "event_not_found", "event not found")
        markets = [
            self.exchange.market_view(m)
            for m in self.exchange.markets.values()
            if m.info["event_ticker"] == e["event_ticker"]
        ]
        return reply(rest("GetEventResponse", event=self._event_view(e, False), markets=markets))

    async def markets_list(self, request: web.Request) -> web.Response:
        """GetMarkets: filters status, event_ticker, series_ticker, tickers (comma-joined), and
        min/max_{created,updated,close,settled}_ts; limit 0-1000."""
        q = request.query
        markets = list(self.exchange.markets.values())
        if "status" in q:
            wanted = set().union(*(_MARKET_STATUS.get(s, set()) for s in q["status"].split(",")))
            if not wanted:
                raise ExchangeError(400, "invalid_parameters", f"unknown status {q['status']!r}", "status")
            markets = [m for m in markets if m.info["status"] in wanted]
        if "event_ticker" in q:
            wanted_events = set(q["event_ticker"].split(","))
            markets = [m for m in markets if m.info["event_ticker"] in wanted_events]
        if "series_ticker" in q:
            markets = [
                m
                for m in markets
                if self.exchange.events[m.info["event_ticker"]]["series_ticker"] == q["series_ticker"]
            ]
        if "tickers" in q:
            wanted_tickers = set(q["tickers"].split(","))
            markets = [m for m in markets if m.ticker in wanted_tickers]
        markets = [m for m in markets if _in_time_filters(m.info, q)]
        page, cursor = paginate(markets, q, "markets")
        return reply(rest("GetMarketsResponse", markets=[self.exchange.market_view(m) for m in page], cursor=cursor))

    async def market_one(self, request: web.Request) -> web.Response:
        """GetMarket."""
        market = self.exchange.market(request.match_info["ticker"])
        return reply(rest("GetMarketResponse", market=self.exchange.market_view(market)))

    async def orderbook(self, request: web.Request) -> web.Response:
        """GetMarketOrderbook: `depth` 0 (all) or 1-100."""
        market = self.exchange.market(request.match_info["ticker"])
        depth = int_query(request.query, "depth") or 0
        if depth > 100:
            raise ExchangeError(400, "invalid_parameters", "depth must be between 0 and 100", "depth")
        return reply(rest("GetMarketOrderbookResponse", orderbook_fp=self.exchange.orderbook_view(market, depth)))

    async def orderbooks(self, request: web.Request) -> web.Response:
        """GetMarketOrderbooks: repeated `tickers` (1-100)."""
        tickers = request.query.getall("tickers", [])
        if not 1 <= len(tickers) <= 100:
            raise ExchangeError(400, "invalid_parameters", "send between 1 and 100 tickers", "tickers")
        books = [
            rest("MarketOrderbookFp", ticker=t, orderbook_fp=self.exchange.orderbook_view(self.exchange.market(t)))
            for t in tickers
        ]
        return reply(rest("GetMarketOrderbooksResponse", orderbooks=books))

    async def trades(self, request: web.Request) -> web.Response:
        """GetTrades: newest first; filters ticker, min_ts, max_ts (seconds), is_block_trade."""
        q = request.query
        markets = [self.exchange.market(q["ticker"])] if "ticker" in q else list(self.exchange.markets.values())
        items = sorted((t for m in markets for t in m.trades), key=lambda t: t["created_time"], reverse=True)
        if "is_block_trade" in q:
            items = [t for t in items if str(t.get("is_block_trade", False)).lower() == q["is_block_trade"].lower()]
        lo, hi = int_query(q, "min_ts"), int_query(q, "max_ts")
        if lo is not None:
            items = [t for t in items if t["created_time"] >= fmt.rfc3339(lo * 1000)]
        if hi is not None:
            items = [t for t in items if t["created_time"] <= fmt.rfc3339(hi * 1000)]
        page, cursor = paginate(items, q, "trades")
        return reply(rest("GetTradesResponse", trades=page, cursor=cursor))

    async def candlesticks(self, request: web.Request) -> web.Response:
        """GetMarketCandlesticks from the simulator's own trades; period_interval 1, 60 or 1440 minutes."""
        market = self.exchange.market(request.match_info["ticker"])
        candles = candlesticks(market, *candle_window(request.query))
        return reply(rest("GetMarketCandlesticksResponse", ticker=market.ticker, candlesticks=candles))

    async def user_data_timestamp(self, request: web.Request) -> web.Response:
        """GetUserDataTimestamp: the simulator's portfolio data is always current."""
        return reply(rest("GetUserDataTimestampResponse", as_of_time=fmt.rfc3339(self.clock())))


_TIME_FILTERS = {
    "created": "created_time",
    "updated": "updated_time",
    "close": "close_time",
    "settled": "settlement_ts",
}
"""GetMarkets `min_<x>_ts` / `max_<x>_ts` query names -> the Market field they bound."""


def _in_time_filters(info: dict[str, Any], query: Any) -> bool:
    """Whether a market's times lie within every `min_*_ts` / `max_*_ts` bound given (seconds)."""
    for name, field in _TIME_FILTERS.items():
        for bound in ("min", "max"):
            seconds = int_query(query, f"{bound}_{name}_ts")
            if seconds is None:
                continue
            value = str(info.get(field) or "")
            if not value:
                return False
            at = fmt.seconds(value)
            if (bound == "min" and at < seconds) or (bound == "max" and at > seconds):
                return False
    return True
