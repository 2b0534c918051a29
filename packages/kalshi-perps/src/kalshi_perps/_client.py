"""`PerpsClient` and `AsyncPerpsClient`: the perps (margin) REST API on the kalshi-rest machinery.

Both faces reuse kalshi_rest's sans-I/O core (signing, retry, error mapping, pagination, rate
limiting) through `SyncAPIClient` / `AsyncAPIClient`; only the resources and the base URL differ.
"""

from __future__ import annotations

from typing import Any, Self

from kalshi_rest._client import AsyncAPIClient, SyncAPIClient, env_kwargs

from .resources._generated._mixins import AsyncResources, SyncResources

__all__ = ["AsyncPerpsClient", "PerpsClient"]


class PerpsClient(SyncResources, SyncAPIClient):
    """The Kalshi perps (margin) REST client (blocking).

    ```python
    with PerpsClient.from_env(demo=True) as perps:
        for market in perps.markets.list(status="active"):
            print(market.ticker, market.bid, market.ask)
    ```

    Requests go to `config.endpoints("perps").rest_url` (the environment's `perps_rest_url`, or
    `config.base_url` as a server) and are signed like
    prediction requests. Arguments as for `kalshi_rest.KalshiClient`: `key_id` with
    `private_key_path` or `private_key`, or `auth`; `demo`; `config`; `transport`; `http_client`.
    """

    _product = "perps"

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Build a client from `KALSHI_PERPS_KEY_ID`, `KALSHI_PERPS_PRIVATE_KEY_PATH` (or
        `KALSHI_PERPS_PRIVATE_KEY`), `KALSHI_PERPS_DEMO` and `KALSHI_PERPS_API_BASE_URL`; no key
        variables at all means unauthenticated (public endpoints only).

        Args:
            **kwargs: any other constructor argument (`demo=True`, `config`, `transport`, ...), and
                `environ=` to read a mapping instead of `os.environ`.

        Raises:
            KalshiConfigError: credentials are half set.
            KalshiKeyError: the key cannot be loaded.
        """
        return cls(**env_kwargs("perps", kwargs))


class AsyncPerpsClient(AsyncResources, AsyncAPIClient):
    """The Kalshi perps (margin) REST client for asyncio.

    ```python
    async with AsyncPerpsClient.from_env(demo=True) as perps:
        async for order in perps.orders.list_all():
            print(order.order_id, order.price, order.remaining_count)
    ```

    Same arguments as `PerpsClient`, with `transport` an `httpx.AsyncBaseTransport` and
    `http_client` an `httpx.AsyncClient`.
    """

    _product = "perps"

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """Build a client from the `KALSHI_PERPS_*` environment variables (see `PerpsClient.from_env`)."""
        return cls(**env_kwargs("perps", kwargs))
