"""`PerpsWebSocket`: the perps (margin) WebSocket on the kalshi-ws engine.

The engine (connect, signed handshake, subscribe acks, seq-gap detection, resync, reconnect and
resubscribe, backpressure) is kalshi-ws's; this module supplies the perps `Product` (channel table
and messages generated from perps_asyncapi.yaml, the URL, bid/ask order books, overflow policies)
and re-exports the session generated from the spec (`PerpsSession`, one typed `subscribe_<channel>`
per channel, tools/codegen/ws_session.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar, cast

from kalshi_ws import (
    BaseSession,
    BookKeeper,
    KalshiOrderBookError,
    KalshiWebSocket,
    Keeper,
    Level,
    OrderBook,
    Overflow,
    Product,
)

from .messages import CHANNELS, SERVER_MESSAGES, OrderbookDelta, OrderbookSnapshot, SubscribeCommandParams
from .messages._generated.session import PerpsSession

__all__ = ["PERPS", "PerpsBookKeeper", "PerpsOrderBook", "PerpsSession", "PerpsWebSocket"]


class PerpsOrderBook(OrderBook):
    """A perps order book: `bid` and `ask` sides on one price scale, O(1) top of book.

    ```python
    book = stream.book("BTC-PERP")
    book.best_bid, book.best_ask, book.spread, book.mid   # (price, size) pairs / Decimal
    book.bids(5), book.asks(5)                            # best first
    ```
    """

    __slots__ = ()

    def __init__(self, market_ticker: str = "", *, use_yes_price: bool = True) -> None:
        """A perps book for `market_ticker`; `use_yes_price` is accepted for `OrderBook` compatibility and ignored."""
        super().__init__(market_ticker, use_yes_price=True, sides=("bid", "ask"))

    def bids(self, depth: int | None = None) -> list[Level]:
        """Bid levels, best (highest) first; at most `depth` of them."""
        return self.yes_bids(depth)

    def asks(self, depth: int | None = None) -> list[Level]:
        """Ask levels, best (lowest) first; at most `depth` of them."""
        return self.no_bids(depth)

    def __repr__(self) -> str:
        top = f"best_bid={self.best_bid}, best_ask={self.best_ask}"
        return f"PerpsOrderBook({self.market_ticker!r}, levels={len(self)}, {top})"


class PerpsBookKeeper(BookKeeper):
    """Keeps one bid/ask `OrderBook` per market from a perps `orderbook_delta` subscription.

    Perps books carry `bid` and `ask` sides on one price scale (docs/perps.md), unlike the prediction
    YES/NO bid books. A snapshot replaces the book (a missing side is empty); a delta adds its
    signed `delta` to the level at (`side`, `price`). Perps frames have no `clock`: ordering is
    guarded by the subscription's `seq`. A delta before its market's snapshot, or one that would
    take an empty level negative, raises `KalshiOrderBookError`, and the engine resubscribes for a
    fresh snapshot.

    `stream.book(ticker).best_bid` / `.best_ask` are `(price, size)` pairs of `Decimal`.
    """

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(use_yes_price=True)

    def __call__(self, message: object) -> None:
        kind = type(message)
        if kind is OrderbookDelta:
            m = cast("OrderbookDelta", message).msg
            book = self.books.get(m.market_ticker)
            if book is None:
                raise KalshiOrderBookError(f"{m.market_ticker}: delta before snapshot")
            book.apply_delta(m.side, m.price, m.delta)
        elif kind is OrderbookSnapshot:
            s = cast("OrderbookSnapshot", message).msg
            book = self.books.get(s.market_ticker)
            if book is None:
                book = self.books[s.market_ticker] = PerpsOrderBook(s.market_ticker)
            book.apply_snapshot(s.bid, s.ask, 0)


def _perps_keeper(channel: str, params: Mapping[str, Any]) -> Keeper | None:
    return PerpsBookKeeper() if channel == "orderbook_delta" else None


PERPS = Product(
    name="perps",
    channels=CHANNELS,
    messages=SERVER_MESSAGES,
    keeper=_perps_keeper,
    overflow={"ticker": Overflow.DROP_OLDEST, "orderbook_delta": Overflow.RESYNC},
    subscribe_params=SubscribeCommandParams,
)
"""The perps product (perps_asyncapi.yaml); its URL comes from the shared resolver
(`config.endpoints("perps").ws_url`, path `/trade-api/ws/v2/margin`)."""


class PerpsWebSocket(KalshiWebSocket):
    """The Kalshi perps WebSocket client: one connection, many typed subscriptions.

    ```python
    ws = PerpsWebSocket(auth=KalshiAuth.from_key_path(key_id, path), config=KalshiConfig.demo())
    async with ws.connect() as session:
        ticker = await session.subscribe_ticker(["BTC-PERP"])
        async for message in ticker:
            print(message.msg.funding_rate.rate, message.msg.funding_rate.next_funding_time_ms)
    ```

    Connects to `config.endpoints("perps").ws_url` (`/trade-api/ws/v2/margin`, a host of its own),
    signing the upgrade with `GET` + that path. Every argument of `kalshi_ws.KalshiWebSocket` is
    accepted; `from_env()` reads the `KALSHI_PERPS_*` variables (`KALSHI_PERPS_WS_URL` too).
    """

    session_class: type[BaseSession] = PerpsSession
    default_product: ClassVar[Product] = PERPS

    def connect(self) -> AbstractAsyncContextManager[PerpsSession]:  # type: ignore[override]
        """Open a session; closing the context closes the connection and ends every stream.

        Raises:
            KalshiConnectionError: connect, TLS or handshake failed (e.g. HTTP 403: bad signature).
        """
        return cast("AbstractAsyncContextManager[PerpsSession]", self.open_session())

    def __repr__(self) -> str:
        return f"PerpsWebSocket(url={self.url!r}, authenticated={self.is_authenticated})"
