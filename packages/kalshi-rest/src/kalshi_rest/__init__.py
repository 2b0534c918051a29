"""kalshi-rest: typed sync and async clients for the Kalshi prediction-markets REST API.

```python
from kalshi_rest import KalshiClient

with KalshiClient(key_id="...", private_key_path="~/.kalshi/private_key.pem", demo=True) as client:
    page = client.markets.list(status="open", limit=10)
```
"""

from __future__ import annotations

from kalshi_auth import KalshiConfig

from . import models
from ._client import AsyncKalshiClient, KalshiClient
from ._errors import (
    AuthRequiredError,
    KalshiAPIError,
    KalshiAuthError,
    KalshiConflictError,
    KalshiConnectionError,
    KalshiError,
    KalshiNotFoundError,
    KalshiPaginationError,
    KalshiRateLimitError,
    KalshiRequestError,
    KalshiResponseError,
    KalshiServerError,
    KalshiTimeoutError,
    KalshiValidationError,
)
from ._operation import Operation
from ._options import RequestOptions
from ._pagination import AsyncPage, Page
from ._ratelimit import BucketLimit, RateLimiter
from ._response import APIResponse
from ._retry import RetryPolicy

__version__ = "0.1.0"

__all__ = [
    "APIResponse",
    "AsyncKalshiClient",
    "AsyncPage",
    "AuthRequiredError",
    "BucketLimit",
    "KalshiAPIError",
    "KalshiAuthError",
    "KalshiClient",
    "KalshiConfig",
    "KalshiConflictError",
    "KalshiConnectionError",
    "KalshiError",
    "KalshiNotFoundError",
    "KalshiPaginationError",
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
