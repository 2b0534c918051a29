"""Cursor pagination: `Page` / `AsyncPage` (one page, iterable) and the `list_all` iterators."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from ._errors import KalshiPaginationError, KalshiRequestError

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = ["AsyncPage", "Page", "check_max_pages", "iterate_pages", "iterate_pages_async"]

T = TypeVar("T")


def check_max_pages(max_pages: int | None) -> None:
    """Refuse a `max_pages` that is not None or a positive int (`max_pages=0` is a ValueError).

    Raises:
        KalshiRequestError: (a `ValueError`) `max_pages` is below 1.
        TypeError: `max_pages` is not an int.
    """
    if max_pages is None:
        return
    if isinstance(max_pages, bool) or not isinstance(max_pages, int):
        raise TypeError(f"max_pages must be an int or None, got {type(max_pages).__name__}")
    if max_pages < 1:
        raise KalshiRequestError(f"max_pages must be >= 1 (or None for no limit), got {max_pages}")


def clean_cursor(value: object) -> str | None:
    """Normalise a response cursor: missing, None or `""` all mean "last page"."""
    return value if isinstance(value, str) and value else None


class _BasePage(Generic[T]):
    __slots__ = ("cursor", "items", "response")

    def __init__(self, items: Sequence[T], cursor: str | None, response: Any) -> None:
        self.items: list[T] = list(items)
        """The items on this page."""
        self.cursor: str | None = clean_cursor(cursor)
        """The cursor of the next page; None on the last page (never `""`)."""
        self.response: Any = response
        """The whole parsed response model (other fields, e.g. `event_positions`, live here)."""

    @property
    def has_next(self) -> bool:
        """True when the server says more pages follow."""
        return self.cursor is not None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(items={len(self.items)}, cursor={self.cursor!r})"

    @overload
    def to_dataframe(self, backend: Literal["pandas"] = "pandas") -> pandas.DataFrame: ...

    @overload
    def to_dataframe(self, backend: Literal["polars"]) -> polars.DataFrame: ...

    def to_dataframe(self, backend: Literal["pandas", "polars"] = "pandas") -> pandas.DataFrame | polars.DataFrame:
        """Return this page's items as a DataFrame, one row per item, one column per field.

        Decimal and datetime values are kept: pandas holds `Decimal` objects (object dtype) and aware
        datetimes; polars uses its `Decimal` and `Datetime(time_zone=...)` types.

        Args:
            backend: `"pandas"` (needs the `pandas` extra) or `"polars"` (the `polars` extra).
        """
        from ._frames import to_dataframe

        frame: pandas.DataFrame | polars.DataFrame = to_dataframe(self.items, backend)
        return frame


class Page(_BasePage[T]):
    """One page of a cursor-paginated list; iterate it for its items.

    ```python
    page = client.markets.list(status="open", limit=100)
    for market in page: ...
    if page.has_next:
        page = client.markets.list(status="open", cursor=page.cursor)
    ```
    """

    __slots__ = ("_fetch",)

    def __init__(
        self,
        items: Sequence[T],
        cursor: str | None,
        response: Any,
        fetch: Callable[[str], Page[T]] | None = None,
    ) -> None:
        super().__init__(items, cursor, response)
        self._fetch = fetch

    def next_page(self) -> Page[T] | None:
        """Fetch the following page, or return None on the last page."""
        if self.cursor is None or self._fetch is None:
            return None
        return self._fetch(self.cursor)

    def iter_pages(self, max_pages: int | None = None) -> Iterator[Page[T]]:
        """Yield this page and the ones after it (stops on a repeated cursor with an error)."""
        check_max_pages(max_pages)
        return _walk(self, max_pages)


class AsyncPage(_BasePage[T]):
    """One page of a cursor-paginated list from `AsyncKalshiClient`; iterate it for its items."""

    __slots__ = ("_fetch",)

    def __init__(
        self,
        items: Sequence[T],
        cursor: str | None,
        response: Any,
        fetch: Callable[[str], Awaitable[AsyncPage[T]]] | None = None,
    ) -> None:
        super().__init__(items, cursor, response)
        self._fetch = fetch

    async def next_page(self) -> AsyncPage[T] | None:
        """Fetch the following page, or return None on the last page."""
        if self.cursor is None or self._fetch is None:
            return None
        return await self._fetch(self.cursor)

    def iter_pages(self, max_pages: int | None = None) -> AsyncIterator[AsyncPage[T]]:
        """Yield this page and the ones after it (stops on a repeated cursor with an error)."""
        check_max_pages(max_pages)
        return _awalk(self, max_pages)


def _check_repeat(cursor: str, seen: set[str]) -> None:
    if cursor in seen:
        raise KalshiPaginationError(f"the server repeated cursor {cursor[:40]!r}; stopping instead of looping")
    seen.add(cursor)


def _walk(page: Page[T], max_pages: int | None) -> Iterator[Page[T]]:
    seen: set[str] = set()
    count = 1
    current: Page[T] | None = page
    while current is not None:
        yield current
        if current.cursor is None or (max_pages is not None and count >= max_pages):
            return
        _check_repeat(current.cursor, seen)
        current = current.next_page()
        count += 1


async def _awalk(page: AsyncPage[T], max_pages: int | None) -> AsyncIterator[AsyncPage[T]]:
    seen: set[str] = set()
    count = 1
    current: AsyncPage[T] | None = page
    while current is not None:
        yield current
        if current.cursor is None or (max_pages is not None and count >= max_pages):
            return
        _check_repeat(current.cursor, seen)
        current = await current.next_page()
        count += 1


def iterate_pages(first: Callable[[], Page[T]], max_pages: int | None) -> Iterator[T]:
    """Every item of every page, fetching lazily; validates `max_pages` now, not at the first `next()`."""
    check_max_pages(max_pages)

    def items() -> Iterator[T]:
        for page in _walk(first(), max_pages):
            yield from page.items

    return items()


def iterate_pages_async(first: Callable[[], Awaitable[AsyncPage[T]]], max_pages: int | None) -> AsyncIterator[T]:
    """Async twin of `iterate_pages`: `async for item in ...`."""
    check_max_pages(max_pages)

    async def items() -> AsyncIterator[T]:
        async for page in _awalk(await first(), max_pages):
            for item in page.items:
                yield item

    return items()
