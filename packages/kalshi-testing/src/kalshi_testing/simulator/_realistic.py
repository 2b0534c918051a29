"""Realistic mode: send what the exchange is observed to send, not only what the spec promises.

On (the default), the simulator reproduces the server behaviours documented in
`docs/` and observed on demo, so clients are tested against them:

- JSON `null` where the spec requires an array, for the fields where that is observed (an empty
  list is sent as null);
- required fields left out while a rollout is under way;
- WebSocket frames without the fields the AsyncAPI spec marks deprecated;
- a 400 for an empty `cursor=` (spec-exact mode treats it as absent);
- eventual consistency: for `consistency_window` seconds after a POST creates an object, a GET
  by its id answers 404.

Off (`realistic=False`), every answer is exactly the spec's shape. Surfaces read
`Realism.enabled` for their own quirks (perps: no `cursor` on the last page).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ._generated.asyncapi_shapes import DEPRECATED
from ._generated.openapi_shapes import ARRAY_ITEMS, OBJECTS, OPERATIONS

__all__ = ["NULL_ARRAYS", "ROLLOUT_MISSING", "Realism"]

NULL_ARRAYS: dict[str, tuple[str, ...]] = {
    "GetOrderGroupResponse": ("orders",),
    "GetApiKeysResponse": ("api_keys",),
    "ApiKey": ("scopes",),
    "GetMarketCandlesticksResponse": ("candlesticks",),
    "MarketCandlesticksResponse": ("candlesticks",),
    "GetMilestonesResponse": ("milestones",),
    "GetEventMetadataResponse": ("market_details",),
    "MultivariateEventCollection": ("price_ranges",),
}
"""Required arrays observed as JSON null when empty, by schema."""

ROLLOUT_MISSING: dict[str, tuple[str, ...]] = {
    "EventData": ("product_metadata",),
    "Fill": ("exchange_index",),
    "MarketPosition": ("exchange_index",),
    "Settlement": ("exchange_index",),
    "Series": ("categories",),
    "Market": ("settlement_bounds_type",),
    "Trade": ("is_block_trade",),
}
"""Required fields observed missing (recently added, absent during rollout), by schema."""

_WS_ROLLOUT_MISSING = {"fill": ("exchange_index",), "user_order": ("exchange_index",)}


@dataclass(slots=True)
class Realism:
    """Which observed server behaviours the simulator reproduces."""

    enabled: bool = True
    consistency_window: float = 0.5
    """Seconds a newly created object stays invisible to GET by id (realistic mode only)."""
    _hidden: dict[str, float] = field(default_factory=dict)

    def rest_body(self, operation: str, body: Any) -> Any:
        """The response body of `operation` as the exchange sends it."""
        schema = OPERATIONS[operation][3]
        if not self.enabled or not schema:
            return body
        return _walk(schema, body)

    def ws_msg(self, message_type: str, msg: dict[str, Any]) -> dict[str, Any]:
        """A WebSocket `msg` as the exchange sends it."""
        if not self.enabled:
            return msg
        drop = (*DEPRECATED.get(message_type, ()), *_WS_ROLLOUT_MISSING.get(message_type, ()))
        return {k: v for k, v in msg.items() if k not in drop} if drop else msg

    def created(self, body: Any) -> None:
        """Note the ids a POST answer created; they stay hidden for `consistency_window` seconds."""
        if not self.enabled or self.consistency_window <= 0 or not isinstance(body, dict):
            return
        until = time.monotonic() + self.consistency_window
        for key, value in body.items():
            if key.endswith("id") and isinstance(value, str) and value:
                self._hidden[value] = until

    def hidden(self, path: str) -> bool:
        """Whether a GET of `path` names an object created too recently to be visible."""
        if not self._hidden:
            return False
        now = time.monotonic()
        for key, until in list(self._hidden.items()):
            if until <= now:
                del self._hidden[key]
        return any(segment in self._hidden for segment in path.split("/"))


def _walk(schema: str, value: Any) -> Any:
    if isinstance(value, list):
        return [_walk(schema, v) for v in value]
    if not isinstance(value, dict) or schema not in OBJECTS:
        return value
    table = OBJECTS[schema]
    items = ARRAY_ITEMS.get(schema, {})
    missing = ROLLOUT_MISSING.get(schema, ())
    nulls = NULL_ARRAYS.get(schema, ())
    out: dict[str, Any] = {}
    for key, v in value.items():
        if key in missing:
            continue
        if key in nulls and v == []:
            out[key] = None
            continue
        kind = table.get(key, ("",))[0]
        if kind.startswith("$"):
            out[key] = _walk(kind[1:], v)
        elif key in items:
            out[key] = _walk(items[key], v)
        else:
            out[key] = v
    return out
