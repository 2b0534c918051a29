"""`KlearClient` and `AsyncKlearClient`: kalshi_rest's client machinery with bearer auth.

Both faces sit on `SyncAPIClient` / `AsyncAPIClient`: the sans-I/O core builds each request and
runs the retry loop (GET only; POST/PUT/DELETE are never retried), the two drivers send, errors map
to the same classes, and cursor pages are `Page` / `AsyncPage`. What is Klear's own lives here: the
credentials and their bearer signer, the `klear_url` base URL, `from_env`, the credential check and
the redacted repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar, Self

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
from kalshi_rest import EventHooks
from kalshi_rest._client import AsyncAPIClient, SyncAPIClient, _ClientState
from kalshi_rest._operation import Operation

from ._auth import BearerAuth
from .resources._generated._mixins import AsyncResources, SyncResources

__all__ = ["AsyncKlearClient", "KlearClient"]

_ENV_HELP = (
    "build the client with admin_user_id and access_token, or use KlearClient.from_env() with "
    "KALSHI_KLEAR_ADMIN_USER_ID and KALSHI_KLEAR_ACCESS_TOKEN set"
)


def _bearer(
    admin_user_id: str | None, access_token: str | None, credentials: KlearCredentials | None
) -> BearerAuth | None:
    """The signer for the constructor's credential arguments, or None for an unauthenticated client."""
    if credentials is not None:
        if admin_user_id is not None or access_token is not None:
            raise KalshiConfigError("pass either credentials= or admin_user_id with access_token, not both")
        return BearerAuth(credentials)
    if admin_user_id is None and access_token is None:
        return None
    if admin_user_id is None or access_token is None:
        missing = "admin_user_id" if admin_user_id is None else "access_token"
        raise KalshiConfigError(f"Klear needs both admin_user_id and access_token; {missing} is missing")
    return BearerAuth(KlearCredentials(admin_user_id=admin_user_id, access_token=access_token))


class _KlearState(_ClientState):
    """What both Klear faces add to kalshi_rest's state: bearer auth, the Klear URL, a redacted repr."""

    _auth: BearerAuth | None
    _default_limits: ClassVar[httpx.Limits] = httpx.Limits(max_connections=20, max_keepalive_connections=10)

    _product = "klear"

    @property
    def admin_user_id(self) -> str | None:
        """The admin user ID the client authenticates as (the token is never exposed)."""
        return self._auth.admin_user_id if self._auth is not None else None

    def _check_auth(self, op: Operation[Any]) -> None:
        if op.auth == "required" and self._auth is None:
            raise AuthRequiredError(f"{op.operation_id} ({op.method} {op.path}) needs Klear credentials: {_ENV_HELP}")

    def __repr__(self) -> str:
        token = "'***'" if self._auth is not None else None
        user = self.admin_user_id
        return f"{type(self).__name__}(base_url={self.base_url!r}, admin_user_id={user!r}, access_token={token})"

    __str__ = __repr__


class KlearClient(SyncResources, _KlearState, SyncAPIClient):
    """The Klear clearing-member API client (blocking).

    ```python
    with KlearClient(admin_user_id="...", access_token="...", demo=True) as klear:
        for obligation in klear.obligations.active().obligations:
            print(obligation.asset_class, obligation.amount_centicents)  # negative: payable to Klear
    ```

    Every request carries `Authorization: Bearer <admin_user_id>:<access_token>`; the token never
    appears in a repr, a log line or an exception. Without credentials every call raises
    `AuthRequiredError` before anything is sent. Money is integer centicents (1 USD = 10,000)
    except the fields typed `Decimal` (US dollars). `with_options()`, `close()` and the context
    manager are kalshi_rest's.

    Args:
        admin_user_id: the admin user ID from the "Security" page of klearing.kalshi.com.
        access_token: the access token generated there.
        credentials: a ready `KlearCredentials`, instead of the two above.
        demo: True selects the demo environment (overrides `config.environment`).
        config: timeouts, retries and the environment (`KalshiConfig`); requests go to
            `config.endpoints("klear").rest_url`: the environment's `klear_url`, or `/klear-api/v1`
            on the server `config.base_url` names.
        transport: an `httpx.BaseTransport` to send through (`httpx.MockTransport`, a replay transport).
        http_client: a ready `httpx.Client` to share; the caller closes it.
        event_hooks: `{"request": [fn], "response": [fn]}` per attempt (see `kalshi_rest.EventHooks`).
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
        event_hooks: EventHooks | None = None,
    ) -> None:
        auth = _bearer(admin_user_id, access_token, credentials)
        super().__init__(
            auth=auth, demo=demo, config=config, transport=transport, http_client=http_client, event_hooks=event_hooks
        )

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


class AsyncKlearClient(AsyncResources, _KlearState, AsyncAPIClient):
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
        event_hooks: EventHooks | None = None,
    ) -> None:
        auth = _bearer(admin_user_id, access_token, credentials)
        super().__init__(
            auth=auth, demo=demo, config=config, transport=transport, http_client=http_client, event_hooks=event_hooks
        )

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Build a client from the `KALSHI_KLEAR_*` environment variables (see `KlearClient.from_env`)."""
        return cls(**_env_kwargs(kwargs))


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
        config = config.replace(base_url=base_url)
    has_explicit = any(k in kwargs for k in ("credentials", "admin_user_id", "access_token"))
    if credentials is not None and not has_explicit:
        kwargs["credentials"] = credentials
    return {"config": config, **kwargs}
