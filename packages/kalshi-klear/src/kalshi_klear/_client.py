"""`KlearClient` and `AsyncKlearClient`: kalshi_rest's client machinery with bearer auth.

Both faces sit on `SyncAPIClient` / `AsyncAPIClient`: the sans-I/O core builds each request and
runs the retry loop (GET only; POST/PUT/DELETE are never retried), the two drivers send, errors map
to the same classes, and cursor pages are `Page` / `AsyncPage`. What is Klear's own lives here: the
credentials and their bearer signer, the `klear_url` base URL, `from_env`, the credential check and
the redacted repr. `KLEAR_REST` declares the product: the resolver key, the `KALSHI_KLEAR_`
variables, the bearer scheme and the smaller default pool.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import httpx

from kalshi_auth import (
    DEMO,
    KalshiConfig,
    KalshiConfigError,
    KlearCredentials,
    klear_credentials_from_env,
    parse_bool,
)
from kalshi_rest.extension import AsyncAPIClient, ClientState, RestProduct, SyncAPIClient

from ._auth import BearerAuth
from .resources._generated._mixins import AsyncResources, SyncResources

__all__ = ["KLEAR_REST", "AsyncKlearClient", "KlearClient"]

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


def _env_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`from_env`: `KALSHI_KLEAR_ADMIN_USER_ID`, `KALSHI_KLEAR_ACCESS_TOKEN`, `KALSHI_KLEAR_DEMO=1` (demo)
    and `KALSHI_KLEAR_API_BASE_URL` (e.g. a local simulator); no credential variable means unauthenticated."""
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


KLEAR_REST = RestProduct(
    endpoint="klear",
    resources="kalshi_klear.resources._generated",
    credentials_help=_ENV_HELP,
    name="Klear",
    auth="bearer",
    read_env=_env_kwargs,
    pool=httpx.Limits(max_connections=20, max_keepalive_connections=10),
)
"""The Klear clearing-member API (specs/klear_openapi.yaml): `klear_url`, `KALSHI_KLEAR_*`, bearer token."""


_RSA_ARGS = frozenset({"auth", "key_id", "private_key_path", "private_key", "password"})


class _KlearState(ClientState):
    """What both Klear faces add to kalshi_rest's client: bearer credentials, the user ID, a redacted repr."""

    product = KLEAR_REST
    hidden_init_args = _RSA_ARGS
    _auth: BearerAuth | None

    def __init__(
        self,
        *,
        admin_user_id: str | None = None,
        access_token: str | None = None,
        credentials: KlearCredentials | None = None,
        **kwargs: Any,
    ) -> None:
        rsa = sorted(_RSA_ARGS & kwargs.keys())
        if rsa:
            raise TypeError(f"{type(self).__name__} takes admin_user_id and access_token, not {', '.join(rsa)}")
        # The next class in the MRO is SyncAPIClient or AsyncAPIClient, which take `auth`.
        super().__init__(auth=_bearer(admin_user_id, access_token, credentials), **kwargs)  # type: ignore[call-arg]

    @property
    def admin_user_id(self) -> str | None:
        """The admin user ID the client authenticates as (the token is never exposed)."""
        return self._auth.admin_user_id if self._auth is not None else None

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
