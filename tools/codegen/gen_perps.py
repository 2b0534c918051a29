"""Generate kalshi_perps models and resources from specs/perps_openapi.yaml.

Usage:
    uv run python tools/codegen/gen_perps.py            # write the generated modules
    uv run python tools/codegen/gen_perps.py --check    # exit 1 and list files that would change

Reuses gen_rest's builders with a perps `Target`: the generated code builds on kalshi_rest's
`_operation`, `_resource`, `_response`, `_models` and `_fixed_point`, exactly like the prediction
resources. Writes `packages/kalshi-perps/src/kalshi_perps/models/_generated/` and
`packages/kalshi-perps/src/kalshi_perps/resources/_generated/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_rest import TUPLE_SCHEMAS, Target
from gen_rest import main as gen_rest_main

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "specs" / "perps_openapi.yaml"
PKG = ROOT / "packages" / "kalshi-perps" / "src" / "kalshi_perps"

# ---------------------------------------------------------------------------------------------
# Server behaviours and spec pitfalls of the perps API (docs/protocol/server-behaviours.md, docs/perps.md), once each.
# ---------------------------------------------------------------------------------------------

#: Plain-string fields that carry fixed-point dollars (docs/protocol/units.md: perps mostly uses bare
#: names; the spec types these as `string` with "dollars" only in the prose).
DOLLAR_STRING_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("MarginFill", "price"),
        ("MarginFill", "entry_price"),
        ("MarginFill", "fees"),
        ("MarginFill", "realized_pnl"),
        ("MarginTrade", "price"),
        ("NotionalRiskLimitResponse", "default_notional_value_risk_limit"),
    }
)

#: Plain-string decimals that are neither dollars nor counts (docs/protocol/units.md: `contract_size` is a
#: 6-decimal fixed-point string, `premium_index` a signed fraction; split ratios are decimals).
DECIMAL_STRING_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("MarginMarket", "contract_size"),
        ("MarginMarket", "underlying_multiplier"),
        ("GetMarginFundingRateEstimateResponse", "premium_index"),
        ("MarginPremiumIndexPoint", "premium_index"),
        ("MarginCorporateActionSplitTerms", "ratio_old"),
        ("MarginCorporateActionSplitTerms", "ratio_new"),
    }
)

#: `markets.list()` returns a `Page` like every other product's `list` (SEED-API: iterate it for
#: `.ticker`, `.bid`, `.ask`); the endpoint has no cursor, so it is always one page.
SINGLE_PAGE_LISTS: frozenset[str] = frozenset({"GetMarginMarkets"})

# ---------------------------------------------------------------------------------------------
# Resource naming: operationId -> (resource attribute, method name). SEED-API names are a contract.
# ---------------------------------------------------------------------------------------------

NAMES: dict[str, tuple[str, str]] = {
    # exchange
    "GetMarginExchangeStatus": ("exchange", "status"),
    "GetMarginEnabled": ("exchange", "enabled"),
    # markets
    "GetMarginMarkets": ("markets", "list"),
    "GetMarginMarket": ("markets", "get"),
    "GetMarginMarketOrderbook": ("markets", "orderbook"),
    "GetMarginMarketOrderbooks": ("markets", "orderbooks"),
    "GetMarginMarketCandlesticks": ("markets", "candlesticks"),
    "GetMarginTrades": ("markets", "trades"),
    # orders
    "GetMarginOrders": ("orders", "list"),
    "GetMarginOrder": ("orders", "get"),
    "CreateMarginOrder": ("orders", "create"),
    "AmendMarginOrder": ("orders", "amend"),
    "DecreaseMarginOrder": ("orders", "decrease"),
    "CancelMarginOrder": ("orders", "cancel"),
    "CancelAllMarginOrders": ("orders", "cancel_all"),
    # order groups
    "GetMarginOrderGroups": ("order_groups", "list"),
    "CreateMarginOrderGroup": ("order_groups", "create"),
    "GetMarginOrderGroup": ("order_groups", "get"),
    "DeleteMarginOrderGroup": ("order_groups", "delete"),
    "ResetMarginOrderGroup": ("order_groups", "reset"),
    "TriggerMarginOrderGroup": ("order_groups", "trigger"),
    "UpdateMarginOrderGroupLimit": ("order_groups", "update_limit"),
    # portfolio
    "GetMarginFills": ("portfolio", "fills"),
    "GetMarginPositions": ("portfolio", "positions"),
    "CreateMarginSubaccount": ("portfolio", "create_subaccount"),
    # margin account
    "GetMarginBalance": ("margin", "balance"),
    # transfers
    "IntraExchangeInstanceTransfer": ("transfers", "between_instances"),
    "ApplyMarginSubaccountTransfer": ("transfers", "between_subaccounts"),
    # risk
    "GetMarginRisk": ("risk", "get"),
    "GetMarginRiskParameters": ("risk", "parameters"),
    "GetMarginNotionalRiskLimit": ("risk", "notional_limit"),
    # fees
    "GetMarginFeeTiers": ("fees", "tiers"),
    "GetMarginFeeTierRates": ("fees", "tier_rates"),
    # funding
    "GetMarginFundingRateEstimate": ("funding", "estimate"),
    "GetMarginHistoricalFundingRates": ("funding", "historical_rates"),
    "GetMarginPremiumIndex": ("funding", "premium_index"),
    "GetMarginFundingHistory": ("funding", "history"),
    # corporate actions
    "GetMarginCorporateActions": ("corporate_actions", "list"),
    # exit triggers
    "SetIsolatedMarginExitTrigger": ("exit_triggers", "set_isolated"),
    "GetIsolatedMarginExitTriggers": ("exit_triggers", "list_isolated"),
    "DeleteIsolatedMarginExitTrigger": ("exit_triggers", "delete_isolated"),
    "SetCrossMarginExitTrigger": ("exit_triggers", "set_cross"),
    "GetCrossMarginExitTriggers": ("exit_triggers", "list_cross"),
    "DeleteCrossMarginExitTrigger": ("exit_triggers", "delete_cross"),
    "UpdateCrossMarginExitTrigger": ("exit_triggers", "update_cross"),
    "DeleteCrossMarginExitTriggerById": ("exit_triggers", "delete_cross_by_id"),
    # fcm
    "CreateMarginFCMSubtrader": ("fcm", "create_subtrader"),
    "GetFCMSubtraderRiskControls": ("fcm", "subtrader_risk_controls"),
    "UpdateFCMSubtraderRiskControls": ("fcm", "update_subtrader_risk_controls"),
    "DeleteFCMSubtraderRiskControls": ("fcm", "delete_subtrader_risk_controls"),
    "UpdateFCMNotionalRiskLimit": ("fcm", "update_notional_risk_limit"),
    "DeleteFCMNotionalRiskLimit": ("fcm", "delete_notional_risk_limit"),
    # account
    "GetPerpsAccountApiLimits": ("account", "limits"),
}

#: Resource attribute -> (sync class name, one-line description). Order is the client's order.
RESOURCES: dict[str, tuple[str, str]] = {
    "exchange": ("Exchange", "Perps exchange status and the per-member margin access gate."),
    "markets": ("Markets", "Margin markets, order books, candlesticks and trades."),
    "orders": ("Orders", "Margin orders: create, amend, decrease, cancel and list."),
    "order_groups": ("OrderGroups", "Margin order groups: contract limits over a rolling 15-second window."),
    "portfolio": ("Portfolio", "Margin fills, positions and subaccounts."),
    "margin": ("Margin", "The margin account balance, per subaccount."),
    "transfers": ("Transfers", "Transfers between exchange instances and between margin subaccounts."),
    "risk": ("Risk", "Account risk, risk parameters and the notional risk limit."),
    "fees": ("Fees", "Margin fee tiers and their rates."),
    "funding": ("Funding", "Funding rates (estimate, history, premium index) and your funding payments."),
    "corporate_actions": ("CorporateActions", "Corporate-action notices on margin markets."),
    "exit_triggers": ("ExitTriggers", "Exit triggers (bracket and trailing) on isolated and cross positions."),
    "fcm": ("Fcm", "FCM subtraders, their risk controls and notional risk limits."),
    "account": ("Account", "The perps API rate limits of this account."),
}

PERPS = Target(
    spec_path=SPEC_PATH,
    package="kalshi_perps",
    package_dir=PKG,
    names=NAMES,
    resources=RESOURCES,
    clients=("PerpsClient", "AsyncPerpsClient"),
    dollar_string_fields=DOLLAR_STRING_FIELDS,
    decimal_string_fields=DECIMAL_STRING_FIELDS,
    tuple_schemas=TUPLE_SCHEMAS,
    bare_or_wrapped={"MarginMarketResponse": "market"},
    exactly_one={"DecreaseMarginOrderRequest": ("reduce_by", "reduce_to")},
    positive_counts=frozenset({"count", "reduce_by"}),
    single_page_lists=SINGLE_PAGE_LISTS,
)
"""The perps REST API: specs/perps_openapi.yaml into kalshi_perps."""


def main(argv: list[str] | None = None) -> int:
    """Write or check the generated perps files."""
    return gen_rest_main(argv, target=PERPS)


if __name__ == "__main__":
    raise SystemExit(main())
