"""Order groups: a contracts limit over a rolling 15 s window that cancels the group's orders."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import _format as fmt
from . import _order_rules as rules
from ._fills import ExchangeFills
from ._matching import Order, OrderStatus
from ._shapes import PREDICTION, Shapes, rest
from ._state import GROUP_WINDOW_MS, ZERO, ExchangeError, FeedEvent, OrderGroup, int_field

__all__ = [
    "ExchangeGroups",
    "GroupLifecycle",
    "find_group",
    "group_event",
    "group_limit",
    "group_view",
    "window_reached",
]


def group_limit(body: dict[str, Any]) -> Decimal:
    """The limit of a create/update body: `contracts_limit` or `contracts_limit_fp` (they must agree if both)."""
    whole, fp = body.get("contracts_limit"), body.get("contracts_limit_fp")
    try:
        values = [Decimal(int(whole))] if whole is not None else []
        if fp is not None:
            values.append(fmt.parse_count(fp))
    except (ValueError, TypeError) as exc:
        raise ExchangeError(400, "invalid_parameters", str(exc)) from None
    if not values:
        raise ExchangeError(400, "invalid_parameters", "send contracts_limit or contracts_limit_fp")
    if len(values) == 2 and values[0] != values[1]:
        raise ExchangeError(400, "invalid_parameters", "contracts_limit and contracts_limit_fp disagree")
    if values[0] < 1:
        raise ExchangeError(400, "invalid_parameters", "contracts_limit must be at least 1")
    return values[0]


def find_group(groups: Mapping[str, OrderGroup], user_id: str, group_id: str) -> OrderGroup:
    """The user's order group; 404 otherwise."""
    group = groups.get(group_id)
    if group is None or group.user_id != user_id:
        raise ExchangeError(404, "order_group_not_found", f"order group {group_id} not found")
    return group


def group_view(
    shapes: Shapes, group: OrderGroup, orders: Mapping[str, Order], *, with_orders: bool, **extra: Any
) -> dict[str, Any]:
    """`GetOrderGroupResponse` (with resting order ids) or the list item `OrderGroup`, in `shapes`' spec."""
    if with_orders:
        resting = sorted(i for i in group.order_ids if orders[i].status is OrderStatus.RESTING)
        return shapes.rest(
            "GetOrderGroupResponse",
            is_auto_cancel_enabled=not group.triggered,
            contracts_limit_fp=fmt.count(group.limit),
            orders=resting,
            **extra,
        )
    return shapes.rest(
        "OrderGroup",
        id=group.group_id,
        contracts_limit_fp=fmt.count(group.limit),
        is_auto_cancel_enabled=not group.triggered,
        **extra,
    )


def group_event(shapes: Shapes, group: OrderGroup, event_type: str, now: int) -> FeedEvent:
    """The private `order_group_updates` message for `event_type` ("created", "triggered"...)."""
    msg = shapes.ws(
        "order_group_updates",
        event_type=event_type,
        order_group_id=group.group_id,
        contracts_limit_fp=fmt.count(group.limit),
        ts_ms=now,
    )
    return FeedEvent("order_group_updates", "order_group_updates", msg, user_id=group.user_id)


def window_reached(group: OrderGroup, now: int) -> bool:
    """Drop fills older than the rolling window; True when an untriggered group's window reaches its limit."""
    while group.window and group.window[0][0] <= now - GROUP_WINDOW_MS:
        group.window.popleft()
    return not group.triggered and sum((c for _, c in group.window), ZERO) >= group.limit


class GroupLifecycle:
    """Trigger, reset and delete, the same on both engines; each supplies its groups, cancel loop and feed event."""

    groups: dict[str, OrderGroup]

    def _cancel_group_orders(self, group: OrderGroup) -> None:
        raise NotImplementedError

    def _group_event(self, group: OrderGroup, event_type: str) -> None:
        raise NotImplementedError

    def trigger_group(self, group: OrderGroup) -> None:
        """Cancel every resting order of the group and refuse new ones until reset."""
        group.triggered = True
        self._cancel_group_orders(group)
        self._group_event(group, "triggered")

    def reset_group(self, group: OrderGroup) -> None:
        """Clear the window and accept orders again."""
        group.triggered = False
        group.window.clear()
        self._group_event(group, "reset")

    def delete_group(self, group: OrderGroup) -> None:
        """Cancel the group's orders and forget it."""
        self._cancel_group_orders(group)
        del self.groups[group.group_id]
        self._group_event(group, "deleted")


class ExchangeGroups(ExchangeFills, GroupLifecycle):
    def create_group(self, user_id: str, body: Any) -> dict[str, Any]:
        """CreateOrderGroup: `contracts_limit` or `contracts_limit_fp` (they must agree if both)."""
        body = self._check_body("CreateOrderGroupRequest", body or {})
        limit = group_limit(body)
        group = OrderGroup(self._next_id(), user_id, int_field(body, "subaccount") or 0, limit)
        self.groups[group.group_id] = group
        self._group_event(group, "created")
        return rest(
            "CreateOrderGroupResponse", order_group_id=group.group_id, subaccount=group.subaccount, exchange_index=0
        )

    def group(self, user_id: str, group_id: str) -> OrderGroup:
        """The user's order group; 404 otherwise."""
        return find_group(self.groups, user_id, group_id)

    def group_view(self, group: OrderGroup, *, with_orders: bool) -> dict[str, Any]:
        """`GetOrderGroupResponse` (with order ids) or the list item `OrderGroup`."""
        return group_view(PREDICTION, group, self.orders, with_orders=with_orders, exchange_index=0)

    def _group_event(self, group: OrderGroup, event_type: str) -> None:
        self._publish(group_event(PREDICTION, group, event_type, self.clock()))

    def _count_group_fill(self, group: OrderGroup, count: Decimal, now: int) -> None:
        group.window.append((now, count))
        self._check_group(group, now)

    def _check_group(self, group: OrderGroup, now: int) -> None:
        if window_reached(group, now):
            self.trigger_group(group)

    def _cancel_group_orders(self, group: OrderGroup) -> None:
        rules.cancel_resting(self.markets, [self.orders[i] for i in sorted(group.order_ids)], self._apply)

    def update_group_limit(self, group: OrderGroup, body: Any) -> None:
        """UpdateOrderGroupLimit; triggers the group at once if the window already reaches the new limit."""
        body = self._check_body("UpdateOrderGroupLimitRequest", body or {})
        group.limit = group_limit(body)
        self._group_event(group, "limit_updated")
        self._check_group(group, self.clock())

    def _on_fill(self, order: Order, count: Decimal, now: int) -> None:
        group_id = order.meta.get("order_group_id")
        if group_id and group_id in self.groups:
            self._count_group_fill(self.groups[group_id], count, now)
