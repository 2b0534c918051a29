"""A local order book for one prediction market, built from `orderbook_snapshot` + `orderbook_delta`.

Pure data structure: no I/O, no clock. Kalshi's WebSocket book holds two bid books, YES bids and
NO bids (docs/protocol/sequencing.md#order-books). A YES bid at price p is a NO ask at 1 - p,
so the best YES ask is 1 minus the
best NO bid (or, with `use_yes_price=True`, where NO levels are reported in YES-leg prices, the
lowest NO level).

Each side is a dict price -> size plus a sorted price list. Changing an existing level is a dict
update; adding or removing a level is a binary search plus a list insert/delete (a memmove); the
best level is the end of the list, so reading the top of book is O(1).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from decimal import Decimal

from kalshi_auth import KalshiConfigError

from ._errors import KalshiOrderBookError
from .messages import OrderbookDelta, OrderbookSnapshot

__all__ = ["BookKeeper", "Level", "OrderBook"]

Level = tuple[Decimal, Decimal]
"""A price level: (price in dollars, size in contracts), both `Decimal`."""

_ONE = Decimal(1)
_ZERO = Decimal(0)
_TWO = Decimal(2)


class OrderBook:
    """YES and NO bid books for one market, with O(1) top of book.

    ```python
    book = OrderBook("FED-23DEC-T3.00")
    book.apply(snapshot)          # an OrderbookSnapshot message
    book.apply(delta)             # an OrderbookDelta message
    book.best_yes_bid, book.best_yes_ask, book.spread, book.mid
    ```

    Args:
        market_ticker: the market this book is for (informational; `apply` checks it).
        use_yes_price: True if the subscription asked for `use_yes_price` (NO levels in YES prices).
        sides: the two side names a delta may carry, bid book first: `("yes", "no")` for
            prediction (asyncapi.yaml, orderbook_delta `side`), `("bid", "ask")` for perps. Any
            other side is rejected, never applied.
    """

    __slots__ = (
        "_ask_side",
        "_bid_side",
        "_no",
        "_no_prices",
        "_ready",
        "_snapshot_clock",
        "_yes",
        "_yes_prices",
        "clock",
        "market_ticker",
        "use_yes_price",
    )

    def __init__(
        self, market_ticker: str = "", *, use_yes_price: bool = False, sides: tuple[str, str] = ("yes", "no")
    ) -> None:
        self.market_ticker = market_ticker
        self.use_yes_price = use_yes_price
        self._bid_side, self._ask_side = sides
        self._ready = False
        self._yes: dict[Decimal, Decimal] = {}
        self._no: dict[Decimal, Decimal] = {}
        self._yes_prices: list[Decimal] = []
        self._no_prices: list[Decimal] = []
        self.clock: int | None = None
        """The exchange clock of the last snapshot or delta applied; None before the first snapshot
        (and when the server left it out)."""
        self._snapshot_clock: int | None = None

    # ---- state -----------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """True once a snapshot has been applied (and the book has not been reset since)."""
        return self._ready

    def reset(self) -> None:
        """Forget every level; the next update must be a snapshot."""
        self._yes.clear()
        self._no.clear()
        self._yes_prices.clear()
        self._no_prices.clear()
        self.clock = None
        self._snapshot_clock = None
        self._ready = False

    # ---- updates ---------------------------------------------------------------------------
    def apply_snapshot(
        self,
        yes: Iterable[Sequence[Decimal]] | None,
        no: Iterable[Sequence[Decimal]] | None,
        clock: int | None = 0,
    ) -> None:
        """Replace the book with a snapshot. A missing side (None) is an empty side.

        Args:
            yes: YES bid levels as (price, size) pairs, any order.
            no: NO bid levels as (price, size) pairs, any order.
            clock: the snapshot's exchange clock (None when the server left it out: deltas are
                then not clock-checked until one carries a clock).
        """
        self._yes = {p: s for p, s in yes or () if s > _ZERO}
        self._no = {p: s for p, s in no or () if s > _ZERO}
        self._yes_prices = sorted(self._yes)
        self._no_prices = sorted(self._no)
        self.clock = clock
        self._snapshot_clock = clock
        self._ready = True

    def apply_delta(self, side: str, price: Decimal, delta: Decimal, clock: int | None = None) -> None:
        """Add a signed size change to one level (docs/protocol/sequencing.md#order-books).

        A missing level is created by a positive delta; a level whose size reaches zero or less
        is removed.

        Args:
            side: exactly one of the book's two sides: `"yes"` / `"no"` (prediction), `"bid"` /
                `"ask"` (a `bid_ask()` or perps book).
            price: the level's price in dollars.
            delta: the signed change in contracts.
            clock: the delta's exchange clock, checked against the book's.

        Raises:
            KalshiOrderBookError: no snapshot yet, a clock older than the book's (or not newer
                than the snapshot it follows), an unknown side, or a negative delta on a level the
                book does not have. The book is left unchanged.
        """
        if not self._ready:
            raise KalshiOrderBookError(f"{self.market_ticker}: delta before snapshot")
        last = self.clock
        if clock is not None and last is not None and (clock < last or clock == self._snapshot_clock):
            raise KalshiOrderBookError(f"{self.market_ticker}: delta out of sequence: clock {clock} after {last}")
        if side == self._bid_side:
            levels, prices = self._yes, self._yes_prices
        elif side == self._ask_side:
            levels, prices = self._no, self._no_prices
        else:
            raise KalshiOrderBookError(f"{self.market_ticker}: unknown side {side!r}")
        old = levels.get(price)
        if old is None:
            if delta > _ZERO:
                levels[price] = delta
                insort(prices, price)
            elif delta < _ZERO:
                raise KalshiOrderBookError(f"{self.market_ticker}: delta {delta} on empty {side} level {price}")
        else:
            new = old + delta
            if new > _ZERO:
                levels[price] = new
            else:
                del levels[price]
                del prices[bisect_left(prices, price)]
        if clock is not None:
            self.clock = clock
            self._snapshot_clock = None

    def apply(self, message: OrderbookSnapshot | OrderbookDelta) -> None:
        """Apply an `OrderbookSnapshot` or `OrderbookDelta` message for this book's market."""
        ticker = message.msg.market_ticker
        if self.market_ticker and ticker != self.market_ticker:
            raise KalshiOrderBookError(f"message for {ticker} applied to the book of {self.market_ticker}")
        if isinstance(message, OrderbookDelta):
            m = message.msg
            self.apply_delta(m.side, m.price_dollars, m.delta_fp, m.clock)
        elif isinstance(message, OrderbookSnapshot):
            s = message.msg
            self.apply_snapshot(s.yes_dollars_fp, s.no_dollars_fp, s.clock)
        else:
            raise KalshiOrderBookError(f"not an order-book message: {type(message).__name__}")

    # ---- reads -----------------------------------------------------------------------------
    @property
    def best_yes_bid(self) -> Level | None:
        """The best (highest) YES bid as (price, size), or None."""
        prices = self._yes_prices
        if not prices:
            return None
        p = prices[-1]
        return p, self._yes[p]

    @property
    def best_no_bid(self) -> Level | None:
        """The best NO bid as (price, size) in the prices the server reports, or None."""
        prices = self._no_prices
        if not prices:
            return None
        p = prices[0] if self.use_yes_price else prices[-1]
        return p, self._no[p]

    @property
    def best_yes_ask(self) -> Level | None:
        """The best (lowest) YES ask implied by the best NO bid, as (YES price, size), or None."""
        best = self.best_no_bid
        if best is None:
            return None
        return (best[0] if self.use_yes_price else _ONE - best[0]), best[1]

    @property
    def best_bid(self) -> Level | None:
        """The best bid (for prediction markets: the best YES bid)."""
        return self.best_yes_bid

    @property
    def best_ask(self) -> Level | None:
        """The best ask (for prediction markets: the best YES ask, implied by the NO bids)."""
        return self.best_yes_ask

    @classmethod
    def bid_ask(cls, market_ticker: str = "") -> OrderBook:
        """A plain bid/ask book (e.g. perps): sides `"bid"` and `"ask"`, one price scale.

        `best_bid` is the highest bid, `best_ask` the lowest ask; `spread`, `mid` and `no_bids()`
        (the asks, best first) work as for a prediction book with `use_yes_price=True`.
        """
        return cls(market_ticker, use_yes_price=True, sides=("bid", "ask"))

    @property
    def best_no_ask(self) -> Level | None:
        """The best NO ask implied by the best YES bid, as (NO price, size), or None."""
        best = self.best_yes_bid
        if best is None:
            return None
        return _ONE - best[0], best[1]

    @property
    def spread(self) -> Decimal | None:
        """YES ask minus YES bid in dollars, or None when a side is empty."""
        bid, ask = self.best_yes_bid, self.best_yes_ask
        if bid is None or ask is None:
            return None
        return ask[0] - bid[0]

    @property
    def mid(self) -> Decimal | None:
        """The YES mid price, (bid + ask) / 2, or None when a side is empty."""
        bid, ask = self.best_yes_bid, self.best_yes_ask
        if bid is None or ask is None:
            return None
        return (ask[0] + bid[0]) / _TWO

    def yes_bids(self, depth: int | None = None) -> list[Level]:
        """YES bid levels, best first; at most `depth` of them."""
        prices = self._yes_prices
        chosen = prices[::-1] if depth is None else prices[: -depth - 1 : -1]
        return [(p, self._yes[p]) for p in chosen]

    def no_bids(self, depth: int | None = None) -> list[Level]:
        """NO bid levels, best first (in the prices the server reports); at most `depth`."""
        prices = self._no_prices
        if self.use_yes_price:
            chosen = prices if depth is None else prices[:depth]
        else:
            chosen = prices[::-1] if depth is None else prices[: -depth - 1 : -1]
        return [(p, self._no[p]) for p in chosen]

    def size_at(self, side: str, price: Decimal) -> Decimal:
        """The size resting at one level (zero if none).

        Args:
            side: `"yes"` or `"no"` (prediction books), or `"bid"` or `"ask"` (perps books).

        Raises:
            KalshiConfigError: `side` is none of those.
        """
        if side in ("yes", "bid"):
            return self._yes.get(price, _ZERO)
        if side in ("no", "ask"):
            return self._no.get(price, _ZERO)
        raise KalshiConfigError(f"side must be 'yes', 'no', 'bid' or 'ask', got {side!r}")

    def __len__(self) -> int:
        return len(self._yes) + len(self._no)

    def __repr__(self) -> str:
        return (
            f"OrderBook({self.market_ticker!r}, clock={self.clock}, levels={len(self)}, "
            f"best_yes_bid={self.best_yes_bid}, best_yes_ask={self.best_yes_ask})"
        )


class BookKeeper:
    """Keeps one `OrderBook` per market from an `orderbook_delta` subscription's messages.

    The engine feeds it every message before queueing it; a `KalshiOrderBookError` (delta before
    its snapshot, out-of-order clock, inconsistent level) makes the engine resubscribe for a fresh
    snapshot. `books` is read by the consumer (`stream.books`, `stream.book(ticker)`).
    """

    __slots__ = ("books", "use_yes_price")

    def __init__(self, *, use_yes_price: bool = False) -> None:
        self.books: dict[str, OrderBook] = {}
        self.use_yes_price = use_yes_price

    def __call__(self, message: object) -> None:
        if type(message) is OrderbookDelta:
            m = message.msg
            book = self.books.get(m.market_ticker)
            if book is None:
                raise KalshiOrderBookError(f"{m.market_ticker}: delta before snapshot")
            book.apply_delta(m.side, m.price_dollars, m.delta_fp, m.clock)
        elif type(message) is OrderbookSnapshot:
            s = message.msg
            book = self.books.get(s.market_ticker)
            if book is None:
                book = self.books[s.market_ticker] = OrderBook(s.market_ticker, use_yes_price=self.use_yes_price)
            book.apply_snapshot(s.yes_dollars_fp, s.no_dollars_fp, s.clock)

    def reset(self) -> None:
        """Forget every book's levels (a resubscribe is coming with fresh snapshots)."""
        for book in self.books.values():
            book.reset()

    def close(self) -> None:
        """The subscription ended: reset every book (held references read not-ready) and drop them."""
        self.reset()
        self.books.clear()
