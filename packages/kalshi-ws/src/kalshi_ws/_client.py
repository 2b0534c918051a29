"""`KalshiWebSocket`, its `Session` and the typed `Stream`s a session's subscribe methods return.

The engine is product-agnostic: a `Product` bundles the channel table, the message classes, how
to find the URL in a `KalshiConfig`, the per-channel state keepers (order books) and overflow
policies. `PREDICTION` is the prediction-markets product; the perps WebSocket passes its own.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast
from urllib.parse import urlsplit

from kalshi_auth import AuthRequiredError, KalshiAuth, KalshiConfig, KalshiConfigError

from ._book import BookKeeper, OrderBook
from ._channel import ChannelInfo
from ._connection import Connection, ReconnectPolicy
from ._errors import KalshiNoBookError, KalshiWebSocketError
from ._events import StreamEvent
from ._protocol import KalshiProtocol, Keeper, Overflow, Subscription, SubState
from .messages import (
    CHANNELS,
    SERVER_MESSAGES,
    BatchQuoteAccepted,
    BatchQuoteCreated,
    BatchQuoteExecuted,
    Cfbenchmarks5HzIndexList,
    CfbenchmarksIndexList,
    CfbenchmarksValue,
    CfbenchmarksValue5Hz,
    EventFeeUpdate,
    EventLifecycle,
    Fill,
    MarketLifecycleV2,
    MarketPosition,
    MultivariateMarketLifecycle,
    OkResponseMsg,
    OkResponseMsgItem,
    OrderbookDelta,
    OrderbookSnapshot,
    OrderGroupUpdates,
    PythUnderlyingList,
    PythValue,
    QuoteAccepted,
    QuoteCreated,
    QuoteExecuted,
    RfqBatchBestQuotes,
    RfqBatchCreated,
    RfqBatchDeleted,
    RfqBatchExecuted,
    RfqCreated,
    RfqDeleted,
    Ticker,
    Trade,
    UserOrder,
    WsMessage,
)

__all__ = ["PREDICTION", "BaseSession", "KalshiWebSocket", "Product", "Session", "Stream"]

T = TypeVar("T")

OrderbookMessage = OrderbookSnapshot | OrderbookDelta
CommunicationsMessage = (
    RfqCreated
    | RfqDeleted
    | QuoteCreated
    | QuoteAccepted
    | QuoteExecuted
    | RfqBatchCreated
    | RfqBatchDeleted
    | BatchQuoteCreated
    | RfqBatchBestQuotes
    | BatchQuoteAccepted
    | RfqBatchExecuted
    | BatchQuoteExecuted
)


def _prediction_keeper(channel: str, params: Mapping[str, Any]) -> Keeper | None:
    if channel == "orderbook_delta":
        return BookKeeper(use_yes_price=bool(params.get("use_yes_price")))
    return None


@dataclass(frozen=True, slots=True)
class Product:
    """Everything product-specific the engine needs; the rest of the engine is shared.

    Attributes:
        name: for messages.
        channels: the channel table (generated).
        messages: message class by wire `type` (generated).
        url: the WebSocket URL in a config.
        keeper: builds a state keeper for a channel's subscription (or None).
        overflow: the default overflow policy per channel; others get `Overflow.RAISE`.
    """

    name: str
    channels: Mapping[str, ChannelInfo]
    messages: Mapping[str, type[WsMessage]]
    url: Callable[[KalshiConfig], str]
    keeper: Callable[[str, Mapping[str, Any]], Keeper | None] = lambda channel, params: None
    overflow: Mapping[str, Overflow] = field(default_factory=dict)


PREDICTION = Product(
    name="prediction",
    channels=CHANNELS,
    messages=SERVER_MESSAGES,
    url=lambda config: config.websocket_url,
    keeper=_prediction_keeper,
    overflow={
        "ticker": Overflow.DROP_OLDEST,
        "cfbenchmarks_value": Overflow.DROP_OLDEST,
        "cfbenchmarks_value_5hz": Overflow.DROP_OLDEST,
        "pyth_value": Overflow.DROP_OLDEST,
        "orderbook_delta": Overflow.RESYNC,
    },
)
"""The prediction-markets product (asyncapi.yaml)."""


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


def _markets(tickers: Sequence[str] | str | None) -> dict[str, Any]:
    if tickers is None:
        return {}
    if isinstance(tickers, str):
        return {"market_ticker": tickers}
    if not tickers:
        raise KalshiConfigError("tickers must not be empty (pass None for every market)")
    return {"market_tickers": list(tickers)}


def _drop_none(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class BaseSession:
    """One connected session, product-agnostic: subscribe, unsubscribe, update and list subscriptions.

    Made by `KalshiWebSocket.connect()`. Every subscription is carried by the one connection.
    Products add their typed `subscribe_<channel>` methods in a subclass (`Session` for prediction).
    """

    def __init__(self, ws: KalshiWebSocket, connection: Connection) -> None:
        self._ws = ws
        self._connection = connection
        self._protocol = connection.protocol

    @property
    def closed(self) -> bool:
        return self._connection.closed

    @property
    def reconnects(self) -> int:
        """How many times the connection was re-established."""
        return self._connection.reconnects

    @property
    def streams(self) -> list[Subscription]:
        """The live subscriptions (engine records)."""
        return self._protocol.subscriptions

    def session_events(self) -> list[Any]:
        """Take the frames and errors that belonged to no subscription (bounded buffer)."""
        events = list(self._protocol.session_events)
        self._protocol.session_events.clear()
        return events

    # ---- generic ---------------------------------------------------------------------------
    async def subscribe(
        self,
        channel: str,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
        keep_state: bool = True,
        **params: Any,
    ) -> Stream[Any]:
        """Subscribe to one channel and wait for the server's `subscribed` ack.

        Args:
            channel: any channel name, including ones newer than this SDK.
            queue_size: the bound of this stream's queue (default: the client's `queue_size`).
            overflow: what to do when the consumer falls behind (default per channel: drop
                oldest on ticker/price feeds, resync on order books, raise elsewhere).
            on_gap: `"resync"` or `"raise"` on a sequence gap.
            keep_state: maintain the product's local state for the channel (order books); False
                skips it (the stream still checks seq and resyncs).
            **params: subscribe params as on the wire (`market_tickers`, `index_ids`, ...).

        Raises:
            AuthRequiredError: a private channel on a client without credentials.
            KalshiSubscriptionError: the server refused (its `code` and message).
        """
        if self.closed:
            raise KalshiWebSocketError("session is closed")
        product = self._ws.product
        info = product.channels.get(channel)
        if info is not None and info.private and not self._ws.is_authenticated:
            raise AuthRequiredError(f"the {channel} channel needs credentials (KalshiAuth)")
        try:
            policy = Overflow(overflow) if overflow is not None else product.overflow.get(channel, Overflow.RAISE)
        except ValueError:
            choices = ", ".join(o.value for o in Overflow)
            raise KalshiConfigError(f"overflow must be one of {choices}, got {overflow!r}") from None
        sub = self._protocol.subscribe(
            channel,
            params,
            time.monotonic(),
            capacity=queue_size or self._ws.queue_size,
            overflow=policy,
            on_gap=on_gap,
            keeper=product.keeper(channel, params) if keep_state else None,
        )
        fut = self._connection.subscribe_future(sub)
        self._connection._pump()
        await fut
        return Stream(self, sub)

    async def unsubscribe(self, stream: Stream[Any]) -> None:
        """Unsubscribe a stream; waits for the server's `unsubscribed`."""
        cid = self._protocol.unsubscribe(stream._sub, time.monotonic())
        fut = self._connection.command_future(cid)
        self._connection._pump()
        await fut

    async def update_subscription(self, stream: Stream[Any], action: str, **params: Any) -> Any:
        """Send `update_subscription` for a stream; returns the server's reply body.

        Raises:
            KalshiSubscriptionError: the server refused (e.g. code 13, unsupported action).
        """
        cid = self._protocol.update_subscription(stream._sub, action, params, time.monotonic())
        fut = self._connection.command_future(cid)
        self._connection._pump()
        return await fut

    async def list_subscriptions(self) -> list[OkResponseMsgItem]:
        """Ask the server for every subscription on this connection ({channel, sid})."""
        cid = self._protocol.list_subscriptions(time.monotonic())
        fut = self._connection.command_future(cid)
        self._connection._pump()
        result = await fut
        if isinstance(result, OkResponseMsg) or result is None:
            return []
        return list(result)

    async def close(self) -> None:
        """Close the connection and end every stream."""
        await self._connection.close()


class Session(BaseSession):
    """A prediction-markets session: a typed `subscribe_<channel>` for every channel of asyncapi.yaml.

    ```python
    async with KalshiWebSocket(auth=auth, config=KalshiConfig.demo()).connect() as session:
        trades = await session.subscribe_trade(["FED-23DEC-T3.00"])
    ```
    """

    async def subscribe_orderbook_delta(
        self,
        tickers: Sequence[str] | str,
        *,
        use_yes_price: bool | None = None,
        books: bool = True,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[OrderbookMessage]:
        """Order book snapshots and deltas for some markets; keeps an `OrderBook` per market.

        Args:
            tickers: market tickers (required by the server).
            use_yes_price: report NO levels in YES-leg prices (spec default false).
            books: maintain `stream.books` (default); False leaves book building to the consumer.
        """
        params = _markets(tickers) | _drop_none(use_yes_price=use_yes_price)
        return await self.subscribe(
            "orderbook_delta", queue_size=queue_size, overflow=overflow, on_gap=on_gap, keep_state=books, **params
        )

    async def subscribe_ticker(
        self,
        tickers: Sequence[str] | str | None = None,
        *,
        market_ids: Sequence[str] | None = None,
        send_initial_snapshot: bool | None = None,
        skip_ticker_ack: bool | None = None,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
    ) -> Stream[Ticker]:
        """Price, volume and open-interest updates (latest value wins: drop-oldest by default)."""
        params = _markets(tickers) | _drop_none(
            market_ids=list(market_ids) if market_ids else None,
            send_initial_snapshot=send_initial_snapshot,
            skip_ticker_ack=skip_ticker_ack,
        )
        return await self.subscribe("ticker", queue_size=queue_size, overflow=overflow, **params)

    async def subscribe_trade(
        self,
        tickers: Sequence[str] | str | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[Trade]:
        """Public trades (all markets when `tickers` is None)."""
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
        """Your fills (private)."""
        return await self.subscribe("fill", queue_size=queue_size, overflow=overflow, **_markets(tickers))

    async def subscribe_market_positions(
        self,
        tickers: Sequence[str] | str | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
    ) -> Stream[MarketPosition]:
        """Your position changes (private); messages have type `market_position`."""
        return await self.subscribe("market_positions", queue_size=queue_size, overflow=overflow, **_markets(tickers))

    async def subscribe_user_orders(
        self,
        tickers: Sequence[str] | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
    ) -> Stream[UserOrder]:
        """Your order updates (private); messages have type `user_order`."""
        params: dict[str, Any] = {"market_tickers": list(tickers)} if tickers else {}
        return await self.subscribe("user_orders", queue_size=queue_size, overflow=overflow, **params)

    async def subscribe_order_group_updates(
        self,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[OrderGroupUpdates]:
        """Order group lifecycle and limit updates (private)."""
        return await self.subscribe("order_group_updates", queue_size=queue_size, overflow=overflow, on_gap=on_gap)

    subscribe_order_group = subscribe_order_group_updates

    async def subscribe_market_lifecycle_v2(
        self,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[MarketLifecycleV2 | EventLifecycle | EventFeeUpdate]:
        """Market and event lifecycle for every market (the channel takes no ticker filter).

        Carries `market_lifecycle_v2` (including `metadata_updated` events), `event_lifecycle` and
        `event_fee_update` messages.
        """
        return await self.subscribe("market_lifecycle_v2", queue_size=queue_size, overflow=overflow, on_gap=on_gap)

    subscribe_market_lifecycle = subscribe_market_lifecycle_v2

    async def subscribe_multivariate_market_lifecycle(
        self,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[MultivariateMarketLifecycle | EventLifecycle]:
        """Lifecycle of multivariate (combo) markets and their events.

        `subscribe_multivariate` and `subscribe_multivariate_lifecycle` are aliases: the old
        `multivariate` channel was removed from the API, this is its replacement.
        """
        return await self.subscribe(
            "multivariate_market_lifecycle", queue_size=queue_size, overflow=overflow, on_gap=on_gap
        )

    subscribe_multivariate = subscribe_multivariate_market_lifecycle
    subscribe_multivariate_lifecycle = subscribe_multivariate_market_lifecycle

    async def subscribe_communications(
        self,
        *,
        user_filter: str | None = None,
        shard_factor: int | None = None,
        shard_key: int | None = None,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[CommunicationsMessage]:
        """RFQs, quotes and RFQ batches (private); types `rfq_created`, `quote_executed`, ...

        Args:
            user_filter: `"self"` for RFQs you created only.
            shard_factor: 1-100, with `shard_key` in [0, shard_factor).
        """
        params = _drop_none(user_filter=user_filter, shard_factor=shard_factor, shard_key=shard_key)
        return await self.subscribe("communications", queue_size=queue_size, overflow=overflow, on_gap=on_gap, **params)

    async def subscribe_cfbenchmarks_value(
        self,
        index_ids: Sequence[str] | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[CfbenchmarksValue | CfbenchmarksIndexList]:
        """CF Benchmarks index values about once a second (`["all"]` for every index).

        Without `index_ids` the subscription succeeds but delivers nothing until indices are added
        (`stream.update("subscribe_indices", index_ids=[...])`).
        """
        params: dict[str, Any] = {"index_ids": list(index_ids)} if index_ids else {}
        return await self.subscribe(
            "cfbenchmarks_value", queue_size=queue_size, overflow=overflow, on_gap=on_gap, **params
        )

    async def subscribe_cfbenchmarks_value_5hz(
        self,
        index_ids: Sequence[str] | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[CfbenchmarksValue5Hz | Cfbenchmarks5HzIndexList]:
        """CF Benchmarks index values up to five times a second (BRTI, ETHUSD_RTI, ...)."""
        params: dict[str, Any] = {"index_ids": list(index_ids)} if index_ids else {}
        return await self.subscribe(
            "cfbenchmarks_value_5hz", queue_size=queue_size, overflow=overflow, on_gap=on_gap, **params
        )

    async def subscribe_pyth_value(
        self,
        underlying_tickers: Sequence[str] | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
    ) -> Stream[PythValue | PythUnderlyingList]:
        """Pyth prices and Treasury yields (`value_usd` is a percentage for yields)."""
        params: dict[str, Any] = {"underlying_tickers": list(underlying_tickers)} if underlying_tickers else {}
        return await self.subscribe("pyth_value", queue_size=queue_size, overflow=overflow, on_gap=on_gap, **params)


class KalshiWebSocket:
    """The Kalshi WebSocket client: one connection, many typed subscriptions.

    ```python
    ws = KalshiWebSocket(auth=KalshiAuth.from_key_path(key_id, path), config=KalshiConfig.demo())
    async with ws.connect() as session:
        stream = await session.subscribe_orderbook_delta(tickers=["FED-23DEC-T3.00"])
        async for msg in stream:
            ...
    ```

    Args:
        auth: signs the upgrade request (`GET` + the WS path). Kalshi's servers need it even for
            public channels; None is allowed where the server allows it (a local simulator).
        config: environment and timeouts (`config.websocket_url`, `config.timeout` for connect).
        url: overrides the config's URL.
        queue_size: default bound of each stream's queue.
        ping_interval: seconds between client pings (0 disables).
        dead_peer_timeout: seconds without any frame (data, ping or pong) before reconnecting.
        command_timeout: seconds to wait for a command's reply.
        open_timeout: seconds for connect + handshake (default `config.timeout`).
        reconnect: the reconnect policy (`ReconnectPolicy(enabled=False)` to fail instead).
        compression: offer permessage-deflate (off by default; costs CPU on every frame).
        max_size: the largest message accepted, in bytes; a larger one closes the connection (1009).
        ssl_context: TLS settings (verification is on by default).
        product: the channel table and message set (`PREDICTION`; perps passes its own).
    """

    def __init__(
        self,
        auth: KalshiAuth | None = None,
        config: KalshiConfig | None = None,
        *,
        url: str | None = None,
        queue_size: int = 10_000,
        ping_interval: float = 10.0,
        dead_peer_timeout: float = 30.0,
        command_timeout: float = 10.0,
        open_timeout: float | None = None,
        reconnect: ReconnectPolicy | None = None,
        compression: bool = False,
        max_size: int = 16 * 1024 * 1024,
        ssl_context: ssl.SSLContext | None = None,
        product: Product = PREDICTION,
    ) -> None:
        self.auth = auth
        self.config = config or KalshiConfig()
        self.product = product
        self.url = url or product.url(self.config)
        if queue_size < 1:
            raise KalshiConfigError("queue_size must be >= 1")
        self.queue_size = queue_size
        self.ping_interval = ping_interval
        self.dead_peer_timeout = dead_peer_timeout
        self.command_timeout = command_timeout
        self.open_timeout = open_timeout if open_timeout is not None else self.config.timeout
        self.reconnect = reconnect or ReconnectPolicy(
            base_delay=self.config.retry_base_delay, max_delay=self.config.retry_max_delay
        )
        self.compression = compression
        self.max_size = max_size
        self.ssl_context = ssl_context

    @property
    def is_authenticated(self) -> bool:
        """True when an `auth` was given (private channels allowed)."""
        return self.auth is not None

    def handshake_headers(self) -> dict[str, str]:
        """The upgrade request's headers: extra headers, then freshly signed auth headers."""
        headers = dict(self.config.extra_headers)
        if self.auth is not None:
            headers.update(self.auth.headers("GET", urlsplit(self.url).path or "/"))
        return headers

    session_class: type[BaseSession] = Session
    """The session type `connect()` yields (a product with other channels sets its own)."""

    def connect(self) -> AbstractAsyncContextManager[Session]:
        """Open a session; closing the context closes the connection and ends every stream.

        Raises:
            KalshiConnectionError: connect, TLS or handshake failed (e.g. HTTP 403: bad signature).
        """
        return cast("AbstractAsyncContextManager[Session]", self.open_session())

    @asynccontextmanager
    async def open_session(self) -> AsyncIterator[BaseSession]:
        """`connect()` for any product: yields an instance of `session_class`."""
        protocol = KalshiProtocol(
            self.product.channels,
            self.product.messages,
            command_timeout=self.command_timeout,
            dead_peer_timeout=self.dead_peer_timeout,
        )
        connection = Connection(
            protocol,
            self.url,
            headers=self.handshake_headers,
            open_timeout=self.open_timeout,
            ping_interval=self.ping_interval,
            reconnect=self.reconnect,
            compression=self.compression,
            max_size=self.max_size,
            ssl_context=self.ssl_context,
        )
        await connection.open()
        session = self.session_class(self, connection)
        try:
            yield session
        finally:
            await connection.close()

    def __repr__(self) -> str:
        return f"KalshiWebSocket(url={self.url!r}, authenticated={self.is_authenticated})"
