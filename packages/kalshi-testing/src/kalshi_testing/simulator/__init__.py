"""The local Kalshi exchange simulator: REST and WebSocket over a price-time-priority matching engine.

Layers, each usable alone:

- `_matching.OrderBook`: pure price-time priority on one quoted leg (`bid`/`ask`), no product,
  no clock, no I/O. Perps margin markets and a FIX order-entry acceptor submit the same `Order`
  objects; only their wire translation differs.
- `_exchange.Exchange`: prediction-market state on top of the books (catalogue, accounts, money,
  fills, order groups, lifecycle), emitting `FeedEvent`s. It builds spec shapes through
  `_shapes` (tables generated from the specs) and raises `ExchangeError` for refusals.
- Surfaces: `_rest.RestSurface` and `_ws.WebSocketSurface` translate HTTP / WebSocket to
  `Exchange` calls and `FeedEvent`s to frames; `_auth.KeyRegistry` and `_faults.Faults` are shared.
  A perps surface (`/trade-api/v2/margin/...`, `/trade-api/ws/v2/margin`) or a FIX acceptor
  (`kalshi_fix` session layer, calling `Exchange.create_order` / `cancel_order` and listening to
  the same feed) is another surface over the same engine, not a copy of it.
- `KalshiExchangeSimulator` wires them into an aiohttp app on a background thread; extra
  surfaces (perps, Klear, FIX) plug in through `_surfaces.Surface` / `SURFACE_FACTORIES`.
- `Exchange` is assembled from parts: `_state` (records, base), `_views`, `_fills`, `_groups`,
  `_orders`, `_lifecycle`, `_subaccounts`; the REST operations live in `_routes_*` modules.
"""

from __future__ import annotations

from ._exchange import Exchange, ExchangeError, FeedEvent
from ._faults import Faults
from ._matching import (
    BookSide,
    Execution,
    LevelChange,
    MatchResult,
    Order,
    OrderBook,
    OrderStatus,
    SelfTradePrevention,
    TimeInForce,
)
from ._ratelimit import BucketSpec, RateLimits
from ._scenario import Scenario, default_scenario, load_scenario
from ._simulator import KalshiExchangeSimulator, SimulatedUser
from ._surfaces import ENV_NAMES, SURFACE_FACTORIES, Surface
from .klear import KlearSurface
from .perps import PerpsExchange, PerpsSurface

# Every simulator serves perps (REST + WebSocket) and Klear; Klear reads the perps engine's accounts.
SURFACE_FACTORIES.extend([PerpsSurface, KlearSurface])

__all__ = [
    "BookSide",
    "BucketSpec",
    "ENV_NAMES",
    "Exchange",
    "ExchangeError",
    "Execution",
    "Faults",
    "FeedEvent",
    "KalshiExchangeSimulator",
    "KlearSurface",
    "LevelChange",
    "MatchResult",
    "Order",
    "OrderBook",
    "OrderStatus",
    "PerpsExchange",
    "PerpsSurface",
    "RateLimits",
    "SURFACE_FACTORIES",
    "Scenario",
    "SelfTradePrevention",
    "SimulatedUser",
    "Surface",
    "TimeInForce",
    "default_scenario",
    "load_scenario",
]
