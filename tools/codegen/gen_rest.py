"""Generate kalshi_rest models and resources from specs/openapi.yaml.

Usage:
    uv run python tools/codegen/gen_rest.py            # write the generated modules
    uv run python tools/codegen/gen_rest.py --check    # exit 1 and list files that would change

Writes `packages/kalshi-rest/src/kalshi_rest/models/_generated/` (Pydantic v2 models split by spec
tag, plus a lazy index) and `packages/kalshi-rest/src/kalshi_rest/resources/_generated/` (one
module per resource with both faces, the operation tables, the raw-response wrappers and the typed
client mixins). Output is passed through `ruff format`.

Every Kalshi quirk the generator knows is in the "Server behaviours" section below, once each.
The builders take a `Target` (spec, package, names, quirk tables), so a perps or Klear generator
can reuse them: `gen_rest.main(argv, target=Target(...))`; the generated code builds on
kalshi_rest's `_operation`, `_resource`, `_response`, `_models` and `_fixed_point`.
"""

from __future__ import annotations

import argparse
import keyword
import re
import subprocess
import sys
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _openapi import OpenAPISpec, OperationSpec, ParameterSpec, Schema, pascal_case, snake_case

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "specs" / "openapi.yaml"
PKG = ROOT / "packages" / "kalshi-rest" / "src" / "kalshi_rest"
MODELS_DIR = PKG / "models" / "_generated"
RESOURCES_DIR = PKG / "resources" / "_generated"

# ---------------------------------------------------------------------------------------------
# Server behaviours and spec pitfalls (docs/protocol/server-behaviours.md), each handled here and only here.
# ---------------------------------------------------------------------------------------------

#: The one response decode policy (DESIGN "Reading and writing the wire"). The server leaves out
#: or nulls fields the spec calls required (docs/protocol/server-behaviours.md: `Event.product_metadata`, the perps
#: orders `cursor`, fields added during a rollout), so on response models every spec-required field
#: is generated optional: absent or null reads as None (a list as `[]`), and the model lists it in
#: `missing_fields`. Only what a client cannot act without stays required, and a body without it is
#: a typed `KalshiResponseError`: the id, ticker, side, price and size in any schema about orders or
#: fills (not order groups or books; book levels are fixed-size tuples, strict by their type).
STRICT_SCHEMA_RE = re.compile(r"(Order|Fill)(?!book|Group)")
STRICT_FIELDS: frozenset[str] = frozenset(
    {
        "order_id",
        "fill_id",
        "ticker",
        "market_ticker",
        "side",
        "book_side",
        "outcome_side",
        "taker_outcome_side",
        "price",
        "yes_price_dollars",
        "no_price_dollars",
        "count",
        "count_fp",
        "initial_count_fp",
        "remaining_count",
        "remaining_count_fp",
    }
)


def is_strict(schema: str, field: str) -> bool:
    """True for a response field a client cannot act without (kept required by the decode policy)."""
    return field in STRICT_FIELDS and STRICT_SCHEMA_RE.search(schema) is not None


#: Request fields the spec leaves optional that the SDK requires: `client_order_id` is the key
#: Kalshi de-duplicates order creates by, so it is sent on every create (docs/protocol/server-behaviours.md).
TIGHTENED_REQUIRED: frozenset[tuple[str, str]] = frozenset({("CreateOrderV2Request", "client_order_id")})

#: Request models that take exactly one of some fields (the spec's prose: a decrease gives
#: `reduce_by` or `reduce_to`, never both, never neither).
EXACTLY_ONE: dict[str, tuple[str, ...]] = {"DecreaseOrderV2Request": ("reduce_by", "reduce_to")}

#: Query parameters the spec types as a plain string that carry a comma-joined list, and their
#: item limits (docs/protocol/units.md; the limits are in the spec's descriptions).
COMMA_JOINED: dict[tuple[str, str], int | None] = {
    ("GetMarkets", "tickers"): None,
    ("GetHistoricalMarkets", "tickers"): None,
    ("GetEvents", "tickers"): None,
    ("GetMultivariateEvents", "tickers"): None,
    ("BatchGetMarketCandlesticks", "market_tickers"): 100,
    ("GetOrderQueuePositions", "market_tickers"): None,
    ("GetOrders", "event_ticker"): 100,
    ("GetFills", "ticker"): 100,
    ("GetFCMOrders", "client_order_ids"): 100,
    ("GetPositions", "count_filter"): None,
    ("GetFCMPositions", "count_filter"): None,
}

#: Plain-string fields that carry fixed-point dollars although neither their schema nor their
#: name says so (docs/protocol/server-behaviours.md: quote bids `yes_bid` / `no_bid` have no `_dollars` suffix;
#: docs/protocol/units.md:
#: `price_ranges` entries `{start, end, step}` are dollar prices such as `"0.0010"`).
DOLLAR_STRING_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("CreateQuoteRequest", "yes_bid"),
        ("CreateQuoteRequest", "no_bid"),
        ("PriceRange", "start"),
        ("PriceRange", "end"),
        ("PriceRange", "step"),
    }
)

#: Component array schemas that are fixed-size tuples of fixed-point strings: (dollars, count).
TUPLE_SCHEMAS: dict[str, tuple[str, ...]] = {"PriceLevelDollarsCountFp": ("dollars", "count")}


#: Read-only shorthand properties promised by SEED-API (`market.yes_bid` is `yes_bid_dollars`):
#: the unsuffixed wire fields were removed from the spec (docs/protocol/units.md), so the names are free.
SHORTHAND_PROPERTIES: dict[str, dict[str, str]] = {
    "Market": {
        "yes_bid": "yes_bid_dollars",
        "yes_ask": "yes_ask_dollars",
        "no_bid": "no_bid_dollars",
        "no_ask": "no_ask_dollars",
        "last_price": "last_price_dollars",
    },
}


#: Python spelling of wire names that are keywords (docs/protocol/server-behaviours.md: `from` on the weather endpoint).
def py_name(wire: str) -> str:
    """The Python identifier for a wire name; keywords and invalid names get a trailing `_`."""
    name = re.sub(r"[^0-9a-zA-Z_]", "_", wire)
    if name[:1].isdigit():
        name = "_" + name
    if keyword.iskeyword(name) or name != wire:
        name += "_"
    return name


#: Cursor lists whose response holds more than one array: the field that holds the page's items
#: (the rest of the body stays reachable as `page.response`, e.g. `event_positions`).
PAGE_ITEMS: dict[str, str] = {
    "GetEvents": "events",
    "GetPositions": "market_positions",
    "GetFCMPositions": "market_positions",
    "GetHistoricalPositions": "market_positions",
}

#: Incentive programs answer the next cursor as `next_cursor` (docs/protocol/units.md); found from the schema.
CURSOR_FIELDS = ("cursor", "next_cursor")

#: Rate-limit cost: parsed from "**Rate limit:** N tokens per request|order" in the operation's
#: description or its `x-mint` note (docs/protocol/units.md); operations that do not say cost the default.
DEFAULT_COST = 10
_COST_RE = re.compile(r"\*\*Rate limit:\*\*\s*(\d+)\s+tokens per (\w+)")
#: A cost that depends on a query value: "..., or 50 tokens when `compute_available_balance=true`"
#: (perps GetMarginBalance, docs/protocol/rate-limits.md). The method then sends a second `Operation` with that cost.
_COST_WHEN_RE = re.compile(r"\*\*Rate limit:\*\*[^\n]*?\bor\s+(\d+)\s+tokens when\s+`(\w+)=([\w.-]+)`")


def _cost_text(op: OperationSpec) -> str:
    mint = op.extensions.get("x-mint")
    note = mint.get("content", "") if isinstance(mint, dict) else ""
    return f"{op.description}\n{note}"


#: The empty-object schema used as an optional request body (reset / trigger / confirm): the
#: method takes no body and the core sends `{}` (docs/protocol/server-behaviours.md).
EMPTY_BODY_SCHEMAS = frozenset({"EmptyResponse"})

# ---------------------------------------------------------------------------------------------
# Resource naming: operationId -> (resource attribute, method name). SEED-API names are a contract.
# ---------------------------------------------------------------------------------------------

NAMES: dict[str, tuple[str, str]] = {
    # exchange
    "GetExchangeStatus": ("exchange", "status"),
    "GetExchangeSchedule": ("exchange", "schedule"),
    "GetUserDataTimestamp": ("exchange", "user_data_timestamp"),
    # series
    "GetSeriesList": ("series", "list"),
    "GetSeries": ("series", "get"),
    "GetSeriesFeeChanges": ("series", "fee_changes"),
    # markets
    "GetMarkets": ("markets", "list"),
    "GetMarket": ("markets", "get"),
    "GetMarketOrderbook": ("markets", "orderbook"),
    "GetMarketOrderbooks": ("markets", "orderbooks"),
    "GetTrades": ("markets", "trades"),
    "GetMarketCandlesticks": ("markets", "candlesticks"),
    "BatchGetMarketCandlesticks": ("markets", "batch_candlesticks"),
    # events
    "GetEvents": ("events", "list"),
    "GetEvent": ("events", "get"),
    "GetEventMetadata": ("events", "metadata"),
    "GetMultivariateEvents": ("events", "list_multivariate"),
    "GetEventFeeChanges": ("events", "fee_changes"),
    "GetMarketCandlesticksByEvent": ("events", "candlesticks"),
    "GetEventForecastPercentilesHistory": ("events", "forecast_percentile_history"),
    # orders
    "GetOrders": ("orders", "list"),
    "GetOrder": ("orders", "get"),
    "GetOrderQueuePositions": ("orders", "queue_positions"),
    "GetOrderQueuePosition": ("orders", "queue_position"),
    "CreateOrderV2": ("orders", "create_v2"),
    "AmendOrderV2": ("orders", "amend_v2"),
    "DecreaseOrderV2": ("orders", "decrease_v2"),
    "CancelOrderV2": ("orders", "cancel_v2"),
    "BatchCreateOrdersV2": ("orders", "batch_create_v2"),
    "BatchCancelOrdersV2": ("orders", "batch_cancel_v2"),
    "CancelAllOrders": ("orders", "cancel_all"),
    # order groups
    "GetOrderGroups": ("order_groups", "list"),
    "CreateOrderGroup": ("order_groups", "create"),
    "GetOrderGroup": ("order_groups", "get"),
    "DeleteOrderGroup": ("order_groups", "delete"),
    "ResetOrderGroup": ("order_groups", "reset"),
    "TriggerOrderGroup": ("order_groups", "trigger"),
    "UpdateOrderGroupLimit": ("order_groups", "update_limit"),
    # portfolio
    "GetBalance": ("portfolio", "balance"),
    "GetPositions": ("portfolio", "positions"),
    "GetSettlements": ("portfolio", "settlements"),
    "GetFills": ("portfolio", "fills"),
    "GetDeposits": ("portfolio", "deposits"),
    "GetWithdrawals": ("portfolio", "withdrawals"),
    "GetPortfolioRestingOrderTotalValue": ("portfolio", "resting_order_total_value"),
    "IntraExchangeInstanceTransfer": ("portfolio", "transfer_between_instances"),
    "GetIntraExchangeInstanceTransfers": ("portfolio", "instance_transfers"),
    "GetIntraExchangeInstanceTransfer": ("portfolio", "instance_transfer"),
    "GetTargetBalanceAllocation": ("portfolio", "target_balance_allocation"),
    "SetTargetBalanceAllocation": ("portfolio", "set_target_balance_allocation"),
    # subaccounts
    "CreateSubaccount": ("subaccounts", "create"),
    "ApplySubaccountTransfer": ("subaccounts", "transfer"),
    "GetSubaccountBalances": ("subaccounts", "balances"),
    "GetSubaccountTransfers": ("subaccounts", "transfers"),
    "GetSubaccountNetting": ("subaccounts", "netting"),
    "UpdateSubaccountNetting": ("subaccounts", "update_netting"),
    # communications
    "GetCommunicationsID": ("communications", "id"),
    "GetBlockTradeProposals": ("block_trades", "list"),
    "ProposeBlockTrade": ("block_trades", "propose"),
    "AcceptBlockTradeProposal": ("block_trades", "accept"),
    "GetRFQs": ("rfqs", "list"),
    "CreateRFQ": ("rfqs", "create"),
    "GetRFQ": ("rfqs", "get"),
    "DeleteRFQ": ("rfqs", "delete"),
    "GetRFQQuote": ("rfqs", "get_quote"),
    "DeleteRFQQuote": ("rfqs", "delete_quote"),
    "AcceptRFQQuote": ("rfqs", "accept_quote"),
    "ConfirmRFQQuote": ("rfqs", "confirm_quote"),
    "GetRFQBatches": ("rfq_batches", "list"),
    "CreateRFQBatch": ("rfq_batches", "create"),
    "GetRFQBatch": ("rfq_batches", "get"),
    "DeleteRFQBatch": ("rfq_batches", "delete"),
    "GetRFQBatchBestQuotes": ("rfq_batches", "best_quotes"),
    "AcceptRFQBatch": ("rfq_batches", "accept"),
    "GetRFQBatchQuotes": ("rfq_batches", "quotes"),
    "CreateRFQBatchQuote": ("rfq_batches", "create_quote"),
    "DeleteRFQBatchQuote": ("rfq_batches", "delete_quote"),
    "ConfirmRFQBatchQuote": ("rfq_batches", "confirm_quote"),
    "GetQuotes": ("quotes", "list"),
    "CreateQuote": ("quotes", "create"),
    "GetQuote": ("quotes", "get"),
    "DeleteQuote": ("quotes", "delete"),
    "AcceptQuote": ("quotes", "accept"),
    "ConfirmQuote": ("quotes", "confirm"),
    # api keys, account
    "GetApiKeys": ("api_keys", "list"),
    "CreateApiKey": ("api_keys", "create"),
    "GenerateApiKey": ("api_keys", "generate"),
    "DeleteApiKey": ("api_keys", "delete"),
    "GetAccountApiLimits": ("account", "limits"),
    "GetAccountEndpointCosts": ("account", "endpoint_costs"),
    "UpgradeAccountApiUsageLevel": ("account", "upgrade_api_usage_level"),
    "GetAccountApiUsageLevelVolumeProgress": ("account", "api_usage_level_volume_progress"),
    # search
    "GetTagsForSeriesCategories": ("search", "tags_by_categories"),
    "GetFiltersForSports": ("search", "filters_by_sport"),
    # live data
    "GetLiveData": ("live_data", "get"),
    "GetLiveDataByMilestone": ("live_data", "by_milestone"),
    "GetLiveDatas": ("live_data", "batch"),
    "GetGameStats": ("live_data", "game_stats"),
    "GetEventLiveData": ("live_data", "event"),
    "GetWeatherIndex": ("live_data", "weather"),
    "GetWeatherIndexCalibrations": ("live_data", "weather_calibrations"),
    # structured targets, milestones, multivariate, incentive programs
    "GetStructuredTargets": ("structured_targets", "list"),
    "GetStructuredTarget": ("structured_targets", "get"),
    "GetMilestones": ("milestones", "list"),
    "GetMilestone": ("milestones", "get"),
    "GetMultivariateEventCollections": ("multivariate", "list"),
    "GetMultivariateEventCollection": ("multivariate", "get"),
    "CreateMarketInMultivariateEventCollection": ("multivariate", "create_market"),
    "GetIncentivePrograms": ("incentive_programs", "list"),
    # fcm
    "GetFCMFills": ("fcm", "fills"),
    "GetFCMOrders": ("fcm", "orders"),
    "GetFCMPositions": ("fcm", "positions"),
    "ListFCMSubtraders": ("fcm", "subtraders"),
    "CreateFCMSubtrader": ("fcm", "create_subtrader"),
    "GetFCMEventContractDailyCap": ("fcm", "event_contract_daily_cap"),
    "UpdateFCMEventContractDailyCap": ("fcm", "update_event_contract_daily_cap"),
    "DeleteFCMEventContractDailyCap": ("fcm", "delete_event_contract_daily_cap"),
    "GetFCMSubtraderBlockedCategories": ("fcm", "blocked_categories"),
    "UpdateFCMSubtraderBlockedCategories": ("fcm", "update_blocked_categories"),
    "CreateFCMPositionTransfer": ("fcm", "transfer_position"),
    # historical
    "GetHistoricalCutoff": ("historical", "cutoff"),
    "GetHistoricalMarkets": ("historical", "markets"),
    "GetHistoricalMarket": ("historical", "market"),
    "GetMarketCandlesticksHistorical": ("historical", "market_candlesticks"),
    "GetTradesHistorical": ("historical", "trades"),
    "GetFillsHistorical": ("historical", "fills"),
    "GetHistoricalOrders": ("historical", "orders"),
    "GetHistoricalPositions": ("historical", "positions"),
}

#: Resource attribute -> (sync class name, one-line description). Order is the client's order.
RESOURCES: dict[str, tuple[str, str]] = {
    "exchange": ("Exchange", "Exchange status, schedule and user-data timestamp."),
    "markets": ("Markets", "Markets, order books, trades and candlesticks."),
    "events": ("Events", "Events, their metadata, candlesticks and fee changes."),
    "series": ("Series", "Series and their fee changes."),
    "orders": ("Orders", "Event-market orders: the V2 write family, lists and queue positions."),
    "order_groups": ("OrderGroups", "Order groups: contract limits over a rolling 15-second window."),
    "portfolio": ("Portfolio", "Balance, positions, fills, settlements, deposits, withdrawals and transfers."),
    "subaccounts": ("Subaccounts", "Subaccounts, their balances, transfers and netting."),
    "communications": ("Communications", "The communications identity used by RFQs and quotes."),
    "block_trades": ("BlockTrades", "Block-trade proposals."),
    "rfqs": ("Rfqs", "Requests for quote and the quotes under them."),
    "rfq_batches": ("RfqBatches", "RFQ batches and their batch quotes."),
    "quotes": ("Quotes", "Quotes on RFQs."),
    "api_keys": ("ApiKeys", "API keys."),
    "account": ("Account", "API rate limits, usage level and endpoint costs."),
    "search": ("Search", "Search filters and tags."),
    "live_data": ("LiveData", "Live data for milestones, events and weather indexes."),
    "structured_targets": ("StructuredTargets", "Structured targets."),
    "milestones": ("Milestones", "Milestones."),
    "multivariate": ("Multivariate", "Multivariate event collections."),
    "incentive_programs": ("IncentivePrograms", "Incentive programs."),
    "fcm": ("Fcm", "FCM (futures commission merchant) endpoints."),
    "historical": ("Historical", "Historical markets, trades, fills, orders and positions."),
}

# ---------------------------------------------------------------------------------------------
# Target: everything product-specific, so perps and Klear generators can reuse the builders.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One OpenAPI spec and the package its models and resources are generated into."""

    spec_path: Path
    package: str
    package_dir: Path
    names: dict[str, tuple[str, str]]
    resources: dict[str, tuple[str, str]]
    clients: tuple[str, str]
    tightened_required: frozenset[tuple[str, str]] = frozenset()
    #: Request models of which exactly one of some fields must be given.
    exactly_one: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Request count fields that must be > 0 (perps order sizes), by wire name.
    positive_counts: frozenset[str] = frozenset()
    #: Query strings that carry a comma-joined list, with their item limit (docs/protocol/units.md); None: no limit.
    comma_joined: dict[tuple[str, str], int | None] = field(default_factory=dict)
    #: Response wrappers the server may leave out: `{schema: key}` accepts `{key: {...}}` or the
    #: bare `{...}` (perps single-market GET).
    bare_or_wrapped: dict[str, str] = field(default_factory=dict)
    dollar_string_fields: frozenset[tuple[str, str]] = frozenset()
    tuple_schemas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    shorthand_properties: dict[str, dict[str, str]] = field(default_factory=dict)
    page_items: dict[str, str] = field(default_factory=dict)
    empty_body_schemas: frozenset[str] = EMPTY_BODY_SCHEMAS
    #: Plain-string fields holding a decimal that is neither dollars nor a count (perps
    #: `contract_size`, `premium_index`): `Decimal` as well (`FixedPointNumber` / `StrictDecimal`).
    decimal_string_fields: frozenset[tuple[str, str]] = frozenset()
    #: Lists without a cursor that still return a `Page` (one page, `has_next` False), so that
    #: `for market in client.markets.list()` reads the same on every product.
    single_page_lists: frozenset[str] = frozenset()

    def runtime(self, module: str) -> str:
        """Where generated code imports kalshi_rest's runtime `module` from: kalshi_rest's own
        generated code uses the private module, every other product `kalshi_rest.extension`."""
        return f"kalshi_rest.{module}" if self.package == "kalshi_rest" else "kalshi_rest.extension"

    @property
    def models_pkg(self) -> str:
        """Import path of the generated models package."""
        return f"{self.package}.models._generated"

    @property
    def resources_pkg(self) -> str:
        """Import path of the generated resources package."""
        return f"{self.package}.resources._generated"

    @property
    def models_dir(self) -> Path:
        """Directory of the generated models."""
        return self.package_dir / "models" / "_generated"

    @property
    def resources_dir(self) -> Path:
        """Directory of the generated resources."""
        return self.package_dir / "resources" / "_generated"


PREDICTION = Target(
    spec_path=SPEC_PATH,
    package="kalshi_rest",
    package_dir=PKG,
    names=NAMES,
    resources=RESOURCES,
    clients=("KalshiClient", "AsyncKalshiClient"),
    tightened_required=TIGHTENED_REQUIRED,
    comma_joined=COMMA_JOINED,
    exactly_one=EXACTLY_ONE,
    dollar_string_fields=DOLLAR_STRING_FIELDS,
    tuple_schemas=TUPLE_SCHEMAS,
    shorthand_properties=SHORTHAND_PROPERTIES,
    page_items=PAGE_ITEMS,
)
"""The prediction REST API: specs/openapi.yaml into kalshi_rest."""


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def docstring(text: str, indent: str = "") -> str:
    """A triple-quoted docstring literal for `text` (escaped; multi-line kept)."""
    text = textwrap.dedent(text).strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    lines = text.splitlines()
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    body = "\n".join((indent + line) if line.strip() else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{body}\n{indent}"""\n'


_STRUCTURED_LINE = re.compile(r"^\s*(\||[-*] |\d+\. )")


def _paragraphs(text: str) -> list[tuple[bool, str]]:
    """(structured, text) per paragraph; tables and lists keep their lines, prose is joined."""
    out: list[tuple[bool, str]] = []
    for para in re.split(r"\n\s*\n", textwrap.dedent(text).strip()):
        lines = [line.rstrip() for line in para.splitlines() if line.strip()]
        if not lines:
            continue
        if any(_STRUCTURED_LINE.match(line) for line in lines):
            out.append((True, "\n".join(line.strip() for line in lines)))
        else:
            out.append((False, " ".join(" ".join(lines).split())))
    return out


def clean(text: str) -> str:
    """Spec prose tidied for a docstring: prose joined per paragraph, tables and lists kept."""
    return "\n\n".join(p for _, p in _paragraphs(text))


def wrap(text: str, width: int = 100, indent: str = "") -> list[str]:
    """Wrap prose into lines; tables and lists are kept line by line."""
    out: list[str] = []
    for i, (structured, para) in enumerate(_paragraphs(text)):
        if i:
            out.append("")
        if structured:
            out.extend(indent + line for line in para.splitlines())
        else:
            out.extend(textwrap.wrap(para, width=width, initial_indent=indent, subsequent_indent=indent) or [""])
    return out


def singular(word: str) -> str:
    """A crude singular for naming array-item models."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word + "Item"


def ruff_format(source: str) -> str:
    """Format with the workspace's ruff configuration."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", "generated.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed:\n{result.stderr}\n{source[:2000]}")
    return result.stdout


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


@dataclass
class ModelDef:
    """One generated model class or type alias."""

    name: str
    module: str
    kind: str  # "model" | "alias"
    request: bool
    source: str = ""
    deps: set[str] = field(default_factory=set)
    runtime_imports: set[tuple[str, str]] = field(default_factory=set)


class ModelBuilder:
    """Turns component schemas (and their inline sub-schemas) into model and alias definitions."""

    def __init__(self, spec: OpenAPISpec, target: Target) -> None:
        self.spec = spec
        self.t = target
        self.ops = list(spec.operations())
        self.referenced = spec.referenced_schemas()
        self.request_names = self._request_schemas()
        self.module_of = self._assign_modules()
        self.defs: dict[str, ModelDef] = {}
        for name in sorted(self.referenced):
            self._component(name)

    # -- classification ------------------------------------------------------------------------

    def _closure(self, node: Any, out: set[str]) -> None:
        if isinstance(node, dict):
            name = node.get("$ref", "")
            if isinstance(name, str) and name.startswith("#/components/schemas/"):
                short = name.rsplit("/", 1)[-1]
                if short not in out:
                    out.add(short)
                    self._closure(self.spec.schemas[short], out)
            for value in node.values():
                self._closure(value, out)
        elif isinstance(node, list):
            for value in node:
                self._closure(value, out)

    def _request_schemas(self) -> set[str]:
        names: set[str] = set()
        for op in self.ops:
            if op.request_schema is not None:
                self._closure(op.request_schema, names)
        response: set[str] = set()
        for op in self.ops:
            if op.response_schema is not None:
                self._closure(op.response_schema, response)
        # Objects only used in requests are request models; enums/aliases are shared by both.
        return {n for n in names if n not in response}

    def _assign_modules(self) -> dict[str, str]:
        tags: dict[str, set[str]] = defaultdict(set)
        for op in self.ops:
            used: set[str] = set()
            self._closure([op.request_schema, op.response_schema, [p.schema for p in op.parameters]], used)
            for name in used:
                tags[name].add(op.tags[0] if op.tags else "default")
        return {name: (snake_case(next(iter(t))) if len(t) == 1 else "shared") for name, t in tags.items()}

    # -- rendering -----------------------------------------------------------------------------

    def _component(self, name: str) -> None:
        if name in self.defs:
            return
        schema = self.spec.schemas[name]
        module = self.module_of.get(name, "shared")  # referenced only by error responses
        request = name in self.request_names
        if name in ("FixedPointDollars", "FixedPointCount"):
            return  # hand-written in kalshi_rest._fixed_point
        if self._is_model(schema):
            self._model(name, schema, module, request)
        else:
            d = ModelDef(name=name, module=module, kind="alias", request=request)
            self.defs[name] = d
            annotation = self._alias_annotation(name, schema, d)
            doc = schema.get("description", "")
            d.runtime_imports.add(("typing", "TypeAlias"))
            d.source = f"{name}: TypeAlias = {annotation}\n" + (docstring(clean(doc)) if doc else "")

    @staticmethod
    def _is_model(schema: Schema) -> bool:
        return schema.get("type") == "object" and (
            bool(schema.get("properties")) or not schema.get("additionalProperties")
        )

    def _alias_annotation(self, name: str, schema: Schema, d: ModelDef) -> str:
        if name in self.t.tuple_schemas:
            parts = ["FixedPointDollars" if k == "dollars" else "FixedPointCount" for k in self.t.tuple_schemas[name]]
            d.runtime_imports.update(("kalshi_rest._fixed_point", p) for p in parts)
            return f"tuple[{', '.join(parts)}]"
        if "enum" in schema:
            d.runtime_imports.add(("typing", "Literal"))
            return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
        return self.annotation(schema, d, owner=name, prop=None, request=False, for_alias=True)

    def _model(self, name: str, schema: Schema, module: str, request: bool) -> None:
        d = ModelDef(name=name, module=module, kind="model", request=request)
        self.defs[name] = d
        base = "RequestModel" if request else "ResponseModel"
        d.runtime_imports.add(("kalshi_rest._models", base))
        required = set(schema.get("required", ()))
        lines = [f"class {name}({base}):\n"]
        doc = schema.get("description") or f"`{name}` from the spec."
        lines.append(docstring(clean(doc), "    "))
        props: dict[str, Schema] = schema.get("properties", {})
        if props:
            lines.append("\n")
        annotations: dict[str, str] = {}
        relaxed: list[str] = []
        for wire, prop in props.items():
            attr = py_name(wire)
            annotation = self.annotation(prop, d, owner=name, prop=wire, request=request)
            is_required = wire in required or (request and (name, wire) in self.t.tightened_required)
            if is_required and not request and not is_strict(name, wire):
                is_required = False
                relaxed.append(attr)
            is_list = annotation.startswith("NullAsEmptyList[")
            optional = not is_required and not (is_list and attr in relaxed)
            if (self._nullable(prop) or optional) and "None" not in annotation:
                annotation += " | None"
            if not is_required:
                value = "[]" if is_list and attr in relaxed else "None"
            if attr != wire:
                d.runtime_imports.add(("pydantic", "Field"))
                default = f" = Field({value + ', ' if not is_required else ''}alias={wire!r})"
            else:
                default = "" if is_required else f" = {value}"
            annotations[attr] = annotation
            lines.append(f"    {attr}: {annotation}{default}\n")
            text = clean(self._description(prop))
            if self._deprecated(prop):
                text = ("Deprecated. " + text).strip()
            if text:
                lines.append(docstring(text, "    "))
            lines.append("\n")
        one = self.t.exactly_one.get(name) if request else None
        if one:
            d.runtime_imports.add(("typing", "ClassVar"))
            lines.append(f"    __exactly_one__: ClassVar[tuple[str, ...]] = {tuple(one)!r}\n\n")
        key = None if request else self.t.bare_or_wrapped.get(name)
        if key is not None:
            d.runtime_imports.update(
                {("pydantic", "model_validator"), ("typing", "Any"), ("kalshi_rest._models", "wrap_bare")}
            )
            lines.append(
                '    @model_validator(mode="before")\n    @classmethod\n'
                "    def _accept_bare(cls, data: Any) -> Any:\n"
                + docstring(f"Accept the bare object as well as `{{{key!r}: ...}}`.", "        ")
                + f"        return wrap_bare(data, {key!r})\n\n"
            )
        if relaxed:
            d.runtime_imports.add(("typing", "ClassVar"))
            names = ", ".join(repr(a) for a in sorted(relaxed))
            lines.append(f"    __spec_required__: ClassVar[frozenset[str]] = frozenset({{{names}}})\n\n")
        for short, target in self.t.shorthand_properties.get(name, {}).items():
            if short in props or target not in annotations:
                raise SystemExit(f"shorthand_properties[{name!r}][{short!r}] no longer fits the spec")
            lines.append(
                f"    @property\n    def {short}(self) -> {annotations[target]}:\n"
                + docstring(f"Shorthand for `{target}`.", "        ")
                + f"        return self.{target}\n\n"
            )
        d.source = "".join(lines).rstrip("\n") + "\n"

    def _description(self, prop: Schema) -> str:
        if prop.get("description"):
            return str(prop["description"])
        ref = self.spec.ref_name(prop)
        if ref and ref not in ("FixedPointDollars", "FixedPointCount"):
            return ""
        return ""

    def _nullable(self, prop: Schema) -> bool:
        if prop.get("nullable"):
            return True
        ref = self.spec.ref_name(prop)
        if ref is not None and self.spec.schemas[ref].get("nullable"):
            return True  # a component declared nullable (perps `MarginMarketSchedule`)
        return any(p.get("nullable") for p in prop.get("allOf", []) if isinstance(p, dict))

    @staticmethod
    def _deprecated(prop: Schema) -> bool:
        return bool(prop.get("deprecated"))

    def annotation(
        self,
        schema: Schema,
        d: ModelDef,
        *,
        owner: str,
        prop: str | None,
        request: bool,
        for_alias: bool = False,
    ) -> str:
        """The Python annotation for `schema` inside model `d` (request or response mode)."""
        ref = self.spec.ref_name(schema)
        if ref is not None:
            if ref == "FixedPointDollars":
                return self._fp(d, "StrictDollars" if request else "FixedPointDollars")
            if ref == "FixedPointCount":
                if request and prop in self.t.positive_counts:
                    return self._fp(d, "StrictPositiveCount")
                return self._fp(d, "StrictCount" if request else "FixedPointCount")
            target = self.spec.schemas[ref]
            if request and target.get("type") == "integer" and "enum" not in target:
                d.runtime_imports.add(("pydantic", "StrictInt"))
                return "StrictInt"
            self._component(ref)
            d.deps.add(ref)
            if not request and "enum" in target:
                base = "str" if target.get("type") == "string" else "int"
                return f"{ref} | {base}"
            return ref
        kind = schema.get("type")
        if "enum" in schema:
            literal = "Literal[" + ", ".join(repr(v) for v in schema["enum"] if v is not None) + "]"
            d.runtime_imports.add(("typing", "Literal"))
            if not request:
                return f"{literal} | {'str' if kind == 'string' else 'int'}"
            return literal
        if kind == "string":
            fmt = schema.get("format")
            if fmt == "date-time":
                d.runtime_imports.add(("kalshi_rest._models", "UTCDateTime"))
                return "UTCDateTime"
            if fmt == "date":
                d.runtime_imports.add(("datetime", "date"))
                return "date"
            if prop is not None and (owner, prop) in self.t.decimal_string_fields:
                return self._fp(d, "StrictDecimal" if request else "FixedPointNumber")
            if prop is not None and self._is_fixed_point_name(owner, prop):
                dollars = prop.endswith("_dollars") or (owner, prop) in self.t.dollar_string_fields
                if request:
                    positive = not dollars and prop in self.t.positive_counts
                    return self._fp(
                        d, "StrictDollars" if dollars else "StrictPositiveCount" if positive else "StrictCount"
                    )
                return self._fp(d, "FixedPointDollars" if dollars else "FixedPointCount")
            return "str"
        if kind == "integer":
            if request:
                d.runtime_imports.add(("pydantic", "StrictInt"))
                return "StrictInt"  # a bool is not a subaccount, an index or a count
            return "int"
        if kind == "number":
            return self._fp(d, "StrictDecimal" if request else "FixedPointNumber")
        if kind == "boolean":
            return "bool"
        if kind == "array":
            items = schema.get("items", {})
            if not self.spec.ref_name(items) and self._is_model(items) and "properties" in items:
                inner = self._inline(items, d, owner, singular(pascal_case(prop or "item")), request)
            else:
                inner = self.annotation(items, d, owner=owner, prop=prop, request=request)
            if request or for_alias:
                return f"list[{inner}]"
            d.runtime_imports.add(("kalshi_rest._models", "NullAsEmptyList"))
            return f"NullAsEmptyList[{inner}]"
        if kind == "object" or "properties" in schema or "additionalProperties" in schema:
            extra = schema.get("additionalProperties")
            if schema.get("properties"):
                return self._inline(schema, d, owner, pascal_case(prop or "value"), request)
            if isinstance(extra, dict) and extra:
                inner = self.annotation(extra, d, owner=owner, prop=prop, request=request)
                return f"dict[str, {inner}]"
            d.runtime_imports.add(("typing", "Any"))
            return "dict[str, Any]"
        d.runtime_imports.add(("typing", "Any"))
        return "Any"

    def _inline(self, schema: Schema, d: ModelDef, owner: str, suffix: str, request: bool) -> str:
        name = owner + suffix
        while name in self.spec.schemas or (name in self.defs and self.defs[name].module != d.module):
            name += "Item"
        if name not in self.defs:
            self.module_of[name] = d.module
            self._model(name, schema, d.module, request)
        d.deps.add(name)
        return name

    def _is_fixed_point_name(self, owner: str, prop: str) -> bool:
        return (
            prop.endswith("_dollars")
            or prop.endswith("_fp")
            or "_fp_" in prop
            or (owner, prop) in self.t.dollar_string_fields
        )

    @staticmethod
    def _fp(d: ModelDef, name: str) -> str:
        d.runtime_imports.add(("kalshi_rest._fixed_point", name))
        return name

    # -- modules -------------------------------------------------------------------------------

    def modules(self, header: str) -> dict[str, str]:
        """Module name -> formatted source, plus the `__init__` index."""
        by_module: dict[str, list[ModelDef]] = defaultdict(list)
        for d in self.defs.values():
            by_module[d.module].append(d)
        out: dict[str, str] = {}
        for module, defs in sorted(by_module.items()):
            out[f"{module}.py"] = self._module_source(module, defs, header)
        out["__init__.py"] = self._index_source(header)
        return out

    def _module_source(self, module: str, defs: list[ModelDef], header: str) -> str:
        names = {d.name for d in defs}
        ordered = _topological(defs, names)
        imports: dict[str, set[str]] = defaultdict(set)
        for d in defs:
            for mod, item in d.runtime_imports:
                imports[self.t.runtime(mod[len("kalshi_rest.") :]) if mod.startswith("kalshi_rest._") else mod].add(
                    item
                )
            for dep in d.deps - names:
                imports[f"{self.t.models_pkg}.{self.defs[dep].module}"].add(dep)
        public = sorted(d.name for d in defs)
        what = "shared by several tags" if module == "shared" else f"of the `{module}` tag"
        doc = f"Models {what} in {self.t.spec_path.name}."
        parts = [header, docstring(doc), "\nfrom __future__ import annotations\n\n"]
        parts.append(_import_block(imports))
        parts.append("\n__all__ = [" + ", ".join(repr(n) for n in public) + "]\n\n")
        for d in ordered:
            parts.append("\n" + d.source + "\n")
        cyclic = [d.name for d in ordered if d.kind == "model" and (d.deps & names) - _earlier(ordered, d)]
        for name in cyclic:
            parts.append(f"{name}.model_rebuild()\n")
        return ruff_format("".join(parts))

    def _index_source(self, header: str) -> str:
        names = sorted(self.defs)
        lines = [
            header,
            docstring("Lazy index of the generated models: each module is imported on first attribute access."),
            "\nfrom __future__ import annotations\n\nimport importlib\nfrom typing import TYPE_CHECKING, Any\n\n",
            "if TYPE_CHECKING:\n",
        ]
        by_module: dict[str, list[str]] = defaultdict(list)
        for n in names:
            by_module[self.defs[n].module].append(n)
        for module, items in sorted(by_module.items()):
            for item in items:
                lines.append(f"    from {self.t.models_pkg}.{module} import {item} as {item}\n")
        lines.append("\n__all__ = [" + ", ".join(repr(n) for n in names) + "]\n\n")
        lines.append(
            "MODULES: dict[str, str] = {" + ", ".join(f"{n!r}: {self.defs[n].module!r}" for n in names) + "}\n"
        )
        lines.append('"""Model name -> the generated module (under this package) that defines it."""\n\n')
        lines.append(
            "\ndef __getattr__(name: str) -> Any:\n"
            "    module = MODULES.get(name)\n"
            "    if module is None:\n"
            '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
            f'    value = getattr(importlib.import_module(f"{self.t.models_pkg}.{{module}}"), name)\n'
            "    globals()[name] = value\n"
            "    return value\n\n\n"
            "def __dir__() -> list[str]:\n"
            "    return sorted(__all__)\n"
        )
        return ruff_format("".join(lines))


def _earlier(ordered: list[ModelDef], d: ModelDef) -> set[str]:
    idx = ordered.index(d)
    return {x.name for x in ordered[:idx]}


def _topological(defs: list[ModelDef], local: set[str]) -> list[ModelDef]:
    by_name = {d.name: d for d in defs}
    done: list[ModelDef] = []
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(d: ModelDef) -> None:
        if d.name in seen or d.name in visiting:
            return
        visiting.add(d.name)
        for dep in sorted(d.deps & local):
            visit(by_name[dep])
        visiting.discard(d.name)
        seen.add(d.name)
        done.append(d)

    for d in sorted(defs, key=lambda x: x.name):
        visit(d)
    return done


_STDLIB = ("collections", "datetime", "decimal", "functools", "importlib", "typing")


def _import_block(imports: dict[str, set[str]]) -> str:
    groups: list[list[str]] = [[], [], []]
    for mod in sorted(imports):
        group = 0 if mod.split(".")[0] in _STDLIB else 2 if mod.startswith("kalshi_rest") else 1
        groups[group].append(f"from {mod} import {', '.join(sorted(imports[mod]))}\n")
    return "\n".join("".join(g) for g in groups if g)


# ---------------------------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------------------------


@dataclass
class Param:
    """A method parameter bound to a wire parameter."""

    wire: str
    name: str
    location: str
    required: bool
    annotation: str
    description: str
    explode: bool


@dataclass
class MethodDef:
    """One resource method."""

    op: OperationSpec
    resource: str
    name: str
    const: str
    params: list[Param]
    body_model: str | None
    body_required: bool
    response_model: str | None
    page_items: str | None
    page_item_model: str | None
    cursor_field: str
    auth: str
    cost: int
    cost_when: tuple[str, str, int] | None = None
    """(query parameter, wire value, cost): the call costs that much when the parameter has that value."""

    @property
    def costly_const(self) -> str:
        """Name of the second `Operation` constant, used when `cost_when` applies."""
        assert self.cost_when is not None
        return f"{self.const}_{snake_case(self.cost_when[0]).upper()}"


class ResourceBuilder:
    """Builds resource modules from operations and the model definitions."""

    def __init__(self, spec: OpenAPISpec, models: ModelBuilder, target: Target) -> None:
        self.spec = spec
        self.t = target
        self.models = models
        ops = list(spec.operations())
        unknown = [op.operation_id for op in ops if op.operation_id not in self.t.names]
        if unknown:
            raise SystemExit(f"operations without a resource name in gen_rest.NAMES: {unknown}")
        stale = set(self.t.names) - {op.operation_id for op in ops}
        if stale:
            raise SystemExit(f"gen_rest.NAMES lists operations the spec does not have: {sorted(stale)}")
        self.methods: dict[str, list[MethodDef]] = defaultdict(list)
        for op in ops:
            resource, name = self.t.names[op.operation_id]
            self.methods[resource].append(self._method(op, resource, name))
        missing = set(self.methods) - set(self.t.resources)
        if missing:
            raise SystemExit(f"resources without a class name in gen_rest.RESOURCES: {sorted(missing)}")

    def _method(self, op: OperationSpec, resource: str, name: str) -> MethodDef:
        params: list[Param] = []
        for p in [*op.path_params, *op.query_params]:
            params.append(self._param(p, op))
        body_model: str | None = None
        if op.request_schema is not None:
            ref = self.spec.ref_name(op.request_schema)
            if ref is None:
                raise SystemExit(f"{op.operation_id}: inline request bodies are not supported")
            if ref not in self.t.empty_body_schemas:
                body_model = ref
        response_model = self.spec.ref_name(op.response_schema) if op.response_schema else None
        if op.response_schema is not None and response_model is None:
            raise SystemExit(f"{op.operation_id}: inline response bodies are not supported")
        page_items, item_model, cursor_field = self._pagination(op, response_model)
        cost = DEFAULT_COST
        match = _COST_RE.search(_cost_text(op))
        if match:
            cost = int(match.group(1))
        cost_when: tuple[str, str, int] | None = None
        when = _COST_WHEN_RE.search(_cost_text(op))
        if when:
            if not any(p.wire == when.group(2) and p.location == "query" for p in params):
                raise SystemExit(f"{op.operation_id}: cost depends on unknown query parameter {when.group(2)!r}")
            cost_when = (when.group(2), when.group(3), int(when.group(1)))
        return MethodDef(
            op=op,
            resource=resource,
            name=name,
            const="_" + snake_case(op.operation_id).upper(),
            params=params,
            body_model=body_model,
            body_required=op.request_required,
            response_model=response_model,
            page_items=page_items,
            page_item_model=item_model,
            cursor_field=cursor_field,
            auth=_auth_mode(op.security),
            cost=cost,
            cost_when=cost_when,
        )

    def _param(self, p: ParameterSpec, op: OperationSpec) -> Param:
        schema = p.schema
        d = ModelDef(name="_", module="_", kind="alias", request=True)
        if schema.get("type") == "array":
            inner = self.models.annotation(schema.get("items", {}), d, owner=op.operation_id, prop=None, request=True)
            annotation = f"Sequence[{inner}]"
        elif schema.get("type") == "string" and schema.get("format") == "date-time":
            annotation = "datetime"
        else:
            annotation = self.models.annotation(schema, d, owner=op.operation_id, prop=p.name, request=True)
        annotation = re.sub(r"\bStrictInt\b", "int", annotation)  # the core checks query ints (`ParamRule`)
        if schema.get("nullable") and "None" not in annotation:
            annotation += " | None"
        return Param(
            wire=p.name,
            name=py_name(p.name),
            location=p.location,
            required=p.required,
            annotation=annotation,
            description=p.description,
            explode=p.explode,
        )

    def _pagination(self, op: OperationSpec, response_model: str | None) -> tuple[str | None, str | None, str]:
        single = op.operation_id in self.t.single_page_lists
        if response_model is None or not (single or any(p.name == "cursor" for p in op.query_params)):
            return None, None, "cursor"
        schema = self.spec.schemas[response_model]
        props = schema.get("properties", {})
        cursor_field = next((c for c in CURSOR_FIELDS if c in props), "cursor" if single else None)
        arrays = [k for k, v in props.items() if v.get("type") == "array"]
        if op.operation_id in self.t.page_items:
            arrays = [self.t.page_items[op.operation_id]]
        if cursor_field is None or len(arrays) != 1:
            return None, None, "cursor"
        items = props[arrays[0]].get("items", {})
        item_model = self.spec.ref_name(items)
        if item_model is None:
            return None, None, "cursor"
        return arrays[0], item_model, cursor_field

    # -- emission ------------------------------------------------------------------------------

    def modules(self, header: str) -> dict[str, str]:
        """File name -> formatted source for every resource module, the index and the mixins."""
        out: dict[str, str] = {}
        for resource in self.t.resources:
            if resource in self.methods:
                out[f"{resource}.py"] = self._resource_source(resource, header)
        out["__init__.py"] = self._index_source(header)
        out["_mixins.py"] = self._mixins_source(header)
        return out

    def _resource_source(self, resource: str, header: str) -> str:
        cls, blurb = self.t.resources[resource]
        methods = self.methods[resource]
        model_imports: dict[str, set[str]] = defaultdict(set)
        typing_names: set[str] = set()
        needs = {
            "Sequence": False,
            "Iterator": False,
            "datetime": False,
            "date": False,
            "Page": False,
            "Decimal": False,
        }
        for m in methods:
            for name in (m.response_model, m.body_model, m.page_item_model):
                if name:
                    model_imports[f"{self.t.models_pkg}.{self.models.defs[name].module}"].add(name)
            for p in m.params:
                if "Sequence[" in p.annotation:
                    needs["Sequence"] = True
                if "datetime" in p.annotation:
                    needs["datetime"] = True
                if re.search(r"\bdate\b", p.annotation):
                    needs["date"] = True
                if "Literal[" in p.annotation:
                    typing_names.add("Literal")
                for word in re.findall(r"\b[A-Z][A-Za-z0-9]+\b", p.annotation):
                    if word in self.models.defs:
                        model_imports[f"{self.t.models_pkg}.{self.models.defs[word].module}"].add(word)
                    if word.startswith("Strict"):
                        needs["Decimal"] = True
            if m.page_items:
                needs["Page"] = needs["Iterator"] = True
        lines = [header, docstring(f"The `{resource}` resource: {blurb}"), "\nfrom __future__ import annotations\n\n"]
        std: list[str] = []
        if needs["Sequence"] or needs["Iterator"]:
            names = [
                n
                for n, on in (
                    ("AsyncIterator", needs["Iterator"]),
                    ("Iterator", needs["Iterator"]),
                    ("Sequence", needs["Sequence"]),
                )
                if on
            ]
            std.append(f"from collections.abc import {', '.join(names)}\n")
        dates = [n for n in ("date", "datetime") if needs[n]]
        if dates:
            std.append(f"from datetime import {', '.join(dates)}\n")
        std.append("from functools import cached_property\n")
        typing_names.add("Any")
        std.append(f"from typing import {', '.join(sorted(typing_names))}\n")
        lines.extend(std)
        lines.append("\n")
        runtime: dict[str, list[str]] = defaultdict(list)
        runtime[self.t.runtime("_operation")] += ["Operation"] + (
            ["ParamRule"] if any(self._rules(m) for m in methods) else []
        )
        runtime[self.t.runtime("_options")].append("RequestOptions")
        if needs["Page"]:
            runtime[self.t.runtime("_pagination")] += ["AsyncPage", "Page"]
        runtime[self.t.runtime("_resource")] += ["AsyncAPIResource", "SyncAPIResource"]
        runtime[self.t.runtime("_response")] += ["async_to_raw_response_wrapper", "to_raw_response_wrapper"]
        if needs["Decimal"]:
            strict = sorted({w for m in methods for p in m.params for w in re.findall(r"\bStrict\w+", p.annotation)})
            runtime[self.t.runtime("_fixed_point")] += strict
        local = [f"from {mod} import {', '.join(sorted(set(names)))}\n" for mod, names in runtime.items()]
        for mod in sorted(model_imports):
            local.append(f"from {mod} import {', '.join(sorted(model_imports[mod]))}\n")
        lines.extend(sorted(local))
        exported = [cls, f"Async{cls}", f"{cls}WithRawResponse", f"Async{cls}WithRawResponse"]
        lines.append("\n__all__ = [" + ", ".join(repr(n) for n in sorted([*exported, "OPERATIONS"])) + "]\n\n")
        for m in methods:
            lines.append(self._operation_source(m))
        lines.append(
            "\nOPERATIONS: dict[str, Operation[Any]] = {"
            + ", ".join(f"{m.op.operation_id!r}: {m.const}" for m in methods)
            + "}\n"
        )
        lines.append('"""operationId -> `Operation` for every operation of this resource."""\n\n')
        for is_async in (False, True):
            lines.append(self._class_source(resource, cls, blurb, methods, is_async))
        for is_async in (False, True):
            lines.append(self._raw_class_source(cls, methods, is_async))
        return ruff_format("".join(lines))

    def _operation_source(self, m: MethodDef) -> str:
        model = m.response_model or "None"
        args = [
            f"operation_id={m.op.operation_id!r}",
            f"method={m.op.method!r}",
            f"path={m.op.path!r}",
            f"response={model}",
            f"success_status={m.op.success_status}",
            f"auth={m.auth!r}",
        ]
        base_args = list(args)
        if m.cost != DEFAULT_COST:
            args.append(f"cost={m.cost}")
        if m.page_items:
            args.append(f"page_items={m.page_items!r}")
            if m.cursor_field != "cursor":
                args.append(f"cursor_field={m.cursor_field!r}")
        explode = sorted(p.wire for p in m.params if p.explode)
        if explode:
            args.append("explode=frozenset({" + ", ".join(repr(e) for e in explode) + "})")
        rules = self._rules(m)
        if rules:
            args.append("params={" + ", ".join(f"{k!r}: {v}" for k, v in rules.items()) + "}")
        if m.body_model:
            args.append(f"request={m.body_model}")
        out = f"\n{m.const}: Operation[{model}] = Operation({', '.join(args)})\n"
        if m.cost_when is not None:
            param, value, cost = m.cost_when
            costly = [*base_args, f"cost={cost}", *args[len(base_args) + (m.cost != DEFAULT_COST) :]]
            out += f"\n{m.costly_const}: Operation[{model}] = Operation({', '.join(costly)})\n"
            out += f'"""`{m.op.operation_id}` with `{param}={value}`: it costs {cost} tokens."""\n'
        return out

    def _rules(self, m: MethodDef) -> dict[str, str]:
        """`ParamRule(...)` source for each query parameter the core checks before sending."""
        out: dict[str, str] = {}
        for p in m.op.query_params:
            joined = self.t.comma_joined.get((m.op.operation_id, p.name), 0)
            if joined != 0:
                out[p.name] = "ParamRule('csv'" + (f", max_items={joined})" if joined else ")")
                continue
            rule = self._rule(p.schema)
            if rule is not None:
                out[p.name] = rule
        return out

    def _rule(self, schema: Schema) -> str | None:
        schema = self.spec.resolve(schema) if "$ref" in schema else schema
        kind = schema.get("type")
        if kind not in ("integer", "number", "boolean", "array") and not (kind == "string" and "enum" in schema):
            return None
        args = [repr(kind)]
        for key, arg in (
            ("minimum", "minimum"),
            ("maximum", "maximum"),
            ("minItems", "min_items"),
            ("maxItems", "max_items"),
        ):
            if key in schema:
                args.append(f"{arg}={schema[key]!r}")
        if "enum" in schema:
            args.append("enum=(" + "".join(f"{v!r}, " for v in schema["enum"] if v is not None) + ")")
        if kind == "array":
            items = self._rule(schema.get("items", {}))
            if items is not None:
                args.append(f"items={items}")
        return f"ParamRule({', '.join(args)})"

    def _class_source(self, resource: str, cls: str, blurb: str, methods: list[MethodDef], is_async: bool) -> str:
        name = f"Async{cls}" if is_async else cls
        base = "AsyncAPIResource" if is_async else "SyncAPIResource"
        face = self.t.clients[1] if is_async else self.t.clients[0]
        out = [f"\n\nclass {name}({base}):\n"]
        first = methods[0]
        example = f"{'await ' if is_async else ''}client.{resource}.{first.name}(...)"
        out.append(docstring(f"{blurb}\n\nReached as `{face}().{resource}`, e.g. `{example}`.", "    "))
        raw = f"Async{cls}WithRawResponse" if is_async else f"{cls}WithRawResponse"
        out.append(
            f"\n    @cached_property\n    def with_raw_response(self) -> {raw}:\n"
            f'        """The same methods, returning an `APIResponse` (status, headers, `.parse()`)."""\n'
            f"        return {raw}(self)\n"
        )
        for m in methods:
            out.append(self._method_source(m, is_async, iterate=False))
            if m.page_items:
                out.append(self._method_source(m, is_async, iterate=True))
        return "".join(out)

    @staticmethod
    def _all_name(name: str) -> str:
        return "list_all" if name == "list" else f"{name}_all"

    def _method_source(self, m: MethodDef, is_async: bool, *, iterate: bool) -> str:
        path_params = [p for p in m.params if p.location == "path"]
        query_params = [p for p in m.params if p.location == "query"]
        if iterate:
            query_params = [p for p in query_params if p.wire != "cursor"]
        sig = ["self"]
        sig += [f"{p.name}: {p.annotation}" for p in path_params]
        sig.append("*")
        if m.body_model:
            sig.append(f"request: {m.body_model}" + ("" if m.body_required else " | None = None"))
        for p in sorted(query_params, key=lambda p: not p.required):
            sig.append(f"{p.name}: {p.annotation}" if p.required else f"{p.name}: {p.annotation} | None = None")
        if iterate:
            sig.append("max_pages: int | None = None")
        sig.append("options: RequestOptions | None = None")
        if iterate:
            returns = f"AsyncIterator[{m.page_item_model}]" if is_async else f"Iterator[{m.page_item_model}]"
        elif m.page_items:
            returns = f"AsyncPage[{m.page_item_model}]" if is_async else f"Page[{m.page_item_model}]"
        else:
            returns = m.response_model or "None"
        name = self._all_name(m.name) if iterate else m.name
        prefix = "async def" if is_async and not iterate else "def"
        out = [f"\n    {prefix} {name}({', '.join(sig)}) -> {returns}:\n"]
        out.append(docstring(self._method_doc(m, path_params, query_params, iterate=iterate), "        "))
        call_args = [m.const]
        if m.cost_when is not None:
            param, value, _ = m.cost_when
            call_args = [f"{m.costly_const} if {py_name(param)} == {_py_literal(value)} else {m.const}"]
        if path_params:
            call_args.append("path={" + ", ".join(f"{p.wire!r}: {p.name}" for p in path_params) + "}")
        if query_params:
            call_args.append("query={" + ", ".join(f"{p.wire!r}: {p.name}" for p in query_params) + "}")
        if m.body_model:
            call_args.append("body=request")
        if iterate:
            call_args.append("max_pages=max_pages")
        call_args.append("options=options")
        if iterate:
            out.append(f"        return self._iterate({', '.join(call_args)})\n")
        elif m.page_items:
            out.append(f"        return {'await ' if is_async else ''}self._page({', '.join(call_args)})\n")
        else:
            out.append(f"        return {'await ' if is_async else ''}self._request({', '.join(call_args)})\n")
        return "".join(out)

    def _method_doc(self, m: MethodDef, path_params: list[Param], query_params: list[Param], *, iterate: bool) -> str:
        op = m.op
        summary = clean(op.summary or op.operation_id).rstrip(".") + "."
        if iterate:
            summary = f"Iterate over every item of `{m.name}`, following the cursor page by page."
        parts = [summary, ""]
        desc = op.description
        if desc and not iterate:
            parts.extend(wrap(desc))
            parts.append("")
        match = _COST_RE.search(_cost_text(op))
        if match and not iterate and match.group(0) not in desc:
            parts += [f"Rate limit: {match.group(1)} tokens per {match.group(2)}.", ""]
        parts.append(f"`{op.method} {op.path}` (operationId `{op.operation_id}`).")
        if op.deprecated:
            parts.append("Deprecated by Kalshi.")
        args: list[str] = []
        for p in path_params + sorted(query_params, key=lambda p: not p.required):
            text = clean(p.description) or p.wire
            if p.name != p.wire:
                text += f" (wire name `{p.wire}`)"
            args.append(f"    {p.name}: " + "\n        ".join(textwrap.wrap(text, 96)))
        if m.body_model:
            args.append(f"    request: the `{m.body_model}` body.")
        if iterate:
            args.append("    max_pages: stop after this many pages (None: all; 0 is a ValueError).")
        args.append("    options: per-call timeout, headers and retries.")
        parts += ["", "Args:", *args]
        if iterate:
            parts += ["", "Returns:", f"    An iterator over `{m.page_item_model}` across all pages."]
        elif m.page_items:
            parts += ["", "Returns:", f"    One page of `{m.page_item_model}` (`.cursor`, `.has_next`, `.response`)."]
        elif m.response_model:
            parts += ["", "Returns:", f"    The parsed `{m.response_model}`."]
        else:
            parts += ["", "Returns:", "    None (the server answers with no body)."]
        parts += ["", "Raises:"]
        if m.auth == "required":
            parts.append("    AuthRequiredError: the client has no credentials (raised before anything is sent).")
        parts.append("    KalshiAPIError: the server answered with an error status (a subclass per status).")
        if iterate:
            parts.append("    ValueError: `max_pages` is 0.")
        return "\n".join(parts)

    def _raw_class_source(self, cls: str, methods: list[MethodDef], is_async: bool) -> str:
        name = f"Async{cls}WithRawResponse" if is_async else f"{cls}WithRawResponse"
        target = f"Async{cls}" if is_async else cls
        wrapper = "async_to_raw_response_wrapper" if is_async else "to_raw_response_wrapper"
        out = [f"\n\nclass {name}:\n"]
        out.append(
            docstring(f"`{target}` methods that return the raw `APIResponse` instead of the parsed body.", "    ")
        )
        out.append(f"\n    def __init__(self, resource: {target}) -> None:\n")
        for m in methods:
            out.append(f"        self.{m.name} = {wrapper}(resource.{m.name})\n")
        return "".join(out)

    def _index_source(self, header: str) -> str:
        entries = []
        for resource, methods in self.methods.items():
            for m in methods:
                entries.append((m.op.operation_id, resource, m.name))
        entries.sort()
        present = [r for r in self.t.resources if r in self.methods]
        classes = sorted((c, r) for r in present for c in (self.t.resources[r][0], "Async" + self.t.resources[r][0]))
        lines = [
            header,
            docstring(
                "Index of the generated resources: which method serves which operationId, and a lazy\n"
                "attribute for every resource class (its module is imported on first access)."
            ),
            "\nfrom __future__ import annotations\n\nimport importlib\nfrom typing import TYPE_CHECKING, Any\n\n",
            "if TYPE_CHECKING:\n",
        ]
        for c, r in classes:
            lines.append(f"    from {self.t.resources_pkg}.{r} import {c} as {c}\n")
        lines += [
            "\n__all__ = ["
            + ", ".join(repr(n) for n in sorted(["OPERATION_METHODS", "RESOURCE_CLASSES", *(c for c, _ in classes)]))
            + "]\n\n",
            "OPERATION_METHODS: dict[str, tuple[str, str]] = {"
            + ", ".join(f"{o!r}: ({r!r}, {n!r})" for o, r, n in entries)
            + "}\n",
            '"""operationId -> (client attribute, method name)."""\n\n',
            "RESOURCE_CLASSES: dict[str, tuple[str, str]] = {"
            + ", ".join(f"{r!r}: ({self.t.resources[r][0]!r}, {'Async' + self.t.resources[r][0]!r})" for r in present)
            + "}\n",
            '"""Client attribute -> (sync class, async class), each in the module named like the attribute."""\n\n',
            "_CLASS_MODULES: dict[str, str] = {" + ", ".join(f"{c!r}: {r!r}" for c, r in classes) + "}\n\n",
            "\ndef __getattr__(name: str) -> Any:\n"
            "    module = _CLASS_MODULES.get(name)\n"
            "    if module is None:\n"
            '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n'
            f'    value = getattr(importlib.import_module(f"{self.t.resources_pkg}.{{module}}"), name)\n'
            "    globals()[name] = value\n"
            "    return value\n\n\n"
            "def __dir__() -> list[str]:\n"
            "    return sorted(__all__)\n",
        ]
        return ruff_format("".join(lines))

    def _mixins_source(self, header: str) -> str:
        lines = [
            header,
            docstring(
                f"Typed resource properties that `{self.t.clients[0]}` and `{self.t.clients[1]}` inherit.\n\n"
                "Each resource module is imported on first access, so importing the client stays cheap."
            ),
            "\nfrom __future__ import annotations\n\n",
            "from functools import cached_property\nfrom typing import TYPE_CHECKING\n\n",
            f"from {self.t.runtime('_resource')} import AsyncClientCore, SyncClientCore\n\n",
            "if TYPE_CHECKING:\n",
        ]
        present = [r for r in self.t.resources if r in self.methods]
        for r in present:
            c = self.t.resources[r][0]
            lines.append(f"    from {self.t.resources_pkg}.{r} import Async{c}, {c}\n")
        lines.append("\n__all__ = ['AsyncResources', 'SyncResources']\n\n")
        for is_async in (False, True):
            mixin = "AsyncResources" if is_async else "SyncResources"
            client = self.t.clients[1] if is_async else self.t.clients[0]
            core = "AsyncClientCore" if is_async else "SyncClientCore"
            lines.append(f"\nclass {mixin}({core}):\n")
            lines.append(docstring(f"The resources of `{client}`, each built once on first use.", "    "))
            for r in present:
                c = self.t.resources[r][0]
                cls = f"Async{c}" if is_async else c
                lines.append(
                    f"\n    @cached_property\n    def {r}(self) -> {cls}:\n"
                    + docstring(self.t.resources[r][1], "        ")
                    + f"        from {self.t.resources_pkg}.{r} import {cls}\n\n"
                    f"        return {cls}(self)\n"
                )
        return ruff_format("".join(lines))


def _py_literal(text: str) -> str:
    """The Python literal a query value's wire text stands for: `true` -> `True`, `5` -> `5`."""
    if text in ("true", "false"):
        return "True" if text == "true" else "False"
    return text if text.lstrip("-").isdigit() else repr(text)


def _auth_mode(security: list[dict[str, list[str]]] | None) -> str:
    if not security:
        return "none"
    if any(not entry for entry in security):
        return "optional"
    return "required"


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def generate(target: Target | None = None) -> dict[Path, str]:
    """Every generated file of `target` (default: the prediction API) and its content."""
    target = target or PREDICTION
    spec = OpenAPISpec(target.spec_path)
    header = f"# Generated by tools/codegen from specs/{target.spec_path.name} (sha256 {spec.sha256}). Do not edit.\n"
    models = ModelBuilder(spec, target)
    resources = ResourceBuilder(spec, models, target)
    files: dict[Path, str] = {}
    for name, source in models.modules(header).items():
        files[target.models_dir / name] = source
    for name, source in resources.modules(header).items():
        files[target.resources_dir / name] = source
    return files


def _stale(files: Iterable[Path], target: Target) -> list[Path]:
    wanted = set(files)
    dirs = (target.models_dir, target.resources_dir)
    return [p for d in dirs if d.exists() for p in sorted(d.glob("*.py")) if p not in wanted]


def main(
    argv: list[str] | None = None, target: Target | None = None, build: Callable[[], dict[Path, str]] | None = None
) -> int:
    """Write the generated files of `target` (default: the prediction API), or with `--check` list
    those that would change and exit 1. `build` replaces `generate(target)` (Klear's adjusted output)."""
    target = target or PREDICTION
    parser = argparse.ArgumentParser(description=f"Generate {target.package}'s models and resources.")
    parser.add_argument("--check", action="store_true", help="exit 1 and list files that would change")
    args = parser.parse_args(argv)
    files = build() if build is not None else generate(target)
    changed = [p for p, src in files.items() if not p.exists() or p.read_text() != src]
    stale = _stale(files, target)
    if args.check:
        for p in [*changed, *stale]:
            print(p.relative_to(ROOT))
        return 1 if changed or stale else 0
    for p in changed:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(files[p])
        print(f"wrote {p.relative_to(ROOT)}")
    for p in stale:
        p.unlink()
        print(f"removed {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
