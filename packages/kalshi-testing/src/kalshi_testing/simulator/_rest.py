"""The simulator's REST surface: aiohttp routes under `/trade-api/v2`, in the spec's shapes."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from . import _format as fmt
from ._auth import KeyRegistry
from ._exchange import Exchange, ExchangeError
from ._faults import Faults
from ._matching import OrderStatus
from ._pagination import paginate
from ._ratelimit import RateLimits, retry_after_header
from ._shapes import rest

__all__ = ["API_PREFIX", "RestSurface"]

API_PREFIX = "/trade-api/v2"
_log = logging.getLogger("kalshi_testing")
_PRIVATE_PREFIXES = ("/portfolio", "/account/limits")
# Token costs that differ from the default of 10 (FACTS 3.5), as GET /account/endpoint_costs reports them.
_ENDPOINT_COSTS = [
    ("DELETE", "/portfolio/events/orders/{order_id}", 2),
    ("DELETE", "/portfolio/events/orders", 2),
    ("GET", "/portfolio/orders/{order_id}", 2),
]
_USER: contextvars.ContextVar[str] = contextvars.ContextVar("kalshi_user")
# Query `status` values -> Market.status values.
_MARKET_STATUS = {
    "unopened": {"initialized"},
    "open": {"active"},
    "paused": {"inactive"},
    "closed": {"closed"},
    "settled": {"determined", "finalized", "amended", "disputed"},
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, separators=(",", ":")))


def _error(exc: ExchangeError, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(exc.body(), status=exc.status, headers=headers)


def _int(query: Any, name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ExchangeError(400, "invalid_parameters", f"{name} must be an integer", name) from None


class RestSurface:
    """Builds the aiohttp routes; all state lives in the shared `Exchange`."""

    def __init__(
        self,
        exchange: Exchange,
        keys: KeyRegistry,
        faults: Faults,
        clock: Callable[[], int],
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.exchange = exchange
        self.rate_limits = rate_limits
        self.keys = keys
        self.faults = faults
        self.clock = clock
        self.requests: deque[list[Any]] = deque(maxlen=10_000)
        """[method, path below /trade-api/v2, status (0 while unanswered)] of recent requests, oldest first."""

    def install(self, app: web.Application) -> None:
        """Add the middleware and every route to `app`."""
        app.middlewares.append(self._middleware)
        p = API_PREFIX
        r = app.router
        r.add_get(p + "/exchange/status", self.exchange_status)
        r.add_get(p + "/exchange/schedule", self.exchange_schedule)
        r.add_get(p + "/series", self.series_list)
        r.add_get(p + "/series/{series_ticker}", self.series_one)
        r.add_get(p + "/series/{series_ticker}/markets/{ticker}/candlesticks", self.candlesticks)
        r.add_get(p + "/events", self.events_list)
        r.add_get(p + "/events/{event_ticker}", self.event_one)
        r.add_get(p + "/markets", self.markets_list)
        r.add_get(p + "/markets/trades", self.trades)
        r.add_get(p + "/markets/orderbooks", self.orderbooks)
        r.add_get(p + "/markets/{ticker}", self.market_one)
        r.add_get(p + "/markets/{ticker}/orderbook", self.orderbook)
        r.add_get(p + "/exchange/user_data_timestamp", self.user_data_timestamp)
        r.add_get(p + "/account/endpoint_costs", self.endpoint_costs)
        r.add_get(p + "/account/limits", self.account_limits)
        r.add_get(p + "/portfolio/deposits", self.deposits)
        r.add_get(p + "/portfolio/withdrawals", self.withdrawals)
        r.add_get(p + "/portfolio/settlements", self.settlements)
        r.add_get(p + "/portfolio/orders/queue_positions", self.queue_positions)
        r.add_get(p + "/portfolio/orders/{order_id}/queue_position", self.queue_position)
        r.add_get(p + "/portfolio/balance", self.balance)
        r.add_post(p + "/portfolio/subaccounts", self.subaccount_create)
        r.add_post(p + "/portfolio/subaccounts/transfer", self.subaccount_transfer)
        r.add_get(p + "/portfolio/subaccounts/balances", self.subaccount_balances)
        r.add_get(p + "/portfolio/subaccounts/transfers", self.subaccount_transfers)
        r.add_get(p + "/portfolio/positions", self.positions)
        r.add_get(p + "/portfolio/fills", self.fills)
        r.add_get(p + "/portfolio/orders", self.orders_list)
        r.add_get(p + "/portfolio/orders/{order_id}", self.order_one)
        r.add_post(p + "/portfolio/events/orders", self.create_order)
        r.add_delete(p + "/portfolio/events/orders", self.cancel_all)
        r.add_post(p + "/portfolio/events/orders/batched", self.batch_create)
        r.add_delete(p + "/portfolio/events/orders/batched", self.batch_cancel)
        r.add_delete(p + "/portfolio/events/orders/{order_id}", self.cancel_order)
        r.add_post(p + "/portfolio/events/orders/{order_id}/amend", self.amend_order)
        r.add_post(p + "/portfolio/events/orders/{order_id}/decrease", self.decrease_order)
        r.add_get(p + "/portfolio/order_groups", self.groups_list)
        r.add_post(p + "/portfolio/order_groups/create", self.group_create)
        r.add_get(p + "/portfolio/order_groups/{order_group_id}", self.group_one)
        r.add_delete(p + "/portfolio/order_groups/{order_group_id}", self.group_delete)
        r.add_put(p + "/portfolio/order_groups/{order_group_id}/reset", self.group_reset)
        r.add_put(p + "/portfolio/order_groups/{order_group_id}/trigger", self.group_trigger)
        r.add_put(p + "/portfolio/order_groups/{order_group_id}/limit", self.group_limit)

    # --- middleware: faults, auth, errors ------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if not path.startswith(API_PREFIX):
            return await handler(request)
        entry = [request.method, path[len(API_PREFIX) :], 0]  # logged on arrival; status 0 until answered
        self.requests.append(entry)
        response = await self._serve(request, handler, path[len(API_PREFIX) :])
        entry[2] = response.status
        return response

    async def _serve(self, request: web.Request, handler: Handler, rel: str) -> web.StreamResponse:
        slow = 0.0
        for fault in self.faults.take_rest(request.method, rel):
            if fault.kind == "latency":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "slow":
                slow += fault.delay
            elif fault.kind == "rate_limit":
                headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
                return _error(ExchangeError(429, "too_many_requests", "too many requests"), headers)
            else:
                return _error(ExchangeError(fault.status, "internal_server_error", "injected server error"))
        try:
            signed = any(h in request.headers for h in ("KALSHI-ACCESS-KEY", "KALSHI-ACCESS-SIGNATURE"))
            user = None
            if signed or rel.startswith(_PRIVATE_PREFIXES):
                user = self.keys.verify(request.method, request.raw_path, request.headers, self.clock())
                _USER.set(user)
            if self.rate_limits is not None:
                body = await request.read() if request.body_exists else b""
                who = user or f"ip:{request.remote}"
                wait = self.rate_limits.charge(who, request.method, rel, body, self.clock())
                if wait is not None:
                    headers = {"Retry-After": retry_after_header(wait)}
                    return _error(ExchangeError(429, "too_many_requests", "too many requests"), headers)
            self.exchange.expire_orders()
            response = await handler(request)
        except ExchangeError as exc:
            return _error(exc)
        except web.HTTPException:
            raise
        except Exception:  # a simulator bug: answer like Kalshi's 500, keep serving, and say where
            _log.exception("simulator: unhandled error serving %s %s", request.method, request.path)
            return _error(ExchangeError(500, "internal_server_error", "internal server error"))
        if slow and isinstance(response, web.Response):
            return await self._slow(request, response, slow)
        return response

    @staticmethod
    async def _slow(request: web.Request, response: web.Response, delay: float) -> web.StreamResponse:
        stream = web.StreamResponse(status=response.status, headers=response.headers)
        await stream.prepare(request)
        await asyncio.sleep(delay)
        await stream.write(response.body if isinstance(response.body, bytes) else b"")
        await stream.write_eof()
        return stream

    @staticmethod
    async def _body(request: web.Request) -> Any:
        if not request.body_exists:
            return {}
        try:
            return await request.json()
        except json.JSONDecodeError:
            raise ExchangeError(400, "invalid_parameters", "the request body is not valid JSON") from None

    # --- exchange ------------------------------------------------------------------------------

    async def exchange_status(self, request: web.Request) -> web.Response:
        """GetExchangeStatus."""
        active = self.exchange.trading_active
        return _json(
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
        return _json(
            rest(
                "GetExchangeScheduleResponse", schedule=rest("Schedule", standard_hours=[week], maintenance_windows=[])
            )
        )

    # --- catalogue -----------------------------------------------------------------------------

    async def series_list(self, request: web.Request) -> web.Response:
        """GetSeriesList (not paginated)."""
        category = request.query.get("category")
        items = [rest("Series", **s) for s in self.exchange.series.values() if category in (None, s.get("category"))]
        return _json(rest("GetSeriesListResponse", series=items))

    async def series_one(self, request: web.Request) -> web.Response:
        """GetSeries."""
        s = self.exchange.series.get(request.match_info["series_ticker"])
        if s is None:
            raise ExchangeError(404, "series_not_found", "series not found")
        return _json(rest("GetSeriesResponse", series=rest("Series", **s)))

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
        page, cursor = paginate(items, q, "events")
        return _json(rest("GetEventsResponse", events=[self._event_view(e, nested) for e in page], cursor=cursor))

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
        return _json(rest("GetEventResponse", event=self._event_view(e, False), markets=markets))

    async def markets_list(self, request: web.Request) -> web.Response:
        """GetMarkets: filters status, event_ticker, series_ticker, tickers (comma-joined); limit 0-1000."""
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
        page, cursor = paginate(markets, q, "markets")
        return _json(rest("GetMarketsResponse", markets=[self.exchange.market_view(m) for m in page], cursor=cursor))

    async def market_one(self, request: web.Request) -> web.Response:
        """GetMarket."""
        market = self.exchange.market(request.match_info["ticker"])
        return _json(rest("GetMarketResponse", market=self.exchange.market_view(market)))

    async def orderbook(self, request: web.Request) -> web.Response:
        """GetMarketOrderbook: `depth` 0 (all) or 1-100."""
        market = self.exchange.market(request.match_info["ticker"])
        depth = _int(request.query, "depth") or 0
        if depth > 100:
            raise ExchangeError(400, "invalid_parameters", "depth must be between 0 and 100", "depth")
        return _json(rest("GetMarketOrderbookResponse", orderbook_fp=self.exchange.orderbook_view(market, depth)))

    async def orderbooks(self, request: web.Request) -> web.Response:
        """GetMarketOrderbooks: repeated `tickers` (1-100)."""
        tickers = request.query.getall("tickers", [])
        if not 1 <= len(tickers) <= 100:
            raise ExchangeError(400, "invalid_parameters", "send between 1 and 100 tickers", "tickers")
        books = [
            rest("MarketOrderbookFp", ticker=t, orderbook_fp=self.exchange.orderbook_view(self.exchange.market(t)))
            for t in tickers
        ]
        return _json(rest("GetMarketOrderbooksResponse", orderbooks=books))

    async def trades(self, request: web.Request) -> web.Response:
        """GetTrades: newest first; filters ticker, min_ts, max_ts (seconds)."""
        q = request.query
        markets = [self.exchange.market(q["ticker"])] if "ticker" in q else list(self.exchange.markets.values())
        items = sorted((t for m in markets for t in m.trades), key=lambda t: t["created_time"], reverse=True)
        lo, hi = _int(q, "min_ts"), _int(q, "max_ts")
        if lo is not None:
            items = [t for t in items if t["created_time"] >= fmt.rfc3339(lo * 1000)]
        if hi is not None:
            items = [t for t in items if t["created_time"] <= fmt.rfc3339(hi * 1000)]
        page, cursor = paginate(items, q, "trades")
        return _json(rest("GetTradesResponse", trades=page, cursor=cursor))

    async def candlesticks(self, request: web.Request) -> web.Response:
        """GetMarketCandlesticks from the simulator's own trades; period_interval 1, 60 or 1440 minutes."""
        q = request.query
        market = self.exchange.market(request.match_info["ticker"])
        start, end, period = _int(q, "start_ts"), _int(q, "end_ts"), _int(q, "period_interval")
        if start is None or end is None or period not in (1, 60, 1440):
            raise ExchangeError(
                400, "invalid_parameters", "start_ts, end_ts and period_interval (1, 60, 1440) are required"
            )
        width = period * 60
        buckets: dict[int, list[Decimal]] = {}
        volumes: dict[int, Decimal] = {}
        for t in market.trades:
            ts = int(_parse_ts(t["created_time"]))
            if start <= ts <= end:
                key = ts - ts % width + width
                buckets.setdefault(key, []).append(Decimal(t["yes_price_dollars"]))
                volumes[key] = volumes.get(key, Decimal(0)) + Decimal(t["count_fp"])
        candles = []
        for key in sorted(buckets):
            prices = buckets[key]
            price = rest(
                "PriceDistribution",
                open_dollars=fmt.dollars(prices[0]),
                close_dollars=fmt.dollars(prices[-1]),
                high_dollars=fmt.dollars(max(prices)),
                low_dollars=fmt.dollars(min(prices)),
                previous_dollars=fmt.dollars(prices[0]),
                mean_dollars=fmt.dollars(sum(prices, Decimal(0)) / len(prices)),
            )
            candles.append(
                rest(
                    "MarketCandlestick",
                    end_period_ts=key,
                    price=price,
                    volume_fp=fmt.count(volumes[key]),
                    open_interest_fp=fmt.count(market.open_interest),
                )
            )
        return _json(rest("GetMarketCandlesticksResponse", ticker=market.ticker, candlesticks=candles))

    async def user_data_timestamp(self, request: web.Request) -> web.Response:
        """GetUserDataTimestamp: the simulator's portfolio data is always current."""
        return _json(rest("GetUserDataTimestampResponse", as_of_time=fmt.rfc3339(self.clock())))

    async def endpoint_costs(self, request: web.Request) -> web.Response:
        """GetAccountEndpointCosts."""
        costs = [rest("EndpointTokenCost", method=m, path=API_PREFIX + p, cost=c) for m, p, c in _ENDPOINT_COSTS]
        return _json(rest("GetAccountEndpointCostsResponse", default_cost=10, endpoint_costs=costs))

    async def account_limits(self, request: web.Request) -> web.Response:
        """GetAccountApiLimits: the configured buckets (enforced only with `rate_limits`)."""
        limits = self.rate_limits or RateLimits()
        read = rest("BucketLimit", refill_rate=limits.read.refill_rate, bucket_capacity=limits.read.capacity)
        write = rest("BucketLimit", refill_rate=limits.write.refill_rate, bucket_capacity=limits.write.capacity)
        return _json(rest("GetAccountApiLimitsResponse", usage_tier="basic", read=read, write=write, grants=[]))

    async def deposits(self, request: web.Request) -> web.Response:
        """GetDeposits: none in the simulator."""
        paginate([], request.query, "transfers")
        return _json(rest("GetDepositsResponse", deposits=[], cursor=""))

    async def withdrawals(self, request: web.Request) -> web.Response:
        """GetWithdrawals: none in the simulator."""
        paginate([], request.query, "transfers")
        return _json(rest("GetWithdrawalsResponse", withdrawals=[], cursor=""))

    async def settlements(self, request: web.Request) -> web.Response:
        """GetSettlements: newest first (markets settle through `Exchange.settle_market`)."""
        items = [s for (u, _), a in self.exchange.accounts.items() if u == _USER.get() for s in a.settlements]
        items.sort(key=lambda s: s["settled_time"], reverse=True)
        page, cursor = paginate(items, request.query, "positions")
        return _json(rest("GetSettlementsResponse", settlements=page, cursor=cursor))

    def _queue_entry(self, order_id: str) -> dict[str, Any] | None:
        order = self.exchange.orders[order_id]
        ahead = self.exchange.markets[order.meta["ticker"]].book.queue_ahead(order_id)
        if ahead is None:
            return None
        return rest(
            "OrderQueuePosition",
            order_id=order_id,
            market_ticker=order.meta["ticker"],
            queue_position_fp=fmt.count(ahead),
        )

    async def queue_position(self, request: web.Request) -> web.Response:
        """GetOrderQueuePosition: contracts ahead of a resting order at its price."""
        order = self.exchange.user_order(_USER.get(), request.match_info["order_id"])
        entry = self._queue_entry(order.order_id)
        if entry is None:
            raise ExchangeError(404, "order_not_found", "order is not resting")
        return _json(rest("GetOrderQueuePositionResponse", queue_position_fp=entry["queue_position_fp"]))

    async def queue_positions(self, request: web.Request) -> web.Response:
        """GetOrderQueuePositions: every resting order of the user (filters market_tickers, event_ticker)."""
        q = request.query
        tickers = set(q["market_tickers"].split(",")) if "market_tickers" in q else None
        entries = []
        for order in self.exchange.orders.values():
            m = order.meta
            if m["user_id"] != _USER.get() or order.status is not OrderStatus.RESTING:
                continue
            if tickers is not None and m["ticker"] not in tickers:
                continue
            if "event_ticker" in q and self.exchange.markets[m["ticker"]].info["event_ticker"] != q["event_ticker"]:
                continue
            entry = self._queue_entry(order.order_id)
            if entry is not None:
                entries.append(entry)
        return _json(rest("GetOrderQueuePositionsResponse", queue_positions=entries))

    # --- portfolio -----------------------------------------------------------------------------

    async def balance(self, request: web.Request) -> web.Response:
        """GetBalance (all subaccounts unless `subaccount` is given)."""
        return _json(self.exchange.balance_view(_USER.get(), _int(request.query, "subaccount")))

    async def positions(self, request: web.Request) -> web.Response:
        """GetPositions: market and event positions; filters ticker, event_ticker, subaccount."""
        q = request.query
        user = _USER.get()
        sub = _int(q, "subaccount") or 0
        account = self.exchange.account(user, sub)
        positions = [p for p in account.positions.values() if p.position != 0 or p.realized_pnl != 0]
        if "ticker" in q:
            positions = [p for p in positions if p.ticker == q["ticker"]]
        if "event_ticker" in q:
            positions = [
                p for p in positions if self.exchange.markets[p.ticker].info["event_ticker"] == q["event_ticker"]
            ]
        page, cursor = paginate(sorted(positions, key=lambda p: p.ticker), q, "positions")
        by_event: dict[str, dict[str, Decimal]] = {}
        for p in page:
            agg = by_event.setdefault(
                self.exchange.markets[p.ticker].info["event_ticker"],
                {"cost": Decimal(0), "shares": Decimal(0), "pnl": Decimal(0), "fees": Decimal(0)},
            )
            agg["cost"] += p.cost
            agg["shares"] += abs(p.position)
            agg["pnl"] += p.realized_pnl
            agg["fees"] += p.fees_paid
        events = [
            rest(
                "EventPosition",
                event_ticker=e,
                total_cost_dollars=fmt.dollars(a["cost"]),
                total_cost_shares_fp=fmt.count(a["shares"]),
                event_exposure_dollars=fmt.dollars(a["cost"]),
                realized_pnl_dollars=fmt.dollars(a["pnl"]),
                fees_paid_dollars=fmt.dollars(a["fees"]),
            )
            for e, a in sorted(by_event.items())
        ]
        return _json(
            rest(
                "GetPositionsResponse",
                cursor=cursor,
                market_positions=[self.exchange.position_view(p) for p in page],
                event_positions=events,
            )
        )

    async def fills(self, request: web.Request) -> web.Response:
        """GetFills: newest first; filters ticker (comma-joined), order_id."""
        q = request.query
        fills = [f for (u, _), a in self.exchange.accounts.items() if u == _USER.get() for f in a.fills]
        if "ticker" in q:
            wanted = set(q["ticker"].split(","))
            fills = [f for f in fills if f["ticker"] in wanted]
        if "order_id" in q:
            fills = [f for f in fills if f["order_id"] == q["order_id"]]
        fills.sort(key=lambda f: f["created_time"], reverse=True)
        page, cursor = paginate(fills, q, "fills")
        return _json(rest("GetFillsResponse", fills=page, cursor=cursor))

    async def orders_list(self, request: web.Request) -> web.Response:
        """GetOrders: newest first; filters ticker, event_ticker (comma-joined), status."""
        q = request.query
        orders = [o for o in self.exchange.orders.values() if o.meta["user_id"] == _USER.get()]
        if "ticker" in q:
            orders = [o for o in orders if o.meta["ticker"] == q["ticker"]]
        if "event_ticker" in q:
            wanted = set(q["event_ticker"].split(","))
            orders = [o for o in orders if self.exchange.markets[o.meta["ticker"]].info["event_ticker"] in wanted]
        if "status" in q:
            try:
                status = OrderStatus(q["status"])
            except ValueError:
                raise ExchangeError(400, "invalid_parameters", f"unknown status {q['status']!r}", "status") from None
            orders = [o for o in orders if o.status is status]
        orders.sort(key=lambda o: (o.meta["created_ms"], o.order_id), reverse=True)
        page, cursor = paginate(orders, q, "orders")
        return _json(rest("GetOrdersResponse", orders=[self.exchange.order_view(o) for o in page], cursor=cursor))

    async def order_one(self, request: web.Request) -> web.Response:
        """GetOrder."""
        order = self.exchange.user_order(_USER.get(), request.match_info["order_id"])
        return _json(rest("GetOrderResponse", order=self.exchange.order_view(order)))

    async def subaccount_create(self, request: web.Request) -> web.Response:
        """CreateSubaccount -> 201."""
        await self._body(request)
        return _json(self.exchange.create_subaccount(_USER.get()), 201)

    async def subaccount_transfer(self, request: web.Request) -> web.Response:
        """ApplySubaccountTransfer."""
        return _json(self.exchange.transfer_between_subaccounts(_USER.get(), await self._body(request)))

    async def subaccount_balances(self, request: web.Request) -> web.Response:
        """GetSubaccountBalances."""
        return _json(self.exchange.subaccount_balances(_USER.get()))

    async def subaccount_transfers(self, request: web.Request) -> web.Response:
        """GetSubaccountTransfers: newest first."""
        items = list(reversed(self.exchange.transfers.get(_USER.get(), [])))
        page, cursor = paginate(items, request.query, "positions")
        return _json(rest("GetSubaccountTransfersResponse", transfers=page, cursor=cursor))

    # --- order writes (V2) ---------------------------------------------------------------------

    async def create_order(self, request: web.Request) -> web.Response:
        """CreateOrderV2 -> 201."""
        return _json(self.exchange.create_order(_USER.get(), await self._body(request)), 201)

    async def cancel_all(self, request: web.Request) -> web.Response:
        """CancelAllOrders -> 204, no body."""
        self.exchange.cancel_all(_USER.get(), _int(request.query, "subaccount"))
        return web.Response(status=204)

    async def batch_create(self, request: web.Request) -> web.Response:
        """BatchCreateOrdersV2 -> 201."""
        return _json(self.exchange.batch_create(_USER.get(), await self._body(request)), 201)

    async def batch_cancel(self, request: web.Request) -> web.Response:
        """BatchCancelOrdersV2 (a DELETE with a JSON body) -> 200."""
        return _json(self.exchange.batch_cancel(_USER.get(), await self._body(request)))

    async def cancel_order(self, request: web.Request) -> web.Response:
        """CancelOrderV2 -> 200 with a body."""
        sub = _int(request.query, "subaccount")
        return _json(self.exchange.cancel_order(_USER.get(), request.match_info["order_id"], sub))

    async def amend_order(self, request: web.Request) -> web.Response:
        """AmendOrderV2."""
        body = await self._body(request)
        sub = _int(request.query, "subaccount")
        return _json(self.exchange.amend_order(_USER.get(), request.match_info["order_id"], body, sub))

    async def decrease_order(self, request: web.Request) -> web.Response:
        """DecreaseOrderV2."""
        body = await self._body(request)
        sub = _int(request.query, "subaccount")
        return _json(self.exchange.decrease_order(_USER.get(), request.match_info["order_id"], body, sub))

    # --- order groups --------------------------------------------------------------------------

    async def groups_list(self, request: web.Request) -> web.Response:
        """GetOrderGroups (not paginated)."""
        groups = [
            self.exchange.group_view(g, with_orders=False)
            for g in self.exchange.groups.values()
            if g.user_id == _USER.get()
        ]
        return _json(rest("GetOrderGroupsResponse", order_groups=groups))

    async def group_create(self, request: web.Request) -> web.Response:
        """CreateOrderGroup -> 201."""
        return _json(self.exchange.create_group(_USER.get(), await self._body(request)), 201)

    async def group_one(self, request: web.Request) -> web.Response:
        """GetOrderGroup."""
        group = self.exchange.group(_USER.get(), request.match_info["order_group_id"])
        return _json(self.exchange.group_view(group, with_orders=True))

    async def group_delete(self, request: web.Request) -> web.Response:
        """DeleteOrderGroup."""
        self.exchange.delete_group(self.exchange.group(_USER.get(), request.match_info["order_group_id"]))
        return _json({})

    async def group_reset(self, request: web.Request) -> web.Response:
        """ResetOrderGroup."""
        await self._body(request)
        self.exchange.reset_group(self.exchange.group(_USER.get(), request.match_info["order_group_id"]))
        return _json({})

    async def group_trigger(self, request: web.Request) -> web.Response:
        """TriggerOrderGroup."""
        await self._body(request)
        self.exchange.trigger_group(self.exchange.group(_USER.get(), request.match_info["order_group_id"]))
        return _json({})

    async def group_limit(self, request: web.Request) -> web.Response:
        """UpdateOrderGroupLimit."""
        group = self.exchange.group(_USER.get(), request.match_info["order_group_id"])
        self.exchange.update_group_limit(group, await self._body(request))
        return _json({})


def _parse_ts(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
