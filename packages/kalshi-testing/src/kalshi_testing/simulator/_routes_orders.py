"""REST routes for order entry (V2) and order groups."""

from __future__ import annotations

from typing import ClassVar

from aiohttp import web

from ._exchange import ExchangeError, OrderGroup
from ._http import USER, RouteBase, int_query, read_body, reply
from ._shapes import rest

__all__ = ["OrderRoutes"]


class OrderRoutes(RouteBase):
    """Order writes and order groups."""

    OPERATIONS: ClassVar[dict[str, str]] = {
        "CreateOrderV2": "create_order",
        "CancelAllOrders": "cancel_all",
        "BatchCreateOrdersV2": "batch_create",
        "BatchCancelOrdersV2": "batch_cancel",
        "CancelOrderV2": "cancel_order",
        "AmendOrderV2": "amend_order",
        "DecreaseOrderV2": "decrease_order",
        "GetOrderGroups": "groups_list",
        "CreateOrderGroup": "group_create",
        "GetOrderGroup": "group_one",
        "DeleteOrderGroup": "group_delete",
        "ResetOrderGroup": "group_reset",
        "TriggerOrderGroup": "group_trigger",
        "UpdateOrderGroupLimit": "group_limit",
    }

    async def create_order(self, request: web.Request) -> web.Response:
        """CreateOrderV2 -> 201."""
        return reply(self.exchange.create_order(USER.get(), await read_body(request)), 201)

    async def cancel_all(self, request: web.Request) -> web.Response:
        """CancelAllOrders -> 204, no body."""
        self.exchange.cancel_all(USER.get(), int_query(request.query, "subaccount"))
        return web.Response(status=204)

    async def batch_create(self, request: web.Request) -> web.Response:
        """BatchCreateOrdersV2 -> 201."""
        return reply(self.exchange.batch_create(USER.get(), await read_body(request)), 201)

    async def batch_cancel(self, request: web.Request) -> web.Response:
        """BatchCancelOrdersV2 (a DELETE with a JSON body) -> 200."""
        return reply(self.exchange.batch_cancel(USER.get(), await read_body(request)))

    async def cancel_order(self, request: web.Request) -> web.Response:
        """CancelOrderV2 -> 200 with a body."""
        sub = int_query(request.query, "subaccount")
        return reply(self.exchange.cancel_order(USER.get(), request.match_info["order_id"], sub))

    async def amend_order(self, request: web.Request) -> web.Response:
        """AmendOrderV2."""
        body = await read_body(request)
        sub = int_query(request.query, "subaccount")
        return reply(self.exchange.amend_order(USER.get(), request.match_info["order_id"], body, sub))

    async def decrease_order(self, request: web.Request) -> web.Response:
        """DecreaseOrderV2."""
        body = await read_body(request)
        sub = int_query(request.query, "subaccount")
        return reply(self.exchange.decrease_order(USER.get(), request.match_info["order_id"], body, sub))

    async def groups_list(self, request: web.Request) -> web.Response:
        """GetOrderGroups (not paginated): every subaccount unless `subaccount` is given."""
        sub = int_query(request.query, "subaccount")
        groups = [
            self.exchange.group_view(g, with_orders=False)
            for g in self.exchange.groups.values()
            if g.user_id == USER.get() and sub in (None, g.subaccount)
        ]
        return reply(rest("GetOrderGroupsResponse", order_groups=groups))

    def _group(self, request: web.Request) -> OrderGroup:
        """The caller's order group named in the path, in the query's `subaccount` if given; 404 otherwise."""
        group = self.exchange.group(USER.get(), request.match_info["order_group_id"])
        sub = int_query(request.query, "subaccount")
        if sub is not None and group.subaccount != sub:
            raise ExchangeError(404, "order_group_not_found", "order group not found in this subaccount")
        return group

    async def group_create(self, request: web.Request) -> web.Response:
        """CreateOrderGroup -> 201."""
        return reply(self.exchange.create_group(USER.get(), await read_body(request)), 201)

    async def group_one(self, request: web.Request) -> web.Response:
        """GetOrderGroup."""
        group = self._group(request)
        return reply(self.exchange.group_view(group, with_orders=True))

    async def group_delete(self, request: web.Request) -> web.Response:
        """DeleteOrderGroup."""
        self.exchange.delete_group(self._group(request))
        return reply({})

    async def group_reset(self, request: web.Request) -> web.Response:
        """ResetOrderGroup."""
        await read_body(request)
        self.exchange.reset_group(self._group(request))
        return reply({})

    async def group_trigger(self, request: web.Request) -> web.Response:
        """TriggerOrderGroup."""
        await read_body(request)
        self.exchange.trigger_group(self._group(request))
        return reply({})

    async def group_limit(self, request: web.Request) -> web.Response:
        """UpdateOrderGroupLimit."""
        group = self._group(request)
        self.exchange.update_group_limit(group, await read_body(request))
        return reply({})
