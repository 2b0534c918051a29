"""kalshi-rest: typed sync and async clients for the Kalshi prediction-markets REST API.

```python
from kalshi_rest import KalshiClient

with KalshiClient(key_id="...", private_key_path="~/.kalshi/private_key.pem", demo=True) as client:
    page = client.markets.list(status="open", limit=10)
```
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kalshi_auth import KalshiConfig

from ._errors import (
    AuthRequiredError,
    KalshiAPIError,
    KalshiAuthError,
    KalshiConflictError,
    KalshiConnectionError,
    KalshiError,
    KalshiNotFoundError,
    KalshiPaginationError,
    KalshiPoolTimeoutError,
    KalshiRateLimitError,
    KalshiRequestError,
    KalshiResponseError,
    KalshiServerError,
    KalshiTimeoutError,
    KalshiValidationError,
)
from ._operation import Operation
from ._options import EventHooks, RequestOptions
from ._pagination import AsyncPage, Page
from ._ratelimit import BucketLimit, RateLimiter
from ._response import APIResponse
from ._retry import RetryPolicy

if TYPE_CHECKING:
    from . import models
    from ._client import AsyncKalshiClient, KalshiClient

# Loaded on first access (PEP 562), so that `import kalshi_rest` loads neither httpx nor pydantic:
# the clients pull in httpx, the models pydantic.
_LAZY = {"AsyncKalshiClient": "._client", "KalshiClient": "._client", "models": ".models"}

__version__ = "0.1.0"

__all__ = [
    "APIResponse",
    "AsyncKalshiClient",
    "AsyncPage",
    "AuthRequiredError",
    "BucketLimit",
    "EventHooks",
    "KalshiAPIError",
    "KalshiAuthError",
    "KalshiClient",
    "KalshiConfig",
    "KalshiConflictError",
    "KalshiConnectionError",
    "KalshiError",
    "KalshiNotFoundError",
    "KalshiPaginationError",
    "KalshiPoolTimeoutError",
    "KalshiRateLimitError",
    "KalshiRequestError",
    "KalshiResponseError",
    "KalshiServerError",
    "KalshiTimeoutError",
    "KalshiValidationError",
    "Operation",
    "Page",
    "RateLimiter",
    "RequestOptions",
    "RetryPolicy",
    "models",
]


def __getattr__(name: str) -> object:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(where, __name__)
    value = module if name == "models" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
