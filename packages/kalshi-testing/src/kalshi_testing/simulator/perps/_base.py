"""The perps engine's shared state and lookups, which its parts (views, fills, funding, portfolio) build on."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kalshi_testing.simulator._exchange import Exchange, FeedEvent, OrderGroup
from kalshi_testing.simulator._matching import MatchResult, Order
from kalshi_testing.simulator._state import check_body, find_market, find_user_order, int_field

from ._spec import PERPS
from ._state import MarginAccount, PerpsMarket

__all__ = ["EngineBase", "int_field"]

_NS = uuid.UUID("6f1c2d3e-0000-4000-8000-0000000ba5e5")


class EngineBase:
    """State every part of `PerpsExchange` reads: clock, feed listeners, markets, accounts, orders."""

    def __init__(self, *, clock: Callable[[], int], prediction: Exchange | None = None) -> None:
        self.clock = clock
        self.prediction = prediction
        self.listeners: list[Callable[[FeedEvent], None]] = []
        self.markets: dict[str, PerpsMarket] = {}
        self.accounts: dict[tuple[str, int], MarginAccount] = {}
        self.orders: dict[str, Order] = {}
        self.trading_active = True
        self._ids = itertools.count(1)

    if TYPE_CHECKING:  # implemented by the other parts of PerpsExchange

        def apply(self, market: PerpsMarket, result: MatchResult) -> None: ...

        def create_order(self, user_id: str, body: Any, *, source: str = "user") -> dict[str, Any]: ...

        def available(self, user_id: str, subaccount: int = 0) -> Decimal: ...

        def funding_rate(self, market: PerpsMarket) -> Decimal: ...

        def ticker_msg(self, market: PerpsMarket) -> dict[str, Any]: ...

        def user_order_msg(self, order: Order) -> dict[str, Any]: ...

        def order_group(self, user_id: str, group_id: str) -> OrderGroup: ...

        def count_group_fill(self, group_id: str, count: Decimal, now: int) -> None: ...

        def check_exit_triggers(self, market: PerpsMarket) -> None: ...

        def check_liquidations(self, market: PerpsMarket) -> None: ...

        def margin_figures(self, account: MarginAccount) -> dict[str, Decimal]: ...

    def account(self, user_id: str, subaccount: int = 0) -> MarginAccount:
        """The margin account of (user, subaccount), created empty on first use."""
        key = (user_id, subaccount)
        if key not in self.accounts:
            self.accounts[key] = MarginAccount(user_id, subaccount, updated_ms=self.clock())
        return self.accounts[key]

    def deposit(self, user_id: str, amount: Decimal, subaccount: int = 0) -> MarginAccount:
        """Add `amount` dollars of settled funds (a negative amount withdraws)."""
        account = self.account(user_id, subaccount)
        account.cash += amount
        account.updated_ms = self.clock()
        return account

    def market(self, ticker: str) -> PerpsMarket:
        """The market `ticker`; 404 if unknown."""
        return find_market(self.markets, ticker)

    def user_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> Order:
        """The user's order (in `subaccount` when given); 404 otherwise."""
        return find_user_order(self.orders, user_id, order_id, subaccount)

    def next_id(self) -> str:
        """A fresh deterministic id."""
        return str(uuid.uuid5(_NS, f"id-{next(self._ids)}"))

    def publish(self, event: FeedEvent) -> None:
        """Hand a feed event to every listener (the perps WebSocket surface)."""
        for listener in list(self.listeners):
            listener(event)

    def check_body(self, schema: str, body: Any) -> dict[str, Any]:
        """A JSON-object request body with only the spec's fields and every required one; 400 otherwise."""
        return check_body(schema, body, PERPS)
