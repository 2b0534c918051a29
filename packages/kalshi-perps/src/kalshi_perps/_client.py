"""`PerpsClient` and `AsyncPerpsClient`: the perps (margin) REST API on kalshi_rest's client machinery.

Both faces are kalshi_rest's `SyncAPIClient` / `AsyncAPIClient` (signing, retry, error mapping,
pagination, rate limiting) with the perps resources and `PERPS_REST`, the product declaration.
"""

from __future__ import annotations

from kalshi_rest.extension import AsyncAPIClient, RestProduct, SyncAPIClient

from .resources._generated._mixins import AsyncResources, SyncResources

__all__ = ["PERPS_REST", "AsyncPerpsClient", "PerpsClient"]

PERPS_REST = RestProduct(
    endpoint="perps",
    resources="kalshi_perps.resources._generated",
    credentials_help="build the client with key_id and private_key_path (or PerpsClient.from_env())",
)
"""The perps REST API (specs/perps_openapi.yaml): `perps_rest_url`, `KALSHI_PERPS_*`, RSA-signed.

(`kalshi_perps.PERPS` is the WebSocket product.)"""


class PerpsClient(SyncResources, SyncAPIClient):
    """The Kalshi perps (margin) REST client (blocking).

    ```python
    with PerpsClient.from_env(demo=True) as perps:
        for market in perps.markets.list(status="active"):
            print(market.ticker, market.bid, market.ask)
    ```

    Requests go to `config.endpoints("perps").rest_url` (the environment's `perps_rest_url`, or
    `config.base_url` as a server) and are signed like prediction requests. Arguments as for
    `kalshi_rest.KalshiClient`: `key_id` with `private_key_path` or `private_key`, or `auth`;
    `demo`; `config`; `transport`; `http_client`. `from_env()` reads `KALSHI_PERPS_KEY_ID`,
    `KALSHI_PERPS_PRIVATE_KEY_PATH` (or `KALSHI_PERPS_PRIVATE_KEY`), `KALSHI_PERPS_DEMO` and
    `KALSHI_PERPS_API_BASE_URL`.
    """

    product = PERPS_REST


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

    product = PERPS_REST
