"""`PerpsWebSocket`: the perps (margin) WebSocket on the kalshi-ws engine.

The engine (connect, signed handshake, subscribe acks, seq-gap detection, resync, reconnect and
resubscribe, backpressure) is kalshi-ws's; this module supplies the perps `Product` (channel table
and messages generated from perps_asyncapi.yaml, the URL, bid/ask order books, overflow policies)
and a session with one typed `subscribe_<channel>` per channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Self, cast

from kalshi_auth import KalshiAuth, KalshiConfig, KalshiConfigError, credentials_from_env, get_environment
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
    Stream,
)

from .messages import (
    CHANNELS,
    SERVER_MESSAGES,
    CorporateActionsDelta,
    Fill,
    OrderbookDelta,
    OrderbookSnapshot,
    OrderGroupUpdates,
    Ticker,
    Trade,
    UserOrder,
)

__all__ = ["PERPS", "PerpsBookKeeper", "PerpsOrderBook", "PerpsSession", "PerpsWebSocket"]

PerpsOrderbookMessage = OrderbookSnapshot | OrderbookDelta


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

    Perps books carry `bid` and `ask` sides on one price scale (FACTS 5.9), unlike the prediction
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


def _perps_ws_url(config: KalshiConfig) -> str:
    return config.ws_url or config.environment.perps_ws_url


PERPS = Product(
    name="perps",
    channels=CHANNELS,
    messages=SERVER_MESSAGES,
    url=_perps_ws_url,
    keeper=_perps_keeper,
    overflow={"ticker": Overflow.DROP_OLDEST, "orderbook_delta": Overflow.RESYNC},
)
"""The perps product (perps_asyncapi.yaml): URL `perps_ws_url` (path `/trade-api/ws/v2/margin`)."""


def _markets(tickers: Sequence[str] | str | None) -> dict[str, Any]:
    if tickers is None:
        return {}
    if isinstance(tickers, str):
        return {"market_ticker": tickers}
    tickers = list(tickers)
    if not tickers:
        raise KalshiConfigError("tickers must not be empty (pass None for every market)")
    return {"market_tickers": tickers}


class PerpsSession(BaseSession):
    """A perps session: a typed `subscribe_<channel>` for every channel of perps_asyncapi.yaml.

    ```python
    async with PerpsWebSocket.from_env(demo=True).connect() as session:
        ticker = await session.subscribe_ticker(["BTC-PERP"])
        async for message in ticker:
            print(message.msg.price, message.msg.funding_rate)
    ```

    Perps subscribe takes only market filters, `send_initial_snapshot` and `skip_ticker_ack`.
    """

    async def subscribe_orderbook_delta(
        self,
        tickers: Sequence[str] | str,
        *,
        books: bool = True,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[PerpsOrderbookMessage]:
        """Bid/ask order-book snapshots and signed deltas; keeps a bid/ask `OrderBook` per market.

        Args:
            tickers: market tickers (required by the server).
            books: maintain `stream.books` (default); False leaves book building to the consumer.
            queue_size: this stream's queue bound (default: the client's).
            overflow: on a slow consumer (default: resync from a fresh snapshot).
            on_gap: `"resync"` (default) or `"raise"` on a sequence gap.
        """
        return await self.subscribe(
            "orderbook_delta",
            queue_size=queue_size,
            overflow=overflow,
            on_gap=on_gap,
            keep_state=books,
            **_markets(tickers),
        )

    async def subscribe_ticker(
        self,
        tickers: Sequence[str] | str | None = None,
        *,
        send_initial_snapshot: bool | None = None,
        skip_ticker_ack: bool | None = None,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
    ) -> Stream[Ticker]:
        """Price, bid/ask, volume, open interest, mark prices and the live funding rate.

        `message.msg.funding_rate.rate` is a `Decimal` read exactly from the JSON number, with
        `next_funding_time_ms`; at most one message per market per second (latest value wins:
        drop-oldest by default).
        """
        params = _markets(tickers)
        if send_initial_snapshot is not None:
            params["send_initial_snapshot"] = send_initial_snapshot
        if skip_ticker_ack is not None:
            params["skip_ticker_ack"] = skip_ticker_ack
        return await self.subscribe("ticker", queue_size=queue_size, overflow=overflow, **params)

    async def subscribe_trade(
        self,
        tickers: Sequence[str] | str | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[Trade]:
        """Public trades (every market when `tickers` is None)."""
        return await self.subscribe(
            "trade", queue_size=queue_size, overflow=overflow, on_gap=on_gap, **_markets(tickers)
        )

    async def subscribe_fill(
        self,
        tickers: Sequence[str] | str | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
    ) -> Stream[Fill]:
        """Your fills (private); `order_source` is `system` for liquidations and exit triggers."""
        return await self.subscribe("fill", queue_size=queue_size, overflow=overflow, **_markets(tickers))

    async def subscribe_user_orders(
        self,
        tickers: Sequence[str] | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
    ) -> Stream[UserOrder]:
        """Your order updates (private); messages have type `user_order` and no status field.

        Work out an order's state from `remaining_count` and `last_update_reason` (FACTS 5.9).
        """
        params: dict[str, Any] = {"market_tickers": list(tickers)} if tickers else {}
        return await self.subscribe("user_orders", queue_size=queue_size, overflow=overflow, **params)

    async def subscribe_order_group_updates(
        self,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[OrderGroupUpdates]:
        """Order-group lifecycle and limit updates (private)."""
        return await self.subscribe("order_group_updates", queue_size=queue_size, overflow=overflow, on_gap=on_gap)

    subscribe_order_group = subscribe_order_group_updates

    async def subscribe_corporate_actions(
        self,
        tickers: Sequence[str] | str | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[CorporateActionsDelta]:
        """Stock splits, final settlements and ticker changes as they are applied.

        Nothing is sent on subscribe, and cash actions are not streamed. Positions and balances
        can change without a fill: refetch them over REST after each message (FACTS 5.9).
        """
        return await self.subscribe(
            "corporate_actions", queue_size=queue_size, overflow=overflow, on_gap=on_gap, **_markets(tickers)
        )


class PerpsWebSocket(KalshiWebSocket):
    """The Kalshi perps WebSocket client: one connection, many typed subscriptions.

    ```python
    ws = PerpsWebSocket(auth=KalshiAuth.from_key_path(key_id, path), config=KalshiConfig.demo())
    async with ws.connect() as session:
        ticker = await session.subscribe_ticker(["BTC-PERP"])
        async for message in ticker:
            print(message.msg.funding_rate.rate, message.msg.funding_rate.next_funding_time_ms)
    ```

    Connects to the environment's `perps_ws_url` (`/trade-api/ws/v2/margin`, a host of its own),
    signing the upgrade with `GET` + that path. Every argument of `kalshi_ws.KalshiWebSocket` except
    `product` is accepted.
    """

    session_class: type[BaseSession] = PerpsSession

    def __init__(self, auth: KalshiAuth | None = None, config: KalshiConfig | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("product", PERPS)
        super().__init__(auth, config, **kwargs)

    @classmethod
    def from_env(cls, *, demo: bool | None = None, environ: Mapping[str, str] | None = None, **kwargs: Any) -> Self:
        """Build a client from the `KALSHI_PERPS_*` variables (as `PerpsClient.from_env`).

        Args:
            demo: True selects the demo environment.
            environ: a mapping to read instead of `os.environ`.
            **kwargs: any other constructor argument.

        Raises:
            KalshiConfigError: credentials are half set.
        """
        creds = credentials_from_env("perps", environ=environ)
        config: KalshiConfig | None = kwargs.pop("config", None)
        environment = get_environment(bool(demo) or creds.demo)
        if config is None:
            config = KalshiConfig(environment=environment)
        elif demo or creds.demo:
            config = config.replace(environment=environment)
        return cls(creds.auth, config, **kwargs)

    def connect(self) -> AbstractAsyncContextManager[PerpsSession]:  # type: ignore[override]
        """Open a session; closing the context closes the connection and ends every stream.

        Raises:
            KalshiConnectionError: connect, TLS or handshake failed (e.g. HTTP 403: bad signature).
        """
        return cast("AbstractAsyncContextManager[PerpsSession]", self.open_session())

    def __repr__(self) -> str:
        return f"PerpsWebSocket(url={self.url!r}, authenticated={self.is_authenticated})"
