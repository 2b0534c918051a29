"""Client-side rate limiting: token buckets for reads, writes and the balance endpoint.

Kalshi charges every request tokens from a Read or a Write bucket (default cost 10; cancels 2;
batch create 10 per order, batch cancel 2 per order) and answers 429 when a bucket runs dry.
A `RateLimiter` mirrors those buckets on the client, so a bot waits instead of collecting 429s.
It is off by default; turn it on by putting one in the config, and every client built from that
config shares it:

```python
limiter = RateLimiter.for_tier("basic")
config = KalshiConfig(rate_limiter=limiter)
with KalshiClient(key_id=..., private_key_path=..., config=config) as client:
    limiter.update_costs(client.account.endpoint_costs())   # exact costs from the server
```

The limiter is pure bookkeeping: `reserve()` takes the tokens at once (going into debt if
needed) and returns how long the caller must wait, so concurrent async tasks queue fairly and
the async client waits with `asyncio.sleep`, never blocking the loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ._operation import Operation

__all__ = ["TIERS", "BucketLimit", "RateLimiter"]

BucketName = Literal["read", "write", "balance"]


@dataclass(frozen=True, slots=True)
class BucketLimit:
    """One token bucket: `refill_rate` tokens per second, holding at most `bucket_capacity`."""

    refill_rate: float
    bucket_capacity: float

    def __post_init__(self) -> None:
        if not self.refill_rate > 0 or not self.bucket_capacity > 0:
            raise ValueError(f"refill_rate and bucket_capacity must be > 0, got {self}")


# Approximate tokens per second per tier: Kalshi's published per-second request rates (Basic 20
# reads / 10 writes, Advanced 30/30, Premier 100/100, Prime 400/400) at the default cost of 10
# tokens; non-Basic write buckets hold two seconds of budget. The spec does not state these
# numbers and Kalshi changes them: for your account's exact buckets (and for Expert, Paragon,
# Prestige), build the limiter from `client.account.limits()` with `RateLimiter.from_limits`.
TIERS: Mapping[str, tuple[BucketLimit, BucketLimit]] = {
    "basic": (BucketLimit(200, 200), BucketLimit(100, 100)),
    "advanced": (BucketLimit(300, 300), BucketLimit(300, 600)),
    "premier": (BucketLimit(1000, 1000), BucketLimit(1000, 2000)),
    "prime": (BucketLimit(4000, 4000), BucketLimit(4000, 8000)),
}

# GetBalance has its own bucket, counted in calls: 1/s on Basic and Advanced, 5/s above, no burst.
_BALANCE_SLOW = frozenset({"basic", "advanced"})

# Batch endpoints are charged per item of this body field.
_PER_ITEM: Mapping[str, str] = {"BatchCreateOrdersV2": "orders", "BatchCancelOrdersV2": "orders"}

_API_PREFIX = "/trade-api/v2"


def _norm_path(path: str) -> str:
    if path.startswith(_API_PREFIX):
        path = path[len(_API_PREFIX) :]
    parts = ["{}" if p.startswith(("{", ":")) else p for p in path.strip("/").split("/")]
    return "/" + "/".join(parts)


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name)


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, limit: BucketLimit, now: float) -> None:
        self.rate = float(limit.refill_rate)
        self.capacity = float(limit.bucket_capacity)
        self.tokens = self.capacity
        self.stamp = now

    def reserve(self, cost: float, now: float) -> float:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        self.tokens -= cost
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RateLimiter:
    """Token buckets mirroring Kalshi's, shared by every client built from one `KalshiConfig`.

    Args:
        read: the Read bucket (GET requests).
        write: the Write bucket (POST, PUT, DELETE).
        balance: the GetBalance bucket in calls per second; None charges GetBalance to nothing.
        costs: operationId -> tokens, overriding everything else. Otherwise a call costs what
            `update_costs` loaded from the server, or else the operation's own cost (the spec's table).
        clock: monotonic seconds; inject a fake one in tests.
    """

    def __init__(
        self,
        *,
        read: BucketLimit,
        write: BucketLimit,
        balance: BucketLimit | None = None,
        costs: Mapping[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        now = clock()
        self._buckets: dict[str, _Bucket] = {"read": _Bucket(read, now), "write": _Bucket(write, now)}
        if balance is not None:
            self._buckets["balance"] = _Bucket(balance, now)
        self._costs: dict[str, int] = dict(costs or {})
        self._route_costs: dict[tuple[str, str], int] | None = None
        self._default_cost = 10

    @classmethod
    def for_tier(cls, tier: str = "basic", *, clock: Callable[[], float] = time.monotonic) -> RateLimiter:
        """A limiter sized for a usage tier (`basic`, `advanced`, `premier`, `prime`; approximate).

        Prefer `from_limits(client.account.limits())`, which uses the server's exact figures.
        """
        key = tier.strip().lower()
        if key not in TIERS:
            raise ValueError(
                f"unknown tier {tier!r}; known: {', '.join(TIERS)} (or use RateLimiter.from_limits(account.limits()))"
            )
        read, write = TIERS[key]
        balance = BucketLimit(1, 1) if key in _BALANCE_SLOW else BucketLimit(5, 5)
        return cls(read=read, write=write, balance=balance, clock=clock)

    @classmethod
    def from_limits(cls, limits: Any, *, clock: Callable[[], float] = time.monotonic) -> RateLimiter:
        """A limiter sized from `client.account.limits()` output (the model or its JSON dict)."""
        read, write = _get(limits, "read"), _get(limits, "write")
        tier = str(_get(limits, "usage_tier") or "").lower()
        return cls(
            read=BucketLimit(_get(read, "refill_rate"), _get(read, "bucket_capacity")),
            write=BucketLimit(_get(write, "refill_rate"), _get(write, "bucket_capacity")),
            balance=BucketLimit(1, 1) if tier in _BALANCE_SLOW or not tier else BucketLimit(5, 5),
            clock=clock,
        )

    def update_costs(self, endpoint_costs: Any) -> None:
        """Charge what the server says: `client.account.endpoint_costs()` output (model or dict)."""
        default = _get(endpoint_costs, "default_cost")
        entries = _get(endpoint_costs, "endpoint_costs") or []
        table = {
            (str(_get(e, "method")).upper(), _norm_path(str(_get(e, "path")))): int(_get(e, "cost")) for e in entries
        }
        with self._lock:
            if default is not None:
                self._default_cost = int(default)
            self._route_costs = table

    def bucket_for(self, op: Operation[Any]) -> BucketName:
        """The bucket an operation draws from."""
        if op.operation_id == "GetBalance" and "balance" in self._buckets:
            return "balance"
        return "read" if op.method in ("GET", "HEAD", "OPTIONS") else "write"

    def cost_of(self, op: Operation[Any], body: Any = None) -> float:
        """Tokens one attempt of `op` costs (batch endpoints: per item in the body)."""
        if op.operation_id == "GetBalance" and "balance" in self._buckets:
            return 1.0
        cost = self._costs.get(op.operation_id)
        if cost is None:
            routes = self._route_costs
            cost = op.cost if routes is None else routes.get((op.method, _norm_path(op.path)), self._default_cost)
        field_name = _PER_ITEM.get(op.operation_id)
        if field_name is not None and body is not None:
            try:
                items = _get(body, field_name)
            except AttributeError:
                items = None
            if items:
                cost *= len(items)
        return float(cost)

    def reserve(self, bucket: BucketName, tokens: float) -> float:
        """Take `tokens` from `bucket` now and return the seconds to wait before sending (0 if none)."""
        with self._lock:
            return self._buckets[bucket].reserve(tokens, self._clock())

    def acquire_for(self, op: Operation[Any], body: Any = None) -> float:
        """Reserve one attempt of `op`; return the seconds to wait before sending it."""
        return self.reserve(self.bucket_for(op), self.cost_of(op, body))

    def available(self, bucket: BucketName) -> float:
        """Tokens in `bucket` right now (negative while callers are queued)."""
        with self._lock:
            b = self._buckets[bucket]
            now = self._clock()
            return min(b.capacity, b.tokens + max(0.0, now - b.stamp) * b.rate)
