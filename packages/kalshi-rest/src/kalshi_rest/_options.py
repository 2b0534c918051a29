"""`RequestOptions`: per-call overrides accepted by every resource method as `options=`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["RequestOptions"]


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Overrides for one call.

    ```python
    client.markets.get("TICKER", options=RequestOptions(timeout=2.0, extra_headers={"X-Trace": "1"}))
    ```

    Args:
        timeout: seconds for this call (connect, read, write and pool each); None keeps the config's.
        extra_headers: headers added to this call only; they may not set the `KALSHI-ACCESS-*`
            or `Authorization` headers.
        max_retries: retries for this call (idempotent requests only); None keeps the config's.
    """

    timeout: float | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    max_retries: int | None = None
    raw: bool = field(default=False, repr=False)
    """Internal: return an `APIResponse` instead of the parsed value (set by `with_raw_response`)."""
