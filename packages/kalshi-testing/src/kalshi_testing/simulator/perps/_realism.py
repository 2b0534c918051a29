"""Realistic mode for perps: what the live API does that the spec does not say.

On by default. With it on, the simulator serves what clients must tolerate (docs/protocol/server-behaviours.md: observed
behaviour, recorded in docs/ of this repo as known server behaviour):

- `GetMarginOrdersResponse.cursor` (and the other perps list cursors) are left out on the last
  page instead of being `""`, although the spec marks them required;
- fields added recently are absent while they roll out although the spec requires them:
  `MarginMarket.halt_sources`, and `order_source` on orders and fills;
- an empty list on a margin account (positions, risk positions, balances, an order group's
  orders) arrives as JSON `null`, as observed;
- for `consistency_window` seconds after a POST creates an order or order group, a GET by its id
  answers 404 (the simulator's eventual consistency, shared with prediction);
- on the WebSocket, the ticker's `*_notional_value_dollars` fields and `order_source` on `fill`
  and `user_order` are absent while they roll out.

The switch is the simulator's own (`KalshiExchangeSimulator(realistic=...)`, `simulator.realism`):
off, the perps surfaces serve the spec's shapes exactly.
"""

from __future__ import annotations

from typing import Any

from kalshi_testing.simulator._realistic import Realism

__all__ = ["PerpsRealism"]


class PerpsRealism:
    """The perps deviations from the spec, on while the simulator's `Realism` is enabled."""

    def __init__(self, switch: Realism | None = None) -> None:
        self.switch = switch or Realism()

    @property
    def enabled(self) -> bool:
        """Whether realistic mode is on (read live from the simulator's switch)."""
        return self.switch.enabled

    def _drop(self, obj: dict[str, Any], *fields: str) -> dict[str, Any]:
        if not self.enabled:
            return obj
        return {k: v for k, v in obj.items() if k not in fields}

    def page(self, body: dict[str, Any]) -> dict[str, Any]:
        """A list response: the last page carries no `cursor` key at all."""
        if self.enabled and not body.get("cursor"):
            return self._drop(body, "cursor")
        return body

    def null_when_empty(self, body: dict[str, Any], *fields: str) -> dict[str, Any]:
        """The body with each named list that is empty sent as JSON null."""
        if not self.enabled:
            return body
        return body | {f: None for f in fields if body.get(f) == []}

    def market(self, market: dict[str, Any]) -> dict[str, Any]:
        """A `MarginMarket` without `halt_sources` (rolling out)."""
        return self._drop(market, "halt_sources")

    def order(self, order: dict[str, Any]) -> dict[str, Any]:
        """A `MarginOrder` without `order_source` (rolling out)."""
        return self._drop(order, "order_source")

    def fill(self, fill: dict[str, Any]) -> dict[str, Any]:
        """A `MarginFill` without `order_source` (rolling out)."""
        return self._drop(fill, "order_source")

    def ws(self, type_: str, msg: dict[str, Any]) -> dict[str, Any]:
        """A WebSocket `msg` without the fields still rolling out."""
        if type_ == "ticker":
            return self._drop(msg, *_TICKER_NOTIONALS)
        if type_ in ("fill", "user_order"):
            return self._drop(msg, "order_source")
        return msg


_TICKER_NOTIONALS = (
    "volume_notional_value_dollars",
    "volume_24h_notional_value_dollars",
    "open_interest_notional_value_dollars",
)
