"""The perps WebSocket surface on `/trade-api/ws/v2/margin`: the prediction engine with the perps channel table.

Channels, sequencing and filters follow specs/perps_asyncapi.yaml: `orderbook_delta` (market
tickers required; snapshot then deltas), `ticker`, `trade`, `fill`, `user_orders`,
`order_group_updates` and `corporate_actions`.
"""

from __future__ import annotations

from typing import Any

from kalshi_testing.simulator._ws import WebSocketSurface

from ._realism import PerpsRealism

__all__ = ["PERPS_WS_PATH", "PerpsWebSocketSurface"]

PERPS_WS_PATH = "/trade-api/ws/v2/margin"


class PerpsWebSocketSurface(WebSocketSurface):
    """Serves perps WebSocket connections from a `PerpsExchange` feed."""

    path = PERPS_WS_PATH
    channels = frozenset(
        {"orderbook_delta", "ticker", "trade", "fill", "user_orders", "order_group_updates", "corporate_actions"}
    )
    sequenced = frozenset({"orderbook_delta", "trade", "order_group_updates", "corporate_actions"})
    market_filtered = frozenset({"orderbook_delta", "ticker", "trade", "fill", "user_orders", "corporate_actions"})
    perps_realism = PerpsRealism()

    def _emit(self, conn: Any, sub: Any, type_: str, msg: dict[str, Any], cmd_id: Any = None) -> None:
        super()._emit(conn, sub, type_, self.perps_realism.ws(type_, msg), cmd_id)
