"""The public extension API: what another REST product's client is built from.

kalshi-perps and kalshi-klear build on this module and nothing else of kalshi_rest's inside;
a third party declares its own product the same way. Importing it loads httpx and pydantic.

```python
from kalshi_rest.extension import RestProduct, SyncAPIClient

ACME_REST = RestProduct(
    endpoint="prediction",  # the kalshi_auth.resolve_endpoints key: where requests go
    resources="acme.resources._generated",  # generated modules, each with OPERATIONS
    credentials_help="pass key_id and private_key_path",
    name="acme",  # signed with a KalshiAuth key, KALSHI_* variables (the defaults)
)


class AcmeClient(SyncResources, SyncAPIClient):  # SyncResources: the generated resource mixin
    product = ACME_REST
```

The kalshi-rest README ("Building another product's client") has a runnable version.

What is here:

- The product: `RestProduct` (name, endpoint key, environment prefix, auth scheme, pool,
  rate-limit buckets, operation table), `AuthScheme`, `EnvReader`, `signed_env`, and the
  prediction instance `PREDICTION_REST`.
- Client bases: `SyncAPIClient` / `AsyncAPIClient` (the machinery without resources) and their
  shared `ClientState`; `RequestSigner`, the protocol an `auth=` signer satisfies.
- Resource bases: `SyncAPIResource` / `AsyncAPIResource`, the `SyncClientCore` /
  `AsyncClientCore` hosts the generated mixins extend, `Body`, `Operation`, `ParamRule`,
  `AuthMode`, `RequestOptions`, and the raw-response wrappers `to_raw_response_wrapper` /
  `async_to_raw_response_wrapper` with their `APIResponse`.
- Pagination: `Page`, `AsyncPage`.
- Models: `ResponseModel`, `RequestModel`, `NullAsEmptyList`, `UTCDateTime`, `wrap_bare`, and
  the fixed-point types (`FixedPointDollars`, `FixedPointCount`, `FixedPointNumber`,
  `StrictDollars`, `StrictCount`, `StrictPositiveCount`, `StrictDecimal`).
- Packaging: `reexport`, which makes `models/__init__.py` / `resources/__init__.py` re-export
  the generated package lazily.
- Errors: the `Kalshi*Error` classes are `kalshi_rest`'s own public names (`kalshi_rest.KalshiError`).

Everything under `kalshi_rest._*` is private and may change in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._client import AsyncAPIClient, ClientState, SyncAPIClient
from ._core import RequestSigner
from ._lazy import lazy_names, reexport
from ._operation import AuthMode, Operation, ParamRule
from ._options import RequestOptions
from ._pagination import AsyncPage, Page
from ._product import PREDICTION_REST, AuthScheme, EnvReader, RestProduct, signed_env
from ._resource import AsyncAPIResource, AsyncClientCore, Body, SyncAPIResource, SyncClientCore
from ._response import APIResponse, async_to_raw_response_wrapper, to_raw_response_wrapper

if TYPE_CHECKING:
    from ._fixed_point import (
        FixedPointCount,
        FixedPointDollars,
        FixedPointNumber,
        StrictCount,
        StrictDecimal,
        StrictDollars,
        StrictPositiveCount,
    )
    from ._models import NullAsEmptyList, RequestModel, ResponseModel, UTCDateTime, wrap_bare

# The model bases and fixed-point types load pydantic: on first access (PEP 562), so that a
# client module importing this one stays as cheap to import as kalshi_rest's own clients.
_MODELS = ("NullAsEmptyList", "RequestModel", "ResponseModel", "UTCDateTime", "wrap_bare")
_FIXED = (
    "FixedPointCount",
    "FixedPointDollars",
    "FixedPointNumber",
    "StrictCount",
    "StrictDecimal",
    "StrictDollars",
    "StrictPositiveCount",
)
_LAZY = {**dict.fromkeys(_MODELS, "._models"), **dict.fromkeys(_FIXED, "._fixed_point")}

__all__ = [
    "PREDICTION_REST",
    "APIResponse",
    "AsyncAPIClient",
    "AsyncAPIResource",
    "AsyncClientCore",
    "AsyncPage",
    "AuthMode",
    "AuthScheme",
    "Body",
    "ClientState",
    "EnvReader",
    "FixedPointCount",
    "FixedPointDollars",
    "FixedPointNumber",
    "NullAsEmptyList",
    "Operation",
    "Page",
    "ParamRule",
    "RequestModel",
    "RequestOptions",
    "RequestSigner",
    "ResponseModel",
    "RestProduct",
    "StrictCount",
    "StrictDecimal",
    "StrictDollars",
    "StrictPositiveCount",
    "SyncAPIClient",
    "SyncAPIResource",
    "SyncClientCore",
    "UTCDateTime",
    "async_to_raw_response_wrapper",
    "reexport",
    "signed_env",
    "to_raw_response_wrapper",
    "wrap_bare",
]


__getattr__ = lazy_names(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
