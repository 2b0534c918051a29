"""The perps WebSocket surface on `/trade-api/ws/v2/margin`: the prediction engine with the perps channel table.

Channels, sequencing and filters follow specs/perps_asyncapi.yaml: `orderbook_delta` (market
tickers required; snapshot then deltas), `ticker`, `trade`, `fill`, `user_orders`,
`order_group_updates` and `corporate_actions`. `ticker` is coalesced to at most one message per
market per second on each subscription, the latest value winning (perps_asyncapi.yaml, ticker).
"""

from __future__ import annotations

import asyncio
from typing import Any

from kalshi_testing.simulator._ws import WebSocketSurface

from ._realism import PerpsRealism

__all__ = ["PERPS_WS_PATH", "PerpsWebSocketSurface"]

PERPS_WS_PATH = "/trade-api/ws/v2/margin"
_TICKER_INTERVAL = 1.0


class PerpsWebSocketSurface(WebSocketSurface):
    """Serves perps WebSocket connections from a `PerpsExchange` feed."""

    path = PERPS_WS_PATH
    channels = frozenset(
        {"orderbook_delta", "ticker", "trade", "fill", "user_orders", "order_group_updates", "corporate_actions"}
    )
    sequenced = frozenset({"orderbook_delta", "trade", "order_group_updates", "corporate_actions"})
    market_filtered = frozenset({"orderbook_delta", "ticker", "trade", "fill", "user_orders", "corporate_actions"})
    perps_realism = PerpsRealism()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ticker_sent: dict[tuple[int, int, str], float] = {}
        self._ticker_pending: dict[tuple[int, int, str], tuple[Any, Any, dict[str, Any]]] = {}

    def _emit(self, conn: Any, sub: Any, type_: str, msg: dict[str, Any], cmd_id: Any = None) -> None:
        if type_ == "ticker" and cmd_id is None:
            self._coalesce(conn, sub, msg)
            return
        super()._emit(conn, sub, type_, self.perps_realism.ws(type_, msg), cmd_id)

    def _coalesce(self, conn: Any, sub: Any, msg: dict[str, Any]) -> None:
        """Send a ticker now, or keep it as the latest of this second and send that when the second is up."""
        loop = asyncio.get_running_loop()
        key = (id(conn), sub.sid, str(msg["market_ticker"]))
        wait = self._ticker_sent.get(key, -_TICKER_INTERVAL) + _TICKER_INTERVAL - loop.time()
        if wait <= 0:
            self._ticker_sent[key] = loop.time()
            super()._emit(conn, sub, "ticker", self.perps_realism.ws("ticker", msg))
            return
        if key not in self._ticker_pending:
            loop.call_later(wait, self._flush, key)
        self._ticker_pending[key] = (conn, sub, msg)

    def _flush(self, key: tuple[int, int, str]) -> None:
        pending = self._ticker_pending.pop(key, None)
        if pending is None:
            return
        conn, sub, msg = pending
        if conn in self.connections and sub.sid in conn.subs:
            self._ticker_sent[key] = asyncio.get_running_loop().time()
            super()._emit(conn, sub, "ticker", self.perps_realism.ws("ticker", msg))
