"""`SyncAPIClient` / `AsyncAPIClient`: the client machinery without resources, for other products' clients."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any, ClassVar

import httpx
import pytest
from rest_support import GET_ITEM, PRIVATE_GET, ItemList, ItemResponse, item_json

from kalshi_auth import AuthRequiredError, KalshiAuth, KalshiConfig
from kalshi_rest import AsyncKalshiClient, KalshiClient, Operation
from kalshi_rest._client import AsyncAPIClient, SyncAPIClient
from kalshi_rest._resource import AsyncAPIResource, SyncAPIResource

PRIVATE_LIST = Operation("GetSecrets", "GET", "/secrets", ItemList, 200, "required", page_items="items")


class Things(SyncAPIResource):
    def get(self, ticker: str) -> ItemResponse:
        return self._request(GET_ITEM, path={"ticker": ticker})

    def secret(self) -> ItemResponse:
        return self._request(PRIVATE_GET)

    def secrets_all(self) -> Iterator[Any]:
        return self._iterate(PRIVATE_LIST)


class AsyncThings(AsyncAPIResource):
    async def get(self, ticker: str) -> ItemResponse:
        return await self._request(GET_ITEM, path={"ticker": ticker})


class OtherClient(SyncAPIClient):
    def _rest_url(self, config: KalshiConfig) -> str:
        return "https://demo-api.kalshi.co/trade-api/v2"

    @cached_property
    def things(self) -> Things:
        return Things(self)


class AsyncOtherClient(AsyncAPIClient):
    def _rest_url(self, config: KalshiConfig) -> str:
        return "https://demo-api.kalshi.co/trade-api/v2"

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
        assert clone.base_url == "https://demo-api.kalshi.co/trade-api/v2"
        assert not hasattr(client, "markets")
    assert str(seen[0].url) == "https://demo-api.kalshi.co/trade-api/v2/items/KX-1"
    assert "KALSHI-ACCESS-SIGNATURE" in seen[0].headers


async def test_the_async_face_too(auth: KalshiAuth) -> None:
    seen: list[httpx.Request] = []
    async with AsyncOtherClient(auth=auth, transport=_handler(seen)) as client:
        assert (await client.things.get("KX-1")).item.ticker == "KX-1"
    assert seen[0].url.host == "demo-api.kalshi.co"


class TokenSigner:
    """A non-RSA signer: the same bearer header on every attempt."""

    def __init__(self, token: str) -> None:
        self.token = token

    def headers(self, method: str, path: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class TokenClient(OtherClient):
    """A product with its own credential scheme, pool size and credential check."""

    _default_limits: ClassVar[httpx.Limits] = httpx.Limits(max_connections=3, max_keepalive_connections=1)

    def __init__(self, *, token: str | None = None, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(auth=TokenSigner(token) if token else None, transport=transport)

    def _check_auth(self, op: Operation[Any]) -> None:
        if op.auth == "required" and self._auth is None:
            raise AuthRequiredError(f"{op.operation_id} needs a token: set OTHER_TOKEN")


def test_a_non_rsa_signer_signs_every_request() -> None:
    seen: list[httpx.Request] = []
    with TokenClient(token="tok-123", transport=_handler(seen)) as client:
        assert client.is_authenticated
        client.things.secret()
        client.with_options(max_retries=0).things.get("KX-1")
        text = repr(client)
    assert [r.headers["Authorization"] for r in seen] == ["Bearer tok-123", "Bearer tok-123"]
    assert not any(h.lower().startswith("kalshi-access") for r in seen for h in r.headers)
    assert "key_id=None" in text
    assert "tok-123" not in text


def test_the_check_auth_hook_words_the_error_and_nothing_is_sent() -> None:
    seen: list[httpx.Request] = []
    with TokenClient(transport=_handler(seen)) as client:
        assert not client.is_authenticated
        with pytest.raises(AuthRequiredError, match="GetSecret needs a token: set OTHER_TOKEN"):
            client.things.secret()
        with pytest.raises(AuthRequiredError, match="GetSecrets needs a token"):
            next(client.things.secrets_all())
        assert client.things.get("KX-1").item.ticker == "KX-1"  # public operations still work
    assert [r.url.path for r in seen] == ["/trade-api/v2/items/KX-1"]


def test_without_the_hook_the_core_check_applies() -> None:
    seen: list[httpx.Request] = []
    with OtherClient(transport=_handler(seen)) as client, pytest.raises(AuthRequiredError, match="needs credentials"):
        client.things.secret()
    assert seen == []


def test_default_limits_size_an_owned_pool_unless_the_config_sets_them(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, Any]] = []
    real = httpx.Client

    def spy(**kwargs: Any) -> httpx.Client:
        made.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(httpx, "Client", spy)
    TokenClient().close()
    OtherClient().close()
    own = httpx.Limits(max_connections=7)
    OtherClient(config=KalshiConfig(limits=own)).close()
    assert made[0]["limits"] == TokenClient._default_limits
    assert made[1]["limits"] == httpx.Limits(max_connections=100, max_keepalive_connections=20)
    assert made[2]["limits"] is own
