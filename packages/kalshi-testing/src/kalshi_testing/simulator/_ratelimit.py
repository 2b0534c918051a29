"""Opt-in token-bucket rate limiting, shaped like Kalshi's (docs/protocol/rate-limits.md).

Each user has a Read and a Write bucket (plus the separate 1-per-second bucket of
`GET /portfolio/balance`), and perps has its own Read and Write buckets
(`GET /account/limits/perps`). A request costs its endpoint's tokens; a bucket that cannot cover
it answers 429 with `Retry-After` set to the time until it could. Buckets refill on the
simulator's clock, so an injected fixed clock makes throttling fully deterministic.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field

__all__ = ["BucketSpec", "RateLimits", "is_perps_path", "retry_after_header"]

_ORDER_ID = re.compile(r"^/portfolio/events/orders/[^/]+$")
_GET_ORDER = re.compile(r"^/portfolio/orders/[^/]+$")
_PERPS_PREFIXES = ("/margin/", "/portfolio/margin/")
_PERPS_PATHS = ("/account/limits/perps", "/portfolio/intra_exchange_instance_transfer")


def is_perps_path(path: str) -> bool:
    """True for a perps (margin) path below `/trade-api/v2` (perps_openapi.yaml)."""
    return path.startswith(_PERPS_PREFIXES) or path in _PERPS_PATHS


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """One bucket: `refill_rate` tokens per second up to `capacity`."""

    refill_rate: int
    capacity: int


@dataclass(slots=True)
class _Bucket:
    spec: BucketSpec
    tokens: float
    at_ms: int

    def take(self, cost: int, now_ms: int) -> float | None:
        """Spend `cost` tokens; None if allowed, else seconds until it would be."""
        elapsed = max(0, now_ms - self.at_ms) / 1000
        self.tokens = min(float(self.spec.capacity), self.tokens + elapsed * self.spec.refill_rate)
        self.at_ms = now_ms
        if cost <= self.tokens:
            self.tokens -= cost
            return None
        return (cost - self.tokens) / self.spec.refill_rate


@dataclass(slots=True)
class RateLimits:
    """The buckets of every user. Defaults follow the Basic tier (about 20 default-cost reads per second).

    Args:
        read: the Read bucket (GET requests).
        write: the Write bucket (POST, PUT, DELETE).
        balance_per_second: the separate `GET /portfolio/balance` bucket (no burst).
        perps_read: the perps Read bucket.
        perps_write: the perps Write bucket.
    """

    read: BucketSpec = BucketSpec(200, 200)
    write: BucketSpec = BucketSpec(100, 100)
    balance_per_second: int = 1
    perps_read: BucketSpec = BucketSpec(200, 200)
    perps_write: BucketSpec = BucketSpec(100, 100)
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def cost(method: str, path: str, body: bytes) -> tuple[str, int]:
        """(bucket name, tokens) a request costs; `path` is below `/trade-api/v2`."""
        method = method.upper()
        if is_perps_path(path):
            # perps_openapi.yaml: 10 tokens by default; GET /margin/balance 5 (the extra 45 of
            # compute_available_balance=true is charged by the perps surface, which sees the query).
            cost = 5 if method == "GET" and path == "/margin/balance" else 10
            return ("perps_read" if method == "GET" else "perps_write"), cost
        if method == "GET" and path == "/portfolio/balance":
            return "balance", 1
        if path in ("/portfolio/events/orders/batched",) and method in ("POST", "DELETE"):
            try:
                count = len(json.loads(body or b"{}").get("orders") or [])
            except (ValueError, AttributeError):
                count = 1
            return "write", max(1, count) * (10 if method == "POST" else 2)
        if method == "DELETE" and (path == "/portfolio/events/orders" or _ORDER_ID.match(path)):
            return "write", 2
        if method == "GET" and _GET_ORDER.match(path) and not path.endswith("/queue_positions"):
            return "read", 2
        return ("read" if method == "GET" else "write"), 10

    def charge(self, who: str, method: str, path: str, body: bytes, now_ms: int) -> float | None:
        """Charge a request to `who`; None if allowed, else the `Retry-After` seconds."""
        name, cost = self.cost(method, path, body)
        return self.charge_bucket(who, name, cost, now_ms)

    def charge_bucket(self, who: str, name: str, cost: int, now_ms: int) -> float | None:
        """Charge `cost` tokens to one of `who`'s buckets; None if allowed, else the `Retry-After` seconds."""
        buckets = {"read": self.read, "write": self.write}
        buckets |= {"perps_read": self.perps_read, "perps_write": self.perps_write}
        spec = buckets.get(name) or BucketSpec(self.balance_per_second, self.balance_per_second)
        with self._lock:
            bucket = self._buckets.get((who, name))
            if bucket is None:
                bucket = self._buckets[(who, name)] = _Bucket(spec, float(spec.capacity), now_ms)
            return bucket.take(cost, now_ms)


def retry_after_header(seconds: float) -> str:
    """Whole seconds, rounded up, at least 1 (how `Retry-After` delta-seconds are written)."""
    return str(max(1, int(-(-seconds // 1))))
