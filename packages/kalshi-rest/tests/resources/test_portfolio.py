from __future__ import annotations

import json
from decimal import Decimal

from rest_payloads import event_position, market_position, ok, transfer
from rest_support import Server

from kalshi_rest import AsyncKalshiClient, KalshiClient
from kalshi_rest.models import ApplySubaccountTransferRequest

BALANCE = {"balance": 123456, "balance_dollars": "1234.5600", "portfolio_value": 20000, "updated_ts": 1767322800}
FILL = {
    "fill_id": "f-1",
    "exchange_index": 0,
    "trade_id": "t-1",
    "order_id": "o-1",
    "ticker": "KXHIGHNY-26JAN02-T60",
    "market_ticker": "KXHIGHNY-26JAN02-T60",
    "outcome_side": "yes",
    "book_side": "bid",
    "count_fp": "2.50",
    "yes_price_dollars": "0.5750",
    "no_price_dollars": "0.4250",
    "is_taker": True,
    "fee_cost": "0.0175",
}


class TestPortfolio:
    def test_balance_keeps_cents_and_dollars_apart(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok(BALANCE))
        balance = client.portfolio.balance(subaccount=1)
        assert balance.balance == 123456  # integer cents
        assert balance.balance_dollars == Decimal("1234.5600")
        assert server.requests[0].url.path == "/trade-api/v2/portfolio/balance"
        assert dict(server.requests[0].url.params) == {"subaccount": "1"}

    def test_positions_page_keeps_event_positions(self, client: KalshiClient, server: Server) -> None:
        server.script.append(
            ok({"market_positions": [market_position()], "event_positions": [event_position()], "cursor": "c2"})
        )
        page = client.portfolio.positions(count_filter="position", settlement_status="unsettled")
        assert page[0].position_fp == Decimal("10.00")
        assert page.response.event_positions[0].total_cost_dollars == Decimal("5.6000")
        assert page.cursor == "c2"
        assert dict(server.requests[0].url.params) == {"count_filter": "position", "settlement_status": "unsettled"}

    def test_deposits_and_withdrawals(self, client: KalshiClient, server: Server) -> None:
        server.script += [
            ok({"deposits": [transfer("ach", "d-1")], "cursor": ""}),
            ok({"withdrawals": [transfer("ach", "w-1")], "cursor": ""}),
        ]
        deposits = client.portfolio.deposits()
        withdrawals = client.portfolio.withdrawals(limit=5)
        assert [d.id for d in deposits] == ["d-1"]
        assert deposits[0].amount_cents == 2500
        assert [w.id for w in withdrawals] == ["w-1"]
        assert [r.url.path for r in server.requests] == [
            "/trade-api/v2/portfolio/deposits",
            "/trade-api/v2/portfolio/withdrawals",
        ]

    def test_fills_all_pages(self, client: KalshiClient, server: Server) -> None:
        server.script += [
            ok({"fills": [FILL], "cursor": "n"}),
            ok({"fills": [{**FILL, "fill_id": "f-2"}], "cursor": ""}),
        ]
        fills = list(client.portfolio.fills_all(ticker="KXHIGHNY-26JAN02-T60"))
        assert [f.fill_id for f in fills] == ["f-1", "f-2"]
        assert fills[0].count_fp == Decimal("2.50")

    def test_subaccount_create_sends_an_empty_object(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"subaccount_number": 41}, status=201))
        created = client.subaccounts.create(request=None)
        assert created.subaccount_number == 41
        assert json.loads(server.requests[0].content) == {}
        assert server.requests[0].headers["content-type"].startswith("application/json")

    def test_subaccount_transfer_is_in_cents(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({}))
        request = ApplySubaccountTransferRequest(
            client_transfer_id="5f0e8c1e-0000-4000-8000-000000000001",
            from_subaccount=0,
            to_subaccount=2,
            amount_cents=500,
        )
        client.subaccounts.transfer(request=request)
        assert json.loads(server.requests[0].content)["amount_cents"] == 500


class TestAsyncPortfolio:
    async def test_balance_positions_and_deposits(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script += [
            ok(BALANCE),
            ok({"market_positions": [market_position()], "event_positions": [], "cursor": ""}),
            ok({"deposits": [transfer("wire", "d-9")], "cursor": ""}),
        ]
        assert (await aclient.portfolio.balance()).balance_dollars == Decimal("1234.5600")
        positions = await aclient.portfolio.positions()
        assert positions[0].ticker == "KXHIGHNY-26JAN02-T60"
        assert not positions.has_next
        assert [d.type async for d in aclient.portfolio.deposits_all()] == ["wire"]

    async def test_withdrawals(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script.append(ok({"withdrawals": [transfer("ach", "w-1")]}))
        page = await aclient.portfolio.withdrawals()
        assert page[0].fee_cents == 0
        assert page.cursor is None
