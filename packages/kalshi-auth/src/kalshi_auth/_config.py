"""`KalshiConfig`: where to connect and how patiently, shared by the REST and WebSocket clients."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._endpoints import Endpoints, Product, resolve_endpoints
from ._environments import DEMO, PRODUCTION, Environment, check_environments, check_server_url
from ._errors import KalshiConfigError

__all__ = ["KalshiConfig", "check_extra_headers"]


class _Headers(Mapping[str, str]):
    """A read-only copy of caller headers (picklable, unlike `MappingProxyType`)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str]) -> None:
        self._items = dict(items)

    def __getitem__(self, name: str) -> str:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(self._items)


def check_extra_headers(headers: Mapping[str, str], field: str = "extra_headers") -> Mapping[str, str]:
    """Validate caller-supplied headers and return a read-only copy.

    Refuses any `KALSHI-ACCESS-*` name and `Authorization` in any letter case (the signer owns them),
    names given twice in different cases (one header line each), and non-string names or values.

    Raises:
        KalshiConfigError: naming the offending header.
    """
    seen: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise KalshiConfigError(
                f"{field}: header names and values must be str, got {name!r}: {type(value).__name__}"
            )
        low = name.lower()
        if low.startswith("kalshi-access-") or low == "authorization":
            raise KalshiConfigError(f"{field} may not set auth headers: {name}")
        if low in seen:
            raise KalshiConfigError(f"{field}: {seen[low]!r} and {name!r} are the same header")
        if "\r" in value or "\n" in value:
            raise KalshiConfigError(f"{field}: the value of {name!r} contains a line break")
        seen[low] = name
    return _Headers(headers)


@dataclass(frozen=True, slots=True)
class KalshiConfig:
    """Client settings; immutable, so one config can be shared by many clients.

    ```python
    config = KalshiConfig.demo(timeout=5.0, max_retries=2)
    client = KalshiClient(key_id=..., private_key_path=..., config=config)
    ```

    Args:
        environment: the endpoint table (`PRODUCTION`, `DEMO`, or a local simulator's).
        timeout: seconds per HTTP request (connect, read, write and pool each).
        max_retries: retries after the first attempt, for idempotent requests only.
        retry_base_delay: seconds; backoff is uniform(0, min(retry_max_delay, base * 2**attempt)).
        retry_max_delay: seconds; also caps a server's `Retry-After`.
        http2: use HTTP/2 (needs the `http2` extra).
        limits: an `httpx.Limits` for the connection pool, or None for httpx's defaults.
        extra_headers: sent on every request; may not set any `KALSHI-ACCESS-*` or
            `Authorization` header (in any letter case); read-only after construction.
        base_url: a REST server for every client (a simulator or a proxy): each product puts its
            own prefix on it (`/trade-api/v2`, or `/klear-api/v1` for Klear); see `endpoints()`.
        ws_url: a WebSocket server, likewise (`/trade-api/ws/v2`, `/trade-api/ws/v2/margin`).
        max_response_bytes: the largest successful REST body read (64 MiB by default); a bigger one
            is refused with a typed error instead of filling memory.
        retry_budget: seconds; when set, no retry starts once the call has spent this long in
            total (first attempt, waits and retries), whatever `max_retries` says.
        allow_custom_host: let signed requests go to a host that is neither Kalshi's nor loopback
            (also `KALSHI_ALLOW_CUSTOM_HOST=1`); off by default so credentials never go astray.
        rate_limiter: a client-side rate limiter (`kalshi_rest.RateLimiter`), shared by every
            client built from this config; None (the default) means no client-side limiting.
    """

    environment: Environment = PRODUCTION
    timeout: float = 10.0
    max_retries: int = 3
    retry_base_delay: float = 0.5
    retry_max_delay: float = 15.0
    http2: bool = False
    limits: Any = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    base_url: str | None = None
    ws_url: str | None = None
    rate_limiter: Any = None
    max_response_bytes: int = 64 * 1024 * 1024
    retry_budget: float | None = None
    allow_custom_host: bool = False

    def __post_init__(self) -> None:
        for name in ("timeout", "retry_base_delay", "retry_max_delay"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise KalshiConfigError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.timeout == 0:
            raise KalshiConfigError("timeout must be > 0")
        if isinstance(self.max_response_bytes, bool) or not isinstance(self.max_response_bytes, int):
            raise KalshiConfigError(f"max_response_bytes must be an int > 0, got {self.max_response_bytes!r}")
        if self.max_response_bytes <= 0:
            raise KalshiConfigError(f"max_response_bytes must be an int > 0, got {self.max_response_bytes!r}")
        budget = self.retry_budget
        if budget is not None and (
            isinstance(budget, bool) or not isinstance(budget, int | float) or not math.isfinite(budget) or budget <= 0
        ):
            raise KalshiConfigError(f"retry_budget must be None or a finite number of seconds > 0, got {budget!r}")
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise KalshiConfigError(f"max_retries must be an int >= 0, got {self.max_retries!r}")
        object.__setattr__(self, "extra_headers", check_extra_headers(self.extra_headers))
        if not isinstance(self.allow_custom_host, bool):
            raise KalshiConfigError(f"allow_custom_host must be a bool, got {self.allow_custom_host!r}")
        if self.base_url is not None:
            check_server_url("base_url", self.base_url, "https", ("/trade-api/v2", "/klear-api/v1"), bare=True)
        if self.ws_url is not None:
            check_server_url("ws_url", self.ws_url, "wss", ("/trade-api/ws/v2", "/trade-api/ws/v2/margin"), bare=True)
        urls = {f"environment.{name}": url for name, url in self.environment.table()}
        if self.base_url is not None:
            urls = {k: v for k, v in urls.items() if "REST" not in k} | {"base_url": self.base_url}
        if self.ws_url is not None:
            urls = {k: v for k, v in urls.items() if "WebSocket" not in k} | {"ws_url": self.ws_url}
        check_environments(urls)

    @classmethod
    def production(cls, **overrides: Any) -> KalshiConfig:
        """Settings for Kalshi production."""
        return cls(environment=PRODUCTION, **overrides)

    @classmethod
    def demo(cls, **overrides: Any) -> KalshiConfig:
        """Settings for Kalshi's demo environment."""
        return cls(environment=DEMO, **overrides)

    def endpoints(self, product: Product = "prediction") -> Endpoints:
        """Where `product`'s clients connect (REST, WebSocket, FIX): the one resolver every client uses."""
        return resolve_endpoints(self, product)

    @property
    def rest_url(self) -> str:
        """The prediction REST base URL in effect (ends with `/trade-api/v2`)."""
        return self.endpoints("prediction").rest_url

    @property
    def websocket_url(self) -> str:
        """The prediction WebSocket URL in effect."""
        ws = self.endpoints("prediction").ws_url
        assert ws is not None
        return ws

    def replace(self, **changes: Any) -> KalshiConfig:
        """Return a copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)
