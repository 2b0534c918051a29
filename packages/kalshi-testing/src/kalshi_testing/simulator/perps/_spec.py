"""The perps tables (specs/perps_openapi.yaml, specs/perps_asyncapi.yaml) and the margin exchange's money rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kalshi_testing.simulator._generated import perps_asyncapi_shapes, perps_openapi_shapes
from kalshi_testing.simulator._shapes import Shapes

__all__ = [
    "FUNDING_HOURS_ET",
    "FUNDING_SCHEDULE",
    "INITIAL_MARGIN",
    "MAINTENANCE_MARGIN",
    "PERPS",
    "TAKER_FEE",
    "next_funding_ms",
]

PERPS = Shapes.from_modules(perps_openapi_shapes, perps_asyncapi_shapes)


def _eastern() -> tzinfo:
    try:
        return ZoneInfo("America/New_York")
    except ZoneInfoNotFoundError:  # no tz database (install tzdata): UTC boundaries instead
        return UTC


EASTERN = _eastern()
"""US Eastern time (UTC where the system has no tz database)."""

INITIAL_MARGIN = Decimal("0.10")
"""Initial margin as a fraction of notional (10x leverage)."""
MAINTENANCE_MARGIN = Decimal("0.05")
"""Maintenance margin as a fraction of notional."""
TAKER_FEE = Decimal("0.0005")
"""Taker fee as a fraction of notional (5 bps); makers pay none."""
FUNDING_HOURS_ET = (0, 8, 16)
"""Funding is exchanged every 8 hours, at these hours of the US Eastern day (Klear's funding schedule
is a cron expression in US Eastern time, perps_scm_openapi.yaml GetMarginFundingSchedule)."""
FUNDING_SCHEDULE = "0 0,8,16 * * *"
"""`FUNDING_HOURS_ET` as the cron expression Klear answers."""


def next_funding_ms(now_ms: int) -> int:
    """The first funding time strictly after `now_ms` (epoch ms)."""
    now = datetime.fromtimestamp(now_ms / 1000, tz=EASTERN)
    day = now.replace(minute=0, second=0, microsecond=0)
    for offset in range(3):
        base = (day + timedelta(days=offset)).replace(hour=0)
        for hour in FUNDING_HOURS_ET:
            at = int(base.replace(hour=hour).timestamp() * 1000)
            if at > now_ms:
                return at
    raise AssertionError("unreachable: a funding hour falls within two days")
