"""`KalshiConfig`: where to connect and how patiently, shared by the REST and WebSocket clients."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._environments import DEMO, PRODUCTION, Environment, _check_url
from ._errors import KalshiConfigError
from ._signer import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

__all__ = ["KalshiConfig"]

_PROTECTED_HEADERS = frozenset(h.lower() for h in (KEY_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER, "authorization"))


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
        extra_headers: sent on every request; may not override the `KALSHI-ACCESS-*` or
            `Authorization` headers.
        base_url: overrides `environment.rest_url` (e.g. a simulator or a proxy).
        ws_url: overrides `environment.ws_url`.
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

    def __post_init__(self) -> None:
        for name in ("timeout", "retry_base_delay", "retry_max_delay"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise KalshiConfigError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.timeout == 0:
            raise KalshiConfigError("timeout must be > 0")
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise KalshiConfigError(f"max_retries must be an int >= 0, got {self.max_retries!r}")
        clash = sorted(h for h in self.extra_headers if h.lower() in _PROTECTED_HEADERS)
        if clash:
            raise KalshiConfigError(f"extra_headers may not set auth headers: {', '.join(clash)}")
        if self.base_url is not None:
            _check_url("base_url", self.base_url, "https", "/trade-api/v2")
        if self.ws_url is not None:
            _check_url("ws_url", self.ws_url, "wss", "/trade-api/ws/v2")

    @classmethod
    def production(cls, **overrides: Any) -> KalshiConfig:
        """Settings for Kalshi production."""
        return cls(environment=PRODUCTION, **overrides)

    @classmethod
    def demo(cls, **overrides: Any) -> KalshiConfig:
        """Settings for Kalshi's demo environment."""
        return cls(environment=DEMO, **overrides)

    @property
    def rest_url(self) -> str:
        """The prediction REST base URL in effect (ends with `/trade-api/v2`)."""
        return (self.base_url or self.environment.rest_url).rstrip("/")

    @property
    def websocket_url(self) -> str:
        """The prediction WebSocket URL in effect."""
        return self.ws_url or self.environment.ws_url

    def replace(self, **changes: Any) -> KalshiConfig:
        """Return a copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)
