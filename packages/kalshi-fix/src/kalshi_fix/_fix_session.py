"""`FixSession`: one session as an async context manager and an async iterator of received frames.

The session-type faces (`OrderEntrySession`, `MarketDataSession`, ...) are in `_session_faces.py`; the clients
that make them are in `_client.py`.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from kalshi_auth import FixSessionType

from ._codec import FixFrame
from ._connection import ConnectionState, ConnectionStateChanged, FixConnection
from ._errors import FixDecodeError, FixSessionError
from ._session import ApplicationMessage, SessionConfig, SessionEvent, SessionProtocol
from ._settlement import SettlementAssembler, SettlementBatchDropped, SettlementReport
from ._store import SequenceStore

if TYPE_CHECKING:
    from ._client import _BaseFixClient
    from .messages import FixMessage

__all__ = [
    "DEFAULT_MAX_QUEUED",
    "FixSession",
    "OnEvent",
    "OnMessage",
    "QueueOverflow",
]

logger = logging.getLogger("kalshi.fix")

OnMessage = Callable[[FixFrame], Any]
"""Called with each received application frame; may be a coroutine function (awaited in order)."""
OnEvent = Callable[[SessionEvent | ConnectionStateChanged | SettlementBatchDropped], Any]


class _Encodable(Protocol):
    MSG_TYPE: ClassVar[str]

    def encode_body(self, use_dollars: bool = False) -> bytes: ...


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


LISTENER_REFUSES: frozenset[str] = frozenset({"D", "F", "G", "q", "R", "UA"})
"""What a listener session may not send: orders, cancels, replaces, mass cancels, RFQs and quote
acceptances (docs.kalshi.com/fix/listener-sessions, "What You Cannot Do")."""


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

    On the sessions that retransmit (KalshiRT, KalshiRFQ) delivery is at least once across a crash: a
    received message counts as received in the store only once the application has handled it (the plain
    `on_message` returned, the coroutine one was awaited, or the reader asked for the next message or closed
    the session). A restarted process asks for the rest again and they come back with PossDupFlag=Y
    (`frame.poss_dup_flag`): de-duplicate ExecutionReports by ExecID (17) as docs.kalshi.com/fix/drop-copy
    advises (rejects and pending reports carry `-1;-1`: compare those by ClOrdID and ExecType).
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
        retransmits = session_type.retransmits
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
            commit_on_handled=retransmits,
        )
        self.protocol = SessionProtocol(config, self.store)
        self.listener = (20126, "Y") in logon_fields
        """Logged on with ListenerSession=Y: read-only, `send` refuses what Kalshi would reject."""
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
            commit_after_callback=False,
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
        self._last_read: int | None = None
        """The MsgSeqNum of the frame a queue reader took last: committed when it asks for the next one."""
        self._store_open = True
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
            self._store_open = False
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
        self._commit_taken()  # a clean close: the last frame read counts as handled
        self._store_open = False
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
        self._check_writable(message.MSG_TYPE)
        body = message.encode_body(self.protocol.config.use_dollars)
        return await self.connection.send(message.MSG_TYPE, body, timeout=timeout)

    async def send_raw(self, msg_type: str, body: bytes, *, timeout: float | None = 30.0) -> int:  # noqa: ASYNC109
        """Send a pre-encoded body (`tag=value<SOH>...`) under the standard header."""
        self._check_writable(msg_type)
        return await self.connection.send(msg_type, body, timeout=timeout)

    def _check_writable(self, msg_type: str) -> None:
        if self.listener and msg_type in LISTENER_REFUSES:
            raise FixSessionError(
                f"a listener session is read-only: Kalshi rejects MsgType (35) {msg_type} on it "
                "(docs.kalshi.com/fix/listener-sessions); nothing was sent"
            )

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
                # no frame reader asked for fragments: they arrive whole, in settlements() / on_settlement
                self._commit(event.seq)
                return
            self._put(self._queue, event.frame)
            return
        try:
            callback(event.frame)
        except Exception:
            logger.exception("kalshi_fix: on_message raised for %s seq %d", event.msg_type, event.seq)
        self._commit(event.seq)

    def _commit(self, seq: int) -> None:
        """The application is done with received message `seq` (a no-op on sessions without resends)."""
        if self._store_open:
            self.protocol.commit(seq)

    def _commit_taken(self) -> None:
        seq = self._last_read
        if seq is not None:
            self._last_read = None
            self._commit(seq)

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
                if isinstance(oldest, FixFrame):
                    self._commit(oldest.msg_seq_num)  # dropped by policy: never coming back
        queue.put_nowait(item)
        if self.overflow is QueueOverflow.BACKPRESSURE and self.queued >= self.max_queued:
            self.connection.pause_reading()

    def _taken(self) -> None:
        """A reader took an item: read the socket again once the queue is half empty."""
        if self.connection.reading_paused and self.queued <= self.max_queued // 2:
            self.connection.resume_reading()

    async def _get(self) -> Any:
        self._commit_taken()  # asking for the next frame: the previous one is handled
        item = await self._queue.get()
        self._taken()
        if item is not _SENTINEL:
            self._last_read = item.msg_seq_num
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
