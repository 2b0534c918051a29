"""`KalshiExchangeSimulator`: the exchange, its REST and WebSocket surfaces, on a loopback port."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import Environment, FixEndpoint, FixSessionType, KalshiAuth
from kalshi_testing._errors import SimulatorError

from ._auth import KeyRegistry
from ._exchange import Exchange
from ._faults import Faults
from ._ratelimit import RateLimits
from ._realistic import Realism
from ._rest import API_PREFIX, RestSurface
from ._scenario import Scenario, default_scenario, load_scenario
from ._surfaces import ENV_NAMES, SURFACE_FACTORIES, Surface, SurfaceFactory
from ._ws import WS_PATH, WebSocketSurface
from .fix import FixGateway
from .fix._gateway import close_clients, stop_accepting

__all__ = ["KalshiExchangeSimulator", "SimulatedUser"]

T = TypeVar("T")


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


_SERVER_LOGGERS = ("kalshi.testing", "asyncio", "aiohttp.server", "websockets.server")
"""Where a failure inside the simulator's own code is logged (its handlers, the event loop, the servers)."""


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is still running on the stopped server's loop (a request handler past its shutdown grace) and
    let it close its connections, as `asyncio.run` does: a task or transport left for the garbage collector is
    reported as an error on whatever thread collects it, and on Python 3.13.0 a transport collected after its
    server closed raises inside asyncio."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(asyncio.sleep(0))  # the transports' connection_lost callbacks
    loop.run_until_complete(loop.shutdown_asyncgens())


class _InternalErrors(logging.Handler):
    """Keeps the ERROR records logged on one simulator's thread: each is a simulator bug, never the client's
    (a connection the client dropped is not recorded)."""

    def __init__(self, thread_id: int) -> None:
        super().__init__(logging.ERROR)
        self.thread_id = thread_id
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread_id:
            exc = record.exc_info[1] if record.exc_info else None
            if isinstance(exc, ConnectionError):
                return  # the client went away mid-request (its own timeout or a scripted drop)
            if record.name == "asyncio" and record.getMessage().startswith("Task was destroyed but it is pending!"):
                return  # the garbage collector, on whatever thread it runs, finding a task of a loop already closed
            cause = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
            self.messages.append(f"{record.name}: {record.getMessage()}{cause}")


@dataclass(frozen=True, slots=True)
class SimulatedUser:
    """A trader on the simulator: an account plus a registered API key.

    `auth` signs requests for this user; `private_key_pem` exists so a CLI user can save it.
    It is never logged, and `repr` leaves it out.
    """

    user_id: str
    key_id: str
    auth: KalshiAuth
    private_key_pem: bytes

    def __repr__(self) -> str:
        return f"SimulatedUser(user_id={self.user_id!r}, key_id={self.key_id!r})"


class KalshiExchangeSimulator:
    """A local Kalshi exchange: REST, WebSocket and FIX on 127.0.0.1, one matching engine behind them.

    ```python
    with KalshiExchangeSimulator() as sim:
        alice = sim.create_user("alice", balance=Decimal("1000"))
        # point a client at sim.rest_url / sim.ws_url, signing with alice.auth
    ```

    The server runs on its own event loop in a daemon thread, so synchronous clients can call
    it from the test's thread and async clients from any loop. Mutate the exchange directly
    through `call(fn)`, which runs `fn(exchange)` on the server's loop.

    Args:
        scenario: a `Scenario`, a path to a JSON/YAML scenario, or None for `default_scenario(seed)`.
        seed: seed of the default catalogue.
        host: interface to bind; loopback only unless you know why.
        port: 0 picks a free port.
        clock: epoch milliseconds; drives every timestamp and the signature freshness check.
        max_clock_skew_ms: how far a request's signed timestamp may be from `clock()`.
        heartbeat: seconds between the WebSocket server's `heartbeat` pings.
        ws_queue_limit: frames a WebSocket connection may have queued; a data frame beyond it ends its
            subscription with error 25 (buffer overflow), so slow consumers can be tested.
        rate_limits: True for Basic-tier token buckets (429 + Retry-After when spent), a
            `RateLimits` for your own, False (default) for none.
        fix: run the FIX acceptor (`sim.fix`): every session type of both products, one port each.
        fix_ports: `{(margin, FixSessionType): port}` to bind; others get ephemeral ports.
        fix_store_dir: keep the acceptor's RT/RFQ sequence numbers and messages on disk here.
        surfaces: extra surface factories (see `_surfaces.Surface`), after `SURFACE_FACTORIES`.
        realistic: send what the exchange is observed to send (null arrays, fields missing during a
            rollout, no deprecated WebSocket fields, 400 on an empty cursor, eventual consistency);
            False for spec-exact answers. See `_realistic.Realism`.
        consistency_window: seconds an object created by a POST stays invisible to GET by id
            (realistic mode; 0 turns it off).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | dict[str, Any] | None = None,
        *,
        seed: int = 7,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], int] | None = None,
        max_clock_skew_ms: int = 30_000,
        heartbeat: float = 10.0,
        ws_queue_limit: int = 10_000,
        rate_limits: RateLimits | bool = False,
        fix: bool = True,
        fix_ports: Mapping[tuple[bool, FixSessionType], int] | None = None,
        fix_store_dir: str | Path | None = None,
        surfaces: list[SurfaceFactory] | None = None,
        realistic: bool = True,
        consistency_window: float = 0.5,
    ) -> None:
        if scenario is None:
            scenario = default_scenario(seed)
        elif not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)
        self.clock = clock or _wall_clock_ms
        self.exchange = Exchange(scenario, clock=self.clock)
        self.keys = KeyRegistry(max_skew_ms=max_clock_skew_ms)
        self.faults = Faults()
        self._host = host
        self._port = port
        self._heartbeat = heartbeat
        self._ws_queue_limit = ws_queue_limit
        self.rate_limits = RateLimits() if rate_limits is True else rate_limits or None
        self.realism = Realism(enabled=realistic, consistency_window=consistency_window)
        """Which observed server behaviours are reproduced; surfaces read `realism.enabled`."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._internal_errors: list[str] = []
        self._runner: web.AppRunner | None = None
        self._stopped: asyncio.Event | None = None
        self.ws_surface: WebSocketSurface | None = None
        self._rest_surface: RestSurface | None = None
        self._fix_enabled = fix
        self.surfaces: list[Surface] = [make(self) for make in [*SURFACE_FACTORIES, *(surfaces or [])]]
        """Extra surfaces (perps, Klear, FIX...) served alongside prediction REST and WebSocket."""
        margin_engine = next((getattr(s, "engine", None) for s in self.surfaces if s.name == "perps"), None)
        self.fix = FixGateway(
            self.exchange, self.keys, margin_exchange=margin_engine, host=host, ports=fix_ports, store_dir=fix_store_dir
        )
        """The FIX acceptor (faults in `sim.fix.faults`); listening once started when `fix` is True."""

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after `start`)."""
        if self._runner is None:
            raise SimulatorError("the simulator is not running; call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://{self._host}:{self.port}"

    @property
    def rest_url(self) -> str:
        """The REST base URL, ending in `/trade-api/v2` (use as `KalshiConfig(base_url=...)`)."""
        return self.base_url + API_PREFIX

    @property
    def ws_url(self) -> str:
        """The WebSocket URL, ending in `/trade-api/ws/v2` (use as `KalshiConfig(ws_url=...)`)."""
        return f"ws://{self._host}:{self.port}{WS_PATH}"

    def fix_endpoint(self, session: FixSessionType, *, margin: bool = False) -> FixEndpoint:
        """Host, port and TargetCompID of one FIX session (plain TCP on loopback)."""
        return self.fix.endpoint(session, margin=margin)

    def fix_environment(self, *, margin: bool = False) -> Environment:
        """An `Environment` pointing REST, WebSocket and FIX at this simulator (margin: the margin FIX ports).

        ```python
        client = FixClient(user.auth, environment=sim.fix_environment())
        ```
        """
        from kalshi_auth import DEMO

        base = DEMO.with_overrides(rest_url=self.rest_url, ws_url=self.ws_url)
        return self.fix.environment(margin=margin, base=base)

    def env(self) -> dict[str, str]:
        """Environment variables pointing every client at this simulator (after `start`), keys excluded."""
        out = {ENV_NAMES["rest"]: self.rest_url, ENV_NAMES["ws"]: self.ws_url}
        for surface in self.surfaces:
            out |= surface.env()
        if self._fix_enabled:
            out |= self.fix.env()
        return out

    def build_app(self) -> web.Application:
        """Build the aiohttp application (also usable with aiohttp's own test utilities)."""
        app = web.Application()
        self._rest_surface = RestSurface(
            self.exchange, self.keys, self.faults, self.clock, self.rate_limits, realism=self.realism
        )
        self._rest_surface.install(app)
        self.ws_surface = WebSocketSurface(
            self.exchange,
            self.keys,
            self.faults,
            self.clock,
            heartbeat=self._heartbeat,
            queue_limit=self._ws_queue_limit,
            realism=self.realism,
        )
        self.ws_surface.install(app)
        for surface in self.surfaces:
            surface.install(app)
        return app

    def start(self) -> KalshiExchangeSimulator:
        """Start serving on a background thread; returns once the port is bound."""
        if self._thread is not None:
            raise SimulatorError("the simulator is already running")
        ready: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="kalshi-simulator", daemon=True)
        self._thread.start()
        ready.result(timeout=10)
        return self

    def _run(self, ready: Future[None]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        errors = _InternalErrors(threading.get_ident())
        self._internal_errors = errors.messages
        for name in _SERVER_LOGGERS:
            logging.getLogger(name).addHandler(errors)
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as exc:  # report start-up failures to the starting thread
            if not ready.done():
                ready.set_exception(exc)
        finally:
            _finish_tasks(loop)
            loop.close()
            for name in _SERVER_LOGGERS:
                logging.getLogger(name).removeHandler(errors)

    @property
    def internal_errors(self) -> list[str]:
        """What went wrong inside the simulator itself since the last `start()` (a bug in the simulator, answered
        with a 500, a BusinessMessageReject or a closed connection). The pytest fixtures fail a test that caused
        any; check it in your own harness."""
        return list(self._internal_errors)

    async def _serve(self, ready: Future[None]) -> None:
        self._stopped = asyncio.Event()
        # A short shutdown grace: stop() must not wait on handlers stalled by injected faults.
        runner = web.AppRunner(self.build_app(), handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self._port = int(sockets[0].getsockname()[1])
        self._runner = runner
        started: list[Surface] = []
        try:
            if self._fix_enabled:
                await self.fix.start()
            for surface in self.surfaces:
                await surface.start()
                started.append(surface)
            ready.set_result(None)
            await self._stopped.wait()
        finally:
            for surface in reversed(started):
                await surface.stop()
            await self.fix.stop()
            await stop_accepting([server])  # see stop_accepting: aiohttp closes the server before the rest
            await runner.cleanup()
            close_clients(server)

    def stop(self) -> None:
        """Close every connection and stop the server thread."""
        if self._thread is None or self._loop is None or self._stopped is None:
            return
        self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(timeout=10)
        self._thread = None
        self._runner = None

    def __enter__(self) -> KalshiExchangeSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> KalshiExchangeSimulator:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """`(method, path below /trade-api/v2, status)` of the REST requests received so far, oldest first.

        A request is listed from the moment it arrives; its status is 0 until it is answered.
        """
        if self._rest_surface is None:
            return []
        return [(str(m), str(p), int(st)) for m, p, st in list(self._rest_surface.requests)]

    def count_requests(self, method: str, path: str) -> int:
        """How many `method path` requests reached the simulator, answered or not (proves a POST was sent once)."""
        return sum(1 for m, p, _ in self.requests if m == method.upper() and p == path)

    # --- state -------------------------------------------------------------------------------

    def call(self, fn: Callable[[Exchange], T]) -> T:
        """Run `fn(exchange)` on the server's loop (thread-safe) and return its result."""
        if self._loop is None or self._thread is None:
            return fn(self.exchange)

        async def run() -> T:
            return fn(self.exchange)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=10)

    def register_key(self, user_id: str, public_key_pem: str | bytes, key_id: str | None = None) -> str:
        """Accept requests signed by the private half of `public_key_pem` as `user_id`; returns the key id."""
        key_id = key_id or str(uuid.uuid4())
        self.keys.register(key_id, user_id, public_key_pem)
        self.call(lambda ex: ex.account(user_id))
        return key_id

    def create_user(self, user_id: str | None = None, *, balance: Decimal | str = "1000.00") -> SimulatedUser:
        """Create an account with `balance` dollars and a fresh RSA key registered for it."""
        from cryptography.hazmat.primitives import serialization

        user_id = user_id or f"user-{uuid.uuid4().hex[:8]}"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        auth = KalshiAuth(str(uuid.uuid4()), key, clock=self.clock)
        self.register_key(user_id, auth.public_key_pem, auth.key_id)
        amount = Decimal(str(balance))
        self.call(lambda ex: ex.add_user(user_id, amount))
        return SimulatedUser(user_id, auth.key_id, auth, pem)
