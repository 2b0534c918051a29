"""Raw responses: status and headers before parsing, the typed error only when parsing."""

from __future__ import annotations

import httpx
import pytest
from rest_support import Server, close, item_json, json_response, make_client, resolve

from kalshi_rest import APIResponse, KalshiResponseError, RequestOptions


@pytest.mark.parametrize("face", ["sync", "async"])
async def test_raw_response_defers_parse_errors_and_keeps_headers(face: str, server: Server) -> None:
    server.script = [httpx.Response(200, content=b"not json", headers={"X-RateLimit-Remaining": "42"})]
    client = make_client(face, server)
    raw = await resolve(client.items.with_raw_response.get("T"))
    assert isinstance(raw, APIResponse)
    assert raw.headers["x-ratelimit-remaining"] == "42"
    assert raw.content == b"not json"
    assert "GET /trade-api/v2/items/T" in repr(raw)
    with pytest.raises(KalshiResponseError) as err:
        raw.parse()
    assert err.value.body == b"not json"
    await close(client)


@pytest.mark.parametrize("face", ["sync", "async"])
async def test_raw_wrapper_keeps_the_callers_options(face: str, server: Server) -> None:
    server.script = [json_response(200, {"item": item_json()})]
    client = make_client(face, server)
    raw = await resolve(client.items.with_raw_response.get("T", options=RequestOptions(extra_headers={"X-A": "1"})))
    assert raw.parse().item.ticker == "KXTEST-1"
    assert server.requests[0].headers["X-A"] == "1"
    await close(client)


@pytest.mark.parametrize("face", ["sync", "async"])
async def test_raw_page_follow_ups_are_plain_pages(face: str, server: Server) -> None:
    server.script = [
        json_response(200, {"items": [item_json("A")], "cursor": "c1"}),
        json_response(200, {"items": [item_json("B")], "cursor": ""}),
    ]
    client = make_client(face, server)
    raw = await resolve(client.items.with_raw_response.list())
    page = raw.parse()
    following = await resolve(page.next_page())
    assert [i.ticker for i in following] == ["B"]
    assert not isinstance(following, APIResponse)
    await close(client)
