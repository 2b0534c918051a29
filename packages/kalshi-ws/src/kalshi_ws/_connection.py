"""The asyncio driver: moves bytes between a socket, `websockets`' sans-I/O client and `KalshiProtocol`.

One `Connection` is one logical session. It opens the socket (TLS for `wss://`), performs the
WebSocket handshake with freshly signed `KALSHI-ACCESS-*` headers
(docs/protocol/sequencing.md#reconnects), answers pings
(the websockets protocol queues the pong), sends its own pings, detects a dead peer, and on a
drop reconnects with `kalshi_auth.Backoff` (capped, full jitter), signing again and resubscribing everything
(fresh snapshots for order books). Frames are processed synchronously as they arrive, in
batches, without a task or future per message; consumers are woken once per batch.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

from kalshi_auth import default_ssl_context

from ._errors import KalshiConnectionError, KalshiWebSocketError
from ._protocol import CommandDone, KalshiProtocol, PeerDead, Subscription, SubscriptionActive, SubscriptionFailed
from ._reconnect import ReconnectPolicy

__all__ = ["Connection", "ReconnectPolicy"]

logger = logging.getLogger("kalshi.ws")

# Close codes after which reconnecting as is cannot help (docs/protocol/sequencing.md#reconnects).
_NO_RECONNECT = frozenset({1002, 1003, 1007, 1008, 1009, 1010})
# First byte of an unfragmented, uncompressed data frame: FIN + text (0x81) or FIN + binary (0x82).
_DATA_FRAME_START = frozenset({0x81, 0x82})


class _Transport(asyncio.Protocol):
    """asyncio protocol around one websockets `ClientProtocol` (handshake, frames, close)."""

    def __init__(self, owner: Connection, ws: ClientProtocol) -> None:
        self.owner = owner
        self.ws = ws
        self.transport: asyncio.Transport | None = None
        self.handshake: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self.lost: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
        self._fragments: list[bytes] = []
        self._opened = False
        self._fast = False
        self._buf = b""
        self._max_size = owner.max_size or (1 << 62)  # our setting (websockets renamed its attribute in 16.0)

    # asyncio callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self._fast:
            self._fast_receive(data)
            return
        ws = self.ws
        ws.receive_data(data)
        self._process()
        # Once the handshake is done and websockets holds no partial frame, take the fast path.
        self._fast = self._opened and ws.state is State.OPEN and not ws.reader.buffer

    def _fast_receive(self, data: bytes) -> None:
        """Split complete frames out of the byte stream without websockets' generator parser.

        Unfragmented, unmasked, uncompressed text/binary frames (the whole data stream) go straight
        to the protocol. Every other frame (ping, pong, close, fragments, anything odd) is handed,
        complete, to websockets, which is always at a frame boundary, so its state stays exact.
        """
        if self.ws.state is not State.OPEN:
            self.ws.receive_data(self._buf + data)
            self._buf = b""
            self._process()
            return
        if self._buf:
            data = self._buf + data
        end_of_data = len(data)
        pos = 0
        receive = self.owner.protocol.receive
        now = time.monotonic()
        wall_ms = time.time_ns() // 1_000_000
        max_size = self._max_size
        other = False
        while end_of_data - pos >= 2:
            b0 = data[pos]
            b1 = data[pos + 1]
            length = b1 & 0x7F
            header = 2
            if length == 126:
                if end_of_data - pos < 4:
                    break
                length = (data[pos + 2] << 8) | data[pos + 3]
                header = 4
            elif length == 127:
                if end_of_data - pos < 10:
                    break
                length = int.from_bytes(data[pos + 2 : pos + 10], "big")
                header = 10
            if b1 & 0x80:
                header += 4
            end = pos + header + length
            if b0 in _DATA_FRAME_START and b1 < 0x80 and length <= max_size:
                if end > end_of_data:
                    break
                receive(data[pos + header : end], now, wall_ms)
            else:
                if end > end_of_data and length <= max_size:
                    break
                # websockets parses (and enforces max_size on) everything else
                self.ws.receive_data(data[pos:end])
                other = True
                if end > end_of_data or self.ws.state is not State.OPEN:
                    if end < end_of_data:
                        self.ws.receive_data(data[end:])  # closing: websockets takes the rest
                    pos = end_of_data
                    break
            pos = end
        self._buf = data[pos:] if pos < end_of_data else b""
        if other:
            self._process()
        else:
            self.owner._pump()

    def eof_received(self) -> bool | None:
        self.ws.receive_eof()
        self._process()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.handshake.done():
            self.handshake.set_exception(KalshiConnectionError(f"connection closed during handshake: {exc}"))
        if not self.lost.done():
            self.lost.set_result(exc)
        ws = self.ws
        close = ws.close_rcvd or ws.close_sent
        if close is not None and self is self.owner._current:
            self.owner._close_code = close.code
        self.owner._transport_lost(self)

    # frame processing
    def _process(self) -> None:
        ws = self.ws
        events: list[Any] = ws.events_received()
        if not self._opened:
            events = self._handshake_events(events)
        if events:
            owner = self.owner
            receive = owner.protocol.receive
            now = time.monotonic()
            wall_ms = time.time_ns() // 1_000_000
            for frame in events:
                opcode = frame.opcode
                if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
                    if frame.fin:
                        receive(frame.data, now, wall_ms)
                    else:
                        self._fragments = [frame.data]
                elif opcode is Opcode.CONT:
                    self._fragments.append(frame.data)
                    if frame.fin:
                        data, self._fragments = b"".join(self._fragments), []
                        receive(data, now, wall_ms)
                elif opcode is Opcode.PING or opcode is Opcode.PONG:
                    owner.protocol.activity(now)
                elif opcode is Opcode.CLOSE:
                    owner._close_code = ws.close_code
            owner._pump()
        self.flush()
        if ws.state is State.CLOSED and self.transport is not None:
            self.transport.close()

    def _handshake_events(self, events: list[Any]) -> list[Any]:
        for i, event in enumerate(events):
            if isinstance(event, Response):
                self._opened = True
                if not self.handshake.done():
                    if self.ws.handshake_exc is not None:
                        status = event.status_code
                        if status in (401, 403):
                            reason = f"HTTP {status} (check the key and the signed path)"
                        elif status == 101:
                            reason = f"invalid upgrade response: {self.ws.handshake_exc}"
                        else:
                            reason = f"HTTP {status}"
                        self.handshake.set_exception(KalshiConnectionError(f"WebSocket handshake refused: {reason}"))
                    else:
                        self.handshake.set_result(event)
                return events[i + 1 :]
        return []

    def flush(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        for chunk in self.ws.data_to_send():
            if chunk:
                transport.write(chunk)
            elif transport.can_write_eof():
                transport.write_eof()


class Connection:
    """One logical WebSocket session over successive physical connections.

    Args:
        protocol: the sans-I/O protocol (its subscriptions survive reconnects).
        url: `wss://...` (or `ws://` to loopback).
        headers: called before every connect attempt; returns the handshake headers (signed afresh).
        open_timeout: seconds for TCP + TLS + the WebSocket handshake.
        ping_interval: seconds between client pings (0 disables them).
        close_timeout: seconds to wait for the server's close frame on shutdown.
        reconnect: the reconnect policy.
        compression: offer permessage-deflate (off by default: Kalshi's frames are small JSON and
            inflating each one costs more CPU than the bandwidth it saves on most links).
        max_size: the largest message accepted, in bytes.
        ssl_context: TLS settings for `wss://` (default: the system trust store, verification on).
    """

    def __init__(
        self,
        protocol: KalshiProtocol,
        url: str,
        *,
        headers: Callable[[], Mapping[str, str]],
        open_timeout: float = 10.0,
        ping_interval: float = 10.0,
        close_timeout: float = 5.0,
        reconnect: ReconnectPolicy | None = None,
        compression: bool = False,
        max_size: int = 16 * 1024 * 1024,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.protocol = protocol
        self.url = url
        self._headers = headers
        self.open_timeout = open_timeout
        self.ping_interval = ping_interval
        self.close_timeout = close_timeout
        self.reconnect = reconnect or ReconnectPolicy()
        self.compression = compression
        self.max_size = max_size
        self._ssl = ssl_context
        self._current: _Transport | None = None
        self._command_futures: dict[int, asyncio.Future[Any]] = {}
        self._subscribe_futures: dict[int, asyncio.Future[Subscription]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._close_code: int | None = None
        self._lost_event = asyncio.Event()
        self._last_ping = 0.0
        self.reconnects = 0
        """Completed reconnects over the session's life."""

    # ---- open / close ----------------------------------------------------------------------
    async def open(self) -> None:
        """Connect for the first time (no retry) and start the supervisor and timer tasks.

        Raises:
            KalshiConnectionError: connect, TLS or handshake failed or timed out.
        """
        await self._connect_once()
        self.protocol.connection_made(time.monotonic())
        self._pump()
        self._tasks = [
            asyncio.create_task(self._supervise(), name="kalshi-ws-supervisor"),
            asyncio.create_task(self._timer(), name="kalshi-ws-timer"),
        ]
        for task in self._tasks:
            task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        """An engine task must not die quietly: fail every stream loudly instead of hanging them."""
        if task.cancelled() or self._closing:
            return
        exc = task.exception()
        if exc is None:
            return
        logger.error("kalshi.ws: %s failed", task.get_name(), exc_info=exc)
        error = KalshiWebSocketError(f"WebSocket engine task {task.get_name()} failed: {exc!r}")
        error.__cause__ = exc
        self.protocol.close_all(error)
        self._pump()

    async def _connect_once(self) -> None:
        parts = urlsplit(self.url)
        secure = parts.scheme == "wss"
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        extensions = [ClientPerMessageDeflateFactory()] if self.compression else None
        ws = ClientProtocol(parse_uri(self.url), extensions=extensions, max_size=self.max_size)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.open_timeout):
                _, transport = await loop.create_connection(
                    lambda: _Transport(self, ws),
                    host,
                    port,
                    ssl=(self._ssl or default_ssl_context()) if secure else None,
                    server_hostname=host if secure else None,
                )
                request = ws.connect()
                for name, value in self._headers().items():
                    request.headers[name] = value
                ws.send_request(request)
                transport.flush()
                self._lost_event.clear()
                self._current = transport
                self._close_code = None
                await transport.handshake
        except TimeoutError:
            self._abort_current()
            raise KalshiConnectionError(
                f"WebSocket connect to {host}:{port} timed out after {self.open_timeout}s"
            ) from None
        except KalshiConnectionError:
            self._abort_current()
            raise
        except OSError as exc:
            self._abort_current()
            raise KalshiConnectionError(f"WebSocket connect to {host}:{port} failed: {exc}") from exc
        logger.debug("kalshi.ws: connected to %s", self.url)

    def _abort_current(self) -> None:
        current, self._current = self._current, None
        if current is not None and current.transport is not None:
            current.transport.abort()

    async def close(self) -> None:
        """Close the WebSocket (close frame, then the socket), cancel every task, end every stream."""
        if self._closing:
            return
        self._closing = True
        current = self._current
        if current is not None and current.transport is not None and current.ws.state is State.OPEN:
            current.ws.send_close(1000)
            current.flush()
            try:
                async with asyncio.timeout(self.close_timeout):
                    await asyncio.shield(current.lost)
            except TimeoutError:
                pass
        self._abort_current()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                logger.exception("kalshi.ws: task failed during shutdown")
        self._tasks = []
        self.protocol.connection_lost()
        self.protocol.close_all()
        self._pump()

    @property
    def closed(self) -> bool:
        return self._closing

    def _is_closing(self) -> bool:
        return self._closing

    # ---- sending and events ----------------------------------------------------------------
    def _pump(self) -> None:
        """Send what the protocol queued, resolve command futures, wake consumers."""
        protocol = self.protocol
        out = protocol.data_to_send()
        current = self._current
        if out and current is not None and current.ws.state is State.OPEN:
            for data in out:
                current.ws.send_text(data)
            current.flush()
        for event in protocol.events_received():
            if type(event) is CommandDone:
                fut = self._command_futures.pop(event.command_id, None)
                if fut is not None and not fut.done():
                    if event.error is not None:
                        fut.set_exception(event.error)
                    else:
                        fut.set_result(event.result)
            elif type(event) is SubscriptionActive:
                sfut = self._subscribe_futures.pop(event.subscription.key, None)
                if sfut is not None and not sfut.done():
                    sfut.set_result(event.subscription)
            elif type(event) is SubscriptionFailed:
                sfut = self._subscribe_futures.pop(event.subscription.key, None)
                if sfut is not None and not sfut.done():
                    sfut.set_exception(event.error)
            elif type(event) is PeerDead:
                logger.warning("kalshi.ws: no frame for %.1fs; dropping the connection", event.silence)
                current = self._current
                if current is not None and current.transport is not None:
                    current.transport.abort()  # connection_lost wakes the supervisor, which reconnects
        for sub in protocol.ready_subscriptions():
            waiter = sub.waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def command_future(self, command_id: int | None) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if command_id is None:
            fut.set_result(None)
        else:
            self._command_futures[command_id] = fut
        return fut

    def subscribe_future(self, sub: Subscription) -> asyncio.Future[Subscription]:
        fut: asyncio.Future[Subscription] = asyncio.get_running_loop().create_future()
        self._subscribe_futures[sub.key] = fut
        return fut

    # ---- supervision -----------------------------------------------------------------------
    def _transport_lost(self, transport: _Transport) -> None:
        if transport is self._current:
            self._current = None
            self._lost_event.set()

    async def _supervise(self) -> None:
        while not self._closing:
            await self._lost_event.wait()
            if self._is_closing():
                return
            lost_at = time.monotonic()
            code = self._close_code
            self.protocol.connection_lost()
            self._pump()
            if not self.reconnect.enabled or code in _NO_RECONNECT or (code is not None and 4000 <= code <= 4999):
                reason = f"connection closed (code {code})" if code else "connection lost"
                self.protocol.close_all(KalshiConnectionError(f"{reason}; not reconnecting"))
                self._pump()
                return
            attempt = 0
            while not self._closing:
                attempt += 1
                if not self.reconnect.allows(attempt):
                    self.protocol.close_all(
                        KalshiConnectionError(f"reconnect failed after {self.reconnect.max_attempts} attempts")
                    )
                    self._pump()
                    return
                await asyncio.sleep(self.reconnect.delay(attempt))
                try:
                    await self._connect_once()
                except KalshiConnectionError as exc:
                    logger.debug("kalshi.ws: reconnect attempt %d failed: %s", attempt, exc)
                    continue
                break
            if self._is_closing():
                return
            self.reconnects += 1
            downtime = time.monotonic() - lost_at
            logger.info("kalshi.ws: reconnected to %s after %d attempt(s), %.2fs down", self.url, attempt, downtime)
            self.protocol.connection_made(time.monotonic(), reconnect_attempt=attempt, downtime=downtime)
            self._pump()

    async def _timer(self) -> None:
        protocol = self.protocol
        while not self._closing:
            now = time.monotonic()
            deadline = protocol.next_deadline()
            sleep = 1.0 if deadline is None else max(0.0, min(deadline - now, 1.0))
            if self.ping_interval:
                sleep = min(sleep, max(0.0, self._last_ping + self.ping_interval - now))
            await asyncio.sleep(sleep)
            now = time.monotonic()
            protocol.check_timeouts(now)
            current = self._current
            if (
                self.ping_interval
                and current is not None
                and current.ws.state is State.OPEN
                and now - self._last_ping >= self.ping_interval
            ):
                self._last_ping = now
                current.ws.send_ping(b"kalshi-ws")
                current.flush()
            self._pump()
