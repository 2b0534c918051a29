"""`Stream`: the messages of one subscription, as an async iterator, with its books and controls."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._book import BookKeeper, OrderBook
from ._errors import KalshiNoBookError
from ._events import StreamEvent
from ._subscription import Subscription, SubState

if TYPE_CHECKING:
    from ._session import BaseSession

__all__ = ["Stream"]

T = TypeVar("T")


class Stream(Generic[T]):
    """The messages of one subscription, as an async iterator.

    Yields the channel's typed messages and, when something happens to the subscription, a
    `StreamEvent` (`SequenceGap`, `Resyncing`, `Reconnected`, `RawMessage`, `MalformedMessage`).
    Ends when unsubscribed or the session closes; raises `KalshiSequenceGapError` /
    `KalshiBackpressureError` / `KalshiConnectionError` if the subscription failed that way.

    ```python
    stream = await session.subscribe_orderbook_delta(tickers=["FED-23DEC-T3.00"])
    async for msg in stream:
        print(stream.book("FED-23DEC-T3.00").best_yes_bid)
    ```
    """

    __slots__ = ("_session", "_sub")

    def __init__(self, session: BaseSession, sub: Subscription) -> None:
        self._session = session
        self._sub = sub

    def __aiter__(self) -> Stream[T]:
        return self

    async def __anext__(self) -> T | StreamEvent:
        sub = self._sub
        while True:
            queue = sub.queue
            if queue:
                item: T | StreamEvent = queue.popleft()
                return item
            if sub.error is not None:
                error, sub.error = sub.error, None
                sub.closed = True
                raise error
            if sub.closed:
                raise StopAsyncIteration
            waiter = asyncio.get_running_loop().create_future()
            sub.waiter = waiter
            try:
                await waiter
            finally:
                sub.waiter = None

    def get_nowait(self) -> T | StreamEvent | None:
        """The next queued item without waiting, or None if the queue is empty."""
        queue = self._sub.queue
        return queue.popleft() if queue else None

    @property
    def channel(self) -> str:
        return self._sub.channel

    @property
    def sid(self) -> int | None:
        """The server's current subscription id (changes on resync and reconnect)."""
        return self._sub.sid

    @property
    def active(self) -> bool:
        return self._sub.state is SubState.ACTIVE

    @property
    def params(self) -> dict[str, Any]:
        """The subscribe params in effect (updated by add/delete markets)."""
        return dict(self._sub.params)

    @property
    def dropped(self) -> int:
        """Messages discarded by the overflow policy so far."""
        return self._sub.dropped

    @property
    def gaps(self) -> int:
        """Sequence gaps seen so far."""
        return self._sub.gaps

    @property
    def pending(self) -> int:
        """Items queued and not yet consumed."""
        return len(self._sub.queue)

    @property
    def books(self) -> dict[str, OrderBook]:
        """Order books kept from this subscription, by market ticker (empty for other channels)."""
        keeper = self._sub.keeper
        return keeper.books if isinstance(keeper, BookKeeper) else {}

    def book(self, market_ticker: str) -> OrderBook:
        """The order book for one market of an `orderbook_delta` subscription.

        Raises:
            KalshiNoBookError: (a `KeyError`) no snapshot for that market has arrived yet, or the
                subscription ended (unsubscribed by either side): never a stale book.
        """
        book = self.books.get(market_ticker)
        if book is None:
            state = "the subscription has ended" if self._sub.closed else "no snapshot yet"
            raise KalshiNoBookError(f"no order book for {market_ticker}: {state}")
        return book

    async def add_markets(self, tickers: Sequence[str]) -> Any:
        """Add markets to this subscription (`update_subscription` / `add_markets`)."""
        return await self.update("add_markets", market_tickers=list(tickers))

    async def delete_markets(self, tickers: Sequence[str]) -> Any:
        """Remove markets from this subscription (`update_subscription` / `delete_markets`).

        Their order books (if kept) are dropped once the server confirms.
        """
        reply = await self.update("delete_markets", market_tickers=list(tickers))
        books = self.books
        for ticker in tickers:
            books.pop(ticker, None)
        return reply

    async def get_snapshot(self, tickers: Sequence[str]) -> Any:
        """Ask for fresh order-book snapshots; they arrive in this stream (and refresh the books)."""
        return await self.update("get_snapshot", market_tickers=list(tickers))

    async def update(self, action: str, **params: Any) -> Any:
        """Send any `update_subscription` action; returns the server's reply body."""
        return await self._session.update_subscription(self, action, **params)

    async def unsubscribe(self) -> None:
        """Unsubscribe and end the stream (after the items already queued)."""
        await self._session.unsubscribe(self)

    async def __aenter__(self) -> Stream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._sub.state is not SubState.CLOSED and not self._session.closed:
            await self.unsubscribe()

    def __repr__(self) -> str:
        return f"Stream({self.channel!r}, sid={self.sid}, pending={self.pending}, dropped={self.dropped})"
