"""The one URL resolver: every product's REST, WebSocket and FIX addresses, and which hosts may be signed for.

```python
from kalshi_auth import KalshiConfig, resolve_endpoints

ends = resolve_endpoints(KalshiConfig.demo(), "perps")
ends.rest_url  # https://external-api.demo.kalshi.co/trade-api/v2
ends.ws_url    # wss://external-api-margin-ws.demo.kalshi.co/trade-api/ws/v2/margin
```

`KalshiConfig(base_url=...)` names a *server*, not one product's API: every client finds its own
API root on it (`/trade-api/v2` for prediction and perps, `/klear-api/v1` for Klear), and
`ws_url=` likewise (`/trade-api/ws/v2`, `/trade-api/ws/v2/margin`). Hosts come from
docs.kalshi.com/getting_started/api_environments and docs.kalshi.com/margin.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit, urlunsplit

from ._environments import (
    DEMO_HOSTS,
    PRODUCTION_HOSTS,
    Environment,
    FixEndpoint,
    FixSessionType,
    host_environment,
)
from ._errors import KalshiConfigError

if TYPE_CHECKING:
    from ._config import KalshiConfig

__all__ = [
    "ALLOW_CUSTOM_HOST_ENV",
    "Endpoints",
    "Product",
    "check_signed_host",
    "resolve_endpoints",
]

Product = Literal["prediction", "perps", "klear"]

ALLOW_CUSTOM_HOST_ENV = "KALSHI_ALLOW_CUSTOM_HOST"
"""Set to exactly `1` to let signed requests go to a host that is neither Kalshi's nor loopback."""

_REST_PREFIX: dict[str, str] = {"prediction": "/trade-api/v2", "perps": "/trade-api/v2", "klear": "/klear-api/v1"}
_WS_PREFIX: dict[str, str] = {"prediction": "/trade-api/ws/v2", "perps": "/trade-api/ws/v2/margin"}
_REST_PREFIXES = ("/trade-api/v2", "/klear-api/v1")
_WS_PREFIXES = ("/trade-api/ws/v2/margin", "/trade-api/ws/v2")


def check_signed_host(
    url: str, *, allow_custom_host: bool = False, environ: Mapping[str, str] | None = None, what: str = "request"
) -> None:
    """Refuse to send credentials to a host that is neither Kalshi's nor loopback, unless the caller opted in.

    Args:
        url: where the signed request (or WebSocket handshake) goes.
        allow_custom_host: the caller's opt-in (`KalshiConfig(allow_custom_host=True)`).
        environ: where to read `KALSHI_ALLOW_CUSTOM_HOST` (default `os.environ`); it counts only when exactly `1`.
        what: names the request in the message.

    Raises:
        KalshiConfigError: the host is unknown and nobody opted in; the message lists the known hosts.
    """
    host = urlsplit(url).hostname or ""
    if host_environment(host) is not None or allow_custom_host:
        return
    env = os.environ if environ is None else environ
    if env.get(ALLOW_CUSTOM_HOST_ENV) == "1":
        return
    known = ", ".join(sorted(PRODUCTION_HOSTS | DEMO_HOSTS))
    raise KalshiConfigError(
        f"refusing to send a signed {what} to {host!r}: not a Kalshi host or loopback. Known hosts: {known}. "
        f"Pass KalshiConfig(allow_custom_host=True) or set {ALLOW_CUSTOM_HOST_ENV}=1 to allow it"
    )


def _rebase(url: str, known: Iterable[str], prefix: str) -> str:
    """Replace a server URL's known API prefix (or none) with `prefix`."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    for candidate in known:
        if path.endswith(candidate):
            path = path[: -len(candidate)]
            break
    return urlunsplit((parts.scheme, parts.netloc, path + prefix, "", ""))


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where one product's clients connect, as resolved from a config."""

    product: Product
    rest_url: str
    """The REST base URL, without a trailing slash."""
    ws_url: str | None
    """The WebSocket URL; None for Klear, which has no WebSocket."""
    environment: Environment
    """The environment the URLs came from (for FIX endpoints and display)."""

    def fix_endpoint(self, session: FixSessionType) -> FixEndpoint:
        """Host, port and TargetCompID of a FIX session (the margin gateway for perps).

        Raises:
            KalshiConfigError: Klear has no FIX gateway, or the margin gateway has no such session.
        """
        if self.product == "klear":
            raise KalshiConfigError("Klear has no FIX gateway")
        return self.environment.fix_endpoint(session, margin=self.product == "perps")


def resolve_endpoints(config: KalshiConfig, product: Product = "prediction") -> Endpoints:
    """Resolve a product's REST and WebSocket URLs from a config (its environment and overrides).

    `config.base_url` and `config.ws_url` name a server; the product's API prefix is put on them.
    The config was checked on construction (scheme, prefix, no production/demo mix).

    Raises:
        KalshiConfigError: `product` is not prediction, perps or klear.
    """
    if product not in _REST_PREFIX:
        raise KalshiConfigError(f"unknown product {product!r}; expected prediction, perps or klear")
    env = config.environment
    rest = {"prediction": env.rest_url, "perps": env.perps_rest_url, "klear": env.klear_url}[product]
    if config.base_url is not None:
        rest = _rebase(config.base_url, _REST_PREFIXES, _REST_PREFIX[product])
    ws: str | None = None
    if product != "klear":
        ws = env.perps_ws_url if product == "perps" else env.ws_url
        if config.ws_url is not None:
            ws = _rebase(config.ws_url, _WS_PREFIXES, _WS_PREFIX[product])
    return Endpoints(product=product, rest_url=rest.rstrip("/"), ws_url=ws, environment=env)
