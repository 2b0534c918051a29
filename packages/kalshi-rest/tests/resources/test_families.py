"""One behaviour check per remaining resource family, on both faces, through the mock server."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
from rest_payloads import TS, market, ok
from rest_support import Server

from kalshi_rest import AsyncKalshiClient, AsyncPage, KalshiClient, Page
from kalshi_rest.models import CreateOrderGroupRequest, CreateRFQRequest


@dataclass
class Case:
    attribute: str
    method: str
    response: httpx.Response
    path: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: list[tuple[str, str]] = field(default_factory=list)
    http_method: str = "GET"
    body: Any = None
    check: Callable[[Any], None] = lambda result: None


def _check(predicate: Callable[[Any], bool]) -> Callable[[Any], None]:
    def run(result: Any) -> None:
        assert predicate(result), result

    return run


EVENT = {
    "event_ticker": "KXHIGHNY-26JAN02",
    "series_ticker": "KXHIGHNY",
    "sub_title": "On Jan 2",
    "title": "High temp in NYC",
    "collateral_return_type": "MECNET",
    "mutually_exclusive": True,
    "settlement_sources": [],
}
RFQ = {
    "id": "rfq-1",
    "creator_id": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "market_ticker": "KXHIGHNY-26JAN02-T60",
    "contracts_fp": "100.00",
    "status": "open",
    "created_ts": TS,
}
QUOTE = {
    "id": "q-1",
    "rfq_id": "rfq-1",
    "creator_id": "c-1",
    "rfq_creator_id": "0",
    "market_ticker": "KXHIGHNY-26JAN02-T60",
    "contracts_fp": "100.00",
    "yes_bid_dollars": "0.5500",
    "no_bid_dollars": "0.4300",
    "created_ts": TS,
    "updated_ts": TS,
    "status": "open",
}
SERIES = {
    "ticker": "KXHIGHNY",
    "frequency": "daily",
    "title": "High temp NYC",
    "category": "Climate",
    "tags": ["Weather"],
    "settlement_sources": [{"name": "NWS", "url": "https://example.invalid"}],
    "contract_url": "https://example.invalid/c",
    "contract_terms_url": "https://example.invalid/t",
    "fee_type": "quadratic",
    "fee_multiplier": 1,
    "additional_prohibitions": [],
}
POSITION = {
    "ticker": "KXHIGHNY-26JAN02-T60",
    "exchange_index": 0,
    "total_traded_dollars": "5.6000",
    "position_fp": "-10.00",
    "market_exposure_dollars": "5.6000",
    "realized_pnl_dollars": "0.0000",
    "fees_paid_dollars": "0.0700",
    "last_updated_ts": TS,
}
MILESTONE = {
    "id": "m-1",
    "category": "sports",
    "type": "football_game",
    "start_date": TS,
    "related_event_tickers": ["E-1"],
    "title": "Game",
    "notification_message": "",
    "details": {"home": "A"},
    "primary_event_tickers": ["E-1"],
    "last_updated_ts": TS,
}
PROGRAM = {
    "id": "ip-1",
    "market_id": "mk-1",
    "market_ticker": "KXHIGHNY-26JAN02-T60",
    "incentive_type": "liquidity",
    "incentive_description": "",
    "start_date": TS,
    "end_date": TS,
    "period_reward": 1000000,
    "paid_out": False,
}

COLLECTION = {
    "collection_ticker": "KXMVE-1",
    "series_ticker": "KXMVE",
    "title": "Combos",
    "description": "",
    "open_date": TS,
    "close_date": TS,
    "associated_events": [{"ticker": "E-1", "is_yes_only": False, "active_quoters": None}],
    "associated_event_tickers": ["E-1"],
    "is_ordered": False,
    "is_single_market_per_event": True,
    "is_all_yes": False,
    "size_min": 2,
    "size_max": 5,
    "functional_description": "",
    "price_level_structure": None,
    "price_ranges": None,
    "extra_new": 1,
}

CASES: dict[str, Case] = {
    "events": Case(
        "events",
        "get",
        ok({"event": EVENT, "markets": [market()]}),
        "/events/KXHIGHNY-26JAN02",
        args=("KXHIGHNY-26JAN02",),
        kwargs={"with_nested_markets": True},
        query=[("with_nested_markets", "true")],
        check=_check(lambda r: r.event.product_metadata is None and r.markets[0].yes_bid == Decimal("0.5600")),
    ),
    "series": Case(
        "series",
        "list",
        ok({"series": [SERIES]}),
        "/series",
        kwargs={"category": "Climate", "include_volume": False},
        query=[("category", "Climate"), ("include_volume", "false")],
        check=_check(
            lambda r: (
                r.series[0].fee_multiplier == Decimal(1)
                and r.series[0].categories == []
                and "categories" in r.series[0].missing_fields
            )
        ),
    ),
    "order_groups": Case(
        "order_groups",
        "create",
        ok({"order_group_id": "og-1", "subaccount": 0}, status=201),
        "/portfolio/order_groups/create",
        kwargs={"request": CreateOrderGroupRequest(contracts_limit_fp=Decimal("50.00"))},
        http_method="POST",
        body={"contracts_limit_fp": "50.00"},
        check=_check(lambda r: r.order_group_id == "og-1"),
    ),
    "order_groups_reset": Case(
        "order_groups",
        "reset",
        ok({}),
        "/portfolio/order_groups/og-1/reset",
        args=("og-1",),
        http_method="PUT",
        body={},
    ),
    "communications": Case(
        "communications",
        "id",
        ok({"communications_id": "comm-1"}),
        "/communications/id",
        check=_check(lambda r: r.communications_id == "comm-1"),
    ),
    "rfqs": Case(
        "rfqs",
        "create",
        ok({"id": "rfq-1"}, status=201),
        "/communications/rfqs",
        kwargs={
            "request": CreateRFQRequest(
                market_ticker="KXHIGHNY-26JAN02-T60", contracts_fp=Decimal("100"), rest_remainder=False
            )
        },
        http_method="POST",
        body={"market_ticker": "KXHIGHNY-26JAN02-T60", "contracts_fp": "100", "rest_remainder": False},
        check=_check(lambda r: r.id == "rfq-1"),
    ),
    "rfqs_get": Case(
        "rfqs",
        "get",
        ok({"rfq": RFQ}),
        "/communications/rfqs/rfq-1",
        args=("rfq-1",),
        check=_check(lambda r: r.rfq.contracts_fp == Decimal("100.00")),
    ),
    "rfq_batches": Case(
        "rfq_batches",
        "list",
        ok(
            {
                "rfq_batches": [{"id": "b-1", "creator_id": "c", "status": "open", "created_ts": TS, "rfqs": [RFQ]}],
                "cursor": "",
            }
        ),
        "/communications/rfq_batches",
        kwargs={"limit": 20},
        query=[("limit", "20")],
        check=_check(lambda r: r[0].rfqs[0].id == "rfq-1"),
    ),
    "quotes": Case(
        "quotes",
        "list",
        ok({"quotes": [QUOTE], "cursor": "q2"}),
        "/communications/quotes",
        kwargs={"user_filter": "self", "rfq_id": "rfq-1"},
        query=[("rfq_id", "rfq-1"), ("user_filter", "self")],
        check=_check(lambda r: r[0].yes_bid_dollars == Decimal("0.5500") and r.cursor == "q2"),
    ),
    "quotes_accept": Case(
        "quotes",
        "confirm",
        httpx.Response(204),
        "/communications/quotes/q-1/confirm",
        args=("q-1",),
        http_method="PUT",
        body={},
        check=_check(lambda r: r is None),
    ),
    "block_trades": Case(
        "block_trades",
        "accept",
        httpx.Response(204),
        "/communications/block-trade-proposals/bt-1/accept",
        args=("bt-1",),
        http_method="POST",
        body={},
    ),
    "search": Case(
        "search",
        "tags_by_categories",
        ok({"tags_by_categories": {"Social": None, "Climate": ["Weather"]}}),
        "/search/tags_by_categories",
        check=_check(lambda r: r.tags_by_categories == {"Social": [], "Climate": ["Weather"]}),
    ),
    "live_data": Case(
        "live_data",
        "weather",
        ok({"city": "NYC", "units": "F", "timeseries": [{"t": 1767322800000, "status": "final", "v": 61.5}]}),
        "/live_data/weather/NYC",
        args=("NYC",),
        kwargs={"from_": 1767322800000, "detailed": True},
        query=[("detailed", "true"), ("from", "1767322800000")],
        check=_check(lambda r: r.timeseries[0].v == Decimal("61.5")),
    ),
    "live_data_batch": Case(
        "live_data",
        "batch",
        ok({"live_datas": []}),
        "/live_data/batch",
        kwargs={"milestone_ids": ["m-1", "m-2"]},
        query=[("milestone_ids", "m-1"), ("milestone_ids", "m-2")],
    ),
    "structured_targets": Case(
        "structured_targets",
        "list",
        ok({"structured_targets": [{"id": "st-1", "name": "Player", "type": "basketball_player"}], "cursor": ""}),
        "/structured_targets",
        kwargs={"ids": ["st-1", "st-2"], "page_size": 2, "type": "basketball_player"},
        query=[("ids", "st-1"), ("ids", "st-2"), ("page_size", "2"), ("type", "basketball_player")],
        check=_check(lambda r: r[0].id == "st-1"),
    ),
    "milestones": Case(
        "milestones",
        "list",
        ok({"milestones": [MILESTONE], "cursor": ""}),
        "/milestones",
        kwargs={"limit": 5, "category": "Sports"},
        query=[("category", "Sports"), ("limit", "5")],
        check=_check(lambda r: r[0].category == "sports" and r[0].details == {"home": "A"}),
    ),
    "multivariate": Case(
        "multivariate",
        "get",
        ok({"multivariate_contract": COLLECTION}),
        "/multivariate_event_collections/KXMVE-1",
        args=("KXMVE-1",),
        check=_check(lambda r: r.multivariate_contract.price_ranges == [] and r.multivariate_contract.extra_new == 1),
    ),
    "incentive_programs": Case(
        "incentive_programs",
        "list",
        ok({"incentive_programs": [PROGRAM], "next_cursor": "np-2"}),
        "/incentive_programs",
        kwargs={"status": "active"},
        query=[("status", "active")],
        check=_check(lambda r: r.cursor == "np-2" and r[0].period_reward == 1000000),
    ),
    "fcm": Case(
        "fcm",
        "positions",
        ok({"market_positions": [POSITION], "event_positions": [], "cursor": ""}),
        "/fcm/positions",
        kwargs={"subtrader_id": "sub-1"},
        query=[("subtrader_id", "sub-1")],
        check=_check(lambda r: r[0].position_fp == Decimal("-10.00")),
    ),
    "historical": Case(
        "historical",
        "markets",
        ok({"markets": [market("OLD-1")], "cursor": ""}),
        "/historical/markets",
        kwargs={"tickers": "OLD-1"},
        query=[("tickers", "OLD-1")],
        check=_check(lambda r: r[0].ticker == "OLD-1"),
    ),
    "historical_cutoff": Case(
        "historical",
        "cutoff",
        ok({"market_settled_ts": TS, "trades_created_ts": TS, "orders_updated_ts": TS}),
        "/historical/cutoff",
        check=_check(lambda r: r.market_settled_ts.tzinfo is not None),
    ),
}


def _fresh(response: httpx.Response) -> httpx.Response:
    return httpx.Response(response.status_code, content=response.content, headers=response.headers)


def _verify(case: Case, server: Server, result: Any, *, is_async: bool) -> None:
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request.method == case.http_method
    assert request.url.path == "/trade-api/v2" + case.path
    assert sorted(request.url.params.multi_items()) == sorted(case.query)
    if case.body is not None:
        assert json.loads(request.content) == case.body
    if isinstance(result, Page | AsyncPage):
        assert isinstance(result, AsyncPage if is_async else Page)
    case.check(result)


@pytest.mark.parametrize("name", sorted(CASES))
def test_family_sync(name: str, client: KalshiClient, server: Server) -> None:
    case = CASES[name]
    server.script.append(_fresh(case.response))
    result = getattr(getattr(client, case.attribute), case.method)(*case.args, **case.kwargs)
    _verify(case, server, result, is_async=False)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_family_async(name: str, aclient: AsyncKalshiClient, server: Server) -> None:
    case = CASES[name]
    server.script.append(_fresh(case.response))
    result = await getattr(getattr(aclient, case.attribute), case.method)(*case.args, **case.kwargs)
    _verify(case, server, result, is_async=True)


def test_every_client_resource_is_covered_here_or_in_its_own_file() -> None:
    from kalshi_rest.resources._generated import RESOURCE_CLASSES

    own_files = {"markets", "orders", "portfolio", "subaccounts", "account", "api_keys", "exchange"}
    assert set(RESOURCE_CLASSES) == own_files | {c.attribute for c in CASES.values()}


SEED_API = {
    "markets": {"list", "list_all", "get"},
    "orders": {"create_v2", "cancel_v2", "amend_v2", "decrease_v2", "batch_create_v2", "batch_cancel_v2"},
    "portfolio": {"deposits", "withdrawals"},
    "account": {"endpoint_costs"},
}


def _assert_seed_names(client: KalshiClient | AsyncKalshiClient) -> None:
    for attribute, methods in SEED_API.items():
        resource = getattr(client, attribute)
        for method in methods:
            assert callable(getattr(resource, method)), f"{attribute}.{method}"


def test_seed_api_names_exist_sync(client: KalshiClient) -> None:
    _assert_seed_names(client)


async def test_seed_api_names_exist_async(aclient: AsyncKalshiClient) -> None:
    _assert_seed_names(aclient)
