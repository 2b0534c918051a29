"""`PerpsSurface`: the perps engine, its REST routes and its WebSocket, plugged into `KalshiExchangeSimulator`."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from aiohttp import web

from kalshi_testing.simulator._surfaces import ENV_NAMES, Surface

from ._engine import PerpsExchange
from ._realism import Realism
from ._rest import PerpsRestSurface
from ._ws import PERPS_WS_PATH, PerpsWebSocketSurface

if TYPE_CHECKING:
    from kalshi_testing.simulator._simulator import KalshiExchangeSimulator

__all__ = ["PerpsSurface", "perps_surface"]


class PerpsSurface(Surface):
    """Perps REST (`/trade-api/v2/margin/...`) and WebSocket (`/trade-api/ws/v2/margin`) on one `PerpsExchange`.

    `engine` is the state; mutate it through `simulator.call(lambda _: surface.engine...)` while
    the server runs (one event loop drives it).
    """

    name: ClassVar[str] = "perps"

    def __init__(self, simulator: KalshiExchangeSimulator) -> None:
        super().__init__(simulator)
        realism = Realism(enabled=bool(getattr(simulator, "realistic", True)))
        self.engine = PerpsExchange(clock=simulator.clock, prediction=simulator.exchange)
        self.rest = PerpsRestSurface(self.engine, simulator.keys, simulator.clock, simulator.rate_limits, realism)
        self.ws = PerpsWebSocketSurface(
            self.engine,
            simulator.keys,
            simulator.faults,
            simulator.clock,
            heartbeat=float(getattr(simulator, "_heartbeat", 10.0)),
            queue_limit=int(getattr(simulator, "_ws_queue_limit", 10_000)),
        )
        self.ws.realism = realism

    def install(self, app: web.Application) -> None:
        """Add the perps REST routes and the perps WebSocket route."""
        self.rest.install(app)
        self.ws.install(app)

    @property
    def ws_url(self) -> str:
        """`ws://127.0.0.1:<port>/trade-api/ws/v2/margin`."""
        return self.simulator.base_url.replace("http://", "ws://", 1) + PERPS_WS_PATH

    def env(self) -> dict[str, str]:
        """`KALSHI_PERPS_API_BASE_URL` and `KALSHI_PERPS_WS_URL`."""
        return {ENV_NAMES["perps_rest"]: self.simulator.rest_url, ENV_NAMES["perps_ws"]: self.ws_url}


def perps_surface(simulator: KalshiExchangeSimulator) -> PerpsSurface:
    """The simulator's perps surface (every simulator has one)."""
    for surface in simulator.surfaces:
        if isinstance(surface, PerpsSurface):
            return surface
    raise LookupError("this simulator serves no perps surface")
