"""kalshi-sdk: every public Kalshi trading surface under one import.

```python
from kalshi import KalshiClient

with KalshiClient.from_env() as client:
    for market in client.markets.list(status="open", limit=10):
        print(market.ticker, market.yes_bid, market.yes_ask)
```

This package holds no logic: it re-exports the micro-packages. The most used names live here;
each surface's full API is a submodule: `kalshi.rest`, `kalshi.models`, `kalshi.ws`, `kalshi.fix`,
`kalshi.testing` (which loads the simulator's dependencies, so it is not imported here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from kalshi_fix import FixClient, FixEnvironment, MarginFixClient
from kalshi_klear import AsyncKlearClient, KlearClient
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
from kalshi_ws import (
    KalshiBackpressureError,
    KalshiDecodeError,
    KalshiOrderBookError,
    KalshiSequenceGapError,
    KalshiSubscriptionError,
    KalshiWebSocket,
    KalshiWebSocketError,
)

if TYPE_CHECKING:
    from kalshi_rest.models import (
        AmendOrderV2Request,
        BatchCancelOrdersV2Request,
        BatchCreateOrdersV2Request,
        CreateOrderV2Request,
        DecreaseOrderV2Request,
    )

# The order request models load on first use: building them imports pydantic.
_LAZY_MODELS = frozenset(
    {
        "AmendOrderV2Request",
        "BatchCancelOrdersV2Request",
        "BatchCreateOrdersV2Request",
        "CreateOrderV2Request",
        "DecreaseOrderV2Request",
    }
)


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODELS:
        return getattr(models, name)
    raise AttributeError(f"module 'kalshi' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "DEMO",
    "PRODUCTION",
    "APIResponse",
    "AmendOrderV2Request",
    "AsyncKalshiClient",
    "AsyncKlearClient",
    "AsyncPage",
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
    "RateLimiter",
    "RequestOptions",
    "models",
]
