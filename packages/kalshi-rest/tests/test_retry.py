"""The pure retry policy and Retry-After parsing."""

from __future__ import annotations

import email.utils
import math

import httpx
import pytest

from kalshi_rest import RetryPolicy
from kalshi_rest._retry import RETRY_STATUSES, parse_retry_after

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-4", 0.0), (" 7 ", 7.0), (None, None), ("", None), ("soon", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_retry_after_refuses_nan_and_infinity(value: str) -> None:
    assert parse_retry_after(value, NOW) is None


def test_retry_after_http_date() -> None:
    assert parse_retry_after(email.utils.formatdate(NOW + 12, usegmt=True), NOW) == 12.0
    assert parse_retry_after(email.utils.formatdate(NOW - 60, usegmt=True), NOW) == 0.0


def test_only_idempotent_verbs_retry() -> None:
    policy = RetryPolicy(max_retries=3)
    for method in ("GET", "HEAD", "OPTIONS", "get"):
        assert policy.should_retry_status(method, 503, 0)
        assert policy.should_retry_error(method, httpx.ConnectError("x"), 0)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert not policy.should_retry_status(method, 503, 0)
        assert not policy.should_retry_error(method, httpx.ConnectError("x"), 0)


def test_retry_statuses_and_budget() -> None:
    policy = RetryPolicy(max_retries=2)
    assert {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524} == RETRY_STATUSES
    for status in (400, 401, 403, 404, 409, 422, 501):
        assert not policy.should_retry_status("GET", status, 0)
    assert policy.should_retry_status("GET", 429, 1)
    assert not policy.should_retry_status("GET", 429, 2)
    assert not RetryPolicy(max_retries=0).should_retry_status("GET", 503, 0)
    assert not policy.should_retry_error("GET", ValueError("not transport"), 0)


def test_full_jitter_backoff_bounds_and_cap() -> None:
    high = RetryPolicy(base_delay=0.5, max_delay=4.0, random=lambda: 0.999999)
    low = RetryPolicy(base_delay=0.5, max_delay=4.0, random=lambda: 0.0)
    assert [round(high.delay(n), 3) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [low.delay(n) for n in range(5)] == [0.0] * 5
    assert math.isfinite(high.delay(10_000))


def test_retry_after_is_a_floor_with_jitter_capped_at_max_delay() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, random=lambda: 0.5)
    assert policy.delay(0, retry_after=3.0) == 3.5
    assert policy.delay(0, retry_after=0.0) == 0.5
    assert policy.delay(3, retry_after=1000.0) == 10.0
