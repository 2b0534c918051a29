"""Test support for kalshi-rest: hand-made operations and models, a scripted mock server, fakes."""

from __future__ import annotations

import base64
import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import BaseModel, ConfigDict

from kalshi_auth import pre_sign_text
from kalshi_rest import AsyncKalshiClient, AsyncPage, KalshiClient, Operation, Page, RequestOptions
from kalshi_rest._resource import AsyncAPIResource, SyncAPIResource
from kalshi_rest._response import async_to_raw_response_wrapper, to_raw_response_wrapper

API_PREFIX = "/trade-api/v2"


class Item(BaseModel):
    model_config = ConfigDict(extra="allow")
    ticker: str
    price_dollars: Decimal
    open_time: datetime | None = None


class ItemResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    item: Item


class ItemList(BaseModel):
    model_config = ConfigDict(extra="allow")
    items: list[Item]
    cursor: str | None = None


class CreateItemRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticker: str
    price_dollars: Decimal
    note: str | None = None


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    orders: list[CreateItemRequest]


GET_ITEM = Operation("GetItem", "GET", "/items/{ticker}", ItemResponse, 200, "none")
LIST_ITEMS = Operation("GetItems", "GET", "/items", ItemList, 200, "optional", page_items="items")
CREATE_ITEM = Operation("CreateItem", "POST", "/items", ItemResponse, 201, "required")
RESET_ITEMS = Operation("ResetItems", "PUT", "/items/reset", None, 204, "required")
DELETE_ITEM = Operation("DeleteItem", "DELETE", "/items/{ticker}", None, 204, "required", cost=2)
PRIVATE_GET = Operation("GetSecret", "GET", "/secret", ItemResponse, 200, "required")
BATCH = Operation("BatchCreateOrdersV2", "POST", "/batch", None, 201, "required", cost=10)


def item_json(ticker: str = "KXTEST-1", price: str = "0.5600") -> dict[str, Any]:
    return {"ticker": ticker, "price_dollars": price, "open_time": "2026-01-02T03:04:05Z"}


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(payload).encode(), headers=headers or {})


@dataclass
class Server:
    """A scripted handler: answers from a queue (or a function) and verifies every signature it sees."""

    public_key: rsa.RSAPublicKey | None = None
    script: list[httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]] = field(default_factory=list)
    default: Callable[[httpx.Request], httpx.Response] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    signatures_ok: list[bool] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        sig = request.headers.get("KALSHI-ACCESS-SIGNATURE")
        if sig is not None and self.public_key is not None:
            ts = int(request.headers["KALSHI-ACCESS-TIMESTAMP"])
            path = request.url.raw_path.decode().split("?", 1)[0]
            try:
                self.public_key.verify(
                    base64.b64decode(sig),
                    pre_sign_text(ts, request.method, path),
                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
                    hashes.SHA256(),
                )
                self.signatures_ok.append(True)
            except Exception:
                self.signatures_ok.append(False)
                return json_response(401, {"code": "invalid_signature", "message": "bad signature"})
        if self.script:
            step = self.script.pop(0)
        elif self.default is not None:
            step = self.default
        else:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        if isinstance(step, Exception):
            raise step
        if callable(step) and not isinstance(step, httpx.Response):
            return step(request)
        return step

    def sync(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def asynchronous(self) -> httpx.MockTransport:
        async def handler(request: httpx.Request) -> httpx.Response:
            await request.aread()
            return self(request)

        return httpx.MockTransport(handler)


class Clock:
    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self.ms = start_ms

    def __call__(self) -> int:
        self.ms += 7
        return self.ms


class FakeSleep:
    """Records sleeps instead of sleeping; usable as the sync or the async sleep."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.calls.append(seconds)


class Items(SyncAPIResource):
    """A hand-made resource in the shape codegen emits, to test the plumbing."""

    def get(self, ticker: str, *, options: RequestOptions | None = None) -> ItemResponse:
        return self._request(GET_ITEM, path={"ticker": ticker}, options=options)

    def list(
        self, *, status: str | None = None, cursor: str | None = None, options: RequestOptions | None = None
    ) -> Page[Item]:
        return self._page(LIST_ITEMS, query={"status": status, "cursor": cursor}, options=options)

    def list_all(
        self, *, status: str | None = None, max_pages: int | None = None, options: RequestOptions | None = None
    ) -> Iterator[Item]:
        return self._iterate(LIST_ITEMS, query={"status": status}, options=options, max_pages=max_pages)

    def create(self, *, request: CreateItemRequest, options: RequestOptions | None = None) -> ItemResponse:
        return self._request(CREATE_ITEM, body=request, options=options)

    @property
    def with_raw_response(self) -> ItemsWithRawResponse:
        return ItemsWithRawResponse(self)


class ItemsWithRawResponse:
    def __init__(self, items: Items) -> None:
        self.get = to_raw_response_wrapper(items.get)
        self.list = to_raw_response_wrapper(items.list)


class AsyncItems(AsyncAPIResource):
    async def get(self, ticker: str, *, options: RequestOptions | None = None) -> ItemResponse:
        return await self._request(GET_ITEM, path={"ticker": ticker}, options=options)

    async def list(
        self, *, status: str | None = None, cursor: str | None = None, options: RequestOptions | None = None
    ) -> AsyncPage[Item]:
        return await self._page(LIST_ITEMS, query={"status": status, "cursor": cursor}, options=options)

    def list_all(
        self, *, status: str | None = None, max_pages: int | None = None, options: RequestOptions | None = None
    ) -> AsyncIterator[Item]:
        return self._iterate(LIST_ITEMS, query={"status": status}, options=options, max_pages=max_pages)

    async def create(self, *, request: CreateItemRequest, options: RequestOptions | None = None) -> ItemResponse:
        return await self._request(CREATE_ITEM, body=request, options=options)

    @property
    def with_raw_response(self) -> AsyncItemsWithRawResponse:
        return AsyncItemsWithRawResponse(self)


class AsyncItemsWithRawResponse:
    def __init__(self, items: AsyncItems) -> None:
        self.get = async_to_raw_response_wrapper(items.get)
        self.list = async_to_raw_response_wrapper(items.list)


Face = str


def make_client(face: Face, server: Server, **kw: Any) -> Any:
    """A `KalshiClient` or `AsyncKalshiClient` on the scripted server, with sleeps recorded, not slept."""
    sleeper: FakeSleep = kw.pop("sleeper", None) or FakeSleep()
    client: Any
    if face == "sync":
        client = KalshiClient(transport=server.sync(), **kw)
        client._sleep = sleeper
        client.items = Items(client)
    else:
        client = AsyncKalshiClient(transport=server.asynchronous(), **kw)
        client._sleep = sleeper.asleep
        client.items = AsyncItems(client)
    client.sleeper = sleeper
    return client


async def resolve(value: Any) -> Any:
    """Await `value` if the async face returned an awaitable; pass sync results through."""
    return await value if inspect.isawaitable(value) else value


async def collect(iterator: Any) -> list[Any]:
    """Drain a sync or async iterator into a list."""
    if hasattr(iterator, "__aiter__"):
        return [x async for x in iterator]
    return list(iterator)


async def close(client: Any) -> None:
    if isinstance(client, AsyncKalshiClient):
        await client.aclose()
    else:
        client.close()
