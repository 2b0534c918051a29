"""Retry policy, pure: which attempts may be repeated, and how long to wait first.

Only idempotent verbs (GET, HEAD, OPTIONS) are ever retried -- on 408, 425, 429, 500, 502, 503,
504, 520-524 and on transport errors. POST, PUT and DELETE are sent once, whatever happens:
a retried order write could trade twice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from kalshi_auth import Backoff

__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Read a `Retry-After` header: delta-seconds or an HTTP-date.

    Args:
        value: the header value, or None.
        now: the current Unix time in seconds (for HTTP-dates).

    Returns:
        Seconds to wait (negative values clamp to 0), or None when absent or unreadable
        (NaN and infinity are refused).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            import email.utils  # deferred: rare, and costly to import

            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to retry and how long to wait.

    Args:
        max_retries: retries after the first attempt.
        base_delay: seconds; attempt n waits uniform(0, min(max_delay, base_delay * 2**n)).
        max_delay: seconds; caps every wait, `Retry-After` included.
        random: returns a float in [0, 1); inject a fixed one in tests.
    """

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 15.0
    random: Callable[[], float] = field(default=random.random, compare=False)
    backoff: Backoff = field(init=False, repr=False, compare=False)
    """The shared `kalshi_auth.Backoff` these settings describe (the one backoff formula)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "backoff", Backoff(self.base_delay, self.max_delay, self.max_retries, self.random))

    def may_retry(self, method: str, attempt: int) -> bool:
        """True if `method` is idempotent and retry number `attempt` (0-based) is within budget."""
        return attempt < self.max_retries and method.upper() in IDEMPOTENT_METHODS

    def should_retry_status(self, method: str, status: int, attempt: int) -> bool:
        """True if a response with `status` to attempt `attempt` should be retried."""
        return status in RETRY_STATUSES and self.may_retry(method, attempt)

    def should_retry_error(self, method: str, error: Exception, attempt: int) -> bool:
        """True if a transport error on attempt `attempt` should be retried (idempotent verbs only)."""
        import httpx  # deferred: `import kalshi_rest` does not load httpx

        return isinstance(error, httpx.TransportError) and self.may_retry(method, attempt)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep before retry `attempt` (0-based).

        `kalshi_auth.Backoff.delay`: full jitter, uniform(0, min(max_delay, base_delay * 2**attempt)),
        with a server's `Retry-After` as a floor the jitter is added to; never more than `max_delay`.
        """
        return self.backoff.delay(attempt, retry_after)
