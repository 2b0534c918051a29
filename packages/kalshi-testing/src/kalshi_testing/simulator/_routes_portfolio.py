"""REST routes for the account and portfolio reads: balance, positions, fills, orders, subaccounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web

from . import _format as fmt
from ._exchange import ExchangeError
from ._http import API_PREFIX, USER, RouteBase, in_window, int_query, read_body, reply
from ._matching import OrderStatus
from ._pagination import paginate
from ._ratelimit import RateLimits
from ._shapes import rest

__all__ = ["PortfolioRoutes"]

# Token costs other than the default 10 (docs.kalshi.com rate limits), as GET /account/endpoint_costs says.
_ENDPOINT_COSTS = [
    ("DELETE", "/portfolio/events/orders/{order_id}", 2),
    ("DELETE", "/portfolio/events/orders", 2),
    ("GET", "/portfolio/orders/{order_id}", 2),
]


class PortfolioRoutes(RouteBase):
    """Private reads and subaccounts."""

    OPERATIONS: ClassVar[dict[str, str]] = {
        "GetAccountEndpointCosts": "endpoint_costs",
        "GetAccountApiLimits": "account_limits",
        "GetDeposits": "deposits",
        "GetWithdrawals": "withdrawals",
        "GetSettlements": "settlements",
        "GetOrderQueuePositions": "queue_positions",
        "GetOrderQueuePosition": "queue_position",
        "GetBalance": "balance",
        "CreateSubaccount": "subaccount_create",
        "ApplySubaccountTransfer": "subaccount_transfer",
        "GetSubaccountBalances": "subaccount_balances",
        "GetSubaccountTransfers": "subaccount_transfers",
        "GetPositions": "positions",
        "GetFills": "fills",
        "GetOrders": "orders_list",
        "GetOrder": "order_one",
    }

    async def endpoint_costs(self, request: web.Request) -> web.Response:
        """GetAccountEndpointCosts."""
        costs = [rest("EndpointTokenCost", method=m, path=API_PREFIX + p, cost=c) for m, p, c in _ENDPOINT_COSTS]
        return reply(rest("GetAccountEndpointCostsResponse", default_cost=10, endpoint_costs=costs))

    async def account_limits(self, request: web.Request) -> web.Response:
        """GetAccountApiLimits: the configured buckets (enforced only with `rate_limits`)."""
        limits = self.rate_limits or RateLimits()
        read = rest("BucketLimit", refill_rate=limits.read.refill_rate, bucket_capacity=limits.read.capacity)
        write = rest("BucketLimit", refill_rate=limits.write.refill_rate, bucket_capacity=limits.write.capacity)
        return reply(rest("GetAccountApiLimitsResponse", usage_tier="basic", read=read, write=write, grants=[]))

    async def deposits(self, request: web.Request) -> web.Response:
        """GetDeposits: none in the simulator."""
        paginate([], request.query, "transfers")
        return reply(rest("GetDepositsResponse", deposits=[], cursor=""))

    async def withdrawals(self, request: web.Request) -> web.Response:
        """GetWithdrawals: none in the simulator."""
        paginate([], request.query, "transfers")
        return reply(rest("GetWithdrawalsResponse", withdrawals=[], cursor=""))

    async def settlements(self, request: web.Request) -> web.Response:
        """GetSettlements: newest first; filters ticker, event_ticker, min_ts, max_ts, subaccount."""
        q = request.query
        sub = int_query(q, "subaccount")
        items = [
            s
            for (u, n), a in self.exchange.accounts.items()
            if u == USER.get() and sub in (None, n)
            for s in a.settlements
            if q.get("ticker", s["ticker"]) == s["ticker"]
            and q.get("event_ticker", s["event_ticker"]) == s["event_ticker"]
            and in_window(q, fmt.seconds(s["settled_time"]))
        ]
        items.sort(key=lambda s: s["settled_time"], reverse=True)
        page, cursor = paginate(items, request.query, "positions")
        return reply(rest("GetSettlementsResponse", settlements=page, cursor=cursor))

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
        order = self.exchange.user_order(USER.get(), request.match_info["order_id"])
        entry = self._queue_entry(order.order_id)
        if entry is None:
            raise ExchangeError(404, "order_not_found", "order is not resting")
        return reply(rest("GetOrderQueuePositionResponse", queue_position_fp=entry["queue_position_fp"]))

    async def queue_positions(self, request: web.Request) -> web.Response:
        """GetOrderQueuePositions: the user's resting orders (filters market_tickers, event_ticker, subaccount)."""
        q = request.query
        sub = int_query(q, "subaccount")
        tickers = set(q["market_tickers"].split(",")) if "market_tickers" in q else None
        entries = []
        for order in self.exchange.orders.values():
            m = order.meta
            if m["user_id"] != USER.get() or order.status is not OrderStatus.RESTING:
                continue
            if sub is not None and m["subaccount"] != sub:
                continue
            if tickers is not None and m["ticker"] not in tickers:
                continue
            if "event_ticker" in q and self.exchange.markets[m["ticker"]].info["event_ticker"] != q["event_ticker"]:
                continue
            entry = self._queue_entry(order.order_id)
            if entry is not None:
                entries.append(entry)
        return reply(rest("GetOrderQueuePositionsResponse", queue_positions=entries))

    async def balance(self, request: web.Request) -> web.Response:
        """GetBalance (all subaccounts unless `subaccount` is given)."""
        return reply(self.exchange.balance_view(USER.get(), int_query(request.query, "subaccount")))

    async def positions(self, request: web.Request) -> web.Response:
        """GetPositions: market and event positions.

        Filters ticker, event_ticker, subaccount, `settlement_status` (unsettled by default, settled,
        all; a market is settled once determined) and `count_filter` (positions with any of the
        listed fields non-zero: position, total_traded).
        """
        q = request.query
        user = USER.get()
        sub = int_query(q, "subaccount") or 0
        account = self.exchange.account(user, sub)
        positions = [p for p in account.positions.values() if p.position != 0 or p.realized_pnl != 0]
        status = q.get("settlement_status", "unsettled")
        if status not in ("unsettled", "settled", "all"):
            raise ExchangeError(400, "invalid_parameters", "settlement_status is unsettled, settled or all")
        if status != "all":
            settled = {t for t, m in self.exchange.markets.items() if m.info.get("result")}
            positions = [p for p in positions if (p.ticker in settled) == (status == "settled")]
        if "count_filter" in q:
            fields = set(q["count_filter"].split(","))
            if not fields <= {"position", "total_traded"}:
                raise ExchangeError(400, "invalid_parameters", "count_filter takes position, total_traded")
            positions = [
                p
                for p in positions
                if ("position" in fields and p.position != 0) or ("total_traded" in fields and p.total_traded != 0)
            ]
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
        return reply(
            rest(
                "GetPositionsResponse",
                cursor=cursor,
                market_positions=[self.exchange.position_view(p) for p in page],
                event_positions=events,
            )
        )

    async def fills(self, request: web.Request) -> web.Response:
        """GetFills: newest first; filters ticker (comma-joined), order_id, min_ts, max_ts, subaccount."""
        q = request.query
        sub = int_query(q, "subaccount")
        fills = [
            f
            for (u, n), a in self.exchange.accounts.items()
            if u == USER.get() and sub in (None, n)
            for f in a.fills
            if in_window(q, f["ts"])
        ]
        if "ticker" in q:
            wanted = set(q["ticker"].split(","))
            fills = [f for f in fills if f["ticker"] in wanted]
        if "order_id" in q:
            fills = [f for f in fills if f["order_id"] == q["order_id"]]
        fills.sort(key=lambda f: f["created_time"], reverse=True)
        page, cursor = paginate(fills, q, "fills")
        return reply(rest("GetFillsResponse", fills=page, cursor=cursor))

    async def orders_list(self, request: web.Request) -> web.Response:
        """GetOrders: newest first; filters ticker, event_ticker (comma-joined), status, min_ts, max_ts, subaccount."""
        q = request.query
        sub = int_query(q, "subaccount")
        orders = [
            o
            for o in self.exchange.orders.values()
            if o.meta["user_id"] == USER.get()
            and sub in (None, o.meta["subaccount"])
            and in_window(q, o.meta["created_ms"] // 1000)
        ]
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
        return reply(rest("GetOrdersResponse", orders=[self.exchange.order_view(o) for o in page], cursor=cursor))

    async def order_one(self, request: web.Request) -> web.Response:
        """GetOrder."""
        order = self.exchange.user_order(USER.get(), request.match_info["order_id"])
        return reply(rest("GetOrderResponse", order=self.exchange.order_view(order)))

    async def subaccount_create(self, request: web.Request) -> web.Response:
        """CreateSubaccount -> 201."""
        await read_body(request)
        return reply(self.exchange.create_subaccount(USER.get()), 201)

    async def subaccount_transfer(self, request: web.Request) -> web.Response:
        """ApplySubaccountTransfer."""
        return reply(self.exchange.transfer_between_subaccounts(USER.get(), await read_body(request)))

    async def subaccount_balances(self, request: web.Request) -> web.Response:
        """GetSubaccountBalances."""
        return reply(self.exchange.subaccount_balances(USER.get()))

    async def subaccount_transfers(self, request: web.Request) -> web.Response:
        """GetSubaccountTransfers: newest first."""
        items = list(reversed(self.exchange.transfers.get(USER.get(), [])))
        page, cursor = paginate(items, request.query, "positions")
        return reply(rest("GetSubaccountTransfersResponse", transfers=page, cursor=cursor))
