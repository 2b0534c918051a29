"""`RestProduct`: everything product-specific a REST client reads, declared once per product.

The client bases (`SyncAPIClient`, `AsyncAPIClient`) are shared by every product; a product's
client class names its `RestProduct` and adds its generated resources. The product says where
requests go (the key `kalshi_auth.resolve_endpoints` takes), which environment variables
`from_env` reads, how requests are authenticated, the connection pool, the rate-limit tiers and
which generated resources package holds its operation table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from kalshi_auth import Product, credentials_from_env

from ._operation import Operation
from ._ratelimit import RateLimiter

__all__ = ["AuthScheme", "EnvReader", "RestProduct", "signed_env"]

AuthScheme = Literal["signed", "bearer"]
"""`signed`: an RSA-PSS key signs every attempt (`KalshiAuth`); `bearer`: a fixed token header."""

EnvReader = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns `from_env(**kwargs)` into constructor arguments: reads credentials, demo flag and base URL."""


def signed_env(product: Literal["prediction", "perps"]) -> EnvReader:
    """The `from_env` reader of a signed-key product: `{prefix}_KEY_ID`, `_PRIVATE_KEY_PATH` (or
    `_PRIVATE_KEY`), `_DEMO` and `_API_BASE_URL`, as `kalshi_auth.credentials_from_env` reads them."""

    def read(kwargs: dict[str, Any]) -> dict[str, Any]:
        creds = credentials_from_env(product, environ=kwargs.pop("environ", None))
        config = creds.config(kwargs.pop("config", None))
        if creds.auth is not None and "auth" not in kwargs and "key_id" not in kwargs:
            kwargs["auth"] = creds.auth
        return {**kwargs, "config": config}

    return read


@dataclass(frozen=True, slots=True)
class RestProduct:
    """One REST product, declared: `PREDICTION_REST` (kalshi_rest), `PERPS_REST` (kalshi_perps),
    `KLEAR_REST` (kalshi_klear); a third party declares its own the same way.

    Attributes:
        endpoint: the product key of `kalshi_auth.resolve_endpoints` (`KalshiConfig.endpoints`):
            requests go to `config.endpoints(endpoint).rest_url`.
        resources: the generated resources package (`kalshi_perps.resources._generated`); its
            modules' `OPERATIONS` make the operation table.
        credentials_help: how to supply credentials, ending the `AuthRequiredError` of a private call.
        name: for messages (default: `endpoint`).
        env_prefix: the environment-variable prefix `from_env` reads (default `KALSHI` for
            prediction, else `KALSHI_<ENDPOINT>`).
        auth: the credential scheme, `signed` (default) or `bearer`.
        read_env: builds constructor arguments from the environment; default `signed_env(endpoint)`
            for a signed product, required otherwise.
        pool: the default connection pool (`KalshiConfig(limits=...)` overrides it).
        rate_limits: builds the client-side `RateLimiter` of a usage tier (`RateLimiter.for_tier`
            for prediction); None when the product publishes no bucket sizes.
    """

    endpoint: Product
    resources: str
    credentials_help: str
    name: str = ""
    env_prefix: str = ""
    auth: AuthScheme = "signed"
    read_env: EnvReader | None = None
    pool: httpx.Limits = field(default_factory=lambda: httpx.Limits(max_connections=100, max_keepalive_connections=20))
    rate_limits: Callable[[str], RateLimiter] | None = None

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.endpoint)
        if not self.env_prefix:
            object.__setattr__(
                self, "env_prefix", "KALSHI" if self.endpoint == "prediction" else f"KALSHI_{self.endpoint.upper()}"
            )
        if self.read_env is None:
            if self.auth != "signed" or self.endpoint not in ("prediction", "perps"):
                raise ValueError(f"RestProduct {self.name!r}: give read_env (how from_env finds its credentials)")
            object.__setattr__(self, "read_env", signed_env(self.endpoint))

    def env_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Constructor arguments for `from_env(**kwargs)` (the `read_env` reader's)."""
        assert self.read_env is not None  # set in __post_init__
        return self.read_env(kwargs)

    def rest_url(self, config: Any) -> str:
        """This product's REST base URL in `config` (a `KalshiConfig`), from the one resolver."""
        url: str = config.endpoints(self.endpoint).rest_url
        return url

    def operations(self) -> dict[str, Operation[Any]]:
        """The operation table: operationId -> `Operation`, imported from the generated resources."""
        index = importlib.import_module(self.resources)
        table: dict[str, Operation[Any]] = {}
        for resource in index.RESOURCE_CLASSES:
            table.update(importlib.import_module(f"{self.resources}.{resource}").OPERATIONS)
        return table

    def rate_limiter(self, tier: str) -> RateLimiter:
        """The default buckets of a usage tier, to put in `KalshiConfig(rate_limiter=...)`.

        Raises:
            ValueError: the tier is unknown, or the product publishes no bucket sizes.
        """
        if self.rate_limits is None:
            raise ValueError(f"{self.name} publishes no rate-limit buckets; build a RateLimiter(read=..., write=...)")
        return self.rate_limits(tier)


PREDICTION_REST = RestProduct(
    endpoint="prediction",
    resources="kalshi_rest.resources._generated",
    credentials_help="build the client with key_id and private_key_path (or KalshiClient.from_env())",
    rate_limits=RateLimiter.for_tier,
)
"""The prediction-markets REST API (specs/openapi.yaml)."""
