"""A list's last page may carry no cursor key, or `"cursor": null`: both end pagination cleanly."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from kalshi_rest import AsyncKalshiClient, KalshiClient

MARKET = {"ticker": "KX-1", "event_ticker": "KX", "status": "active"}


def _pages(last: dict[str, Any]) -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "cursor" not in request.url.params:
            return httpx.Response(200, json={"markets": [MARKET], "cursor": "page-2"})
        return httpx.Response(200, content=json.dumps({"markets": [MARKET | {"ticker": "KX-2"}], **last}).encode())

    return seen, httpx.MockTransport(handler)


@pytest.mark.parametrize("last", [{}, {"cursor": None}, {"cursor": ""}], ids=["no-key", "null", "empty"])
def test_list_all_ends_on_a_last_page_without_cursor(last: dict[str, Any]) -> None:
    seen, transport = _pages(last)
    with KalshiClient(transport=transport) as client:
        tickers = [m.ticker for m in client.markets.list_all()]
    assert tickers == ["KX-1", "KX-2"]
    assert [r.url.params.get("cursor") for r in seen] == [None, "page-2"]


@pytest.mark.parametrize("last", [{}, {"cursor": None}], ids=["no-key", "null"])
def test_async_list_all_ends_on_a_last_page_without_cursor(last: dict[str, Any]) -> None:
    seen, transport = _pages(last)

    async def run() -> list[Any]:
        async with AsyncKalshiClient(transport=transport) as client:
            return [m.ticker async for m in client.markets.list_all()]

    assert asyncio.run(run()) == ["KX-1", "KX-2"]
    assert len(seen) == 2


def test_the_last_page_reports_no_next_page() -> None:
    _, transport = _pages({"cursor": None})
    with KalshiClient(transport=transport) as client:
        last = client.markets.list(cursor="page-2")
        assert last.cursor is None and not last.has_next
        assert last.response.missing_fields == frozenset({"cursor"})
