"""Perps REST routes for the account: limits, fees, notional risk limits, FCM, order groups, exit triggers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._exchange import ExchangeError
from kalshi_testing.simulator._ratelimit import RateLimits

from ._engine import PerpsExchange
from ._query import Body, query_int, read_body
from ._realism import PerpsRealism
from ._spec import PERPS

__all__ = ["AccountRoutes"]


class AccountRoutes:
    """The account-side handlers of `PerpsRestSurface` (each takes the request and the signed-in user)."""

    engine: PerpsExchange
    rate_limits: RateLimits | None
    realism: PerpsRealism

    # --- account, fees, risk limits, FCM -------------------------------------------------------

    def limits(self, request: web.Request, user: str) -> Body:
        limits = self.rate_limits or RateLimits()
        read, write = limits.perps_read, limits.perps_write
        return PERPS.rest(
            "GetAccountApiLimitsResponse",
            usage_tier="basic",
            read=PERPS.rest("BucketLimit", refill_rate=read.refill_rate, bucket_capacity=read.capacity),
            write=PERPS.rest("BucketLimit", refill_rate=write.refill_rate, bucket_capacity=write.capacity),
            grants=[],
        )

    def fee_tiers(self, request: web.Request, user: str) -> Body:
        return PERPS.rest("GetMarginFeeTiersResponse", maker_fee_rates={"0": 0.0}, taker_fee_rates={"0": 0.0005})

    def fee_tier_rates(self, request: web.Request, user: str) -> Body:
        rates = [
            PERPS.rest("MarginFeeTierRate", fee_schedule=s, tier=0, maker_fee_rate=0.0, taker_fee_rate=0.0005)
            for s in PERPS.field_enums["MarginFeeTierRate"]["fee_schedule"]
        ]
        return PERPS.rest("GetMarginFeeTierRatesResponse", fee_tier_rates=rates)

    def notional_limit(self, request: web.Request, user: str) -> Body:
        usage = {
            pos.ticker: fmt.dollars(abs(pos.position) * self.engine.markets[pos.ticker].mark_price)
            for a in self.engine.user_accounts(user)
            for pos in a.positions.values()
            if pos.position
        }
        total = sum((Decimal(v) for v in usage.values()), Decimal(0))
        member = self.engine.fcm_limits.get(user)
        return PERPS.rest(
            "NotionalRiskLimitResponse",
            default_notional_value_risk_limit="10000000.0000",
            notional_value_risk_limits_by_market_ticker={},
            total_current_usage=fmt.dollars(total),
            current_usage_by_market_ticker=usage,
            member_notional_value_risk_limit=member,
            effective_account_notional_value_risk_limit=member or "10000000.0000",
        )

    async def notional_limit_put(self, request: web.Request, user: str) -> Body:
        body = self.engine.check_body("UpdateFCMNotionalRiskLimitRequest", await read_body(request))
        try:
            self.engine.fcm_limits[user] = fmt.dollars(fmt.parse_price(body["notional_value_risk_limit"]))
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        return {}

    def notional_limit_delete(self, request: web.Request, user: str) -> Body:
        self.engine.fcm_limits.pop(user, None)
        return {}

    async def fcm_subtrader(self, request: web.Request, user: str) -> Body:
        body = self.engine.check_body("CreateMarginFCMSubtraderRequest", await read_body(request))
        suffix = str(body["subtrader_suffix"])
        if not (1 <= len(suffix) <= 16 and suffix.isascii() and suffix.isalnum() and suffix == suffix.lower()):
            raise ExchangeError(400, "invalid_parameters", "subtrader_suffix must match ^[a-z0-9]{1,16}$")
        subtrader = f"{user}_{suffix}"
        if subtrader in self.engine.subtraders:
            raise ExchangeError(409, "subtrader_exists", f"subtrader {subtrader} already exists")
        self.engine.subtraders[subtrader] = bool(body["require_category_cap"])
        return PERPS.rest("CreateMarginFCMSubtraderResponse", subtrader_id=subtrader)

    def risk_controls(self, request: web.Request, user: str) -> Body:
        q = request.query
        rows = [
            r
            for r in self.engine.risk_controls.values()
            if r["subtrader_id"].startswith(user + "_") and q.get("subtrader_id") in (None, "", r["subtrader_id"])
        ]
        return PERPS.rest("GetFCMSubtraderRiskControlsResponse", risk_controls=rows, notional_limits=[])

    async def risk_controls_put(self, request: web.Request, user: str) -> Body:
        body = self.engine.check_body("UpdateFCMSubtraderRiskControlsRequest", await read_body(request))
        key = self._risk_key(user, body)
        try:
            im_cap = fmt.dollars(fmt.parse_price(body["im_cap"]))
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc), "im_cap") from None
        values = {k: body[k] for k in ("subtrader_id", "market_ticker", "asset_class") if body.get(k)}
        self.engine.risk_controls[key] = PERPS.rest("FCMSubtraderRiskControls", im_cap=im_cap, current_im="0", **values)
        return {}

    def risk_controls_delete(self, request: web.Request, user: str) -> Body:
        key = self._risk_key(user, dict(request.query))
        if self.engine.risk_controls.pop(key, None) is None:
            raise ExchangeError(404, "not_found", "no such risk control")
        return {}

    def _risk_key(self, user: str, values: dict[str, Any]) -> tuple[str, str]:
        subtrader = str(values.get("subtrader_id") or "")
        if subtrader not in self.engine.subtraders or not subtrader.startswith(user + "_"):
            raise ExchangeError(404, "subtrader_not_found", f"subtrader {subtrader} not found")
        ticker, asset = values.get("market_ticker"), values.get("asset_class")
        if bool(ticker) == bool(asset):
            raise ExchangeError(400, "invalid_parameters", "send exactly one of market_ticker and asset_class")
        return subtrader, str(ticker or asset)

    # --- order groups --------------------------------------------------------------------------

    def groups_list(self, request: web.Request, user: str) -> Body:
        sub = query_int(request.query, "subaccount")
        groups = [
            self.engine.group_view(g, with_orders=False)
            for g in self.engine.groups.values()
            if g.user_id == user and sub in (None, g.subaccount)
        ]
        return PERPS.rest("GetOrderGroupsResponse", order_groups=groups)

    def group_one(self, request: web.Request, user: str) -> Body:
        group = self.engine.order_group(user, request.match_info["order_group_id"])
        return self.realism.null_when_empty(self.engine.group_view(group, with_orders=True), "orders")

    def group_delete(self, request: web.Request, user: str) -> Body:
        self.engine.delete_group(self.engine.order_group(user, request.match_info["order_group_id"]))
        return {}

    def group_reset(self, request: web.Request, user: str) -> Body:
        self.engine.reset_group(self.engine.order_group(user, request.match_info["order_group_id"]))
        return {}

    def group_trigger(self, request: web.Request, user: str) -> Body:
        self.engine.trigger_group(self.engine.order_group(user, request.match_info["order_group_id"]))
        return {}

    async def group_limit(self, request: web.Request, user: str) -> Body:
        group = self.engine.order_group(user, request.match_info["order_group_id"])
        self.engine.update_group_limit(group, await read_body(request))
        return {}

    # --- exit triggers -------------------------------------------------------------------------

    def _trigger_handler(self, mode: str, action: str) -> Callable[[web.Request, str], Awaitable[Body]]:
        async def handler(request: web.Request, user: str) -> Body:
            ticker = request.match_info["ticker"]
            sub = (query_int(request.query, "subaccount") or 0) if mode == "cross" else 0
            kind = request.query.get("kind") or None
            if action == "set":
                return self.engine.set_exit_trigger(user, sub, ticker, mode, await read_body(request))
            if action == "list":
                rows = self.engine.exit_triggers(user, sub, ticker, mode, kind)
                return PERPS.rest("GetExitTriggersResponse", exit_triggers=rows)
            self.engine.delete_exit_triggers(user, sub, ticker, mode, kind)
            return None

        return handler

    async def trigger_update(self, request: web.Request, user: str) -> Body:
        m = request.match_info
        sub = query_int(request.query, "subaccount") or 0
        return self.engine.update_exit_trigger(user, sub, m["ticker"], m["trigger_id"], await read_body(request))

    def trigger_delete(self, request: web.Request, user: str) -> Body:
        m = request.match_info
        self.engine.delete_exit_trigger(user, query_int(request.query, "subaccount") or 0, m["ticker"], m["trigger_id"])
        return None
