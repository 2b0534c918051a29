"""`KlearClient` and `AsyncKlearClient`: the two faces over kalshi_rest's shared core, with bearer auth.

Everything but the auth scheme and the base URL is kalshi_rest's: the sans-I/O core builds each
request and runs the retry loop (GET only; POST/PUT/DELETE are never retried), the two drivers send,
errors map to the same classes, and cursor pages are `Page` / `AsyncPage`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from kalshi_auth import (
    DEMO,
    AuthRequiredError,
    KalshiConfig,
    KalshiConfigError,
    KlearCredentials,
    klear_credentials_from_env,
    parse_bool,
)
from kalshi_rest._core import Core
from kalshi_rest._operation import Operation
from kalshi_rest._options import RequestOptions
from kalshi_rest._pagination import AsyncPage, Page, iterate_pages, iterate_pages_async
from kalshi_rest._resource import Body
from kalshi_rest._response import APIResponse
from kalshi_rest._transport import drive_async, drive_sync

from ._auth import BearerAuth
from .resources._generated._mixins import AsyncResources, SyncResources

__all__ = ["AsyncKlearClient", "KlearClient"]

T = TypeVar("T")

_DEFAULT_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)
_ENV_HELP = (
    "build the client with admin_user_id and access_token, or use KlearClient.from_env() with "
    "KALSHI_KLEAR_ADMIN_USER_ID and KALSHI_KLEAR_ACCESS_TOKEN set"
)


def _resolve_credentials(
    admin_user_id: str | None, access_token: str | None, credentials: KlearCredentials | None
) -> KlearCredentials | None:
    if credentials is not None:
        if admin_user_id is not None or access_token is not None:
            raise KalshiConfigError("pass either credentials= or admin_user_id with access_token, not both")
        return credentials
    if admin_user_id is None and access_token is None:
        return None
    if admin_user_id is None or access_token is None:
        missing = "admin_user_id" if admin_user_id is None else "access_token"
        raise KalshiConfigError(f"Klear needs both admin_user_id and access_token; {missing} is missing")
    return KlearCredentials(admin_user_id=admin_user_id, access_token=access_token)


def _resolve_config(config: KalshiConfig | None, demo: bool | None) -> KalshiConfig:
    if config is None:
        return KalshiConfig.demo() if demo else KalshiConfig.production()
    return config.replace(environment=DEMO) if demo else config


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


class _KlearState:
    """What both faces hold: the config, the bearer signer and the core. No I/O."""

    _config: KalshiConfig
    _auth: BearerAuth | None
    _core: Core

    def _set_state(self, config: KalshiConfig, credentials: KlearCredentials | None) -> None:
        self._config = config
        self._auth = BearerAuth(credentials) if credentials is not None else None
        self._core = Core(config, self._auth, base_url=config.environment.klear_url)

    @property
    def config(self) -> KalshiConfig:
        """The settings in effect (immutable); the base URL is `config.environment.klear_url`."""
        return self._config

    @property
    def base_url(self) -> str:
        """The Klear base URL requests go to (ends with `/klear-api/v1`)."""
        return self._config.environment.klear_url.rstrip("/")

    @property
    def is_authenticated(self) -> bool:
        """True when the client holds Klear credentials (every Klear operation needs them)."""
        return self._auth is not None

    @property
    def admin_user_id(self) -> str | None:
        """The admin user ID the client authenticates as (the token is never exposed)."""
        return self._auth.admin_user_id if self._auth is not None else None

    def _check_auth(self, op: Operation[Any]) -> None:
        if op.auth == "required" and self._auth is None:
            raise AuthRequiredError(f"{op.operation_id} ({op.method} {op.path}) needs Klear credentials: {_ENV_HELP}")

    def _changed_config(self, changes: dict[str, Any]) -> KalshiConfig:
        extra = changes.get("extra_headers")
        if extra is not None:
            changes["extra_headers"] = {**self._config.extra_headers, **extra}
        return self._config.replace(**{k: v for k, v in changes.items() if v is not None})

    def __repr__(self) -> str:
        token = "'***'" if self._auth is not None else None
        user = self.admin_user_id
        return f"{type(self).__name__}(base_url={self.base_url!r}, admin_user_id={user!r}, access_token={token})"

    __str__ = __repr__


class KlearClient(SyncResources, _KlearState):
    """The Klear clearing-member API client (blocking).

    ```python
    with KlearClient(admin_user_id="...", access_token="...", demo=True) as klear:
        for obligation in klear.obligations.active().obligations:
            print(obligation.asset_class, obligation.amount_centicents)  # negative: payable to Klear
    ```

    Every request carries `Authorization: Bearer <admin_user_id>:<access_token>`; the token never
    appears in a repr, a log line or an exception. Without credentials every call raises
    `AuthRequiredError` before anything is sent. Money is integer centicents (1 USD = 10,000)
    except the fields typed `Decimal` (US dollars).

    Args:
        admin_user_id: the admin user ID from the "Security" page of klearing.kalshi.com.
        access_token: the access token generated there.
        credentials: a ready `KlearCredentials`, instead of the two above.
        demo: True selects the demo environment (overrides `config.environment`).
        config: timeouts, retries and the environment (`KalshiConfig`); the base URL is the
            environment's `klear_url` (use `Environment.with_overrides(klear_url=...)` to change it).
        transport: an `httpx.BaseTransport` to send through (`httpx.MockTransport`, a replay transport).
        http_client: a ready `httpx.Client` to share; the caller closes it.
    """

    def __init__(
        self,
        *,
        admin_user_id: str | None = None,
        access_token: str | None = None,
        credentials: KlearCredentials | None = None,
        demo: bool | None = None,
        config: KalshiConfig | None = None,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        config = _resolve_config(config, demo)
        self._set_state(config, _resolve_credentials(admin_user_id, access_token, credentials))
        if http_client is not None:
            if transport is not None:
                raise KalshiConfigError("pass transport= or http_client=, not both")
            self._http, self._owns_http = http_client, False
        else:
            with _http2_hint():
                self._http = httpx.Client(
                    transport=transport,
                    http2=config.http2,
                    limits=config.limits or _DEFAULT_LIMITS,
                    timeout=config.timeout,
                    follow_redirects=False,
                )
            self._owns_http = True
        self._sleep: Callable[[float], object] = time.sleep

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Build a client from `KALSHI_KLEAR_ADMIN_USER_ID` and `KALSHI_KLEAR_ACCESS_TOKEN`.

        `KALSHI_KLEAR_DEMO=1` selects demo and `KALSHI_KLEAR_API_BASE_URL` overrides the base URL
        (e.g. a local simulator). Neither credential variable set means an unauthenticated client.

        Args:
            **kwargs: any other constructor argument (`config`, `transport`, `demo`, ...), and
                `environ=` to read a mapping instead of `os.environ`.

        Raises:
            KalshiConfigError: only one of the two credential variables is set, or a value is invalid.
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
        """Return a client with some settings changed, sharing this one's connections and credentials."""
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
        clone._set_state(config, self._auth.credentials if self._auth is not None else None)
        clone._http, clone._owns_http, clone._sleep = self._http, False, self._sleep
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
        response = drive_sync(core.flow(call), self._http, self._sleep)
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
        response = drive_sync(core.flow(call), self._http, self._sleep)
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


class AsyncKlearClient(AsyncResources, _KlearState):
    """The Klear clearing-member API client for asyncio.

    ```python
    async with AsyncKlearClient.from_env() as klear:
        async for entry in klear.settlement.balance_history_all(max_pages=5):
            print(entry.created_ts, entry.balance_delta_centicents)
    ```

    Same arguments as `KlearClient`, with `transport` an `httpx.AsyncBaseTransport` and
    `http_client` an `httpx.AsyncClient`. Retry waits never block the loop.
    """

    def __init__(
        self,
        *,
        admin_user_id: str | None = None,
        access_token: str | None = None,
        credentials: KlearCredentials | None = None,
        demo: bool | None = None,
        config: KalshiConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        config = _resolve_config(config, demo)
        self._set_state(config, _resolve_credentials(admin_user_id, access_token, credentials))
        if http_client is not None:
            if transport is not None:
                raise KalshiConfigError("pass transport= or http_client=, not both")
            self._http, self._owns_http = http_client, False
        else:
            with _http2_hint():
                self._http = httpx.AsyncClient(
                    transport=transport,
                    http2=config.http2,
                    limits=config.limits or _DEFAULT_LIMITS,
                    timeout=config.timeout,
                    follow_redirects=False,
                )
            self._owns_http = True
        import asyncio  # here, not at module level: sync-only programs never pay for importing asyncio

        self._sleep: Callable[[float], Awaitable[object]] = asyncio.sleep

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Build a client from the `KALSHI_KLEAR_*` environment variables (see `KlearClient.from_env`)."""
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
        """Return a client with some settings changed, sharing this one's connections and credentials."""
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
        clone._set_state(config, self._auth.credentials if self._auth is not None else None)
        clone._http, clone._owns_http, clone._sleep = self._http, False, self._sleep
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
        response = await drive_async(core.flow(call), self._http, self._sleep)
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
        response = await drive_async(core.flow(call), self._http, self._sleep)
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


def _env_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    environ: Mapping[str, str] = kwargs.pop("environ", None) or os.environ
    credentials = klear_credentials_from_env(environ=environ)
    config: KalshiConfig | None = kwargs.pop("config", None)
    env_demo = parse_bool("KALSHI_KLEAR_DEMO", environ.get("KALSHI_KLEAR_DEMO"))
    base_url = (environ.get("KALSHI_KLEAR_API_BASE_URL") or "").strip()
    if config is None:
        config = KalshiConfig.demo() if env_demo else KalshiConfig.production()
    elif env_demo:
        config = config.replace(environment=DEMO)
    if base_url:
        config = config.replace(environment=config.environment.with_overrides(klear_url=base_url))
    has_explicit = any(k in kwargs for k in ("credentials", "admin_user_id", "access_token"))
    if credentials is not None and not has_explicit:
        kwargs["credentials"] = credentials
    return {"config": config, **kwargs}
