"""REST routes for reference data: fee changes, multivariate collections, event metadata and
candlesticks, milestones, structured targets, live data, search, incentive programs.

Reference objects live in `Exchange.records` by kind, so a test seeds them with
`sim.call(lambda ex: ex.add_record("milestone", "", rest("Milestone", id="m1", ...), "m1"))`.
Kinds: `milestone`, `structured_target`, `mve_collection`, `incentive_program`, `live_data`
(keyed by milestone id), `series_fee_change`, `event_fee_change`. Unseeded lists are empty.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiohttp import web

from ._candles import candle_window, candlesticks
from ._exchange import ExchangeError
from ._http import RouteBase, answer, operation_body
from ._pagination import paginate
from ._shapes import rest

__all__ = ["ReferenceRoutes"]


class ReferenceRoutes(RouteBase):
    """Read-mostly reference data."""

    OPERATIONS: ClassVar[dict[str, str]] = {
        "GetSeriesFeeChanges": "series_fee_changes",
        "GetEventFeeChanges": "event_fee_changes",
        "BatchGetMarketCandlesticks": "batch_candlesticks",
        "GetMarketCandlesticksByEvent": "event_candlesticks",
        "GetMultivariateEvents": "multivariate_events",
        "GetEventMetadata": "event_metadata",
        "GetEventForecastPercentilesHistory": "forecast_history",
        "GetMultivariateEventCollections": "collections_list",
        "GetMultivariateEventCollection": "collection_one",
        "CreateMarketInMultivariateEventCollection": "collection_market",
        "GetMilestones": "milestones_list",
        "GetMilestone": "milestone_one",
        "GetStructuredTargets": "targets_list",
        "GetStructuredTarget": "target_one",
        "GetLiveData": "live_data",
        "GetLiveDataByMilestone": "live_data",
        "GetLiveDatas": "live_datas",
        "GetGameStats": "game_stats",
        "GetEventLiveData": "event_live_data",
        "GetWeatherIndex": "weather",
        "GetWeatherIndexCalibrations": "weather_calibrations",
        "GetTagsForSeriesCategories": "tags_by_categories",
        "GetFiltersForSports": "filters_by_sport",
        "GetIncentivePrograms": "incentive_programs",
    }

    def _objs(self, kind: str, query: Any, *filters: str) -> list[dict[str, Any]]:
        items = [r.obj for r in self.exchange.records_of(kind)]
        for name in filters:
            if name in query:
                items = [o for o in items if str(o.get(name)) == query[name]]
        return items

    # --- fee changes and events ----------------------------------------------------------------

    async def series_fee_changes(self, request: web.Request) -> web.Response:
        """GetSeriesFeeChanges: filter series_ticker."""
        items = self._objs("series_fee_change", request.query, "series_ticker")
        return answer("GetSeriesFeeChanges", series_fee_change_arr=items)

    async def event_fee_changes(self, request: web.Request) -> web.Response:
        """GetEventFeeChanges: filter event_ticker."""
        items = self._objs("event_fee_change", request.query, "event_ticker")
        page, cursor = paginate(items, request.query, "fee_changes")
        return answer("GetEventFeeChanges", event_fee_changes=page, cursor=cursor)

    async def batch_candlesticks(self, request: web.Request) -> web.Response:
        """BatchGetMarketCandlesticks: comma-joined market_tickers (1-100)."""
        tickers = [t for t in request.query.get("market_tickers", "").split(",") if t]
        if not 1 <= len(tickers) <= 100:
            raise ExchangeError(400, "invalid_parameters", "send 1 to 100 market_tickers", "market_tickers")
        window = candle_window(request.query)
        markets = [
            rest(
                "MarketCandlesticksResponse",
                market_ticker=t,
                candlesticks=candlesticks(self.exchange.market(t), *window),
            )
            for t in tickers
        ]
        return answer("BatchGetMarketCandlesticks", markets=markets)

    def _event(self, event_ticker: str, status: int = 404) -> dict[str, Any]:
        event = self.exchange.events.get(event_ticker)
        if event is None:  # `status` 400 where the operation declares no 404
            raise ExchangeError(status, "event_not_found", "event not found")
        return event

    async def event_candlesticks(self, request: web.Request) -> web.Response:
        """GetMarketCandlesticksByEvent: every market of the event, same windows."""
        event = self._event(request.match_info["ticker"], 400)
        start, end, period = candle_window(request.query)
        markets = [m for m in self.exchange.markets.values() if m.info["event_ticker"] == event["event_ticker"]]
        return answer(
            "GetMarketCandlesticksByEvent",
            market_tickers=[m.ticker for m in markets],
            market_candlesticks=[candlesticks(m, start, end, period) for m in markets],
            adjusted_end_ts=end,
        )

    async def multivariate_events(self, request: web.Request) -> web.Response:
        """GetMultivariateEvents: events of multivariate collections (none unless seeded)."""
        page, cursor = paginate(self._objs("mve_event", request.query, "series_ticker"), request.query, "mve_events")
        return answer("GetMultivariateEvents", events=page, cursor=cursor)

    async def event_metadata(self, request: web.Request) -> web.Response:
        """GetEventMetadata."""
        event = self._event(request.match_info["event_ticker"])
        details = [
            rest("MarketMetadata", market_ticker=m.ticker)
            for m in self.exchange.markets.values()
            if m.info["event_ticker"] == event["event_ticker"]
        ]
        sources = list(event.get("settlement_sources") or [])
        return answer("GetEventMetadata", market_details=details, settlement_sources=sources)

    async def forecast_history(self, request: web.Request) -> web.Response:
        """GetEventForecastPercentilesHistory: no forecasts in the simulator."""
        self._event(request.match_info["ticker"], 400)
        candle_window(request.query)
        return answer("GetEventForecastPercentilesHistory", forecast_history=[])

    # --- multivariate collections --------------------------------------------------------------

    async def collections_list(self, request: web.Request) -> web.Response:
        """GetMultivariateEventCollections: filter series_ticker."""
        items = self._objs("mve_collection", request.query, "series_ticker")
        page, cursor = paginate(items, request.query, "collections")
        return answer("GetMultivariateEventCollections", multivariate_contracts=page, cursor=cursor)

    async def collection_one(self, request: web.Request) -> web.Response:
        """GetMultivariateEventCollection."""
        record = self.exchange.record("mve_collection", request.match_info["collection_ticker"])
        return answer("GetMultivariateEventCollection", multivariate_contract=record.obj)

    async def collection_market(self, request: web.Request) -> web.Response:
        """CreateMarketInMultivariateEventCollection: the simulator creates no combo markets (400)."""
        if request.match_info["collection_ticker"] not in self.exchange.records.get("mve_collection", {}):
            raise ExchangeError(400, "invalid_parameters", "unknown collection_ticker")
        await operation_body(request, "CreateMarketInMultivariateEventCollection")
        raise ExchangeError(400, "invalid_parameters", "the simulator creates no multivariate markets")

    # --- milestones, targets, live data --------------------------------------------------------

    async def milestones_list(self, request: web.Request) -> web.Response:
        """GetMilestones: filters category, competition, type."""
        items = self._objs("milestone", request.query, "category", "competition", "type")
        page, cursor = paginate(items, request.query, "milestones")
        return answer("GetMilestones", milestones=page, cursor=cursor)

    async def milestone_one(self, request: web.Request) -> web.Response:
        """GetMilestone."""
        return answer(
            "GetMilestone", milestone=self.exchange.record("milestone", request.match_info["milestone_id"]).obj
        )

    async def targets_list(self, request: web.Request) -> web.Response:
        """GetStructuredTargets: `page_size` (1-2000), filter type."""
        query = {("limit" if k == "page_size" else k): v for k, v in request.query.items()}
        page, cursor = paginate(self._objs("structured_target", query, "type"), query, "structured_targets")
        return answer("GetStructuredTargets", structured_targets=page, cursor=cursor)

    async def target_one(self, request: web.Request) -> web.Response:
        """GetStructuredTarget."""
        record = self.exchange.record("structured_target", request.match_info["structured_target_id"])
        return answer("GetStructuredTarget", structured_target=record.obj)

    async def live_data(self, request: web.Request) -> web.Response:
        """GetLiveData / GetLiveDataByMilestone."""
        record = self.exchange.record("live_data", request.match_info["milestone_id"])
        return answer("GetLiveData", live_data=record.obj)

    async def live_datas(self, request: web.Request) -> web.Response:
        """GetLiveDatas: repeated or comma-joined milestone_ids; unknown ids are skipped."""
        ids = [i for v in request.query.getall("milestone_ids", []) for i in v.split(",") if i]
        known = self.exchange.records.get("live_data", {})
        return answer("GetLiveDatas", live_datas=[known[i].obj for i in ids if i in known])

    async def game_stats(self, request: web.Request) -> web.Response:
        """GetGameStats: 404 for an unknown milestone."""
        self.exchange.record("milestone", request.match_info["milestone_id"])
        return answer("GetGameStats")

    async def event_live_data(self, request: web.Request) -> web.Response:
        """GetEventLiveData."""
        self._event(request.match_info["event_ticker"])
        return answer("GetEventLiveData", live_data=rest("EventLiveData", type="none", details={}))

    async def weather(self, request: web.Request) -> web.Response:
        """GetWeatherIndex: no weather feed in the simulator."""
        return answer("GetWeatherIndex", city=request.match_info["city"], units="fahrenheit", timeseries=[])

    async def weather_calibrations(self, request: web.Request) -> web.Response:
        """GetWeatherIndexCalibrations."""
        return answer(
            "GetWeatherIndexCalibrations", city=request.match_info["city"], units="fahrenheit", calibrations=[]
        )

    # --- search and incentives -----------------------------------------------------------------

    async def tags_by_categories(self, request: web.Request) -> web.Response:
        """GetTagsForSeriesCategories: the series' tags by category."""
        tags: dict[str, list[str]] = {}
        for s in self.exchange.series.values():
            known = tags.setdefault(str(s.get("category", "")), [])
            known.extend(t for t in s.get("tags") or [] if t not in known)
        return answer("GetTagsForSeriesCategories", tags_by_categories=tags)

    async def filters_by_sport(self, request: web.Request) -> web.Response:
        """GetFiltersForSports: no sports in the default catalogue."""
        return answer("GetFiltersForSports", filters_by_sports={}, sport_ordering=[])

    async def incentive_programs(self, request: web.Request) -> web.Response:
        """GetIncentivePrograms: paginated with `next_cursor`."""
        items = self._objs("incentive_program", request.query, "incentive_type")
        page, cursor = paginate(items, request.query, "incentives")
        return answer("GetIncentivePrograms", incentive_programs=page, next_cursor=cursor)
