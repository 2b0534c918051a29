"""The hook for extra surfaces (perps, Klear, FIX...) served by one `KalshiExchangeSimulator`.

A surface adds routes to the shared aiohttp app and/or runs its own listeners on the
simulator's event loop, and names the environment variables that point a client at it:

```python
class PerpsSurface(Surface):
    name = "perps"

    def install(self, app: web.Application) -> None:
        app.router.add_get("/trade-api/v2/margin/...", self.handler)

    def env(self) -> dict[str, str]:
        return {"KALSHI_PERPS_API_BASE_URL": self.sim.base_url + "/trade-api/v2/margin"}
```

Register a factory in `SURFACE_FACTORIES` (every simulator then builds one) or pass
`surfaces=[...]` to `KalshiExchangeSimulator`. `python -m kalshi_testing serve` prints every
surface's `env()` in its export block.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from aiohttp import web

if TYPE_CHECKING:
    from ._simulator import KalshiExchangeSimulator

__all__ = ["ENV_NAMES", "SURFACE_FACTORIES", "Surface", "SurfaceFactory"]

ENV_NAMES = {
    "rest": "KALSHI_API_BASE_URL",
    "ws": "KALSHI_WS_URL",
    "perps_rest": "KALSHI_PERPS_API_BASE_URL",
    "perps_ws": "KALSHI_PERPS_WS_URL",
    "klear": "KALSHI_KLEAR_API_BASE_URL",
    "fix_host": "KALSHI_FIX_HOST",
    "perps_fix_host": "KALSHI_PERPS_FIX_HOST",
    "key_id": "KALSHI_KEY_ID",
    "key_path": "KALSHI_PRIVATE_KEY_PATH",
}
"""The variable each client reads, by what it points at (the names `serve` prints). FIX ports are
`KALSHI_[PERPS_]FIX_<SESSION>_PORT` (`FixSessionType` names) beside `KALSHI_[PERPS_]FIX_TLS=0`."""


class Surface:
    """One protocol surface of the simulator; every method is optional."""

    name: ClassVar[str] = "surface"

    def __init__(self, simulator: KalshiExchangeSimulator) -> None:
        self.simulator = simulator

    def install(self, app: web.Application) -> None:
        """Add routes to the shared HTTP app (called before it starts)."""

    async def start(self) -> None:
        """Start own listeners on the simulator's loop (after the HTTP port is bound)."""

    async def stop(self) -> None:
        """Stop own listeners (before the HTTP app is cleaned up)."""

    def env(self) -> dict[str, str]:
        """Environment variables pointing a client at this surface (after start)."""
        return {}


SurfaceFactory = Callable[["KalshiExchangeSimulator"], Surface]

SURFACE_FACTORIES: list[SurfaceFactory] = []
"""Factories every simulator builds a surface from, in order (perps, Klear and FIX register here)."""
