"""What the FIX acceptor needs from an exchange engine: the prediction `Exchange` and the perps `PerpsExchange`
both provide it, so one order-entry, drop-copy and market-data implementation serves both gateways."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kalshi_testing.simulator._exchange import FeedEvent
from kalshi_testing.simulator._matching import Order

__all__ = ["Engine", "feed_value"]


class Engine(Protocol):
    """The engine surface the FIX layer drives (the methods REST calls too)."""

    clock: Callable[[], int]
    listeners: list[Callable[[FeedEvent], None]]
    markets: Any
    """ticker -> market with `.book` (`OrderBook`) and `.info` (spec fields, `status`)."""
    orders: dict[str, Order]
    groups: Any
    """order group id -> `OrderGroup`."""

    def create_order(self, user_id: str, body: Any) -> dict[str, Any]: ...

    def cancel_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> dict[str, Any]: ...

    def amend_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]: ...

    def set_expiration(self, order_id: str, expiration_s: int | None) -> None: ...

    def create_group(self, user_id: str, body: Any) -> dict[str, Any]: ...

    def reset_group(self, group: Any) -> None: ...

    def delete_group(self, group: Any) -> None: ...

    def trigger_group(self, group: Any) -> None: ...

    def update_group_limit(self, group: Any, body: Any) -> None: ...


def feed_value(msg: dict[str, Any], prediction_name: str, perps_name: str) -> Any:
    """A field of a feed message under its prediction name (`count_fp`) or its perps name (`count`)."""
    value = msg.get(prediction_name)
    return msg.get(perps_name) if value is None else value
