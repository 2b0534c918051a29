"""The asyncio driver: moves bytes between a socket and a `SessionProtocol`, runs its timers, reconnects.

The driver is an `asyncio.Protocol` (callbacks, no reader task), so a received ExecutionReport reaches
the application in the same event-loop turn that read it. It reads the clock, sleeps and owns the
socket; every FIX decision is the session's.

```python
conn = FixConnection(session, "fix.demo.kalshi.co", 8228, on_message=print)
await conn.open()                 # connects, logs on; raises FixLogonError when refused
await conn.send("D", body)        # waits for the logon (or a reconnect) first
await conn.close()                # Logout (bounded), then close
```
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass

from kalshi_auth import Backoff, KalshiConfigError, default_ssl_context, is_loopback, warn_if_unverified

from ._errors import FixConnectionError, FixLogonError
from ._session import (
    ApplicationMessage,
    CloseConnection,
    LoggedOn,
    LogonRejected,
    SessionEvent,
    SessionProtocol,
)

__all__ = [
    "ConnectionState",
    "ConnectionStateChanged",
    "FixConnection",
    "FixConnectionError",
    "ReconnectPolicy",
]

logger = logging.getLogger("kalshi.fix")


class ConnectionState(enum.Enum):
    """What the application sees of the connection."""

    CONNECTING = "connecting"
    LOGGED_ON = "logged_on"
    DISCONNECTED = "disconnected"
    """Lost; a reconnect follows after a backoff."""
    CLOSED = "closed"
    """For good: closed by the application, refused, or out of reconnect attempts."""


@dataclass(frozen=True, slots=True)
class ConnectionStateChanged:
    """The connection moved to `state`; `reason` says why when it went down."""

    state: ConnectionState
    reason: str | None = None
    attempt: int = 0
    """Consecutive failed attempts so far (0 once logged on)."""


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """When to reconnect a dropped session, and how long to wait: `kalshi_auth.Backoff`'s capped full jitter.

    The wait before reconnect attempt `n` (1-based) is `Backoff.delay(n)`: uniform(0, min(max_delay,
    base_delay * 2**n)).

    Args:
        base_delay: seconds.
        max_delay: the cap, seconds.
        max_attempts: consecutive failures before giving up (None: never give up).
        enabled: False to never reconnect (the first drop closes the connection).
    """

    base_delay: float = 0.5
    max_delay: float = 30.0
    max_attempts: int | None = 10
    enabled: bool = True

    def __post_init__(self) -> None:
        self.backoff  # noqa: B018 - Backoff validates the numbers (ValueError)

    @property
    def backoff(self) -> Backoff:
        """The shared backoff policy these settings describe."""
        return Backoff(base_delay=self.base_delay, max_delay=self.max_delay, max_attempts=self.max_attempts)

    def delay(self, attempt: int) -> float:
        """The sleep before attempt number `attempt` (1-based)."""
        return self.backoff.delay(attempt)


class _Wire(asyncio.Protocol):
    __slots__ = ("_conn",)

    def __init__(self, conn: FixConnection) -> None:
        self._conn = conn

    def data_received(self, data: bytes) -> None:
        self._conn._on_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._conn._on_lost(exc)

    def pause_writing(self) -> None:
        self._conn._paused = True

    def resume_writing(self) -> None:
        self._conn._paused = False
        waiter = self._conn._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class FixConnection:
    """Drive one FIX session over TCP (TLS by default), reconnecting with capped backoff.

    Args:
        session: the sans-I/O session to drive.
        host: where to connect.
        port: the session's port.
        tls: use TLS; plain TCP is refused unless `host` is a loopback address.
        ssl_context: a custom context (default: verification on, TLS >= 1.2).
        reconnect: the backoff policy.
        connect_timeout: seconds for TCP + TLS set-up.
        on_message: called with every in-order application message, in the read callback. With a session
            configured `commit_on_handled`, each message is committed (recorded as received for a restart)
            once `on_message` returns, so a process that dies inside it gets the message again.
        on_event: called with every other session event and each `ConnectionStateChanged`.
        on_connected: called (before the Logon is sent) on every new socket, e.g. to clear books.
        clock: epoch seconds (for SendingTime and the session's timers).
        commit_after_callback: commit each message when `on_message` returns; False when the owner commits
            itself (`session.commit(seq)`), e.g. once a queue reader has taken the message.

    Raises:
        KalshiConfigError: plain TCP to a host that is not loopback.
    """

    def __init__(
        self,
        session: SessionProtocol,
        host: str,
        port: int,
        *,
        tls: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        reconnect: ReconnectPolicy | None = None,
        connect_timeout: float = 10.0,
        on_message: Callable[[ApplicationMessage], None] | None = None,
        on_event: Callable[[SessionEvent | ConnectionStateChanged], None] | None = None,
        on_connected: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
        commit_after_callback: bool = True,
    ) -> None:
        if not tls and not is_loopback(host):
            raise KalshiConfigError(f"FIX over plain TCP is only allowed to a loopback host, got {host!r}")
        self.session = session
        self.host = host
        self.port = port
        self._ssl = (ssl_context or default_ssl_context()) if tls else None
        warn_if_unverified(self._ssl, f"FIX {host}:{port}")
        self._policy = reconnect or ReconnectPolicy()
        self._connect_timeout = connect_timeout
        self._on_message = on_message
        self._on_event = on_event
        self._on_connected = on_connected
        self._clock = clock
        self._commit = commit_after_callback
        self.state = ConnectionState.CLOSED
        self._transport: asyncio.Transport | None = None
        self._task: asyncio.Task[None] | None = None
        self._lost: asyncio.Future[tuple[str, bool]] | None = None
        self._logged_on: asyncio.Event | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._cork: asyncio.Handle | None = None
        self._paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self._closing = False
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.connects = 0
        """Sockets opened so far (1 + reconnects)."""

    # ------------------------------------------------------------------ public

    @property
    def is_logged_on(self) -> bool:
        return self.session.is_active

    async def open(self, timeout: float | None = 30.0) -> None:  # noqa: ASYNC109
        """Connect and log on; return once logged on.

        Raises:
            FixLogonError: the gateway refused the Logon.
            FixConnectionError: no logon within `timeout`, or reconnect attempts ran out.
        """
        if self._task is not None:
            raise FixConnectionError("this connection is already open")
        self._loop = asyncio.get_running_loop()
        self._logged_on = asyncio.Event()
        self._closing = False
        self._error = None
        self._task = self._loop.create_task(self._run(), name=f"kalshi-fix {self.session.config.target_comp_id}")
        try:
            await self.wait_logged_on(timeout)
        except BaseException:
            await self.close()
            raise

    async def wait_logged_on(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until the session is logged on (again).

        Raises:
            FixLogonError | FixConnectionError: the connection closed for good, or `timeout` passed.
        """
        if self.session.is_active:
            return
        if self._logged_on is None:
            raise FixConnectionError("the connection is not open")
        waiter = asyncio.ensure_future(self._logged_on.wait())
        task = self._task
        watch = [waiter] if task is None else [waiter, task]
        try:
            done, _ = await asyncio.wait(watch, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if self._active():
            return
        if self._error is not None:
            raise self._error
        if not done:
            raise FixConnectionError(f"not logged on to {self.host}:{self.port} within {timeout} s")
        raise FixConnectionError("the FIX connection closed")

    async def send(self, msg_type: str, body: bytes, *, timeout: float | None = 30.0) -> int:  # noqa: ASYNC109
        """Send an application message (waiting for a logon first); return its MsgSeqNum.

        Raises:
            FixConnectionError: not logged on within `timeout`, or the connection closed for good.
        """
        if not self.session.is_active:
            await self.wait_logged_on(timeout)
        seq = self.session.send(msg_type, body, self._clock())
        if self._cork is None:
            # the first message of this loop iteration goes out at once; later ones are batched
            # into one write at the end of the iteration (one syscall for a burst of orders)
            self._flush()
            if self._loop is not None:
                self._cork = self._loop.call_soon(self._uncork)
        if self._paused:
            await self._drain()
        return seq

    def _uncork(self) -> None:
        self._cork = None
        self._flush()

    async def close(self, timeout: float = 2.0) -> None:  # noqa: ASYNC109
        """Log out (best effort, bounded by `timeout`), close the socket and stop reconnecting.

        The store is left open: it belongs to whoever created it (`FixSession.close` closes its own).
        """
        self._closing = True
        task = self._task
        if task is None:
            return
        self.resume_reading()  # the Logout answer must be read
        if self.session.is_active and self._transport is not None:
            self.session.logout(self._clock())
            self._flush()
            self._schedule_timer()
            lost = self._lost
            if lost is not None:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(lost), timeout)
        if self._transport is not None:
            self._transport.close()
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._task = None
        self._cancel_timer()
        if self.state is not ConnectionState.CLOSED:
            self._set_state(ConnectionState.CLOSED, "closed by the application")

    @property
    def reading_paused(self) -> bool:
        """True while `pause_reading()` holds (the application is behind; TCP slows the peer)."""
        return self._reading_paused

    def pause_reading(self) -> None:
        """Stop reading from the socket until `resume_reading()` or a reconnect (backpressure).

        The kernel's receive buffer fills and TCP flow control slows the gateway, so nothing is lost and
        nothing piles up in memory. Our Heartbeats still go out; silence from the peer is not held against
        it while we are the ones not reading (no TestRequest, no disconnect). A pause that outlasts the
        gateway's own TestRequest timeout (about two heartbeat intervals) gets the session logged out by
        the gateway; a reconnect and, on retransmitting sessions, a resend follow. A peer's reset is noticed at
        our next write (a Heartbeat at the latest) or when reading resumes.
        """
        if self._reading_paused:
            return
        self._reading_paused = True
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.pause_reading()

    def resume_reading(self) -> None:
        """Read from the socket again after `pause_reading()`."""
        if not self._reading_paused:
            return
        self._reading_paused = False
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.resume_reading()

    def drop(self) -> None:
        """Abort the socket at once (no Logout), as a network failure would; a reconnect follows."""
        if self._transport is not None:
            self._transport.abort()

    # ------------------------------------------------------------------ supervisor

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        reason = ""
        while not self._closing:
            self._set_state(ConnectionState.CONNECTING, None, attempt)
            reconnect = True
            try:
                transport, _ = await asyncio.wait_for(
                    loop.create_connection(
                        lambda: _Wire(self),
                        self.host,
                        self.port,
                        ssl=self._ssl,
                        server_hostname=self.host if self._ssl is not None else None,
                    ),
                    self._connect_timeout,
                )
            except ssl.SSLCertVerificationError as exc:
                # a certificate that does not verify will not verify on the next attempt either
                reason = f"TLS certificate of {self.host} rejected: {exc.verify_message or exc}"
                self._error = FixConnectionError(reason)
                reconnect = False
            except (TimeoutError, OSError) as exc:
                reason = f"connect to {self.host}:{self.port} failed: {exc or type(exc).__name__}"
            else:
                self.connects += 1
                assert isinstance(transport, asyncio.Transport)
                self._transport = transport
                self._lost = loop.create_future()
                self._paused = False
                # a new socket reads (the Logon answer must get through); the application's queue pauses it
                # again with its next message if it is still full
                self._reading_paused = False
                if self._on_connected is not None:
                    try:
                        self._on_connected()
                    except Exception:
                        logger.exception("kalshi_fix: on_connected raised")
                self.session.connect(self._clock())
                self._flush()
                self._schedule_timer()
                reason, reconnect = await self._lost
                was_logged_on = self.state is ConnectionState.LOGGED_ON
                self._transport = None
                self._cancel_timer()
                transport.close()
                if was_logged_on:
                    attempt = 0
            if self._logged_on is not None:
                self._logged_on.clear()
            if self._stopping():
                break
            if not reconnect or not self._policy.enabled:
                if self._error is None:
                    self._error = FixConnectionError(reason)
                self._set_state(ConnectionState.CLOSED, reason, attempt)
                return
            attempt += 1
            limit = self._policy.max_attempts
            if limit is not None and attempt > limit:
                self._error = FixConnectionError(f"gave up after {limit} reconnect attempts: {reason}")
                self._set_state(ConnectionState.CLOSED, reason, attempt)
                return
            self._set_state(ConnectionState.DISCONNECTED, reason, attempt)
            logger.info(
                "FIX %s disconnected (%s); reconnect attempt %d", self.session.config.target_comp_id, reason, attempt
            )
            await asyncio.sleep(self._policy.delay(attempt))
        self._set_state(ConnectionState.CLOSED, "closed by the application", attempt)

    def _active(self) -> bool:
        return self.session.is_active

    def _stopping(self) -> bool:
        return self._closing

    def _set_state(self, state: ConnectionState, reason: str | None, attempt: int = 0) -> None:
        if state is self.state and state is not ConnectionState.CONNECTING:
            return
        self.state = state
        if self._on_event is not None:
            self._on_event(ConnectionStateChanged(state, reason, attempt))

    # ------------------------------------------------------------------ callbacks

    def _on_data(self, data: bytes) -> None:
        events = self.session.receive(data, self._clock())
        self._flush()
        if events:
            self._dispatch(events)
        self._schedule_timer()

    def _on_lost(self, exc: Exception | None) -> None:
        self.session.connection_lost(self._clock())
        if self._logged_on is not None:
            self._logged_on.clear()
        lost = self._lost
        if lost is not None and not lost.done():
            lost.set_result((f"connection lost: {exc}" if exc else "connection closed by peer", True))
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _on_timer(self) -> None:
        self._timer = None
        if self._reading_paused:
            self.session.hold_liveness(self._clock())  # the silence is ours, not the peer's
        events = self.session.handle_timeout(self._clock())
        self._flush()
        if events:
            self._dispatch(events)
        self._schedule_timer()

    def _dispatch(self, events: list[SessionEvent]) -> None:
        on_message = self._on_message
        on_event = self._on_event
        for event in events:
            if isinstance(event, ApplicationMessage):
                if on_message is not None:
                    on_message(event)
                if self._commit:
                    self.session.commit(event.seq)
                continue
            if isinstance(event, LoggedOn):
                self._set_state(ConnectionState.LOGGED_ON, None)
                if self._logged_on is not None:
                    self._logged_on.set()
            elif isinstance(event, LogonRejected):
                self._error = FixLogonError(f"logon refused by {self.host}: {event.text or 'no reason given'}")
            elif isinstance(event, CloseConnection):
                if event.error is not None:
                    self._error = event.error
                if self._logged_on is not None:
                    self._logged_on.clear()
                lost = self._lost
                if self._transport is not None:
                    self._transport.close()
                if lost is not None and not lost.done():
                    lost.set_result((event.reason, event.reconnect))
            if on_event is not None:
                on_event(event)

    def _flush(self) -> None:
        out = self.session.data_to_send()
        if out and self._transport is not None:
            self._transport.write(out[0] if len(out) == 1 else b"".join(out))

    async def _drain(self) -> None:
        if self._loop is None:
            return
        self._drain_waiter = self._loop.create_future()
        try:
            await self._drain_waiter
        finally:
            self._drain_waiter = None

    def _schedule_timer(self) -> None:
        deadline = self.session.next_deadline()
        if deadline is None:
            self._cancel_timer()
            return
        if self._timer is not None and self._timer_at <= deadline:
            return  # an earlier wake-up is booked; it reschedules itself
        self._cancel_timer()
        loop = self._loop
        if loop is None:
            return
        self._timer_at = deadline
        self._timer = loop.call_at(loop.time() + max(0.0, deadline - self._clock()), self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
