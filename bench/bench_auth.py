"""Benchmark: KalshiAuth.headers() against the raw `cryptography` sign of the same message.

Run: uv run python bench/bench_auth.py
The signer's overhead above the raw sign must stay under 10% (RSA-PSS 2048).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from kalshi_auth import KalshiAuth

PATH = "/trade-api/v2/portfolio/events/orders?limit=100"
MESSAGE = b"1700000000000POST/trade-api/v2/portfolio/events/orders"


def per_second(fn: Callable[[], object], *, number: int, repeat: int = 7) -> float:
    """Median calls per second over `repeat` runs of `number` calls."""
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rates.append(number / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> int:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    sha = hashes.SHA256()
    clock = lambda: 1_700_000_000_000  # noqa: E731
    rsa_auth = KalshiAuth("bench-key", rsa_key, clock=clock)
    ed_auth = KalshiAuth("bench-key", ed_key, clock=clock)

    rows = [
        (
            "RSA-PSS 2048",
            per_second(lambda: rsa_key.sign(MESSAGE, pss, sha), number=500),
            per_second(lambda: rsa_auth.headers("POST", PATH), number=500),
        ),
        (
            "Ed25519",
            per_second(lambda: ed_key.sign(MESSAGE), number=5000),
            per_second(lambda: ed_auth.headers("POST", PATH), number=5000),
        ),
    ]
    print(f"{'key':<14}{'raw sign/s':>14}{'headers()/s':>14}{'ratio':>8}{'overhead':>10}")
    worst = 0.0
    for name, raw, ours in rows:
        overhead = raw / ours - 1
        print(f"{name:<14}{raw:>14,.0f}{ours:>14,.0f}{ours / raw:>8.3f}{overhead:>9.1%}")
        if name.startswith("RSA"):
            worst = overhead
    if worst > 0.10:
        print(f"FAIL: RSA signer overhead {worst:.1%} exceeds 10%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
