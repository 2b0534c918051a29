"""Resource base classes: generated resources describe an `Operation` and hand it to the client core.

Generated resource modules define `Markets(SyncAPIResource)` and `AsyncMarkets(AsyncAPIResource)`
side by side, from one template; their methods only call `self._request`, `self._page` or
`self._iterate`. The generated mixins (`SyncResources(SyncClientCore)`) attach the resources to
`KalshiClient` / `AsyncKalshiClient` as cached properties.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from ._operation import Operation
from ._options import RequestOptions
from ._pagination import AsyncPage, Page

__all__ = ["AsyncAPIResource", "AsyncClientCore", "Body", "SyncAPIResource", "SyncClientCore"]

if TYPE_CHECKING:
    from pydantic import BaseModel

T = TypeVar("T")

Body: TypeAlias = "BaseModel | Mapping[str, Any] | None"  # a string: importing this does not import pydantic
"""A request body: a generated request model (preferred), a plain mapping, or None."""


class SyncClientCore(abc.ABC):
    """What a sync client must provide to host resources (implemented by `KalshiClient`)."""

    @abc.abstractmethod
    def _request(
        self,
        op: Operation[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Body = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Send one operation and return its parsed body (None for 204)."""

    @abc.abstractmethod
    def _page(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
    ) -> Page[Any]:
        """Fetch one page of a cursor-paginated list."""

    @abc.abstractmethod
    def _iterate(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        max_pages: int | None = None,
    ) -> Iterator[Any]:
        """Iterate every item of every page (`list_all`)."""


class AsyncClientCore(abc.ABC):
    """What an async client must provide to host resources (implemented by `AsyncKalshiClient`)."""

    @abc.abstractmethod
    async def _request(
        self,
        op: Operation[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Body = None,
        options: RequestOptions | None = None,
    ) -> T:
        """Send one operation and return its parsed body (None for 204)."""

    @abc.abstractmethod
    async def _page(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPage[Any]:
        """Fetch one page of a cursor-paginated list."""

    @abc.abstractmethod
    def _iterate(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[Any]:
        """Iterate every item of every page (`async for` over `list_all`)."""


class SyncAPIResource:
    """Base of every generated sync resource (`Markets`, `Orders`, ...)."""

    def __init__(self, client: SyncClientCore) -> None:
        self._client = client

    def _request(
        self,
        op: Operation[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Body = None,
        options: RequestOptions | None = None,
    ) -> T:
        return self._client._request(op, path=path, query=query, body=body, options=options)

    def _page(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
    ) -> Page[Any]:
        return self._client._page(op, path=path, query=query, options=options)

    def _iterate(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        max_pages: int | None = None,
    ) -> Iterator[Any]:
        return self._client._iterate(op, path=path, query=query, options=options, max_pages=max_pages)


class AsyncAPIResource:
    """Base of every generated async resource (`AsyncMarkets`, `AsyncOrders`, ...)."""

    def __init__(self, client: AsyncClientCore) -> None:
        self._client = client

    async def _request(
        self,
        op: Operation[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Body = None,
        options: RequestOptions | None = None,
    ) -> T:
        return await self._client._request(op, path=path, query=query, body=body, options=options)

    async def _page(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPage[Any]:
        return await self._client._page(op, path=path, query=query, options=options)

    def _iterate(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[Any]:
        return self._client._iterate(op, path=path, query=query, options=options, max_pages=max_pages)
