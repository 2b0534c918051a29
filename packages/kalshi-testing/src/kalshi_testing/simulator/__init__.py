"""The local Kalshi exchange simulator: REST and WebSocket over a price-time-priority matching engine."""

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
from ._scenario import Scenario, default_scenario, load_scenario
from ._simulator import KalshiExchangeSimulator, SimulatedUser

__all__ = [
    "BookSide",
    "Exchange",
    "ExchangeError",
    "Execution",
    "Faults",
    "FeedEvent",
    "KalshiExchangeSimulator",
    "LevelChange",
    "MatchResult",
    "Order",
    "OrderBook",
    "OrderStatus",
    "Scenario",
    "SelfTradePrevention",
    "SimulatedUser",
    "TimeInForce",
    "default_scenario",
    "load_scenario",
]
