"""`KalshiWebSocket`: the client that opens sessions (one connection, many typed subscriptions)."""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, ClassVar, Literal, Self, cast
from urllib.parse import urlsplit

from kalshi_auth import (
    KalshiAuth,
    KalshiConfig,
    KalshiConfigError,
    check_environments,
    check_signed_host,
    credentials_from_env,
    get_environment,
    is_loopback,
    warn_if_unverified,
)

from ._connection import Connection, ReconnectPolicy
from ._product import PREDICTION, Product
from ._protocol import KalshiProtocol
from ._session import BaseSession
from ._stream import Stream
from .messages._generated.session import Session

__all__ = ["PREDICTION", "BaseSession", "KalshiWebSocket", "Product", "Session", "Stream"]


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
        config: environment and timeouts; the URL comes from the shared resolver,
            `config.endpoints(product.name).ws_url` (`config.ws_url` names a server for every product).
        url: overrides the resolved URL; it must be in the config's environment (a production URL
            with a demo config is a `KalshiConfigError`), `ws://` only to a loopback host.
        queue_size: default bound of each stream's queue.
        ping_interval: seconds between client pings (0 disables).
        dead_peer_timeout: seconds without any frame (data, ping or pong) before reconnecting.
        command_timeout: seconds to wait for a command's reply.
        open_timeout: seconds for connect + handshake (default `config.timeout`).
        reconnect: the reconnect policy (`ReconnectPolicy(enabled=False)` to fail instead).
        compression: offer permessage-deflate (off by default; costs CPU on every frame).
        max_size: the largest message accepted, in bytes; a larger one closes the connection (1009).
        ssl_context: TLS settings (default: `config.ssl_context`, else the system trust store with
            verification on); one that does not verify is logged as a warning on `kalshi.tls`.
        product: the channel table and message set (default `default_product`: `PREDICTION`).

    Raises:
        KalshiConfigError: a bad URL, URLs from two environments, or credentials bound for a host
            that is neither Kalshi's nor loopback (see `KalshiConfig.allow_custom_host`).
    """

    default_product: ClassVar[Product] = PREDICTION
    """The product a client of this class speaks when none is given (perps sets `PERPS`)."""

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
        product: Product | None = None,
    ) -> None:
        self.auth = auth
        self.config = config or KalshiConfig()
        self.product = product = product or self.default_product
        self.url = product.ws_url(self.config) if url is None else self._check_url(url)
        if auth is not None:
            check_signed_host(self.url, allow_custom_host=self.config.allow_custom_host, what="WebSocket handshake")
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
        self.ssl_context = ssl_context or self.config.ssl_context
        warn_if_unverified(self.ssl_context, "WebSocket")

    def _check_url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("wss", "ws") or not parts.hostname:
            raise KalshiConfigError(f"url: {url!r} is not a wss:// URL")
        if parts.scheme == "ws" and not is_loopback(parts.hostname):
            raise KalshiConfigError(f"url: plaintext ws:// is only allowed to a loopback host, got {url!r}")
        check_environments({"config.rest_url": self.config.rest_url, "url": url})
        return url

    @classmethod
    def from_env(cls, *, demo: bool | None = None, environ: Mapping[str, str] | None = None, **kwargs: Any) -> Self:
        """Build a client from environment variables, as the REST clients' `from_env`.

        Reads `KALSHI_KEY_ID` and `KALSHI_PRIVATE_KEY[_PATH]` (`KALSHI_PERPS_*` for perps), `DEMO`,
        `API_BASE_URL`, and `WS_URL`: a WebSocket server (e.g. a simulator), resolved like
        `KalshiConfig(ws_url=...)`.

        Args:
            demo: True selects the demo environment.
            environ: a mapping to read instead of `os.environ`.
            **kwargs: any other constructor argument (`config=` is the base the variables apply to).

        Raises:
            KalshiConfigError: credentials half set, or URLs from two environments.
        """
        product: Product = kwargs.get("product") or cls.default_product
        name: Literal["prediction", "perps"] = "perps" if product.name == "perps" else "prediction"
        env = os.environ if environ is None else environ
        creds = credentials_from_env(name, environ=env)
        config = creds.config(kwargs.pop("config", None))
        if demo and config.environment.name != "demo":
            config = config.replace(environment=get_environment(True))
        ws_url = env.get(("KALSHI_PERPS_" if name == "perps" else "KALSHI_") + "WS_URL", "").strip()
        if ws_url:
            config = config.replace(ws_url=ws_url)
        auth = kwargs.pop("auth", None) or creds.auth
        return cls(auth, config, **kwargs)

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
