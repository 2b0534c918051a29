"""The perps REST surface: every operation of specs/perps_openapi.yaml, routed under `/trade-api/v2`.

The prediction surface's middleware (faults, request log, rate limits, error bodies) wraps these
routes too; a perps path is charged to the perps buckets (`_ratelimit.is_perps_path`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from aiohttp import web

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._auth import KeyRegistry
from kalshi_testing.simulator._exchange import ExchangeError
from kalshi_testing.simulator._pagination import paginate
from kalshi_testing.simulator._ratelimit import RateLimits

from ._engine import PerpsExchange
from ._query import (
    Body,
    Handler,
    RateLimited,
    as_coroutine,
    epoch_ms,
    in_window,
    query_date,
    query_int,
    read_body,
    reply,
    required,
)
from ._realism import PerpsRealism
from ._routes_account import AccountRoutes
from ._spec import PERPS

__all__ = ["PerpsRestSurface"]

_PREFIX = "/trade-api/v2"


class PerpsRestSurface(AccountRoutes):
    """Installs the perps routes; all state lives in the shared `PerpsExchange`."""

    def __init__(
        self,
        engine: PerpsExchange,
        keys: KeyRegistry,
        clock: Callable[[], int],
        rate_limits: RateLimits | None = None,
        realism: PerpsRealism | None = None,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.clock = clock
        self.rate_limits = rate_limits
        self.realism = realism or PerpsRealism()

    def install(self, app: web.Application) -> None:
        """Add the perps routes to `app`: 52 operations, and IntraExchangeInstanceTransfer (in both specs)
        is served by the prediction surface, whose margined side is this engine (`PerpsSurface`)."""
        public, private = self._public, self._private
        e = self.engine
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
            ("GET", "/margin/corporate_actions", public(self.corporate_actions)),
            ("POST", "/margin/fcm/subtraders", private(self.fcm_subtrader, 201)),
            ("GET", "/margin/fcm/subtraders/risk_controls", private(self.risk_controls)),
            ("PUT", "/margin/fcm/subtraders/risk_controls", private(self.risk_controls_put)),
            ("DELETE", "/margin/fcm/subtraders/risk_controls", private(self.risk_controls_delete)),
            ("PUT", "/margin/fcm/notional_risk_limit", private(self.notional_limit_put)),
            ("DELETE", "/margin/fcm/notional_risk_limit", private(self.notional_limit_delete)),
            ("GET", "/account/limits/perps", private(self.limits)),
            ("GET", "/margin/exchange/status", public(self.exchange_status)),
            ("GET", "/margin/risk_parameters", public(self.risk_parameters)),
            ("GET", "/margin/orders", private(self.orders_list)),
            ("POST", "/margin/orders", private(lambda r, u: self._with_body(r, u, e.create_order), 201)),
            ("DELETE", "/margin/orders", private(self.cancel_all, 204)),
            ("GET", "/margin/orders/{order_id}", private(self.order_one)),
            ("DELETE", "/margin/orders/{order_id}", private(self.cancel_order)),
            ("POST", "/margin/orders/{order_id}/decrease", private(self.decrease_order)),
            ("POST", "/margin/orders/{order_id}/amend", private(self.amend_order)),
            ("GET", "/margin/markets", public(self.markets_list)),
            ("GET", "/margin/markets/orderbooks", public(self.orderbooks)),
            ("GET", "/margin/markets/{ticker}", public(self.market_one)),
            ("GET", "/margin/markets/{ticker}/orderbook", public(self.orderbook)),
            ("GET", "/margin/markets/{ticker}/candlesticks", public(self.candlesticks)),
            ("GET", "/margin/fills", private(self.fills)),
            ("GET", "/margin/positions", private(self.positions)),
            ("GET", "/margin/trades", public(self.trades)),
            ("GET", "/margin/enabled", private(lambda r, u: PERPS.rest("MarginEnabledResponse", enabled=True))),
            ("GET", "/margin/notional_risk_limit", private(self.notional_limit)),
            ("GET", "/margin/balance", private(self.balance)),
            ("GET", "/margin/risk", private(lambda r, u: self.realism.null_when_empty(e.risk_view(u), "positions"))),
            ("GET", "/margin/fee_tiers", private(self.fee_tiers)),
            ("GET", "/margin/fee_tier_rates", private(self.fee_tier_rates)),
            ("GET", "/margin/funding_history", private(self.funding_history)),
            ("GET", "/margin/funding_rates/historical", public(self.funding_rates)),
            ("GET", "/margin/funding_rates/estimate", public(self.funding_estimate)),
            ("GET", "/margin/funding_rates/premium_index", public(self.premium_index)),
            ("POST", "/portfolio/margin/subaccounts", private(lambda r, u: e.create_subaccount(u), 201)),
            (
                "POST",
                "/portfolio/margin/subaccounts/transfer",
                private(lambda r, u: self._with_body(r, u, e.transfer_between_subaccounts)),
            ),
            ("GET", "/margin/order_groups", private(self.groups_list)),
            ("POST", "/margin/order_groups/create", private(lambda r, u: self._with_body(r, u, e.create_group), 201)),
            ("GET", "/margin/order_groups/{order_group_id}", private(self.group_one)),
            ("DELETE", "/margin/order_groups/{order_group_id}", private(self.group_delete)),
            ("PUT", "/margin/order_groups/{order_group_id}/reset", private(self.group_reset)),
            ("PUT", "/margin/order_groups/{order_group_id}/trigger", private(self.group_trigger)),
            ("PUT", "/margin/order_groups/{order_group_id}/limit", private(self.group_limit)),
        ]
        for mode in ("isolated", "cross"):
            base = f"/margin/{mode}/positions/{{ticker}}/exit_trigger"
            routes += [
                ("PUT", base, private(self._trigger_handler(mode, "set"))),
                ("GET", base, private(self._trigger_handler(mode, "list"))),
                ("DELETE", base, private(self._trigger_handler(mode, "delete"), 204)),
            ]
        routes += [
            ("PUT", "/margin/cross/positions/{ticker}/exit_trigger/{trigger_id}", private(self.trigger_update)),
            ("DELETE", "/margin/cross/positions/{ticker}/exit_trigger/{trigger_id}", private(self.trigger_delete, 204)),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, _PREFIX + path, handler)

    # --- plumbing ------------------------------------------------------------------------------

    def _wrap(self, fn: Handler, status: int, private: bool) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            user = ""
            if private or "KALSHI-ACCESS-KEY" in request.headers:
                user = self.keys.verify(request.method, request.raw_path, request.headers, self.clock())
            self.engine.tick()
            try:
                result = await fn(request, user)
            except RateLimited as exc:
                return web.json_response(exc.body(), status=429, headers={"Retry-After": exc.retry_after})
            body, code = result if isinstance(result, tuple) else (result, status)
            if request.method == "POST" and isinstance(body, dict):
                self.realism.switch.created(body)  # eventual consistency: hidden from GET by id a moment
            return reply(body, code)

        return handler

    def _public(
        self, fn: Callable[..., Any], status: int = 200
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        return self._wrap(as_coroutine(fn), status, private=False)

    def _private(
        self, fn: Callable[..., Any], status: int = 200
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        return self._wrap(as_coroutine(fn), status, private=True)

    async def _with_body(self, request: web.Request, user: str, fn: Callable[[str, Any], dict[str, Any]]) -> Body:
        return fn(user, await read_body(request))

    # --- exchange, markets, trades -------------------------------------------------------------

    def exchange_status(self, request: web.Request, user: str) -> Body:
        active = self.engine.trading_active
        return PERPS.rest(
            "ExchangeStatus", exchange_active=True, trading_active=active, intra_exchange_transfers_active=True
        )

    def risk_parameters(self, request: web.Request, user: str) -> Body:
        return PERPS.rest(
            "GetMarginRiskParametersResponse",
            liquidation_margin_ratio_threshold=1.0,
            queue_entry_margin_ratio_threshold=1.0,
            initial_margin_multiplier={t: 2.0 for t in self.engine.markets},
        )

    def markets_list(self, request: web.Request, user: str) -> Body:
        status = request.query.get("status")
        views = [self.engine.market_view(m) for m in self.engine.markets.values()]
        markets = [self.realism.market(v) for v in views if status in (None, "", v["status"])]
        return PERPS.rest("GetMarginMarketsResponse", markets=markets)

    def market_one(self, request: web.Request, user: str) -> Body:
        market = self.engine.market(request.match_info["ticker"])
        return PERPS.rest("MarginMarketResponse", market=self.realism.market(self.engine.market_view(market)))

    def orderbook(self, request: web.Request, user: str) -> Body:
        market = self.engine.market(request.match_info["ticker"])
        depth = query_int(request.query, "depth") or 0
        if depth < 0:
            raise ExchangeError(400, "invalid_parameters", "depth must not be negative", "depth")
        bucket = None
        if request.query.get("aggregation_tick_size"):
            try:
                bucket = fmt.parse_price(request.query["aggregation_tick_size"])
            except ValueError as exc:
                raise ExchangeError(400, "invalid_parameters", str(exc), "aggregation_tick_size") from None
            if bucket <= 0 or bucket % market.tick:
                raise ExchangeError(400, "invalid_parameters", "aggregation_tick_size must be a multiple of the tick")
        book = self.engine.orderbook_view(market, depth, bucket)
        return PERPS.rest("MarginOrderbookResponse", orderbook=book)

    def orderbooks(self, request: web.Request, user: str) -> Body:
        tickers = [t for value in request.query.getall("tickers", []) for t in value.split(",") if t]
        if not tickers:
            raise ExchangeError(400, "invalid_parameters", "tickers is required", "tickers")
        books = [
            PERPS.rest("MarginMarketOrderbook", ticker=t, orderbook=self.engine.orderbook_view(self.engine.market(t)))
            for t in tickers
        ]
        return PERPS.rest("GetMarginMarketOrderbooksResponse", orderbooks=books)

    def candlesticks(self, request: web.Request, user: str) -> Body:
        market = self.engine.market(request.match_info["ticker"])
        q = request.query
        start, end = query_int(q, "start_ts", required=True), query_int(q, "end_ts", required=True)
        period = query_int(q, "period_interval", required=True)
        assert start is not None
        assert end is not None
        assert period is not None
        if period not in (1, 60, 1440) or end < start:
            raise ExchangeError(400, "invalid_parameters", "period_interval must be 1, 60 or 1440, end after start")
        candles = []
        step = period * 60
        for bucket_end in range(start - start % step + step, end + step, step):
            trades = [t for t in market.trades if bucket_end - step < epoch_ms(t["created_time"]) // 1000 <= bucket_end]
            if not trades:
                continue
            prices = [Decimal(t["price"]) for t in trades]
            volume = sum((Decimal(t["count"]) for t in trades), Decimal(0))
            dist = {
                k: fmt.dollars(v)
                for k, v in (("open", prices[0]), ("high", max(prices)), ("low", min(prices)), ("close", prices[-1]))
            }
            mean = fmt.dollars(sum(prices, Decimal(0)) / len(prices))
            candles.append(
                PERPS.rest(
                    "MarginMarketCandlestick",
                    end_period_ts=bucket_end,
                    bid=PERPS.rest("BidAskDistributionHistorical", **dist),
                    ask=PERPS.rest("BidAskDistributionHistorical", **dist),
                    price=PERPS.rest("PriceDistributionHistorical", mean=mean, previous=None, **dist),
                    volume=fmt.count(volume),
                    volume_notional_value_dollars=fmt.dollars(volume * prices[-1] * market.contract_size),
                    open_interest=fmt.count(self.engine.open_interest(market)),
                    open_interest_notional_value_dollars=fmt.dollars(
                        self.engine.open_interest(market) * market.mark_price * market.contract_size
                    ),
                )
            )
        return PERPS.rest("GetMarginMarketCandlesticksResponse", ticker=market.ticker, candlesticks=candles)

    def trades(self, request: web.Request, user: str) -> Body:
        q = request.query
        ticker = q.get("ticker")
        items = [
            t
            for m in self.engine.markets.values()
            if ticker in (None, "", m.ticker)
            for t in m.trades
            if in_window(epoch_ms(t["created_time"]) // 1000, q)
        ]
        items.sort(key=lambda t: t["created_time"], reverse=True)
        page, cursor = paginate(items, q, "margin_trades")
        return self.realism.page(PERPS.rest("GetMarginTradesResponse", trades=page, cursor=cursor))

    def corporate_actions(self, request: web.Request, user: str) -> Body:
        q = request.query
        notices = self.engine.corporate_actions(q.get("ticker"), q.get("market_id"))
        return PERPS.rest("GetMarginCorporateActionsResponse", corporate_actions=notices)

    # --- orders --------------------------------------------------------------------------------

    def orders_list(self, request: web.Request, user: str) -> Body:
        q = request.query
        sub = query_int(q, "subaccount")
        status = q.get("status")
        orders = [
            o
            for o in self.engine.orders.values()
            if o.meta["user_id"] == user
            and sub in (None, o.meta["subaccount"])
            and q.get("ticker") in (None, "", o.meta["ticker"])
            and status in (None, "", o.status.value)
            and in_window(o.meta["created_ms"] // 1000, q)
        ]
        orders.sort(key=lambda o: o.meta["created_ms"], reverse=True)
        page, cursor = paginate(orders, q, "margin_orders")
        views = [self.realism.order(self.engine.order_view(o)) for o in page]
        return self.realism.page(PERPS.rest("GetMarginOrdersResponse", orders=views, cursor=cursor))

    def order_one(self, request: web.Request, user: str) -> Body:
        order = self.engine.user_order(user, request.match_info["order_id"])
        return PERPS.rest("GetMarginOrderResponse", order=self.realism.order(self.engine.order_view(order)))

    def cancel_all(self, request: web.Request, user: str) -> Body:
        self.engine.cancel_all(user, query_int(request.query, "subaccount"))
        return None

    def cancel_order(self, request: web.Request, user: str) -> Body:
        sub = query_int(request.query, "subaccount")
        return self.engine.cancel_order(user, request.match_info["order_id"], sub)

    async def decrease_order(self, request: web.Request, user: str) -> Body:
        sub = query_int(request.query, "subaccount")
        return self.engine.decrease_order(user, request.match_info["order_id"], await read_body(request), sub)

    async def amend_order(self, request: web.Request, user: str) -> Body:
        sub = query_int(request.query, "subaccount")
        return self.engine.amend_order(user, request.match_info["order_id"], await read_body(request), sub)

    # --- portfolio -----------------------------------------------------------------------------

    def balance(self, request: web.Request, user: str) -> Body:
        compute = request.query.get("compute_available_balance", "").lower() == "true"
        if compute and self.rate_limits is not None:  # 50 tokens in all: the middleware took 5
            wait = self.rate_limits.charge_bucket(user, "perps_read", 45, self.clock())
            if wait is not None:
                raise RateLimited(wait)
        body = self.engine.balance_view(user, compute_available=compute)
        return self.realism.null_when_empty(body, "subaccount_balances")

    def positions(self, request: web.Request, user: str) -> Body:
        q = request.query
        rows = self.engine.positions_view(user, query_int(q, "subaccount"), q.get("ticker") or None)
        return self.realism.null_when_empty(PERPS.rest("GetMarginPositionsResponse", positions=rows), "positions")

    def fills(self, request: web.Request, user: str) -> Body:
        q = request.query
        sub = query_int(q, "subaccount")
        items = [
            {k: v for k, v in f.items() if k not in ("subaccount", "ts_ms")}
            for a in self.engine.user_accounts(user, sub)
            for f in a.fills
            if in_window(f["ts_ms"] // 1000, q)
        ]
        items.sort(key=lambda f: f["created_time"], reverse=True)
        page, cursor = paginate(items, q, "margin_fills")
        page = [self.realism.fill(f) for f in page]
        return self.realism.page(PERPS.rest("GetMarginFillsResponse", fills=page, cursor=cursor))

    def funding_history(self, request: web.Request, user: str) -> Body:
        q = request.query
        start, end = query_date(q, "start_date"), query_date(q, "end_date")
        if end < start:
            raise ExchangeError(400, "invalid_parameters", "end_date is before start_date", "end_date")
        sub = query_int(q, "subaccount")
        rows = [
            row
            for a in self.engine.user_accounts(user, sub)
            for row in a.funding
            if q.get("ticker") in (None, "", row["market_ticker"])
            and start <= date.fromisoformat(row["funding_time"][:10]) <= end
        ]
        rows.sort(key=lambda r: r["funding_time"], reverse=True)
        return PERPS.rest("GetMarginFundingHistoryResponse", funding_history=rows)

    def funding_rates(self, request: web.Request, user: str) -> Body:
        q = request.query
        ticker = q.get("ticker")
        rows = [
            row
            for m in self.engine.markets.values()
            if ticker in (None, "", m.ticker)
            for row in m.funding_rates
            if in_window(epoch_ms(row["funding_time"]) // 1000, q, "start_ts", "end_ts")
        ]
        return PERPS.rest("GetMarginHistoricalFundingRatesResponse", funding_rates=rows)

    def funding_estimate(self, request: web.Request, user: str) -> Body:
        market = self.engine.market(required(request.query, "ticker"))
        now = self.clock()
        premium = (market.mark_price - market.index_price) / market.index_price
        return PERPS.rest(
            "GetMarginFundingRateEstimateResponse",
            market_ticker=market.ticker,
            computed_time=fmt.rfc3339(now),
            funding_rate=float(self.engine.funding_rate(market)),
            mark_price=fmt.dollars(market.mark_price),
            next_funding_time=fmt.rfc3339(market.next_funding_ms),
            premium_index=str(premium.quantize(Decimal("0.000001"))),
            premium_index_ts=fmt.rfc3339(now),
        )

    def premium_index(self, request: web.Request, user: str) -> Body:
        q = request.query
        market = self.engine.market(required(q, "ticker"))
        start, end = query_int(q, "start_ts", required=True), query_int(q, "end_ts", required=True)
        assert start is not None
        assert end is not None
        if end < start or end - start > 86_400:
            raise ExchangeError(400, "invalid_parameters", "end_ts must be after start_ts, at most a day later")
        premium = str(((market.mark_price - market.index_price) / market.index_price).quantize(Decimal("0.000001")))
        points = [
            PERPS.rest("MarginPremiumIndexPoint", second_ts=fmt.rfc3339(s * 1000), premium_index=premium)
            for s in range(start, min(end, self.clock() // 1000) + 1)
        ]
        return PERPS.rest("GetMarginPremiumIndexResponse", points=points)
