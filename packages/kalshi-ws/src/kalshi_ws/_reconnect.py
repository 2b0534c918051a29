"""`ReconnectPolicy`: when and how often a dropped WebSocket connection is re-established."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kalshi_auth import Backoff

__all__ = ["ReconnectPolicy"]


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How to reconnect after the connection drops: the workspace's one backoff, `kalshi_auth.Backoff`.

    The delay before attempt n (1-based) is `Backoff.delay(n - 1)`: uniform(0, min(max_delay,
    base_delay * 2**(n-1))).

    Attributes:
        enabled: reconnect at all.
        max_attempts: attempts per outage before giving up (0 = unlimited).
        base_delay: seconds.
        max_delay: seconds; the cap.
    """

    enabled: bool = True
    max_attempts: int = 10
    base_delay: float = 0.5
    max_delay: float = 15.0

    @property
    def backoff(self) -> Backoff:
        """The `kalshi_auth.Backoff` this policy stands for."""
        return Backoff(base_delay=self.base_delay, max_delay=self.max_delay, max_attempts=self.max_attempts or None)

    def allows(self, attempt: int) -> bool:
        """True if reconnect attempt `attempt` (1-based) is within `max_attempts`."""
        return self.backoff.allows(attempt - 1)

    def delay(self, attempt: int, rng: Callable[[float, float], float] | None = None) -> float:
        """Seconds to wait before reconnect attempt `attempt` (1-based).

        Args:
            rng: draws in [low, high) (default: the backoff's own jitter); for tests.
        """
        backoff = self.backoff
        if rng is not None:
            return rng(0.0, backoff.ceiling(attempt - 1))
        return backoff.delay(attempt - 1)
