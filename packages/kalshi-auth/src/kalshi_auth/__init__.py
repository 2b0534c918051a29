"""kalshi-auth: request signing, key loading, credentials and environments for every Kalshi API.

```python
from kalshi_auth import KalshiAuth

auth = KalshiAuth.from_key_path("your-key-id", "~/.kalshi/private_key.pem")
auth.headers("GET", "/trade-api/v2/portfolio/balance")
```
"""

from __future__ import annotations

from ._backoff import Backoff
from ._config import KalshiConfig, check_extra_headers
from ._credentials import (
    EnvCredentials,
    KlearCredentials,
    credentials_from_env,
    klear_credentials_from_env,
    parse_bool,
)
from ._endpoints import ALLOW_CUSTOM_HOST_ENV, Endpoints, Product, check_signed_host, resolve_endpoints
from ._environments import (
    DEMO,
    DEMO_HOSTS,
    PRODUCTION,
    PRODUCTION_HOSTS,
    Environment,
    FixEndpoint,
    FixSessionType,
    check_environments,
    get_environment,
    host_environment,
    is_loopback,
)
from ._errors import AuthRequiredError, KalshiConfigError, KalshiConnectionError, KalshiError, KalshiKeyError
from ._keys import Password, PrivateKey, load_private_key, load_private_key_file
from ._signer import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, KalshiAuth, pre_sign_text, signing_path

__version__ = "0.1.0"

__all__ = [
    "ALLOW_CUSTOM_HOST_ENV",
    "DEMO",
    "DEMO_HOSTS",
    "KEY_HEADER",
    "PRODUCTION",
    "PRODUCTION_HOSTS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "AuthRequiredError",
    "Backoff",
    "Endpoints",
    "EnvCredentials",
    "Environment",
    "FixEndpoint",
    "FixSessionType",
    "KalshiAuth",
    "KalshiConfig",
    "KalshiConfigError",
    "KalshiConnectionError",
    "KalshiError",
    "KalshiKeyError",
    "KlearCredentials",
    "Password",
    "PrivateKey",
    "Product",
    "check_environments",
    "check_extra_headers",
    "check_signed_host",
    "credentials_from_env",
    "get_environment",
    "host_environment",
    "is_loopback",
    "klear_credentials_from_env",
    "load_private_key",
    "load_private_key_file",
    "parse_bool",
    "pre_sign_text",
    "resolve_endpoints",
    "signing_path",
]
