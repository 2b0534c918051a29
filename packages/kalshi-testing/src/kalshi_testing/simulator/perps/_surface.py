"""`PerpsSurface`: the perps engine, its REST routes and its WebSocket, plugged into `KalshiExchangeSimulator`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web

from kalshi_testing.simulator._surfaces import ENV_NAMES, Surface

from ._engine import PerpsExchange
from ._realism import PerpsRealism
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
        realism = PerpsRealism(simulator.realism)
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
        self.ws.perps_realism = realism
        # IntraExchangeInstanceTransfer (prediction surface) moves money to and from this engine.
        simulator.exchange.margined_cash = _MarginCash(self.engine)

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


class _MarginCash(dict[str, Decimal]):
    """The prediction exchange's view of each user's margined cash: the primary margin account.

    Reading gives what may leave (the available balance); writing moves the difference into or
    out of the account's settled funds.
    """

    def __init__(self, engine: PerpsExchange) -> None:
        super().__init__()
        self.engine = engine

    def __getitem__(self, user_id: str) -> Decimal:
        return self.engine.available(user_id, 0)

    def get(self, user_id: str, default: Any = None) -> Any:
        return self[user_id]

    def __setitem__(self, user_id: str, value: Decimal) -> None:
        self.engine.deposit(user_id, value - self[user_id])


def perps_surface(simulator: KalshiExchangeSimulator) -> PerpsSurface:
    """The simulator's perps surface (every simulator has one)."""
    for surface in simulator.surfaces:
        if isinstance(surface, PerpsSurface):
            return surface
    raise LookupError("this simulator serves no perps surface")
