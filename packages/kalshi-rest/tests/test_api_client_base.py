"""`SyncAPIClient` / `AsyncAPIClient`: the client machinery without resources, for other products' clients."""

from __future__ import annotations

from functools import cached_property

import httpx
from rest_support import GET_ITEM, ItemResponse, item_json

from kalshi_auth import KalshiAuth, KalshiConfig
from kalshi_rest import AsyncKalshiClient, KalshiClient
from kalshi_rest._client import AsyncAPIClient, SyncAPIClient
from kalshi_rest._resource import AsyncAPIResource, SyncAPIResource


class Things(SyncAPIResource):
    def get(self, ticker: str) -> ItemResponse:
        return self._request(GET_ITEM, path={"ticker": ticker})


class AsyncThings(AsyncAPIResource):
    async def get(self, ticker: str) -> ItemResponse:
        return await self._request(GET_ITEM, path={"ticker": ticker})


class OtherClient(SyncAPIClient):
    def _rest_url(self, config: KalshiConfig) -> str:
        return "https://other.example.com/trade-api/v2"

    @cached_property
    def things(self) -> Things:
        return Things(self)


class AsyncOtherClient(AsyncAPIClient):
    def _rest_url(self, config: KalshiConfig) -> str:
        return "https://other.example.com/trade-api/v2"

    @cached_property
    def things(self) -> AsyncThings:
        return AsyncThings(self)


def _handler(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"item": item_json("KX-1")})

    return httpx.MockTransport(handle)


def test_the_prediction_clients_are_api_clients() -> None:
    assert issubclass(KalshiClient, SyncAPIClient)
    assert issubclass(AsyncKalshiClient, AsyncAPIClient)
    assert not hasattr(SyncAPIClient, "markets")


def test_a_product_client_brings_its_resources_and_base_url(auth: KalshiAuth) -> None:
    seen: list[httpx.Request] = []
    with OtherClient(auth=auth, transport=_handler(seen)) as client:
        assert client.things.get("KX-1").item.ticker == "KX-1"
        clone = client.with_options(timeout=3.0)
        assert clone.base_url == "https://other.example.com/trade-api/v2"
        assert not hasattr(client, "markets")
    assert str(seen[0].url) == "https://other.example.com/trade-api/v2/items/KX-1"
    assert "KALSHI-ACCESS-SIGNATURE" in seen[0].headers


async def test_the_async_face_too(auth: KalshiAuth) -> None:
    seen: list[httpx.Request] = []
    async with AsyncOtherClient(auth=auth, transport=_handler(seen)) as client:
        assert (await client.things.get("KX-1")).item.ticker == "KX-1"
    assert seen[0].url.host == "other.example.com"
