"""Perps order groups, exit triggers, subaccounts and transfers (specs/perps_openapi.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator import _order_rules as rules
from kalshi_testing.simulator._exchange import Exchange, ExchangeError, OrderGroup
from kalshi_testing.simulator._groups import (
    GroupLifecycle,
    find_group,
    group_event,
    group_limit,
    group_view,
    window_reached,
)

from ._base import EngineBase
from ._spec import PERPS

__all__ = ["Portfolio"]

_ZERO = Decimal(0)
_MAX_SUBACCOUNT = 63


class Portfolio(EngineBase, GroupLifecycle):
    """The `PerpsExchange` operations around orders and money that are not matching itself."""

    def __init__(self, *, clock: Callable[[], int], prediction: Exchange | None = None) -> None:
        super().__init__(clock=clock, prediction=prediction)
        self.groups: dict[str, OrderGroup] = {}
        self.triggers: dict[tuple[str, int, str, str], list[dict[str, Any]]] = {}
        """Exit triggers by (user, subaccount, ticker, "cross" | "isolated"), as spec `ExitTrigger` objects."""
        self.transfers: list[dict[str, Any]] = []
        """Subaccount transfers, oldest first, with their user."""
        self.subtraders: dict[str, bool] = {}
        """FCM subtrader ids -> require_category_cap (fixed at creation)."""
        self.risk_controls: dict[tuple[str, str], dict[str, Any]] = {}
        """FCM `FCMSubtraderRiskControls` by (subtrader, market ticker or asset class)."""
        self.fcm_limits: dict[str, str] = {}
        """The member's own notional risk limit (FixedPointDollars) by user."""

    # --- order groups --------------------------------------------------------------------------

    def create_group(self, user_id: str, body: Any) -> dict[str, Any]:
        """CreateMarginOrderGroup: a contracts limit over a rolling 15 s window."""
        body = self.check_body("CreateOrderGroupRequest", body or {})
        limit = group_limit(body)
        subaccount = body.get("subaccount") or 0
        group = OrderGroup(self.next_id(), user_id, int(subaccount), limit)
        self.groups[group.group_id] = group
        self._group_event(group, "created")
        return PERPS.rest("CreateOrderGroupResponse", order_group_id=group.group_id, subaccount=group.subaccount)

    def order_group(self, user_id: str, group_id: str) -> OrderGroup:
        """The user's order group; 404 otherwise."""
        return find_group(self.groups, user_id, group_id)

    def group_view(self, group: OrderGroup, *, with_orders: bool) -> dict[str, Any]:
        """`GetOrderGroupResponse` (with resting order ids) or the list item `OrderGroup`."""
        return group_view(PERPS, group, self.orders, with_orders=with_orders)

    def _group_event(self, group: OrderGroup, event_type: str) -> None:
        self.publish(group_event(PERPS, group, event_type, self.clock()))

    def _cancel_group_orders(self, group: OrderGroup) -> None:
        rules.cancel_resting(self.markets, [self.orders[i] for i in sorted(group.order_ids)], self.apply)

    def count_group_fill(self, group_id: str, count: Decimal, now: int) -> None:
        """Count a fill against its group's window; reaching the limit triggers the group."""
        group = self.groups.get(group_id)
        if group is None:
            return
        group.window.append((now, count))
        if window_reached(group, now):
            self.trigger_group(group)

    def update_group_limit(self, group: OrderGroup, body: Any) -> None:
        """UpdateMarginOrderGroupLimit."""
        body = self.check_body("UpdateOrderGroupLimitRequest", body or {})
        group.limit = group_limit(body)
        self._group_event(group, "limit_updated")

    # --- exit triggers -------------------------------------------------------------------------

    def set_exit_trigger(self, user_id: str, subaccount: int, ticker: str, mode: str, body: Any) -> dict[str, Any]:
        """Set{Cross,Isolated}MarginExitTrigger: a bracket (stop loss / take profit > 0) or a trailing stop."""
        schema = "SetCrossExitTriggerRequest" if mode == "cross" else "SetIsolatedExitTriggerRequest"
        body = self.check_body(schema, body)
        market = self.market(ticker)
        kind = body.get("kind") or "bracket"
        prices: dict[str, Any] = {}
        for name in ("stop_loss_price", "take_profit_price", "trail_amount"):
            if body.get(name) is not None:
                try:
                    value = fmt.parse_price(body[name])
                except ValueError as exc:
                    raise ExchangeError(400, "invalid_parameters", str(exc), name) from None
                if value <= 0:
                    raise ExchangeError(400, "invalid_parameters", f"{name} must be greater than 0", name)
                prices[name] = fmt.dollars(value)
        if kind == "bracket" and not ({"stop_loss_price", "take_profit_price"} & prices.keys()):
            raise ExchangeError(400, "invalid_parameters", "a bracket needs stop_loss_price or take_profit_price")
        if kind == "trailing" and "trail_amount" not in prices and body.get("trail_bps") is None:
            raise ExchangeError(400, "invalid_parameters", "a trailing trigger needs trail_amount or trail_bps")
        account = self.account(user_id, subaccount)
        held = account.positions[ticker].position if ticker in account.positions else _ZERO
        now = fmt.rfc3339(self.clock())
        count = body.get("count") or fmt.count(abs(held))
        trigger = PERPS.rest(
            "ExitTrigger",
            id=self.next_id(),
            ticker=market.ticker,
            kind=kind,
            status="active" if held else "pending_on_entry",
            client_trigger_id=body.get("client_trigger_id"),
            anchor_order_id=body.get("anchor_order_id"),
            trail_bps=body.get("trail_bps"),
            count=count,
            filled_count=fmt.count(_ZERO),
            created_time=now,
            updated_time=now,
            **prices,
        )
        key = (user_id, subaccount, ticker, mode)
        if mode == "isolated":
            self.triggers[key] = []  # an isolated position holds one trigger; setting replaces it
        self.triggers.setdefault(key, []).append(trigger)
        return trigger

    def exit_triggers(
        self, user_id: str, subaccount: int, ticker: str, mode: str, kind: str | None
    ) -> list[dict[str, Any]]:
        """The position's triggers (of one kind when given)."""
        return [t for t in self.triggers.get((user_id, subaccount, ticker, mode), []) if kind in (None, t["kind"])]

    def delete_exit_triggers(self, user_id: str, subaccount: int, ticker: str, mode: str, kind: str | None) -> None:
        """Remove the position's triggers (of one kind when given)."""
        key = (user_id, subaccount, ticker, mode)
        self.triggers[key] = [t for t in self.triggers.get(key, []) if kind not in (None, t["kind"])]

    def exit_trigger(self, user_id: str, subaccount: int, ticker: str, trigger_id: str) -> dict[str, Any]:
        """One cross trigger by id; 404 otherwise."""
        for trigger in self.triggers.get((user_id, subaccount, ticker, "cross"), []):
            if trigger["id"] == trigger_id:
                return trigger
        raise ExchangeError(404, "exit_trigger_not_found", f"exit trigger {trigger_id} not found")

    def update_exit_trigger(
        self, user_id: str, subaccount: int, ticker: str, trigger_id: str, body: Any
    ) -> dict[str, Any]:
        """UpdateCrossMarginExitTrigger: new bracket prices (> 0)."""
        body = self.check_body("UpdateExitTriggerRequest", body)
        trigger = self.exit_trigger(user_id, subaccount, ticker, trigger_id)
        for name in ("stop_loss_price", "take_profit_price"):
            if body.get(name) is not None:
                try:
                    value = fmt.parse_price(body[name])
                except ValueError as exc:
                    raise ExchangeError(400, "invalid_parameters", str(exc), name) from None
                if value <= 0:
                    raise ExchangeError(400, "invalid_parameters", f"{name} must be greater than 0", name)
                trigger[name] = fmt.dollars(value)
        trigger["updated_time"] = fmt.rfc3339(self.clock())
        return trigger

    def delete_exit_trigger(self, user_id: str, subaccount: int, ticker: str, trigger_id: str) -> None:
        """DeleteCrossMarginExitTriggerById."""
        trigger = self.exit_trigger(user_id, subaccount, ticker, trigger_id)
        self.triggers[(user_id, subaccount, ticker, "cross")].remove(trigger)

    # --- subaccounts and transfers -------------------------------------------------------------

    def create_subaccount(self, user_id: str) -> dict[str, Any]:
        """CreateMarginSubaccount: the next free number, 1 to 63."""
        taken = [s for (u, s) in self.accounts if u == user_id]
        number = max(taken, default=0) + 1
        if number > _MAX_SUBACCOUNT:
            raise ExchangeError(400, "subaccount_limit_reached", "no more subaccounts")
        self.account(user_id, number)
        return PERPS.rest("CreateSubaccountResponse", subaccount_number=number)

    def transfer_between_subaccounts(self, user_id: str, body: Any) -> dict[str, Any]:
        """ApplyMarginSubaccountTransfer: `amount_cents` between two margin subaccounts; `exchange_index` is ignored."""
        body = self.check_body("ApplySubaccountTransferRequest", body)
        if any(t["user_id"] == user_id and t["transfer_id"] == body["client_transfer_id"] for t in self.transfers):
            raise ExchangeError(409, "duplicate_client_transfer_id", "client_transfer_id was already used")
        source, target, cents = body["from_subaccount"], body["to_subaccount"], body["amount_cents"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (source, target, cents)) or cents <= 0:
            raise ExchangeError(400, "invalid_parameters", "subaccounts and a positive amount_cents are integers")
        if source == target or (user_id, source) not in self.accounts or (user_id, target) not in self.accounts:
            raise ExchangeError(400, "invalid_parameters", "from_subaccount and to_subaccount must be two subaccounts")
        self._move(user_id, source, target, Decimal(cents) / 100)
        self.transfers.append({"user_id": user_id, "transfer_id": body["client_transfer_id"], "amount": cents})
        return {}

    def _move(self, user_id: str, source: int, target: int, amount: Decimal) -> None:
        available = self.available(user_id, source)
        if available < amount:
            raise ExchangeError(400, "insufficient_balance", "insufficient available balance in the source")
        now = self.clock()
        for sub, delta in ((source, -amount), (target, amount)):
            account = self.account(user_id, sub)
            account.cash += delta
            account.updated_ms = now
