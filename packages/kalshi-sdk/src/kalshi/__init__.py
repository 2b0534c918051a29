"""kalshi-sdk: every public Kalshi trading surface under one import.

```python
from kalshi import KalshiClient

with KalshiClient.from_env() as client:
    for market in client.markets.list(status="open", limit=10):
        print(market.ticker, market.yes_bid, market.yes_ask)
```

This package holds no logic: it re-exports the micro-packages, each name loaded on first use.
The most used names live here; each surface's full API is a submodule: `kalshi.rest`,
`kalshi.models`, `kalshi.ws`, `kalshi.perps`, `kalshi.klear`, `kalshi.fix` and `kalshi.testing`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kalshi_auth import (
        DEMO,
        PRODUCTION,
        AuthRequiredError,
        Environment,
        FixSessionType,
        KalshiAuth,
        KalshiConfig,
        KalshiConfigError,
        KalshiConnectionError,
        KalshiError,
        KalshiKeyError,
        KlearCredentials,
    )
    from kalshi_fix import (
        FixClient,
        FixEnvironment,
        MarginFixClient,
    )
    from kalshi_klear import (
        AsyncKlearClient,
        KlearClient,
    )
    from kalshi_perps import (
        AsyncPerpsClient,
        PerpsClient,
        PerpsWebSocket,
    )
    from kalshi_rest import (
        APIResponse,
        AsyncKalshiClient,
        AsyncPage,
        KalshiAPIError,
        KalshiAuthError,
        KalshiClient,
        KalshiConflictError,
        KalshiNotFoundError,
        KalshiPaginationError,
        KalshiRateLimitError,
        KalshiRequestError,
        KalshiResponseError,
        KalshiServerError,
        KalshiTimeoutError,
        KalshiValidationError,
        Page,
        RateLimiter,
        RequestOptions,
        models,
    )
    from kalshi_rest.models import (
        AmendOrderV2Request,
        BatchCancelOrdersV2Request,
        BatchCreateOrdersV2Request,
        CreateOrderV2Request,
        DecreaseOrderV2Request,
    )
    from kalshi_ws import (
        KalshiBackpressureError,
        KalshiDecodeError,
        KalshiOrderBookError,
        KalshiSequenceGapError,
        KalshiSubscriptionError,
        KalshiWebSocket,
        KalshiWebSocketError,
    )

__version__ = "23.0.0"

# Every name loads on first use from the package that defines it (PEP 562), so `import kalshi`
# stays cheap and `from kalshi import FixClient` does not load httpx, pydantic or aiohttp.
_EXPORTS: dict[str, str] = {
    "DEMO": "kalshi_auth",
    "PRODUCTION": "kalshi_auth",
    "APIResponse": "kalshi_rest",
    "AmendOrderV2Request": "kalshi_rest.models",
    "AsyncKalshiClient": "kalshi_rest",
    "AsyncKlearClient": "kalshi_klear",
    "AsyncPage": "kalshi_rest",
    "AsyncPerpsClient": "kalshi_perps",
    "AuthRequiredError": "kalshi_auth",
    "BatchCancelOrdersV2Request": "kalshi_rest.models",
    "BatchCreateOrdersV2Request": "kalshi_rest.models",
    "CreateOrderV2Request": "kalshi_rest.models",
    "DecreaseOrderV2Request": "kalshi_rest.models",
    "Environment": "kalshi_auth",
    "FixClient": "kalshi_fix",
    "FixEnvironment": "kalshi_fix",
    "FixSessionType": "kalshi_auth",
    "KalshiAPIError": "kalshi_rest",
    "KalshiAuth": "kalshi_auth",
    "KalshiAuthError": "kalshi_rest",
    "KalshiBackpressureError": "kalshi_ws",
    "KalshiClient": "kalshi_rest",
    "KalshiConfig": "kalshi_auth",
    "KalshiConfigError": "kalshi_auth",
    "KalshiConflictError": "kalshi_rest",
    "KalshiConnectionError": "kalshi_auth",
    "KalshiDecodeError": "kalshi_ws",
    "KalshiError": "kalshi_auth",
    "KalshiKeyError": "kalshi_auth",
    "KalshiNotFoundError": "kalshi_rest",
    "KalshiOrderBookError": "kalshi_ws",
    "KalshiPaginationError": "kalshi_rest",
    "KalshiRateLimitError": "kalshi_rest",
    "KalshiRequestError": "kalshi_rest",
    "KalshiResponseError": "kalshi_rest",
    "KalshiSequenceGapError": "kalshi_ws",
    "KalshiServerError": "kalshi_rest",
    "KalshiSubscriptionError": "kalshi_ws",
    "KalshiTimeoutError": "kalshi_rest",
    "KalshiValidationError": "kalshi_rest",
    "KalshiWebSocket": "kalshi_ws",
    "KalshiWebSocketError": "kalshi_ws",
    "KlearClient": "kalshi_klear",
    "KlearCredentials": "kalshi_auth",
    "MarginFixClient": "kalshi_fix",
    "Page": "kalshi_rest",
    "PerpsClient": "kalshi_perps",
    "PerpsWebSocket": "kalshi_perps",
    "RateLimiter": "kalshi_rest",
    "RequestOptions": "kalshi_rest",
    "models": "kalshi_rest",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kalshi' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "DEMO",
    "PRODUCTION",
    "APIResponse",
    "AmendOrderV2Request",
    "AsyncKalshiClient",
    "AsyncKlearClient",
    "AsyncPage",
    "AsyncPerpsClient",
    "AuthRequiredError",
    "BatchCancelOrdersV2Request",
    "BatchCreateOrdersV2Request",
    "CreateOrderV2Request",
    "DecreaseOrderV2Request",
    "Environment",
    "FixClient",
    "FixEnvironment",
    "FixSessionType",
    "KalshiAPIError",
    "KalshiAuth",
    "KalshiAuthError",
    "KalshiBackpressureError",
    "KalshiClient",
    "KalshiConfig",
    "KalshiConfigError",
    "KalshiConflictError",
    "KalshiConnectionError",
    "KalshiDecodeError",
    "KalshiError",
    "KalshiKeyError",
    "KalshiNotFoundError",
    "KalshiOrderBookError",
    "KalshiPaginationError",
    "KalshiRateLimitError",
    "KalshiRequestError",
    "KalshiResponseError",
    "KalshiSequenceGapError",
    "KalshiServerError",
    "KalshiSubscriptionError",
    "KalshiTimeoutError",
    "KalshiValidationError",
    "KalshiWebSocket",
    "KalshiWebSocketError",
    "KlearClient",
    "KlearCredentials",
    "MarginFixClient",
    "Page",
    "PerpsClient",
    "PerpsWebSocket",
    "RateLimiter",
    "RequestOptions",
    "models",
]
