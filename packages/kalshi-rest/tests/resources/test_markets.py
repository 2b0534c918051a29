from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_payloads import market, ok
from rest_support import Server

from kalshi_rest import AsyncKalshiClient, AsyncPage, KalshiClient, KalshiNotFoundError, Page
from kalshi_rest.models import GetMarketOrderbookResponse, Market

ORDERBOOK = {
    "orderbook_fp": {"yes_dollars": [["0.5600", "150.00"], ["0.5500", "20.00"]], "no_dollars": [["0.4200", "7.50"]]}
}


def _page(tickers: list[str], cursor: str) -> dict[str, object]:
    return {"markets": [market(t) for t in tickers], "cursor": cursor}


class TestMarkets:
    def test_list_returns_a_page_of_decimal_markets(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok(_page(["A-1", "A-2"], "next-1")))
        page = client.markets.list(status="open", limit=2)
        assert isinstance(page, Page)
        assert [m.ticker for m in page] == ["A-1", "A-2"]
        assert page.cursor == "next-1"
        assert page.has_next
        first = page[0]
        assert isinstance(first, Market)
        assert first.yes_bid == Decimal("0.5600") == first.yes_bid_dollars
        assert first.yes_ask == Decimal("0.5800")
        assert str(first.last_price_dollars) == "0.575"
        assert first.open_time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        request = server.requests[0]
        assert request.method == "GET"
        assert request.url.path == "/trade-api/v2/markets"
        assert dict(request.url.params) == {"status": "open", "limit": "2"}
        assert server.signatures_ok == [True]

    def test_list_passes_the_cursor_and_leaves_unset_filters_out(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok(_page([], "")))
        page = client.markets.list(cursor="abc", tickers="A-1,A-2")
        assert not page.has_next
        assert page.cursor is None
        assert dict(server.requests[0].url.params) == {"cursor": "abc", "tickers": "A-1,A-2"}

    def test_list_all_walks_every_page(self, client: KalshiClient, server: Server) -> None:
        server.script += [ok(_page(["A-1", "A-2"], "c2")), ok(_page(["A-3"], ""))]
        tickers = [m.ticker for m in client.markets.list_all(status="open")]
        assert tickers == ["A-1", "A-2", "A-3"]
        assert "cursor" not in server.requests[0].url.params
        assert server.requests[1].url.params["cursor"] == "c2"
        assert all(r.url.params["status"] == "open" for r in server.requests)

    def test_list_all_stops_at_max_pages(self, client: KalshiClient, server: Server) -> None:
        server.script += [ok(_page(["A-1"], "c2")), ok(_page(["A-2"], "c3"))]
        assert [m.ticker for m in client.markets.list_all(max_pages=2)] == ["A-1", "A-2"]
        assert len(server.requests) == 2

    def test_list_all_max_pages_zero_is_a_value_error(self, client: KalshiClient, server: Server) -> None:
        with pytest.raises(ValueError, match="max_pages"):
            list(client.markets.list_all(max_pages=0))
        assert server.requests == []

    def test_get_unwraps_nothing_and_parses(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"market": market("KXTEST-1", unknown_new_field=3)}))
        response = client.markets.get("KXTEST-1")
        assert response.market.ticker == "KXTEST-1"
        assert response.market.model_extra == {"unknown_new_field": 3}
        assert server.requests[0].url.path == "/trade-api/v2/markets/KXTEST-1"

    def test_get_missing_ticker_is_not_found(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"code": "not_found", "message": "market not found"}, status=404))
        with pytest.raises(KalshiNotFoundError) as info:
            client.markets.get("NOPE")
        assert info.value.status_code == 404

    def test_works_without_credentials(self, public_client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"market": market()}))
        assert public_client.markets.get("KXHIGHNY-26JAN02-T60").market.no_bid == Decimal("0.4200")
        assert "KALSHI-ACCESS-SIGNATURE" not in server.requests[0].headers

    def test_orderbook_levels_are_decimal_pairs(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok(ORDERBOOK))
        book = client.markets.orderbook("KXTEST-1", depth=5)
        assert isinstance(book, GetMarketOrderbookResponse)
        assert book.orderbook_fp.yes_dollars[0] == (Decimal("0.5600"), Decimal("150.00"))
        assert server.requests[0].url.params["depth"] == "5"

    def test_orderbooks_repeat_the_tickers_parameter(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"orderbooks": []}))
        client.markets.orderbooks(tickers=["A-1", "B-2"])
        assert server.requests[0].url.params.get_list("tickers") == ["A-1", "B-2"]

    def test_candlesticks_fill_both_path_params(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok({"ticker": "A-1", "candlesticks": None}))
        result = client.markets.candlesticks("SER", "A-1", start_ts=1, end_ts=2, period_interval=60)
        assert result.candlesticks == []  # JSON null for a required array
        assert server.requests[0].url.path == "/trade-api/v2/series/SER/markets/A-1/candlesticks"
        assert dict(server.requests[0].url.params) == {"start_ts": "1", "end_ts": "2", "period_interval": "60"}

    def test_raw_response_gives_status_headers_and_model(self, client: KalshiClient, server: Server) -> None:
        response = ok({"market": market()})
        response.headers["x-request-id"] = "req-9"
        server.script.append(response)
        raw = client.markets.with_raw_response.get("KXHIGHNY-26JAN02-T60")
        assert raw.status_code == 200
        assert raw.headers["x-request-id"] == "req-9"
        assert raw.parse().market.ticker == "KXHIGHNY-26JAN02-T60"


class TestAsyncMarkets:
    async def test_list_returns_an_async_page(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script.append(ok(_page(["A-1"], "n")))
        page = await aclient.markets.list(status="open", limit=1)
        assert isinstance(page, AsyncPage)
        assert page[0].yes_bid == Decimal("0.5600")
        assert page.cursor == "n"
        assert dict(server.requests[0].url.params) == {"status": "open", "limit": "1"}

    async def test_list_all_is_an_async_iterator(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script += [ok(_page(["A-1"], "c2")), ok(_page(["A-2"], ""))]
        tickers = [m.ticker async for m in aclient.markets.list_all(status="open")]
        assert tickers == ["A-1", "A-2"]
        assert server.requests[1].url.params["cursor"] == "c2"

    async def test_list_all_max_pages_zero_is_a_value_error(self, aclient: AsyncKalshiClient, server: Server) -> None:
        with pytest.raises(ValueError, match="max_pages"):
            async for _ in aclient.markets.list_all(max_pages=0):
                pass
        assert server.requests == []

    async def test_get_and_not_found(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script += [ok({"market": market("A-1")}), ok({"code": "not_found", "message": "no"}, status=404)]
        assert (await aclient.markets.get("A-1")).market.ticker == "A-1"
        with pytest.raises(KalshiNotFoundError):
            await aclient.markets.get("NOPE")

    async def test_orderbook_and_raw(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script += [ok(ORDERBOOK), ok(ORDERBOOK)]
        book = await aclient.markets.orderbook("A-1")
        assert book.orderbook_fp.no_dollars[0][1] == Decimal("7.50")
        raw = await aclient.markets.with_raw_response.orderbook("A-1")
        assert raw.status_code == 200
        assert raw.parse().orderbook_fp.yes_dollars[1] == (Decimal("0.5500"), Decimal("20.00"))
