"""The simulated exchange's state: records, errors, the feed event, and the base every part builds on."""

from __future__ import annotations

import itertools
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any, Protocol, TypeVar

from ._matching import Order, OrderBook
from ._shapes import PREDICTION, Shapes, rest

__all__ = [
    "Account",
    "ExchangeError",
    "ExchangeState",
    "FeedEvent",
    "Market",
    "OrderGroup",
    "Position",
    "Record",
    "check_body",
    "find_market",
    "find_user_order",
]

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
FEE_RATE = Decimal("0.07")
GROUP_WINDOW_MS = 15_000
NS = uuid.UUID("6f1c2d3e-0000-4000-8000-00000000ca1c")


class ExchangeError(Exception):
    """A request the exchange refuses; the HTTP layer answers `status` with Kalshi's error body."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        """The spec's `ErrorResponse` body."""
        return rest("ErrorResponse", code=self.code, message=self.message, details=self.details)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One message for WebSocket subscribers of `channel`.

    `ticker` filters market subscriptions; `user_id` marks private messages (only that user's
    connections see them); `owner_extra` holds fields shown only to `owner` (e.g. the
    `client_order_id` on an orderbook delta the owner's own order caused).
    """

    channel: str
    type: str
    msg: dict[str, Any]
    ticker: str | None = None
    user_id: str | None = None
    owner: str | None = None
    owner_extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Position:
    """One account's holding in one market. `position` > 0 is YES contracts, < 0 is NO."""

    ticker: str
    position: Decimal = ZERO
    cost: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    fees_paid: Decimal = ZERO
    total_traded: Decimal = ZERO
    volume: Decimal = ZERO
    updated_ms: int = 0


@dataclass(slots=True)
class Account:
    """Cash and positions of one (user, subaccount)."""

    user_id: str
    subaccount: int
    balance: Decimal
    positions: dict[str, Position] = field(default_factory=dict)
    fills: list[dict[str, Any]] = field(default_factory=list)
    settlements: list[dict[str, Any]] = field(default_factory=list)
    updated_ms: int = 0
    reserved: Decimal = ZERO
    """Cash held by resting orders (their cost plus the taker fee they could pay); not spendable."""
    netting: bool = True


@dataclass(slots=True)
class OrderGroup:
    """A contracts limit over a rolling 15 s window; hitting it cancels the group's orders."""

    group_id: str
    user_id: str
    subaccount: int
    limit: Decimal
    triggered: bool = False
    window: deque[tuple[int, Decimal]] = field(default_factory=deque)
    order_ids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Record:
    """A simple exchange object (an RFQ, a quote, an API key...): its spec shape and owner."""

    record_id: str
    owner: str
    obj: dict[str, Any]


@dataclass(slots=True)
class Market:
    """A listed market: its static fields (spec `Market` names), book and running statistics."""

    info: dict[str, Any]
    market_id: str
    tick: Decimal
    book: OrderBook = field(default_factory=OrderBook)
    clock: int = 0
    last_price: Decimal = ZERO
    volume: Decimal = ZERO
    open_interest: Decimal = ZERO
    trades: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ticker(self) -> str:
        """The market ticker."""
        return str(self.info["ticker"])


def int_field(body: dict[str, Any], name: str) -> int | None:
    """An optional integer body field; anything else is a 400."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExchangeError(400, "invalid_parameters", f"{name} must be an integer", name)
    return value


class Listed(Protocol):
    """What the shared order rules need of a market (prediction `Market` or perps `PerpsMarket`)."""

    @property
    def book(self) -> OrderBook: ...


M = TypeVar("M", bound=Listed)


def find_market(markets: Mapping[str, M], ticker: str) -> M:
    """The market `ticker`; raises a 404 ExchangeError if unknown."""
    market = markets.get(ticker)
    if market is None:
        raise ExchangeError(404, "market_not_found", f"market {ticker} not found")
    return market


def find_user_order(orders: Mapping[str, Order], user_id: str, order_id: str, subaccount: int | None) -> Order:
    """The order `order_id` if it belongs to `user_id` (and `subaccount`); 404 otherwise."""
    order = orders.get(order_id)
    if order is None or order.meta["user_id"] != user_id:
        raise ExchangeError(404, "order_not_found", f"order {order_id} not found")
    if subaccount is not None and order.meta["subaccount"] != subaccount:
        raise ExchangeError(404, "order_not_found", f"order {order_id} not found in subaccount {subaccount}")
    return order


def taker_fee(count: Decimal, price: Decimal) -> Decimal:
    return (FEE_RATE * count * price * (ONE - price)).quantize(CENT, rounding=ROUND_CEILING)


def check_body(schema: str, body: Any, shapes: Shapes = PREDICTION) -> dict[str, Any]:
    """`body` if it is an object of request schema `schema` (prediction unless `shapes` says); else a 400."""
    if not isinstance(body, dict):
        raise ExchangeError(400, "invalid_parameters", "the request body must be a JSON object")
    unknown = shapes.unknown_fields(schema, body)
    if unknown:
        raise ExchangeError(400, "invalid_parameters", f"unknown field(s) {unknown}", ", ".join(unknown))
    missing = shapes.missing_required(schema, body)
    if missing:
        raise ExchangeError(400, "invalid_parameters", f"missing required field(s) {missing}", ", ".join(missing))
    return body


class ExchangeState:
    """Catalogue, accounts, orders and listeners, with the lookups every part of `Exchange` shares."""

    def __init__(self, *, clock: Callable[[], int]) -> None:
        self.clock = clock
        self.listeners: list[Callable[[FeedEvent], None]] = []
        self.series: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.markets: dict[str, Market] = {}
        self.accounts: dict[tuple[str, int], Account] = {}
        self.orders: dict[str, Order] = {}
        self.groups: dict[str, OrderGroup] = {}
        self.trading_active = True
        self._client_ids: dict[tuple[str, int, str], str] = {}
        self._expiries: list[tuple[int, str]] = []
        self.transfers: dict[str, list[dict[str, Any]]] = {}
        """Subaccount transfers by user, oldest first (spec `SubaccountTransfer` objects)."""
        self.margined_cash: dict[str, Decimal] = {}
        """Cash moved to the margined (perps) instance, by user."""
        self.allocations: dict[str, dict[str, Any]] = {}
        """Target balance allocations by user (SetTargetBalanceAllocation bodies)."""
        self.historical_cutoff_ms = 0
        """Data older than this is served by the historical endpoints (the scenario start by default)."""
        self.fcm_users: set[str] = set()
        """Users whose accounts are FCM accounts (scenario `fcm: true`)."""
        self.records: dict[str, dict[str, Record]] = {}
        """Simple exchange objects by kind ("rfq", "quote", "api_key"...) and id, in creation order."""
        self._ids = itertools.count(1)

    def account(self, user_id: str, subaccount: int = 0) -> Account:
        """The account of (user, subaccount), created empty on first use."""
        key = (user_id, subaccount)
        if key not in self.accounts:
            self.accounts[key] = Account(user_id, subaccount, ZERO)
        return self.accounts[key]

    def market(self, ticker: str) -> Market:
        """The market `ticker`; raises a 404 ExchangeError if unknown."""
        return find_market(self.markets, ticker)

    def _next_id(self) -> str:
        return str(uuid.uuid5(NS, f"id-{next(self._ids)}"))

    def _publish(self, event: FeedEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    def _check_body(self, schema: str, body: Any) -> dict[str, Any]:
        return check_body(schema, body)

    def user_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> Order:
        """The order `order_id` if it belongs to `user_id` (and `subaccount`); 404 otherwise."""
        return find_user_order(self.orders, user_id, order_id, subaccount)

    def add_record(self, kind: str, owner: str, obj: dict[str, Any], record_id: str | None = None) -> Record:
        """Store a spec object of `kind` owned by `owner` under `record_id` (default: a new id)."""
        record = Record(record_id or self._next_id(), owner, obj)
        self.records.setdefault(kind, {})[record.record_id] = record
        return record

    def record(self, kind: str, record_id: str, owner: str | None = None) -> Record:
        """The record `record_id` of `kind` (owned by `owner` if given); a 404 otherwise."""
        record = self.records.get(kind, {}).get(record_id)
        if record is None or owner not in (None, record.owner):
            raise ExchangeError(404, "not_found", f"{kind} {record_id} not found")
        return record

    def records_of(self, kind: str) -> list[Record]:
        """Every record of `kind`, oldest first."""
        return list(self.records.get(kind, {}).values())

    def _on_fill(self, order: Order, count: Decimal, now: int) -> None:
        """Hook run after each fill of `order` (order groups count fills here)."""
