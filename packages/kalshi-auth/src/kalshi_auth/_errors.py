"""The root of every exception the SDK raises.

```
KalshiError
├── KalshiConfigError          bad configuration: half-set credentials, a bad base URL
├── KalshiKeyError             a private key that cannot be loaded (message never holds key material)
├── AuthRequiredError          a private call made without credentials (raised before sending)
└── KalshiConnectionError      the transport failed: connect, TLS, a dropped socket
```

Each package adds its own branch (`kalshi_rest`: HTTP status errors; `kalshi_ws`: WebSocket
errors; `kalshi_fix`: FIX errors), all under `KalshiError`, so `except KalshiError` catches
anything the SDK raises on purpose.
"""

from __future__ import annotations

__all__ = [
    "AuthRequiredError",
    "KalshiConfigError",
    "KalshiConnectionError",
    "KalshiError",
    "KalshiKeyError",
]


class KalshiError(Exception):
    """Base class of every error the SDK raises on purpose."""


class KalshiConfigError(KalshiError, ValueError):
    """The SDK was configured in a way that cannot work (half-set credentials, a bad URL)."""


class KalshiKeyError(KalshiError, ValueError):
    """A private key could not be loaded. The message names the cause, never the key."""


class AuthRequiredError(KalshiError):
    """A call that needs credentials was made on an unauthenticated client.

    Raised before anything is sent, so no request leaves the process.
    """


class KalshiConnectionError(KalshiError):
    """The connection to Kalshi (or the simulator) failed or dropped."""
