"""`KalshiClient` and `AsyncKalshiClient`: the two faces over one core."""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import httpx

from kalshi_auth import DEMO, KalshiAuth, KalshiConfig, KalshiConfigError, PrivateKey, Product, credentials_from_env

from ._core import Core, RequestSigner
from ._operation import Operation
from ._options import EventHooks, RequestOptions, check_event_hooks
from ._pagination import AsyncPage, Page, iterate_pages, iterate_pages_async
from ._resource import AsyncClientCore, Body, SyncClientCore
from ._response import APIResponse
from ._transport import drive_async, drive_sync
from .resources._generated._mixins import AsyncResources, SyncResources

__all__ = ["AsyncAPIClient", "AsyncKalshiClient", "KalshiClient", "SyncAPIClient"]

T = TypeVar("T")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)

_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def _resolve_auth(
    key_id: str | None,
    private_key_path: str | os.PathLike[str] | None,
    private_key: str | bytes | PrivateKey | None,
    password: str | bytes | None,
    auth: RequestSigner | None,
) -> RequestSigner | None:
    if auth is not None:
        if key_id is not None or private_key_path is not None or private_key is not None:
            raise KalshiConfigError("pass either auth= or key_id with a private key, not both")
        return auth
    if key_id is None and private_key_path is None and private_key is None:
        return None
    if private_key_path is not None and private_key is not None:
        raise KalshiConfigError("pass only one of private_key_path and private_key, not both")
    if key_id is None:
        raise KalshiConfigError("a private key was given without key_id")
    if private_key_path is not None:
        return KalshiAuth.from_key_path(key_id, private_key_path, password=password)
    if private_key is None:
        raise KalshiConfigError("key_id was given without private_key_path or private_key")
    if isinstance(private_key, str | bytes):
        return KalshiAuth.from_pem(key_id, private_key, password=password)
    return KalshiAuth(key_id, private_key)


def _resolve_config(config: KalshiConfig | None, demo: bool | None) -> KalshiConfig:
    if config is None:
        return KalshiConfig.demo() if demo else KalshiConfig.production()
    if demo:
        return config.replace(environment=DEMO)
    return config


@contextlib.contextmanager
def _http2_hint() -> Iterator[None]:
    try:
        yield
    except ImportError as exc:
        raise KalshiConfigError(
            "KalshiConfig(http2=True) needs the h2 package: pip install 'kalshi-rest[http2]'"
        ) from exc


def _plain(options: RequestOptions | None) -> RequestOptions | None:
    """The options for follow-up pages: never raw."""
    if options is None or not options.raw:
        return options
    return RequestOptions(timeout=options.timeout, extra_headers=options.extra_headers, max_retries=options.max_retries)


class _ClientState:
    """What both faces hold: the config, the signer and the core. No I/O.

    Product clients adapt it through three hooks: `_product` (which of the config's resolved
    endpoints requests go to, `KalshiConfig.endpoints`), `_check_auth` (a product-worded
    `AuthRequiredError`) and `_default_limits` (the connection pool size).
    """

    _product: ClassVar[Product] = "prediction"

    _config: KalshiConfig
    _auth: RequestSigner | None
    _core: Core
    _owns_http: bool
    _hooks: dict[str, tuple[Callable[[Any], Any], ...]]
    _default_limits: ClassVar[httpx.Limits] = _DEFAULT_LIMITS

    def _set_state(self, config: KalshiConfig, auth: RequestSigner | None) -> None:
        self._config = config
        self._auth = auth
        self._core = Core(config, auth, base_url=self._rest_url(config))

    def _rest_url(self, config: KalshiConfig) -> str:
        """The base URL of this client's API, from the one resolver (`KalshiConfig.endpoints`)."""
        return config.endpoints(self._product).rest_url

    def _connect(
        self,
        config: KalshiConfig,
        auth: RequestSigner | None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
        http_client: H | None,
        factory: Callable[..., H],
    ) -> H:
        """Set the state, then adopt `http_client` or build an owned pool with `factory` (either face's)."""
        self._set_state(config, auth)
        if http_client is not None:
            if transport is not None:
                raise KalshiConfigError("pass transport= or http_client=, not both")
            self._owns_http = False
            return http_client
        with _http2_hint():
            http = factory(
                transport=transport,
                http2=config.http2,
                limits=config.limits or self._default_limits,
                timeout=config.timeout,
                follow_redirects=False,
            )
        self._owns_http = True
        return http

    def _check_auth(self, op: Operation[Any]) -> None:
        """Runs before each call is built; the core's own check (prediction wording) follows it.

        A product client overrides it to raise `AuthRequiredError` naming its own credentials.
        """

    @property
    def config(self) -> KalshiConfig:
        """The settings in effect (immutable)."""
        return self._config

    @property
    def is_authenticated(self) -> bool:
        """True when the client holds credentials and signs its requests."""
        return self._auth is not None

    @property
    def base_url(self) -> str:
        """The REST base URL requests go to (`KalshiClient`'s ends with `/trade-api/v2`)."""
        return self._rest_url(self._config).rstrip("/")

    def _changed_config(self, changes: dict[str, Any]) -> KalshiConfig:
        extra = changes.get("extra_headers")
        if extra is not None:
            changes["extra_headers"] = {**self._config.extra_headers, **extra}
        return self._config.replace(**{k: v for k, v in changes.items() if v is not None})

    def __repr__(self) -> str:
        key_id = getattr(self._auth, "key_id", None)  # an RSA signer's; other schemes override __repr__
        key = f"{key_id[:8]}…" if isinstance(key_id, str) else None
        return f"{type(self).__name__}(base_url={self.base_url!r}, key_id={key!r})"


class SyncAPIClient(_ClientState, SyncClientCore):
    """The blocking client machinery, without resources.

    `KalshiClient` adds the prediction resources to it; other products' clients (`PerpsClient`) add
    theirs and override `_rest_url`. Arguments as for `KalshiClient`; `auth` may be any
    `RequestSigner` (`kalshi_rest._core`), so a client with another credential scheme (`KlearClient`'s
    bearer token) takes its own arguments and passes its signer as `auth`.
    """

    def __init__(
        self,
        *,
        key_id: str | None = None,
        private_key_path: str | os.PathLike[str] | None = None,
        private_key: str | bytes | PrivateKey | None = None,
        password: str | bytes | None = None,
        auth: RequestSigner | None = None,
        demo: bool | None = None,
        config: KalshiConfig | None = None,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        event_hooks: EventHooks | None = None,
    ) -> None:
        config = _resolve_config(config, demo)
        signer = _resolve_auth(key_id, private_key_path, private_key, password, auth)
        self._hooks = check_event_hooks(event_hooks)
        self._http = self._connect(config, signer, transport, http_client, httpx.Client)
        self._sleep: Callable[[float], object] = time.sleep

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Build a client from `KALSHI_KEY_ID`, `KALSHI_PRIVATE_KEY_PATH` (or `KALSHI_PRIVATE_KEY`),
        `KALSHI_DEMO` and `KALSHI_API_BASE_URL`; no key variables at all means unauthenticated.

        Args:
            **kwargs: any other constructor argument (`config`, `transport`, `demo`, ...), and
                `environ=` to read a mapping instead of `os.environ`. Explicit `demo=True` or a
                `KALSHI_DEMO`/`KALSHI_API_BASE_URL` variable overrides `config`'s environment.

        Raises:
            KalshiConfigError: credentials are half set.
            KalshiKeyError: the key cannot be loaded.
        """
        return cls(**_env_kwargs(kwargs))

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_base_delay: float | None = None,
        retry_max_delay: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Self:
        """Return a client with some settings changed, sharing this one's connections and key.

        ```python
        client.with_options(timeout=2.0, max_retries=0).markets.get("TICKER")
        ```
        """
        config = self._changed_config(
            {
                "timeout": timeout,
                "max_retries": max_retries,
                "retry_base_delay": retry_base_delay,
                "retry_max_delay": retry_max_delay,
                "extra_headers": extra_headers,
            }
        )
        clone = type(self).__new__(type(self))
        clone._set_state(config, self._auth)
        clone._http, clone._owns_http, clone._sleep, clone._hooks = self._http, False, self._sleep, self._hooks
        return clone

    copy = with_options

    def _request(
        self,
        op: Operation[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Body = None,
        options: RequestOptions | None = None,
    ) -> T:
        self._check_auth(op)
        core = self._core
        call = core.prepare(op, path, query, body, options)
        response = drive_sync(core.flow(call), self._http, self._sleep, self._hooks)
        if call.raw:
            return APIResponse(response, functools.partial(core.parse, op))  # type: ignore[return-value]
        return core.parse(op, response)

    def _page(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
    ) -> Page[Any]:
        self._check_auth(op)
        core = self._core
        call = core.prepare(op, path, query, None, options)
        response = drive_sync(core.flow(call), self._http, self._sleep, self._hooks)
        follow = _plain(options)

        def fetch(cursor: str) -> Page[Any]:
            return self._page(op, path=path, query={**(query or {}), "cursor": cursor}, options=follow)

        def build(resp: httpx.Response) -> Page[Any]:
            model = core.parse(op, resp)
            items, cursor = core.page_parts(op, model)
            return Page(items, cursor, model, fetch)

        if call.raw:
            return APIResponse(response, build)  # type: ignore[return-value]
        return build(response)

    def _iterate(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        max_pages: int | None = None,
    ) -> Iterator[Any]:
        follow = _plain(options)
        return iterate_pages(lambda: self._page(op, path=path, query=query, options=follow), max_pages)

    def close(self) -> None:
        """Close the connection pool (unless it was passed in as `http_client`)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class KalshiClient(SyncResources, SyncAPIClient):
    """The Kalshi prediction-markets REST client (blocking).

    ```python
    with KalshiClient(key_id="...", private_key_path="~/.kalshi/private_key.pem", demo=True) as client:
        for market in client.markets.list(status="open", limit=10):
            print(market.ticker, market.yes_bid_dollars)
    ```

    Without credentials only public endpoints work; private ones raise `AuthRequiredError` before
    anything is sent.

    Args:
        key_id: the API key ID.
        private_key_path: path to the PEM private key (`~` expanded).
        private_key: the PEM text/bytes, or a loaded RSA / Ed25519 key, instead of a path.
        password: the PEM password, if the key is encrypted.
        auth: a ready `KalshiAuth` (or any signer with `headers(method, path)`), instead of the three above.
        demo: True selects the demo environment (overrides `config.environment`).
        config: timeouts, retries, base URL, rate limiter and more (`KalshiConfig`).
        transport: an `httpx.BaseTransport` to send through (`httpx.MockTransport`, a replay transport).
        http_client: a ready `httpx.Client` to share; the caller closes it.
        event_hooks: `{"request": [fn], "response": [fn]}`, called with every attempt's
            `httpx.Request` and `httpx.Response` (tracing, metrics); see `kalshi_rest.EventHooks`.
    """


class AsyncAPIClient(_ClientState, AsyncClientCore):
    """The asyncio client machinery, without resources (see `SyncAPIClient`)."""

    def __init__(
        self,
        *,
        key_id: str | None = None,
        private_key_path: str | os.PathLike[str] | None = None,
        private_key: str | bytes | PrivateKey | None = None,
        password: str | bytes | None = None,
        auth: RequestSigner | None = None,
        demo: bool | None = None,
        config: KalshiConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        event_hooks: EventHooks | None = None,
    ) -> None:
        config = _resolve_config(config, demo)
        signer = _resolve_auth(key_id, private_key_path, private_key, password, auth)
        self._hooks = check_event_hooks(event_hooks)
        self._http = self._connect(config, signer, transport, http_client, httpx.AsyncClient)
        import asyncio  # here, not at module level: sync-only programs never pay for importing asyncio

        self._sleep: Callable[[float], Awaitable[object]] = asyncio.sleep

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Build a client from the `KALSHI_*` environment variables (see `KalshiClient.from_env`)."""
        return cls(**_env_kwargs(kwargs))

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry_base_delay: float | None = None,
        retry_max_delay: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Self:
        """Return a client with some settings changed, sharing this one's connections and key."""
        config = self._changed_config(
            {
                "timeout": timeout,
                "max_retries": max_retries,
                "retry_base_delay": retry_base_delay,
                "retry_max_delay": retry_max_delay,
                "extra_headers": extra_headers,
            }
        )
        clone = type(self).__new__(type(self))
        clone._set_state(config, self._auth)
        clone._http, clone._owns_http, clone._sleep, clone._hooks = self._http, False, self._sleep, self._hooks
        return clone

    copy = with_options

    async def _request(
        self,
        op: Operation[T],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: Body = None,
        options: RequestOptions | None = None,
    ) -> T:
        self._check_auth(op)
        core = self._core
        call = core.prepare(op, path, query, body, options)
        response = await drive_async(core.flow(call), self._http, self._sleep, self._hooks)
        if call.raw:
            return APIResponse(response, functools.partial(core.parse, op))  # type: ignore[return-value]
        return core.parse(op, response)

    async def _page(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPage[Any]:
        self._check_auth(op)
        core = self._core
        call = core.prepare(op, path, query, None, options)
        response = await drive_async(core.flow(call), self._http, self._sleep, self._hooks)
        follow = _plain(options)

        async def fetch(cursor: str) -> AsyncPage[Any]:
            return await self._page(op, path=path, query={**(query or {}), "cursor": cursor}, options=follow)

        def build(resp: httpx.Response) -> AsyncPage[Any]:
            model = core.parse(op, resp)
            items, cursor = core.page_parts(op, model)
            return AsyncPage(items, cursor, model, fetch)

        if call.raw:
            return APIResponse(response, build)  # type: ignore[return-value]
        return build(response)

    def _iterate(
        self,
        op: Operation[Any],
        *,
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        options: RequestOptions | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[Any]:
        follow = _plain(options)
        return iterate_pages_async(lambda: self._page(op, path=path, query=query, options=follow), max_pages)

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in as `http_client`)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class AsyncKalshiClient(AsyncResources, AsyncAPIClient):
    """The Kalshi prediction-markets REST client for asyncio.

    ```python
    async with AsyncKalshiClient.from_env() as client:
        async for market in client.markets.list_all(status="open", max_pages=5):
            print(market.ticker)
    ```

    Same arguments as `KalshiClient`, with `transport` an `httpx.AsyncBaseTransport` and
    `http_client` an `httpx.AsyncClient`. Waits (retries, rate limiting) never block the loop.
    """


def env_kwargs(product: Product, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments from the `KALSHI_*` (or `KALSHI_PERPS_*`) variables, merged into `kwargs`."""
    creds = credentials_from_env("perps" if product == "perps" else "prediction", environ=kwargs.pop("environ", None))
    config = creds.config(kwargs.pop("config", None))
    if creds.auth is not None and "auth" not in kwargs and "key_id" not in kwargs:
        kwargs["auth"] = creds.auth
    return {**kwargs, "config": config}


def _env_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return env_kwargs("prediction", kwargs)
