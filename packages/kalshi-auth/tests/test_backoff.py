"""Backoff: the one capped, jittered policy that REST, WebSocket and FIX share."""

from __future__ import annotations

import pytest

from kalshi_auth import Backoff


def test_full_jitter_grows_then_caps() -> None:
    top = Backoff(base_delay=0.5, max_delay=4.0, random=lambda: 0.999999)
    assert [round(top.delay(n), 3) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert Backoff(base_delay=0.5, max_delay=4.0, random=lambda: 0.0).delay(3) == 0.0


def test_server_floor_is_added_but_capped() -> None:
    b = Backoff(base_delay=1.0, max_delay=10.0, random=lambda: 0.5)
    assert b.delay(0, floor=2.0) == 2.5
    assert b.delay(0, floor=60.0) == 10.0
    assert b.delay(0, floor=-5.0) == 0.5


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert Backoff(max_delay=3.0, random=lambda: 1.0).delay(10_000) == 3.0


def test_attempt_budget() -> None:
    assert Backoff(max_attempts=2).allows(1)
    assert not Backoff(max_attempts=2).allows(2)
    assert Backoff(max_attempts=None).allows(10**9)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_delay": -1},
        {"max_delay": float("nan")},
        {"base_delay": True},
        {"max_attempts": -1},
        {"max_attempts": True},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="Backoff"):
        Backoff(**kwargs)  # type: ignore[arg-type]
