"""The perps tables (specs/perps_openapi.yaml, specs/perps_asyncapi.yaml) and the margin exchange's money rules."""

from __future__ import annotations

from decimal import Decimal

from kalshi_testing.simulator._generated import perps_asyncapi_shapes, perps_openapi_shapes
from kalshi_testing.simulator._shapes import Shapes

__all__ = [
    "FUNDING_INTERVAL_MS",
    "INITIAL_MARGIN",
    "MAINTENANCE_MARGIN",
    "PERPS",
    "TAKER_FEE",
]

PERPS = Shapes(
    perps_openapi_shapes.OBJECTS,
    perps_openapi_shapes.ENUMS,
    perps_openapi_shapes.SCALARS,
    perps_openapi_shapes.FIELD_ENUMS,
    messages=perps_asyncapi_shapes.MESSAGES,
    ws_field_enums=perps_asyncapi_shapes.FIELD_ENUMS,
)

INITIAL_MARGIN = Decimal("0.10")
"""Initial margin as a fraction of notional (10x leverage)."""
MAINTENANCE_MARGIN = Decimal("0.05")
"""Maintenance margin as a fraction of notional."""
TAKER_FEE = Decimal("0.0005")
"""Taker fee as a fraction of notional (5 bps); makers pay none."""
FUNDING_INTERVAL_MS = 3_600_000
"""Funding is exchanged every hour on the simulator's clock."""
