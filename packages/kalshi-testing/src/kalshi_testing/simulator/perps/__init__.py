"""The simulator's perps (margin) exchange: REST under `/trade-api/v2/margin/...`, WebSocket on
`/trade-api/ws/v2/margin`.

`PerpsExchange` is the engine (margin markets on the shared `OrderBook`, cross-margin accounts,
funding on the simulator's clock); the surfaces translate HTTP and WebSocket to it.
"""

from __future__ import annotations

from ._engine import PerpsExchange
from ._state import MarginAccount, MarginPosition, PerpsMarket, default_markets
from ._surface import PerpsSurface, perps_surface
from ._ws import PERPS_WS_PATH

__all__ = [
    "PERPS_WS_PATH",
    "MarginAccount",
    "MarginPosition",
    "PerpsExchange",
    "PerpsMarket",
    "PerpsSurface",
    "default_markets",
    "perps_surface",
]
