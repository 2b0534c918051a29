"""One backoff policy for every engine: REST retries, WebSocket reconnects and FIX reconnects.

Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the wait before retry
`attempt` (0-based) is uniform(0, min(max_delay, base_delay * 2**attempt)). A server's hint
(`Retry-After`) is a floor the jitter is added to; nothing ever waits longer than `max_delay`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff with full jitter.

    Args:
        base_delay: seconds; the ceiling of the first wait.
        max_delay: seconds; caps every wait, a server's floor included.
        max_attempts: retries (or reconnects) before giving up; None never gives up.
        random: returns a float in [0, 1); inject a fixed one in tests.
    """

    base_delay: float = 0.5
    max_delay: float = 15.0
    max_attempts: int | None = 10
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("base_delay", "max_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"Backoff.{name} must be a finite number >= 0, got {value!r}")
        if self.max_attempts is not None and (
            isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 0
        ):
            raise ValueError(f"Backoff.max_attempts must be an int >= 0 or None, got {self.max_attempts!r}")

    def allows(self, attempt: int) -> bool:
        """True if retry number `attempt` (0-based) is within `max_attempts`."""
        return self.max_attempts is None or attempt < self.max_attempts

    def ceiling(self, attempt: int) -> float:
        """The largest wait before retry `attempt` (0-based), before any server floor."""
        return min(self.max_delay, self.base_delay * (2.0 ** min(max(attempt, 0), 62)))

    def delay(self, attempt: int, floor: float | None = None) -> float:
        """Seconds to wait before retry `attempt` (0-based).

        Args:
            attempt: 0 for the first retry.
            floor: a server's hint (e.g. `Retry-After` seconds); the jitter is added on top.
        """
        wait = self.random() * self.ceiling(attempt)
        if floor is not None and floor > 0:
            wait += floor
        return min(self.max_delay, wait)
