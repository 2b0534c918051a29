"""`RequestOptions`: per-call overrides accepted by every resource method as `options=`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kalshi_auth import KalshiConfigError

__all__ = ["EventHooks", "RequestOptions", "check_event_hooks"]


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


EventHooks = Mapping[str, Sequence[Callable[[Any], Any]]]
"""`{"request": [fn, ...], "response": [fn, ...]}`: called with each attempt's `httpx.Request` (signed,
just before it is sent) and each `httpx.Response` (body read); the async client awaits coroutine hooks."""


def check_event_hooks(hooks: EventHooks | None) -> dict[str, tuple[Callable[[Any], Any], ...]]:
    """Validate `event_hooks=`: only `request` and `response` lists of callables."""
    out: dict[str, tuple[Callable[[Any], Any], ...]] = {"request": (), "response": ()}
    for name, given in (hooks or {}).items():
        if name not in out:
            raise KalshiConfigError(f"event_hooks takes 'request' and 'response', not {name!r}")
        fns = tuple(given)
        if not all(callable(fn) for fn in fns):
            raise KalshiConfigError(f"event_hooks[{name!r}] must be a list of callables")
        out[name] = fns
    return out
