"""Klear estimate routes: maintenance margin (POST and metadata), settlement and funding by asset class."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._state import ExchangeError
from kalshi_testing.simulator.perps._spec import FUNDING_SCHEDULE, MAINTENANCE_MARGIN

from ._ledger import KLEAR, Ledger, centicents
from ._request import Body, query, query_asset_class, query_date

if TYPE_CHECKING:
    from kalshi_testing.simulator._simulator import KalshiExchangeSimulator

__all__ = ["EstimateRoutes"]


class EstimateRoutes:
    """The estimate handlers of `KlearSurface`."""

    simulator: KalshiExchangeSimulator

    if TYPE_CHECKING:

        @property
        def ledger(self) -> Ledger: ...

        @staticmethod
        async def _body(request: web.Request) -> Any: ...

    async def estimate_mm(self, request: web.Request) -> Body:
        body = await self._body(request)
        if not isinstance(body, dict) or KLEAR.missing_required("EstimatePortfolioMaintenanceMarginRequest", body):
            raise ExchangeError(400, "invalid_parameters", "asset_class and positions are required")
        if body["asset_class"] not in KLEAR.enums["AssetClass"]:
            raise ExchangeError(400, "invalid_parameters", "unknown asset_class", "asset_class")
        positions = body["positions"]
        tickers = [p.get("market_ticker") for p in positions if isinstance(p, dict)]
        if not 1 <= len(positions) <= 500 or len(set(tickers)) != len(positions):
            raise ExchangeError(400, "invalid_parameters", "positions: 1 to 500 entries with unique market tickers")
        if body.get("date") and date.fromisoformat(str(body["date"])) > date.fromtimestamp(
            self.simulator.clock() / 1000
        ):
            raise ExchangeError(404, "not_found", "no margin matrices for that date")
        total = Decimal(0)
        for p in positions:
            market = self.ledger.engine.market(str(p["market_ticker"]))
            price = Decimal(str(p["price"])) if p.get("price") else market.mark_price
            total += abs(Decimal(int(p["quantity"]))) * price * market.contract_size * MAINTENANCE_MARGIN
        money = {k: fmt.dollars(v) for k, v in (("maintenance_margin_fp", total), ("base_margin_fp", total))}
        zero = fmt.dollars(Decimal(0))
        return KLEAR.rest(
            "EstimatePortfolioMaintenanceMarginResponse",
            hvar_fp=zero,
            apc_fp=zero,
            funding_addon_fp=zero,
            liquidation_addon_fp=zero,
            **money,
        )

    async def mm_metadata(self, request: web.Request) -> Body:
        asset_class = query_asset_class(request)
        query_date(request, "date")
        tickers = [t for t, m in self.ledger.engine.markets.items() if m.info.get("asset_class") == asset_class]
        matrix = KLEAR.rest("MaintenanceMarginMatrix", market_tickers=tickers, returns=[[0.0 for _ in tickers]])
        configs = [
            KLEAR.rest(
                "MaintenanceMarginLiquidationConfig",
                market_ticker=t,
                market_impact_volatility=0.02,
                market_impact_coefficient=0.1,
                market_impact_exponent=0.5,
                market_impact_forecasted_volume=1000.0,
                spread_rate=0.0005,
            )
            for t in tickers
        ]
        return KLEAR.rest(
            "GetMaintenanceMarginMetadataResponse",
            asset_class=asset_class,
            base_tail_percentile=0.99,
            funding_tail_percentile=0.99,
            matrices=KLEAR.rest("MaintenanceMarginMatrices", hvar=matrix, apc=matrix, aug=matrix, funding=matrix),
            liquidation_configs=configs,
            subgroups=[],
        )

    async def settlement_estimate(self, request: web.Request) -> Body:
        estimates = {}
        for asset_class in self.ledger.asset_classes():
            obligation = self.ledger.obligation(asset_class)
            positions = {
                d["market_ticker"]: KLEAR.rest(
                    "MarketSettlementEstimate",
                    quantity_centicount=int(Decimal(d["position_quantity_fp"]) * 100),
                    variation_margin_centicents=d["pnl_centicents"],
                    notional_value_centicents=centicents(
                        abs(Decimal(d["position_quantity_fp"]))
                        * self.ledger.engine.markets[d["market_ticker"]].mark_price
                    ),
                )
                for d in obligation["settlement_details"]
            }
            user = KLEAR.rest(
                "SettlementEstimate",
                variation_margin_centicents=obligation["pnl_centicents"],
                total_fees_centicents=obligation["fees_centicents"],
                maintenance_margin_delta_centicents=0,
                maintenance_margin_required_centicents=obligation["maintenance_margin_centicents"],
                total_amount_centicents=obligation["amount_centicents"],
                positions=positions,
            )
            estimates[asset_class] = KLEAR.rest(
                "AssetClassSettlementEstimate",
                user_breakdown=user,
                omitted_subtrader_count=0,
                omitted_group_count=0,
                next_runtime=obligation["execution_time"],
            )
        available, _ = self.ledger.balances()
        return KLEAR.rest(
            "GetSettlementEstimateByAssetClassResponse",
            estimates=estimates,
            settlement_balance_centicents=centicents(available),
        )

    async def funding_estimate(self, request: web.Request) -> Body:
        engine = self.ledger.engine
        estimates: dict[str, Any] = {}
        for asset_class in self.ledger.asset_classes():
            positions: dict[str, Any] = {}
            total = 0
            for ticker, market in engine.markets.items():
                if market.info.get("asset_class") != asset_class:
                    continue
                held = sum(
                    (a.positions[ticker].position for a in engine.accounts.values() if ticker in a.positions),
                    Decimal(0),
                )
                if not held:
                    continue
                amount = centicents(-held * market.contract_size * market.mark_price * engine.funding_rate(market))
                total += amount
                positions[ticker] = KLEAR.rest(
                    "MarketFundingEstimate", quantity_centicount=int(held * 100), funding_amount_centicents=amount
                )
            estimates[asset_class] = KLEAR.rest(
                "AssetClassFundingEstimate",
                user_breakdown=KLEAR.rest("FundingEstimate", funding_amount_centicents=total, positions=positions),
                omitted_subtrader_count=0,
                omitted_group_count=0,
                next_funding_time=fmt.rfc3339(self.ledger.next_funding_ms()),
            )
        return KLEAR.rest("GetFundingEstimateByAssetClassResponse", estimates=estimates)

    async def funding_schedule(self, request: web.Request) -> Body:
        query_asset_class(request)
        return KLEAR.rest("GetMarginFundingScheduleResponse", schedule=FUNDING_SCHEDULE)

    async def settlement_prices(self, request: web.Request) -> Body:
        asset_class = query_asset_class(request)
        query(request, "settlement_time")
        prices = {
            t: centicents(m.mark_price)
            for t, m in self.ledger.engine.markets.items()
            if m.info.get("asset_class") == asset_class
        }
        return KLEAR.rest("GetSettlementPricesResponse", settlement_prices=prices)
