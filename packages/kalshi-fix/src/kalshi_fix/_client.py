"""`FixClient` (prediction) and `MarginFixClient` (margin): one factory method per FIX session type.

```python
client = FixClient.from_env(environment=FixEnvironment.DEMO)
async with client.order_entry(on_message=print) as session:
    await session.send(NewOrderSingle(cl_ord_id="o1", symbol="KXBTC-25DEC-T100000", side=Side.BUY_YES,
                                      order_qty=Decimal("10"), ord_type=OrdType.LIMIT, price=Decimal("0.55")))
```
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
import os
import ssl
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from kalshi_auth import (
    DEMO,
    PRODUCTION,
    AuthRequiredError,
    Environment,
    FixSessionType,
    KalshiAuth,
    KalshiConfigError,
    credentials_from_env,
)

from ._book import OrderBook
from ._codec import FixFrame
from ._connection import ConnectionState, ConnectionStateChanged, FixConnection, ReconnectPolicy
from ._errors import FixDecodeError
from ._session import ApplicationMessage, FixSessionError, SessionConfig, SessionEvent, SessionProtocol
from ._settlement import SettlementAssembler, SettlementBatchDropped, SettlementReport
from ._store import FileStore, FsyncPolicy, MemoryStore, SequenceStore

if TYPE_CHECKING:
    from .messages import FixMessage, SecurityTradingStatus

__all__ = [
    "DEFAULT_MAX_QUEUED",
    "DropCopySession",
    "FixClient",
    "FixEnvironment",
    "FixSession",
    "MarginFixClient",
    "MarketDataSession",
    "OrderEntrySession",
    "PostTradeSession",
    "QueueOverflow",
    "RfqSession",
]

logger = logging.getLogger("kalshi_fix")

OnMessage = Callable[[FixFrame], Any]
"""Called with each received application frame; may be a coroutine function (awaited in order)."""
OnEvent = Callable[[SessionEvent | ConnectionStateChanged | SettlementBatchDropped], Any]


def retransmits_messages(session_type: FixSessionType) -> bool:
    """True for the sessions that support retransmission: KalshiRT and KalshiRFQ.

    docs.kalshi.com/fix/connectivity ("Message Retransmission"): only order entry with retransmission (RT) and
    the RFQ session; every other session must log on with ResetSeqNumFlag (141)=Y or the Logon is rejected.
    """
    return session_type in (FixSessionType.ORDER_ENTRY_RETRANSMIT, FixSessionType.RFQ)


class _Encodable(Protocol):
    MSG_TYPE: ClassVar[str]

    def encode_body(self, use_dollars: bool = False) -> bytes: ...


class FixEnvironment(enum.Enum):
    """Which Kalshi FIX gateways to use (hosts and ports come from `kalshi_auth`)."""

    PRODUCTION = "production"
    DEMO = "demo"

    @property
    def environment(self) -> Environment:
        """The matching `kalshi_auth` environment."""
        return PRODUCTION if self is FixEnvironment.PRODUCTION else DEMO


_SENTINEL: Any = object()

DEFAULT_MAX_QUEUED = 10_000
"""Received messages a session holds for a slow reader before its `QueueOverflow` policy acts."""


class QueueOverflow(enum.Enum):
    """What a session does when the application reads received messages slower than they arrive.

    Messages wait in a queue for `async for frame in session`, `session.messages()`, `receive()`, an async
    `on_message`, or `settlements()`. That queue holds at most `max_queued` messages (plus what one socket
    read delivered); then:
    """

    BACKPRESSURE = "backpressure"
    """Stop reading the socket (`transport.pause_reading()`) until the queue is half empty: nothing is lost
    and memory stays bounded, while TCP flow control slows the gateway. The default, and the only sane
    choice where every message matters (order entry, drop copy, post trade, RFQ)."""
    DROP_OLDEST = "drop_oldest"
    """Drop the oldest queued message and count it in `session.dropped`. The default for market data:
    books are updated before the queue (`session.book(symbol)` is always current), so a slow reader of
    the raw updates loses history, not the book, and the feed is never held back."""


class _SettlementFeed:
    """Reassembles MarketSettlementReport fragments and hands out whole reports (callback or queue)."""

    def __init__(self, session: FixSession, on_settlement: Callable[[SettlementReport], Any] | None) -> None:
        self.assembler = SettlementAssembler()
        self._session = session
        self._callback = on_settlement
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    def handle(self, event: ApplicationMessage, use_dollars: bool) -> None:
        from .messages import MarketSettlementReport

        report = self.assembler.add(MarketSettlementReport.from_frame(event.frame, use_dollars=use_dollars))
        if report is None:
            return
        if self._callback is not None:
            self._callback(report)
        else:
            self._session._put(self.queue, report)

    def end(self) -> None:
        self.queue.put_nowait(_SENTINEL)

    async def reports(self) -> AsyncIterator[SettlementReport]:
        while True:
            item = await self.queue.get()
            self._session._taken()
            if item is _SENTINEL:
                self.queue.put_nowait(_SENTINEL)
                return
            yield item


class FixSession:
    """One FIX session: an async context manager, and an async iterator of received frames.

    Received application messages go to `on_message(frame)` when given (a plain function is called
    in the read callback; a coroutine function is awaited in order), otherwise they queue for
    `async for frame in session` / `async for msg in session.messages()`. `decode_app_message(frame)`
    turns a frame into its typed message, in the session's price units.

    The queue is bounded: at `max_queued` messages (the client's, default `DEFAULT_MAX_QUEUED`) the
    session's `overflow` policy acts: `QueueOverflow.BACKPRESSURE` (pause reading the socket until half
    the queue is read; every session but market data) or `QueueOverflow.DROP_OLDEST` (market data; the
    books stay whole, the count is in `dropped`). Both may be set per session before `open()`.
    """

    session_type: FixSessionType
    overflow: QueueOverflow = QueueOverflow.BACKPRESSURE
    """The policy when `max_queued` messages wait unread (see `QueueOverflow`)."""

    def __init__(
        self,
        client: _BaseFixClient,
        session_type: FixSessionType,
        *,
        on_message: OnMessage | None = None,
        on_event: OnEvent | None = None,
        logon_fields: tuple[tuple[int, str], ...] = (),
        store: SequenceStore | None = None,
        fresh: bool = False,
    ) -> None:
        self.session_type = session_type
        self.client = client
        endpoint = client.endpoint(session_type)
        retransmits = retransmits_messages(session_type)
        self.store = store if store is not None else client._store_for(session_type)
        if fresh:
            self.store.reset()
        config = SessionConfig(
            sender_comp_id=client.auth.key_id,
            target_comp_id=endpoint.target_comp_id,
            heartbeat_interval=client.heartbeat_interval,
            retransmits=retransmits,
            sign=client.auth.sign,
            logon_fields=logon_fields,
            use_dollars=client.use_dollars,
            counterparty_comp_ids=client.counterparty_comp_ids,
        )
        self.protocol = SessionProtocol(config, self.store)
        self.connection = FixConnection(
            self.protocol,
            endpoint.host,
            endpoint.port,
            tls=endpoint.tls,
            ssl_context=client.ssl_context,
            reconnect=client.reconnect,
            on_message=self._on_app,
            on_event=self._on_session_event,
            on_connected=self._on_connected,
        )
        self._on_message = on_message
        self._on_event = on_event
        self._async_callback = on_message is not None and inspect.iscoroutinefunction(on_message)
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self.max_queued: int = client.max_queued
        """Messages held for a slow reader before `overflow` acts."""
        self.dropped = 0
        """Messages dropped under `QueueOverflow.DROP_OLDEST` so far."""
        self._consumer: asyncio.Task[None] | None = None
        self._settlements: _SettlementFeed | None = None
        self._closed = False
        self.events: list[SessionEvent | ConnectionStateChanged | SettlementBatchDropped] = []
        """Session and connection events so far (rejects, gaps, state changes), newest last."""

    # ------------------------------------------------------------------ lifecycle

    async def open(self, timeout: float | None = 30.0) -> Self:  # noqa: ASYNC109
        """Connect and log on.

        Raises:
            FixLogonError: the gateway refused the Logon (its Text says why).
            FixConnectionError: not logged on within `timeout`.
        """
        if self._closed:
            raise FixSessionError("this session was closed; get a new one from the client")
        if self._async_callback:
            self._consumer = asyncio.get_running_loop().create_task(self._consume())
        try:
            await self.connection.open(timeout)
        except BaseException:
            self._closed = True
            await self._stop_consumer()
            self.store.close()
            raise
        return self

    async def close(self) -> None:
        """Log out (bounded to ~2 s) and close; the store is flushed and closed."""
        self._closed = True
        await self.connection.close()
        if self._settlements is not None:
            for dropped in self._settlements.assembler.clear("the session closed"):
                self._on_session_event(dropped)
        await self._stop_consumer()
        self._queue.put_nowait(_SENTINEL)
        self.store.close()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def state(self) -> ConnectionState:
        return self.connection.state

    @property
    def is_logged_on(self) -> bool:
        return self.connection.is_logged_on

    @property
    def use_dollars(self) -> bool:
        return self.protocol.config.use_dollars

    # ------------------------------------------------------------------ sending

    async def send(self, message: _Encodable | FixMessage, *, timeout: float | None = 30.0) -> int:  # noqa: ASYNC109
        """Encode and send an application message; return its MsgSeqNum.

        Waits for the logon (or a reconnect) first, up to `timeout`. Prices are written in the
        session's units (integer cents, or dollars with UseDollars / on margin).

        Raises:
            FixEncodeError: the message cannot be encoded (nothing is sent).
            FixConnectionError: not logged on within `timeout`.
        """
        body = message.encode_body(self.protocol.config.use_dollars)
        return await self.connection.send(message.MSG_TYPE, body, timeout=timeout)

    async def send_raw(self, msg_type: str, body: bytes, *, timeout: float | None = 30.0) -> int:  # noqa: ASYNC109
        """Send a pre-encoded body (`tag=value<SOH>...`) under the standard header."""
        return await self.connection.send(msg_type, body, timeout=timeout)

    # ------------------------------------------------------------------ receiving

    def __aiter__(self) -> AsyncIterator[FixFrame]:
        return self._frames()

    async def _frames(self) -> AsyncIterator[FixFrame]:
        while True:
            item = await self._get()
            if item is _SENTINEL:
                self._queue.put_nowait(_SENTINEL)  # every other reader ends too
                return
            yield item

    async def messages(self) -> AsyncIterator[FixMessage]:
        """Received application messages, decoded (ends when the session closes for good).

        A frame that cannot be decoded (an unknown MsgType, a bad value) is logged and skipped, so one
        odd message does not end the loop; iterate the session itself to see every frame.
        """
        from .messages import decode_app_message

        async for frame in self._frames():
            try:
                message = decode_app_message(frame)
            except FixDecodeError as exc:
                logger.warning(
                    "kalshi_fix: skipped an undecodable %s (seq %d): %s", frame.msg_type, frame.msg_seq_num, exc
                )
                continue
            yield message

    async def receive(self, timeout: float | None = None) -> FixFrame:  # noqa: ASYNC109
        """The next received application frame (when no `on_message` was given).

        Raises:
            TimeoutError: nothing arrived within `timeout`.
            FixConnectionError: the session closed for good.
        """
        item = await asyncio.wait_for(self._get(), timeout)
        if item is _SENTINEL:
            self._queue.put_nowait(_SENTINEL)
            from ._connection import FixConnectionError

            raise FixConnectionError("the FIX session is closed")
        frame: FixFrame = item
        return frame

    def _handle(self, event: ApplicationMessage) -> None:
        """Session-specific processing before the application sees the message (books, reports)."""
        if event.msg_type == "UMS" and self._settlements is not None:
            self._settlements.handle(event, self.use_dollars)

    async def settlements(self) -> AsyncIterator[SettlementReport]:
        """Whole settlement reports as they complete (ends when the session closes for good).

        Raises:
            FixSessionError: this session does not receive settlement reports.
        """
        if self._settlements is None:
            raise FixSessionError(
                "no settlement reports on this session: use post_trade(), or "
                "order_entry(retransmit=True, receive_settlement_reports=True)"
            )
        async for report in self._settlements.reports():
            yield report

    def _on_app(self, event: ApplicationMessage) -> None:
        try:
            self._handle(event)
        except Exception:
            logger.exception("kalshi_fix: could not process %s seq %d", event.msg_type, event.seq)
        callback = self._on_message
        if callback is None or self._async_callback:
            if callback is None and event.msg_type == "UMS" and self._settlements is not None:
                return  # no frame reader asked for fragments: they arrive whole, in settlements() / on_settlement
            self._put(self._queue, event.frame)
            return
        try:
            callback(event.frame)
        except Exception:
            logger.exception("kalshi_fix: on_message raised for %s seq %d", event.msg_type, event.seq)

    @property
    def queued(self) -> int:
        """Received messages waiting to be read (frames, plus settlement reports on sessions that have them)."""
        size = self._queue.qsize()
        return size if self._settlements is None else size + self._settlements.queue.qsize()

    def _put(self, queue: asyncio.Queue[Any], item: Any) -> None:
        """Queue a received item under the overflow policy (the read callback's side)."""
        if queue.qsize() >= self.max_queued and self.overflow is QueueOverflow.DROP_OLDEST:
            oldest = queue.get_nowait()
            if oldest is _SENTINEL:  # never drop the end-of-stream marker
                queue.put_nowait(oldest)
            else:
                self.dropped += 1
        queue.put_nowait(item)
        if self.overflow is QueueOverflow.BACKPRESSURE and self.queued >= self.max_queued:
            self.connection.pause_reading()

    def _taken(self) -> None:
        """A reader took an item: read the socket again once the queue is half empty."""
        if self.connection.reading_paused and self.queued <= self.max_queued // 2:
            self.connection.resume_reading()

    async def _get(self) -> Any:
        item = await self._queue.get()
        self._taken()
        return item

    def _on_session_event(self, event: SessionEvent | ConnectionStateChanged | SettlementBatchDropped) -> None:
        self.events.append(event)
        if len(self.events) > 1000:
            del self.events[:500]
        if isinstance(event, ConnectionStateChanged) and event.state is ConnectionState.CLOSED:
            self._queue.put_nowait(_SENTINEL)
            if self._settlements is not None:
                self._settlements.end()
        elif isinstance(event, ConnectionStateChanged) and event.state is ConnectionState.LOGGED_ON:
            self._on_logged_on()
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                logger.exception("kalshi_fix: on_event raised for %r", event)

    def _on_connected(self) -> None:
        """A new socket is up (before the Logon): drop state that will not survive it."""
        if self._settlements is not None:
            for dropped in self._settlements.assembler.clear("a reconnect cut the batch"):
                self._on_session_event(dropped)

    def _on_logged_on(self) -> None:
        """Logged on (again): subclasses restore subscriptions."""

    async def _consume(self) -> None:
        callback = self._on_message
        assert callback is not None
        while True:
            item = await self._get()
            if item is _SENTINEL:
                return
            try:
                result = callback(item)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("kalshi_fix: on_message raised")

    async def _stop_consumer(self) -> None:
        task = self._consumer
        if task is None:
            return
        self._consumer = None
        self._queue.put_nowait(_SENTINEL)
        try:
            await asyncio.wait_for(task, 5.0)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.protocol.config.target_comp_id}, state={self.state.value})"


class OrderEntrySession(FixSession):
    """Order entry (KalshiNR, or KalshiRT with retransmission): orders, cancels, amends, order groups."""

    async def cancel_all(self, cl_ord_id: str) -> int:
        """Cancel every order of this session (OrderMassCancelRequest, 530=6)."""
        from .messages import MassCancelRequestType, OrderMassCancelRequest

        return await self.send(
            OrderMassCancelRequest(
                cl_ord_id=cl_ord_id, mass_cancel_request_type=MassCancelRequestType.CANCEL_FOR_SESSION
            )
        )

    async def _group(self, action: int, group_id: str | None, limit: int | None, subaccount: int | None) -> int:
        from .messages import OrderGroupAction, OrderGroupRequest

        return await self.send(
            OrderGroupRequest(
                order_group_action=OrderGroupAction(action),
                order_group_id=group_id,
                order_group_contracts_limit=limit,
                alloc_account=subaccount,
            )
        )

    async def create_order_group(self, contracts_limit: int, *, subaccount: int | None = None) -> int:
        """Create an order group (the server assigns its ID in the OrderGroupResponse, 35=UOH)."""
        return await self._group(1, None, contracts_limit, subaccount)

    async def reset_order_group(self, group_id: str, *, subaccount: int | None = None) -> int:
        """Reset a group whose contracts limit was hit, so it accepts orders again."""
        return await self._group(2, group_id, None, subaccount)

    async def delete_order_group(self, group_id: str, *, subaccount: int | None = None) -> int:
        """Delete a group (and cancel its orders)."""
        return await self._group(3, group_id, None, subaccount)

    async def trigger_order_group(self, group_id: str, *, subaccount: int | None = None) -> int:
        """Cancel every order in the group and block new ones until it is reset."""
        return await self._group(4, group_id, None, subaccount)

    async def update_order_group(self, group_id: str, contracts_limit: int, *, subaccount: int | None = None) -> int:
        """Change a group's contracts limit (a rolling 15 s window)."""
        return await self._group(5, group_id, contracts_limit, subaccount)


class DropCopySession(FixSession):
    """Drop copy (KalshiDC): replays of past execution reports on request (not a live stream)."""

    async def request_replay(self, begin_exec_id: str, end_exec_id: str | None = None) -> int:
        """Ask for the ExecutionReports from `begin_exec_id` (EventResendRequest, 35=U1); 3 h lookback."""
        from .messages import EventResendRequest

        return await self.send(EventResendRequest(begin_exec_id=begin_exec_id, end_exec_id=end_exec_id))


class MarketDataSession(FixSession):
    """Market data (KalshiMD): subscriptions, and a local `OrderBook` per symbol with absolute sizes.

    Books are cleared on every reconnect and the subscriptions sent again, since MD has no resend.
    `on_book(book)` (optional) is called after each snapshot or incremental changes a book. A slow
    reader of the raw frames loses the oldest ones (`QueueOverflow.DROP_OLDEST`, counted in `dropped`),
    never the books.
    """

    overflow: QueueOverflow = QueueOverflow.DROP_OLDEST

    def __init__(self, *args: Any, on_book: Callable[[OrderBook], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.books: dict[str, OrderBook] = {}
        self.statuses: dict[str, SecurityTradingStatus | int] = {}
        """The latest SecurityStatus (35=f) per symbol: halt, resume, determined, settled."""
        self._subscribed: dict[str, None] = {}
        self._on_book = on_book

    def book(self, symbol: str) -> OrderBook:
        """The local book of `symbol` (empty and not `ready` until its first snapshot)."""
        existing = self.books.get(symbol)
        if existing is not None:
            return existing
        book = self.books[symbol] = OrderBook(symbol)
        return book

    async def subscribe(self, *symbols: str, updates: bool = True) -> int:
        """Subscribe to snapshot + incremental updates (or one snapshot with `updates=False`)."""
        from .messages import MarketDataRequest, RelatedSym, SubscriptionRequestType

        if updates:
            for symbol in symbols:
                self._subscribed[symbol] = None
                self.book(symbol)
        kind = SubscriptionRequestType.SNAPSHOT_AND_UPDATES if updates else SubscriptionRequestType.SNAPSHOT
        return await self.send(
            MarketDataRequest(subscription_request_type=kind, related_sym=[RelatedSym(symbol=s) for s in symbols])
        )

    async def unsubscribe(self, *symbols: str) -> int:
        """Stop updates for `symbols`, or for everything when none are given."""
        from .messages import MarketDataRequest, RelatedSym, SubscriptionRequestType

        for symbol in symbols or tuple(self._subscribed):
            self._subscribed.pop(symbol, None)
        related = [RelatedSym(symbol=s) for s in symbols] or None
        return await self.send(
            MarketDataRequest(subscription_request_type=SubscriptionRequestType.UNSUBSCRIBE, related_sym=related)
        )

    async def request_status(self, symbol: str, *, updates: bool = True) -> int:
        """Ask for a symbol's trading status (SecurityStatusRequest, 35=e); answers land in `statuses`."""
        from .messages import SecurityStatusRequest, SubscriptionRequestType

        kind = SubscriptionRequestType.SNAPSHOT_AND_UPDATES if updates else SubscriptionRequestType.UNSUBSCRIBE
        return await self.send(SecurityStatusRequest(subscription_request_type=kind, symbol=symbol))

    def _handle(self, event: ApplicationMessage) -> None:
        msg_type = event.msg_type
        if msg_type == "f":
            from .messages import SecurityStatus

            status = SecurityStatus.from_frame(event.frame, use_dollars=self.use_dollars)
            self.statuses[status.symbol] = status.security_trading_status
        elif msg_type == "W":
            from .messages import MarketDataSnapshotFullRefresh

            snapshot = MarketDataSnapshotFullRefresh.from_frame(event.frame, use_dollars=self.use_dollars)
            book = self.book(snapshot.symbol)
            book.apply_snapshot(snapshot)
            if self._on_book is not None:
                self._on_book(book)
        elif msg_type == "X":
            from .messages import MarketDataIncrementalRefresh, MDIncrementalEntry

            update = MarketDataIncrementalRefresh.from_frame(event.frame, use_dollars=self.use_dollars)
            by_symbol: dict[str, list[MDIncrementalEntry]] = {}
            for entry in update.md_entries or ():
                by_symbol.setdefault(entry.symbol, []).append(entry)
            for symbol, entries in by_symbol.items():
                target = self.books.get(symbol)
                if target is not None and target.apply_incremental(entries) and self._on_book is not None:
                    self._on_book(target)

    def _on_connected(self) -> None:
        super()._on_connected()
        for book in self.books.values():
            book.clear()

    def _on_logged_on(self) -> None:
        if self.connection.connects > 1 and self._subscribed:
            symbols = tuple(self._subscribed)
            task = asyncio.get_running_loop().create_task(self.subscribe(*symbols))
            task.add_done_callback(_log_failure)


class PostTradeSession(FixSession):
    """Post trade (KalshiPT, prediction only): settlement reports, reassembled across fragments.

    `on_settlement(report)` (optional) gets each whole `SettlementReport`; they queue for
    `async for report in session.settlements()` when no callback is given. Reports may repeat after
    a resend, so handle them idempotently.
    """

    def __init__(
        self, *args: Any, on_settlement: Callable[[SettlementReport], Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._settlements = _SettlementFeed(self, on_settlement)


class RfqSession(FixSession):
    """RFQ for market makers (KalshiRFQ, prediction only): receive QuoteRequests, send Quotes.

    The RFQ *creator* side (QuoteRequest, AcceptQuote, RFQCancel) runs on order entry with
    retransmission (`client.order_entry(retransmit=True)`).
    """


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("kalshi_fix: resubscribe failed: %s", task.exception())


def _yn(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


class _BaseFixClient:
    _margin: ClassVar[bool] = False
    _min_heartbeat: ClassVar[int] = 4
    _product: ClassVar[str] = "prediction"

    def __init__(
        self,
        auth: KalshiAuth,
        *,
        environment: FixEnvironment | Environment = FixEnvironment.PRODUCTION,
        host: str | None = None,
        port: int | None = None,
        tls: bool | None = None,
        ssl_context: ssl.SSLContext | None = None,
        heartbeat_interval: int = 30,
        reconnect: ReconnectPolicy | None = None,
        store_dir: str | os.PathLike[str] | None = None,
        fsync: FsyncPolicy = FsyncPolicy.ALWAYS,
        use_dollars: bool = False,
        max_queued: int = DEFAULT_MAX_QUEUED,
        counterparty_comp_ids: Iterable[str] | None = None,
    ) -> None:
        if not isinstance(auth, KalshiAuth):
            raise AuthRequiredError("FIX needs a KalshiAuth signer (SenderCompID is its key ID)")
        if heartbeat_interval < self._min_heartbeat:
            raise KalshiConfigError(
                f"heartbeat_interval must be at least {self._min_heartbeat} s on this gateway, got {heartbeat_interval}"
            )
        self.auth = auth
        self.environment = environment.environment if isinstance(environment, FixEnvironment) else environment
        self.host = host
        self.port = port
        self.tls = tls
        if tls is False and not _loopback(host or ""):
            raise KalshiConfigError("FIX without TLS is only allowed to a loopback host (pass host='127.0.0.1')")
        self.ssl_context = ssl_context
        self.heartbeat_interval = heartbeat_interval
        self.reconnect = reconnect or ReconnectPolicy()
        self.store_dir = Path(store_dir).expanduser() if store_dir is not None else None
        self.fsync = fsync
        self.use_dollars = True if self._margin else use_dollars
        if max_queued.__class__ is not int or max_queued < 1:
            raise KalshiConfigError(f"max_queued must be a positive int, got {max_queued!r}")
        self.max_queued = max_queued
        self.counterparty_comp_ids = None if counterparty_comp_ids is None else frozenset(counterparty_comp_ids)

    @classmethod
    def from_env(
        cls,
        environment: FixEnvironment | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Self:
        """Build a client from `KALSHI_*` variables (`KALSHI_PERPS_*` for `MarginFixClient`).

        Args:
            environment: DEMO or PRODUCTION; None reads `KALSHI_DEMO` (or `KALSHI_PERPS_DEMO`).
            environ: a mapping to read instead of `os.environ`.
            **kwargs: passed to the constructor (`host`, `port`, `tls`, `store_dir`, ...).

        Raises:
            AuthRequiredError: no credentials are set (FIX has no public sessions).
            KalshiConfigError | KalshiKeyError: credentials are half set or unreadable.
        """
        creds = credentials_from_env("perps" if cls._margin else "prediction", environ=environ)
        if creds.auth is None:
            prefix = "KALSHI_PERPS_" if cls._margin else "KALSHI_"
            raise AuthRequiredError(f"FIX needs {prefix}KEY_ID and {prefix}PRIVATE_KEY_PATH (or {prefix}PRIVATE_KEY)")
        if environment is None:
            environment = FixEnvironment.DEMO if creds.demo else FixEnvironment.PRODUCTION
        return cls(creds.auth, environment=environment, **kwargs)

    def __repr__(self) -> str:
        where = f", host={self.host!r}, port={self.port!r}" if self.host or self.port else ""
        return f"{type(self).__name__}(auth={self.auth!r}, environment={self.environment.name!r}{where})"

    def endpoint(self, session_type: FixSessionType) -> _Endpoint:
        """Host, port, TargetCompID and TLS for a session, with this client's overrides applied.

        Raises:
            KalshiConfigError: the gateway has no such session (post trade and RFQ on margin).
        """
        ep = self.environment.fix_endpoint(session_type, margin=self._margin)
        host = self.host or ep.host
        tls = ep.tls if self.tls is None else self.tls
        return _Endpoint(host, self.port or ep.port, ep.target_comp_id, tls)

    def _store_for(self, session_type: FixSessionType) -> SequenceStore:
        if not retransmits_messages(session_type):
            return MemoryStore(keep_messages=False)
        if self.store_dir is None:
            return MemoryStore(keep_messages=True)
        product = "margin" if self._margin else "prediction"
        name = f"{product}-{self.auth.key_id}-{session_type.target_comp_id}.fixlog"
        return FileStore(self.store_dir / name, fsync=self.fsync)

    def _logon_options(self, **options: bool | int | None) -> tuple[tuple[int, str], ...]:
        tags = {
            "cancel_orders_on_disconnect": 8013,
            "skip_pending_exec_reports": 21011,
            "cancel_order_on_pause": 21006,
            "enable_ioc_cancel_report": 21007,
            "listener": 20126,
            "receive_settlement_reports": 20127,
            "message_retention_period": 20200,
            "preserve_original_order_qty": 21008,
            "use_expired_ord_status": 21012,
            "always_emit_new_before_trade": 21026,
        }
        fields: list[tuple[int, str]] = []
        if self.use_dollars and not self._margin:
            fields.append((21005, "Y"))
        for name, value in options.items():
            if value is None:
                continue
            text = _yn(value) if isinstance(value, bool) else str(value)
            assert text is not None
            fields.append((tags[name], text))
        return tuple(sorted(fields))

    def order_entry(
        self,
        *,
        retransmit: bool = False,
        on_message: OnMessage | None = None,
        on_event: OnEvent | None = None,
        cancel_orders_on_disconnect: bool | None = None,
        skip_pending_exec_reports: bool | None = None,
        cancel_order_on_pause: bool | None = None,
        enable_ioc_cancel_report: bool | None = None,
        listener: bool | None = None,
        receive_settlement_reports: bool | None = None,
        preserve_original_order_qty: bool | None = None,
        use_expired_ord_status: bool | None = None,
        always_emit_new_before_trade: bool | None = None,
        on_settlement: Callable[[SettlementReport], Any] | None = None,
        fresh: bool = False,
        store: SequenceStore | None = None,
    ) -> OrderEntrySession:
        """An order-entry session: KalshiNR, or KalshiRT with `retransmit=True` (resends survive restarts
        when the client has a `store_dir`).

        Args:
            listener: a read-only stream of execution reports (sets SkipPendingExecReports=Y, as required).
            receive_settlement_reports: opt RT in to settlement reports (35=UMS); whole reports go to
                `on_settlement`, or to `session.settlements()`.
            fresh: RT only: start over at MsgSeqNum 1 (ResetSeqNumFlag=Y), forgetting the stored messages.
            cancel_orders_on_disconnect, skip_pending_exec_reports, ...: Kalshi's logon options.
        """
        if listener:
            if skip_pending_exec_reports is False:
                raise KalshiConfigError("a listener session requires skip_pending_exec_reports=True")
            skip_pending_exec_reports = True
        if on_settlement is not None and receive_settlement_reports is None:
            receive_settlement_reports = True
        kind = FixSessionType.ORDER_ENTRY_RETRANSMIT if retransmit else FixSessionType.ORDER_ENTRY
        fields = self._logon_options(
            cancel_orders_on_disconnect=cancel_orders_on_disconnect,
            skip_pending_exec_reports=skip_pending_exec_reports,
            cancel_order_on_pause=cancel_order_on_pause,
            enable_ioc_cancel_report=enable_ioc_cancel_report,
            listener=listener,
            receive_settlement_reports=receive_settlement_reports,
            preserve_original_order_qty=preserve_original_order_qty,
            use_expired_ord_status=use_expired_ord_status,
            always_emit_new_before_trade=always_emit_new_before_trade,
        )
        session = OrderEntrySession(
            self, kind, on_message=on_message, on_event=on_event, logon_fields=fields, store=store, fresh=fresh
        )
        if receive_settlement_reports or on_settlement is not None:
            session._settlements = _SettlementFeed(session, on_settlement)
        return session

    def drop_copy(self, *, on_message: OnMessage | None = None, on_event: OnEvent | None = None) -> DropCopySession:
        """A drop-copy session (KalshiDC): execution-report replays on request."""
        return DropCopySession(
            self, FixSessionType.DROP_COPY, on_message=on_message, on_event=on_event, logon_fields=self._logon_options()
        )

    def market_data(
        self,
        *,
        on_message: OnMessage | None = None,
        on_event: OnEvent | None = None,
        on_book: Callable[[OrderBook], Any] | None = None,
    ) -> MarketDataSession:
        """A market-data session (KalshiMD) that keeps an order book per subscribed symbol."""
        return MarketDataSession(
            self,
            FixSessionType.MARKET_DATA,
            on_message=on_message,
            on_event=on_event,
            on_book=on_book,
            logon_fields=self._logon_options(),
        )


class _Endpoint:
    __slots__ = ("host", "port", "target_comp_id", "tls")

    def __init__(self, host: str, port: int, target_comp_id: str, tls: bool) -> None:
        self.host = host
        self.port = port
        self.target_comp_id = target_comp_id
        self.tls = tls

    def __repr__(self) -> str:
        return f"{'tls' if self.tls else 'tcp'}://{self.host}:{self.port} ({self.target_comp_id})"


def _loopback(host: str) -> bool:
    from kalshi_auth import is_loopback

    return is_loopback(host)


class FixClient(_BaseFixClient):
    """FIX for Kalshi prediction markets: order entry (NR/RT), drop copy, market data, post trade, RFQ.

    ```python
    client = FixClient.from_env(environment=FixEnvironment.DEMO)
    async with client.order_entry() as session:
        await session.send(order)
        async for frame in session:
            print(decode_app_message(frame))
    ```

    Args:
        auth: the prediction API key (SenderCompID is its key ID; it signs every Logon).
        environment: `FixEnvironment.PRODUCTION` / `DEMO`, or a `kalshi_auth.Environment`.
        host, port: send every session to this address instead (a local acceptor or simulator).
        tls: False for plain TCP, only to a loopback host.
        ssl_context: custom TLS settings (default: verification on, TLS >= 1.2).
        heartbeat_interval: HeartBtInt in seconds (> 3 on prediction).
        reconnect: backoff policy for dropped connections.
        store_dir: keep RT/PT sequence numbers and sent messages on disk here, so a restarted
            process resumes and resends; in memory when None.
        fsync: when the on-disk store forces writes to disk.
        use_dollars: log on with UseDollars=Y (wire prices in dollars); the typed API is dollars either way.
        max_queued: received messages a session holds for a slow reader before its `QueueOverflow` policy
            acts (pause reading the socket; market data drops the oldest).
        counterparty_comp_ids: SenderCompID (49) values accepted from the gateway. None: Kalshi's documented
            identities (`KALSHI_COMP_IDS`: `Kalshi`, `KalshiMD`) and the session name. Anything else ends the
            session with `FixCompIdError` (no reconnect).
    """

    def post_trade(
        self,
        *,
        on_settlement: Callable[[SettlementReport], Any] | None = None,
        on_message: OnMessage | None = None,
        on_event: OnEvent | None = None,
        fresh: bool = False,
        store: SequenceStore | None = None,
    ) -> PostTradeSession:
        """A post-trade session (KalshiPT): settlement reports, reassembled across fragments.

        Args:
            fresh: start over at MsgSeqNum 1 (ResetSeqNumFlag=Y) instead of resuming.
        """
        return PostTradeSession(
            self,
            FixSessionType.POST_TRADE,
            on_settlement=on_settlement,
            on_message=on_message,
            on_event=on_event,
            logon_fields=self._logon_options(),
            store=store,
            fresh=fresh,
        )

    def rfq(self, *, on_message: OnMessage | None = None, on_event: OnEvent | None = None) -> RfqSession:
        """An RFQ session (KalshiRFQ) for market makers: QuoteRequests in, Quotes out."""
        return RfqSession(
            self, FixSessionType.RFQ, on_message=on_message, on_event=on_event, logon_fields=self._logon_options()
        )


class MarginFixClient(_BaseFixClient):
    """FIX for Kalshi margin (perps): order entry (NR/RT), drop copy and market data; prices in dollars.

    Uses the perps API key (`KALSHI_PERPS_*` in `from_env`). The margin gateway has no post-trade or
    RFQ session. HeartBtInt must be at least 3.
    """

    _margin: ClassVar[bool] = True
    _min_heartbeat: ClassVar[int] = 3
    _product: ClassVar[str] = "perps"
