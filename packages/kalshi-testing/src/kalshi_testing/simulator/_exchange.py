"""The simulated prediction exchange: catalogue, accounts, orders and the feed, on `OrderBook`.

Pure state: no sockets, no event loop. Time comes from an injected `clock()` (epoch ms). Every
write returns its REST response body and publishes `FeedEvent`s to the registered listeners,
which the WebSocket layer fans out to subscriptions. Errors are `ExchangeError(status, code,
message)`, rendered by the HTTP layer as Kalshi's error body.

Money model: YES position is signed (negative = NO contracts). Opening a YES contract costs the
price, opening a NO contract costs 1 - price; closing pays the other side back. Takers pay the
quadratic fee `ceil(0.07 * count * p * (1 - p))` to the cent; makers pay none.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from . import _format as fmt
from ._matching import (
    BookSide,
    CancelReason,
    Execution,
    MatchResult,
    Order,
    OrderBook,
    OrderStatus,
    SelfTradePrevention,
    TimeInForce,
)
from ._scenario import Scenario
from ._shapes import missing_required, rest, unknown_fields, ws

__all__ = ["Account", "Exchange", "ExchangeError", "FeedEvent", "Market", "OrderGroup", "Position"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_CENT = Decimal("0.01")
_FEE_RATE = Decimal("0.07")
_GROUP_WINDOW_MS = 15_000
_NS = uuid.UUID("6f1c2d3e-0000-4000-8000-00000000ca1c")


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
    position: Decimal = _ZERO
    cost: Decimal = _ZERO
    realized_pnl: Decimal = _ZERO
    fees_paid: Decimal = _ZERO
    total_traded: Decimal = _ZERO
    volume: Decimal = _ZERO
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
class Market:
    """A listed market: its static fields (spec `Market` names), book and running statistics."""

    info: dict[str, Any]
    market_id: str
    tick: Decimal
    book: OrderBook = field(default_factory=OrderBook)
    clock: int = 0
    last_price: Decimal = _ZERO
    volume: Decimal = _ZERO
    open_interest: Decimal = _ZERO
    trades: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ticker(self) -> str:
        """The market ticker."""
        return str(self.info["ticker"])


def _int_field(body: dict[str, Any], name: str) -> int | None:
    """An optional integer body field; anything else is a 400."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExchangeError(400, "invalid_parameters", f"{name} must be an integer", name)
    return value


def _taker_fee(count: Decimal, price: Decimal) -> Decimal:
    return (_FEE_RATE * count * price * (_ONE - price)).quantize(_CENT, rounding=ROUND_CEILING)


class Exchange:
    """The whole simulated exchange. Thread-unsafe by design: the aiohttp app drives it from one loop."""

    def __init__(self, scenario: Scenario, *, clock: Callable[[], int]) -> None:
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
        self._ids = itertools.count(1)
        self._load(scenario)

    # --- set-up --------------------------------------------------------------------------------

    def _load(self, scenario: Scenario) -> None:
        now = fmt.rfc3339(scenario.start_ms)
        for s in scenario.series:
            values = {
                "category": "",
                "frequency": "custom",
                "contract_url": "",
                "contract_terms_url": "",
                "fee_type": "quadratic",
                "fee_multiplier": 1,
                "categories": [s.get("category", "")],
                "tags": [],
                "settlement_sources": [],
                "additional_prohibitions": [],
                "last_updated_ts": now,
                "exchange_index": 0,
            } | s
            self.series[s["ticker"]] = values
        for e in scenario.events:
            values = {
                "sub_title": "",
                "collateral_return_type": "",
                "mutually_exclusive": False,
                "settlement_sources": [],
                "last_updated_ts": now,
                "exchange_index": 0,
            } | e
            self.events[e["event_ticker"]] = values
        close = fmt.rfc3339(scenario.start_ms + 7 * 86_400_000)
        for m in scenario.markets:
            info = dict(m)
            tick = Decimal(str(info.pop("tick", "0.01")))
            info.setdefault("price_level_structure", "deci_cent" if tick < _CENT else "linear_cent")
            info.setdefault("price_ranges", [{"start": "0.0000", "end": "1.0000", "step": fmt.dollars(tick)}])
            defaults = {
                "market_type": "binary",
                "yes_sub_title": info.get("title", ""),
                "no_sub_title": "",
                "created_time": now,
                "updated_time": now,
                "open_time": now,
                "close_time": close,
                "latest_expiration_time": close,
                "expiration_time": close,
                "settlement_timer_seconds": 3600,
                "can_close_early": True,
                "settlement_bounds_type": "default",
                "result": "",
                "expiration_value": "",
                "rules_primary": f"Resolves Yes if {info.get('title', info['ticker'])}",
                "rules_secondary": "",
                "exchange_index": 0,
            }
            market_id = str(uuid.uuid5(_NS, info["ticker"]))
            self.markets[info["ticker"]] = Market(info=defaults | info, market_id=market_id, tick=tick)
        for a in scenario.accounts:
            self.accounts[(a["user_id"], 0)] = Account(a["user_id"], 0, Decimal(str(a.get("balance", "0"))))
        for o in scenario.orders:
            self.create_order(
                o["user_id"],
                {
                    "ticker": o["ticker"],
                    "side": o["side"],
                    "price": str(o["price"]),
                    "count": str(o["count"]),
                    "time_in_force": "good_till_canceled",
                    "self_trade_prevention_type": "maker",
                },
            )

    def add_user(self, user_id: str, balance: Decimal) -> Account:
        """Create (or top up to `balance`) the primary account of `user_id`."""
        account = self.account(user_id, 0)
        account.balance = balance
        account.updated_ms = self.clock()
        return account

    def account(self, user_id: str, subaccount: int = 0) -> Account:
        """The account of (user, subaccount), created empty on first use."""
        key = (user_id, subaccount)
        if key not in self.accounts:
            self.accounts[key] = Account(user_id, subaccount, _ZERO)
        return self.accounts[key]

    def market(self, ticker: str) -> Market:
        """The market `ticker`; raises a 404 ExchangeError if unknown."""
        market = self.markets.get(ticker)
        if market is None:
            raise ExchangeError(404, "market_not_found", f"market {ticker} not found")
        return market

    def _next_id(self) -> str:
        return str(uuid.uuid5(_NS, f"id-{next(self._ids)}"))

    def _publish(self, event: FeedEvent) -> None:
        for listener in list(self.listeners):
            listener(event)

    # --- views (spec shapes) -------------------------------------------------------------------

    def market_view(self, market: Market) -> dict[str, Any]:
        """The spec `Market` object, with live prices from the book."""
        book = market.book
        bid = book.best(BookSide.BID)
        ask = book.best(BookSide.ASK)
        bid_size = book.size_at(BookSide.BID, bid) if bid is not None else _ZERO
        ask_size = book.size_at(BookSide.ASK, ask) if ask is not None else _ZERO
        bid_d = bid if bid is not None else _ZERO
        ask_d = ask if ask is not None else _ONE
        live = {
            "yes_bid_dollars": fmt.dollars(bid_d),
            "yes_ask_dollars": fmt.dollars(ask_d),
            "yes_bid_size_fp": fmt.count(bid_size),
            "yes_ask_size_fp": fmt.count(ask_size),
            "no_bid_dollars": fmt.dollars(_ONE - ask_d),
            "no_ask_dollars": fmt.dollars(_ONE - bid_d),
            "last_price_dollars": fmt.dollars(market.last_price),
            "previous_price_dollars": fmt.dollars(_ZERO),
            "previous_yes_bid_dollars": fmt.dollars(_ZERO),
            "previous_yes_ask_dollars": fmt.dollars(_ZERO),
            "volume_fp": fmt.count(market.volume),
            "volume_24h_fp": fmt.count(market.volume),
            "open_interest_fp": fmt.count(market.open_interest),
            "notional_value_dollars": fmt.dollars(_ONE),
        }
        return rest("Market", **(market.info | live))

    def orderbook_view(self, market: Market, depth: int = 0) -> dict[str, Any]:
        """The spec `OrderbookCountFp`: YES bids and NO bids (asks at 1 - price), best first."""
        yes = [[fmt.dollars(p), fmt.count(q)] for p, q in market.book.levels(BookSide.BID, depth)]
        no = [[fmt.dollars(_ONE - p), fmt.count(q)] for p, q in market.book.levels(BookSide.ASK, depth)]
        return rest("OrderbookCountFp", yes_dollars=yes, no_dollars=no)

    def snapshot_msg(self, market: Market) -> dict[str, Any]:
        """The WebSocket `orderbook_snapshot` msg; an empty side's key is left out."""
        values: dict[str, Any] = {"market_ticker": market.ticker, "market_id": market.market_id, "clock": market.clock}
        yes = [[fmt.dollars(p), fmt.count(q)] for p, q in reversed(market.book.levels(BookSide.BID))]
        no = [[fmt.dollars(_ONE - p), fmt.count(q)] for p, q in reversed(market.book.levels(BookSide.ASK))]
        if yes:
            values["yes_dollars_fp"] = yes
        if no:
            values["no_dollars_fp"] = no
        return ws("orderbook_snapshot", **values)

    def ticker_msg(self, market: Market, last_size: Decimal = _ZERO) -> dict[str, Any]:
        """The WebSocket `ticker` msg for a market."""
        view = self.market_view(market)
        now = self.clock()
        return ws(
            "ticker",
            market_id=market.market_id,
            market_ticker=market.ticker,
            price_dollars=view["last_price_dollars"],
            yes_bid_dollars=view["yes_bid_dollars"],
            yes_ask_dollars=view["yes_ask_dollars"],
            yes_bid_size_fp=view["yes_bid_size_fp"],
            yes_ask_size_fp=view["yes_ask_size_fp"],
            last_trade_size_fp=fmt.count(last_size),
            volume_fp=view["volume_fp"],
            open_interest_fp=view["open_interest_fp"],
            dollar_volume=int(market.volume * market.last_price),
            dollar_open_interest=int(market.open_interest),
            ts=now // 1000,
            ts_ms=now,
            time=fmt.rfc3339(now),
        )

    def order_view(self, order: Order) -> dict[str, Any]:
        """The spec `Order` object."""
        m = order.meta
        yes = order.price
        return rest(
            "Order",
            order_id=order.order_id,
            user_id=m["user_id"],
            client_order_id=m.get("client_order_id", ""),
            ticker=m["ticker"],
            side="yes" if order.side is BookSide.BID else "no",
            action="buy",
            outcome_side="yes" if order.side is BookSide.BID else "no",
            book_side=order.side.value,
            type="limit",
            status=order.status.value,
            yes_price_dollars=fmt.dollars(yes),
            no_price_dollars=fmt.dollars(_ONE - yes),
            fill_count_fp=fmt.count(order.filled),
            remaining_count_fp=fmt.count(order.remaining),
            initial_count_fp=fmt.count(m["initial"]),
            taker_fill_cost_dollars=fmt.dollars(m["taker_cost"]),
            maker_fill_cost_dollars=fmt.dollars(m["maker_cost"]),
            taker_fees_dollars=fmt.dollars(m["taker_fees"]),
            maker_fees_dollars=fmt.dollars(_ZERO),
            expiration_time=fmt.rfc3339(m["expiration_s"] * 1000) if m.get("expiration_s") else None,
            created_time=fmt.rfc3339(m["created_ms"]),
            last_update_time=fmt.rfc3339(m["updated_ms"]),
            self_trade_prevention_type=order.self_trade_prevention.value,
            order_group_id=m.get("order_group_id"),
            cancel_order_on_pause=m.get("cancel_order_on_pause", False),
            subaccount_number=m["subaccount"],
            exchange_index=0,
        )

    def user_order_msg(self, order: Order) -> dict[str, Any]:
        """The WebSocket `user_order` msg."""
        m = order.meta
        bid = order.side is BookSide.BID
        return ws(
            "user_order",
            order_id=order.order_id,
            user_id=m["user_id"],
            ticker=m["ticker"],
            exchange_index=0,
            status=order.status.value,
            side="yes" if bid else "no",
            is_yes=bid,
            outcome_side="yes" if bid else "no",
            book_side=order.side.value,
            yes_price_dollars=fmt.dollars(order.price),
            fill_count_fp=fmt.count(order.filled),
            remaining_count_fp=fmt.count(order.remaining),
            initial_count_fp=fmt.count(m["initial"]),
            taker_fill_cost_dollars=fmt.dollars(m["taker_cost"]),
            maker_fill_cost_dollars=fmt.dollars(m["maker_cost"]),
            taker_fees_dollars=fmt.dollars(m["taker_fees"]),
            maker_fees_dollars=fmt.dollars(_ZERO),
            client_order_id=m.get("client_order_id", ""),
            order_group_id=m.get("order_group_id"),
            self_trade_prevention_type=order.self_trade_prevention.value,
            created_time=fmt.rfc3339(m["created_ms"]),
            created_ts_ms=m["created_ms"],
            last_update_time=fmt.rfc3339(m["updated_ms"]),
            last_updated_ts_ms=m["updated_ms"],
            last_update_reason=order.last_update_reason or None,
            subaccount_number=m["subaccount"],
        )

    def position_view(self, pos: Position) -> dict[str, Any]:
        """The spec `MarketPosition` object."""
        return rest(
            "MarketPosition",
            ticker=pos.ticker,
            exchange_index=0,
            total_traded_dollars=fmt.dollars(pos.total_traded),
            position_fp=fmt.count(pos.position),
            market_exposure_dollars=fmt.dollars(pos.cost),
            realized_pnl_dollars=fmt.dollars(pos.realized_pnl),
            fees_paid_dollars=fmt.dollars(pos.fees_paid),
            last_updated_ts=fmt.rfc3339(pos.updated_ms),
        )

    def balance_view(self, user_id: str, subaccount: int | None = None) -> dict[str, Any]:
        """The spec `GetBalanceResponse`: `balance` and `portfolio_value` in integer cents."""
        accounts = [a for (u, s), a in self.accounts.items() if u == user_id and subaccount in (None, s)]
        cash = sum((a.balance for a in accounts), _ZERO)
        value = cash
        for a in accounts:
            for p in a.positions.values():
                last = self.markets[p.ticker].last_price
                value += p.position * last if p.position > 0 else -p.position * (_ONE - last)
        updated = max((a.updated_ms for a in accounts), default=0)
        return rest(
            "GetBalanceResponse",
            balance=int(cash * 100),
            balance_dollars=fmt.dollars(cash),
            portfolio_value=int(value * 100),
            updated_ts=updated // 1000,
        )

    # --- orders --------------------------------------------------------------------------------

    def _check_body(self, schema: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ExchangeError(400, "invalid_parameters", "the request body must be a JSON object")
        unknown = unknown_fields(schema, body)
        if unknown:
            raise ExchangeError(400, "invalid_parameters", f"unknown field(s) {unknown}", ", ".join(unknown))
        missing = missing_required(schema, body)
        if missing:
            raise ExchangeError(400, "invalid_parameters", f"missing required field(s) {missing}", ", ".join(missing))
        return body

    def user_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> Order:
        """The order `order_id` if it belongs to `user_id` (and `subaccount`); 404 otherwise."""
        order = self.orders.get(order_id)
        if order is None or order.meta["user_id"] != user_id:
            raise ExchangeError(404, "order_not_found", f"order {order_id} not found")
        if subaccount is not None and order.meta["subaccount"] != subaccount:
            raise ExchangeError(404, "order_not_found", f"order {order_id} not found in subaccount {subaccount}")
        return order

    def create_order(self, user_id: str, body: Any) -> dict[str, Any]:
        """CreateOrderV2: validate, match, settle; returns `CreateOrderV2Response` (201)."""
        body = self._check_body("CreateOrderV2Request", body)
        market = self.market(str(body["ticker"]))
        subaccount = _int_field(body, "subaccount") or 0
        account = self.account(user_id, subaccount)
        client_order_id = body.get("client_order_id")
        if client_order_id:
            existing = self._client_ids.get((user_id, subaccount, str(client_order_id)))
            if existing is not None:
                order = self.orders[existing]
                if order.meta["request"] != body:
                    raise ExchangeError(
                        409, "order_already_exists", f"client_order_id {client_order_id} was used for a different order"
                    )
                return self._create_response(order)
        try:
            side = BookSide(body["side"])
            tif = TimeInForce(body["time_in_force"])
            stp = SelfTradePrevention(body["self_trade_prevention_type"])
            price = fmt.parse_price(body["price"])
            count = fmt.parse_count(body["count"])
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        if market.info.get("status") != "active" or not self.trading_active:
            raise ExchangeError(400, "market_closed", f"market {market.ticker} is not open for trading")
        if not (_ZERO < price < _ONE) or price % market.tick:
            raise ExchangeError(400, "invalid_price", f"price {body['price']} is not a valid tick of {market.ticker}")
        if count <= 0:
            raise ExchangeError(400, "invalid_parameters", "count must be positive")
        if body.get("reduce_only") and tif is not TimeInForce.IMMEDIATE_OR_CANCEL:
            raise ExchangeError(400, "invalid_parameters", "reduce_only is only accepted with immediate_or_cancel")
        expiration = _int_field(body, "expiration_time")
        if expiration is not None and tif is not TimeInForce.GOOD_TILL_CANCELED:
            raise ExchangeError(400, "invalid_parameters", "expiration_time requires good_till_canceled")
        if expiration is not None and int(expiration) * 1000 <= self.clock():
            raise ExchangeError(400, "invalid_parameters", "expiration_time must be in the future")
        group = None
        if body.get("order_group_id"):
            group = self.groups.get(str(body["order_group_id"]))
            if group is None or group.user_id != user_id:
                raise ExchangeError(404, "order_group_not_found", f"order group {body['order_group_id']} not found")
            if group.triggered:
                raise ExchangeError(400, "order_group_triggered", "the order group is triggered; reset it first")
        position = account.positions.get(market.ticker)
        held = position.position if position else _ZERO
        requested = count
        if body.get("reduce_only"):  # never more than closes the position; nothing if flat
            closable = -held if side is BookSide.BID else held
            count = min(count, max(closable, _ZERO))
        opening = count - max(_ZERO, min(count, -held if side is BookSide.BID else held))
        need = opening * (price if side is BookSide.BID else _ONE - price) + _taker_fee(count, price)
        if need > account.balance:
            raise ExchangeError(400, "insufficient_balance", "insufficient balance for this order")
        now = self.clock()
        order_id = self._next_id()
        meta: dict[str, Any] = {
            "user_id": user_id,
            "subaccount": subaccount,
            "ticker": market.ticker,
            "client_order_id": client_order_id,
            "initial": count,
            "created_ms": now,
            "updated_ms": now,
            "taker_cost": _ZERO,
            "maker_cost": _ZERO,
            "taker_fees": _ZERO,
            "fill_cost": _ZERO,
            "fees": _ZERO,
            "request": dict(body),
            "order_group_id": group.group_id if group else None,
            "expiration_s": expiration,
            "cancel_order_on_pause": bool(body.get("cancel_order_on_pause")),
        }
        self.orders[order_id] = order = Order(
            order_id,
            owner=user_id,
            side=side,
            price=price,
            count=count if count > 0 else requested,
            time_in_force=tif,
            self_trade_prevention=stp,
            post_only=bool(body.get("post_only")),
            meta=meta,
        )
        if client_order_id:
            self._client_ids[(user_id, subaccount, str(client_order_id))] = order_id
        if expiration is not None:
            heapq.heappush(self._expiries, (int(expiration), order_id))
        if group:
            group.order_ids.add(order_id)
        if count <= 0:
            order.status = OrderStatus.CANCELED
            order.last_update_reason = CancelReason.REDUCE_ONLY
            meta["reduced_by"] = requested
            order.remaining = _ZERO
            self._publish_order(order)
            return self._create_response(order)
        self._apply(market, market.book.submit(order))
        return self._create_response(order)

    def _create_response(self, order: Order) -> dict[str, Any]:
        m = order.meta
        values: dict[str, Any] = {
            "order_id": order.order_id,
            "client_order_id": m.get("client_order_id"),
            "fill_count": fmt.count(order.filled),
            "remaining_count": fmt.count(order.remaining),
            "ts_ms": m["updated_ms"],
        }
        if order.filled:
            values["average_fill_price"] = fmt.dollars(m["fill_cost"] / order.filled)
            values["average_fee_paid"] = fmt.dollars(m["fees"] / order.filled)
        return rest("CreateOrderV2Response", **values)

    def cancel_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> dict[str, Any]:
        """CancelOrderV2: returns `CancelOrderV2Response`; 404 if not resting."""
        order = self.user_order(user_id, order_id, subaccount)
        market = self.markets[order.meta["ticker"]]
        result = market.book.cancel(order_id)
        if result is None:
            raise ExchangeError(404, "order_not_found", f"order {order_id} is not resting")
        self._apply(market, result)
        return rest(
            "CancelOrderV2Response",
            order_id=order_id,
            client_order_id=order.meta.get("client_order_id"),
            reduced_by=fmt.count(order.meta["reduced_by"]),
            ts_ms=order.meta["updated_ms"],
        )

    def cancel_all(self, user_id: str, subaccount: int | None = None) -> int:
        """CancelAllOrders: cancel every resting order of the user (one subaccount or all); returns how many."""
        cancelled = 0
        for order in list(self.orders.values()):
            m = order.meta
            if (
                m["user_id"] == user_id
                and subaccount in (None, m["subaccount"])
                and order.status is OrderStatus.RESTING
            ):
                market = self.markets[m["ticker"]]
                result = market.book.cancel(order.order_id)
                if result is not None:
                    self._apply(market, result)
                    cancelled += 1
        return cancelled

    def decrease_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]:
        """DecreaseOrderV2: exactly one of `reduce_by` / `reduce_to`; keeps queue position."""
        body = self._check_body("DecreaseOrderV2Request", body)
        order = self.user_order(user_id, order_id, subaccount)
        by, to = body.get("reduce_by"), body.get("reduce_to")
        if (by is None) == (to is None):
            raise ExchangeError(400, "invalid_parameters", "send exactly one of reduce_by or reduce_to")
        try:
            target = order.remaining - fmt.parse_count(by) if by is not None else fmt.parse_count(to)
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        market = self.markets[order.meta["ticker"]]
        if market.book.get(order_id) is None:
            raise ExchangeError(404, "order_not_found", f"order {order_id} is not resting")
        result = market.book.reduce(order_id, max(target, _ZERO) if target <= order.remaining else order.remaining)
        assert result is not None
        self._apply(market, result)
        return rest(
            "DecreaseOrderV2Response",
            order_id=order_id,
            client_order_id=order.meta.get("client_order_id"),
            remaining_count=fmt.count(order.remaining),
            ts_ms=order.meta["updated_ms"],
        )

    def amend_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]:
        """AmendOrderV2: new price and/or total count; may trade at the new price."""
        body = self._check_body("AmendOrderV2Request", body)
        order = self.user_order(user_id, order_id, subaccount)
        market = self.markets[order.meta["ticker"]]
        if body["ticker"] != market.ticker or body["side"] != order.side.value:
            raise ExchangeError(400, "invalid_parameters", "ticker and side must match the order")
        try:
            price = fmt.parse_price(body["price"])
            total = fmt.parse_count(body["count"])
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        if not (_ZERO < price < _ONE) or price % market.tick:
            raise ExchangeError(400, "invalid_price", f"price {body['price']} is not a valid tick")
        if market.book.get(order_id) is None:
            raise ExchangeError(404, "order_not_found", f"order {order_id} is not resting")
        if total <= order.filled:
            raise ExchangeError(400, "invalid_parameters", "count must exceed the filled count")
        if body.get("updated_client_order_id"):
            order.meta["client_order_id"] = body["updated_client_order_id"]
        result = market.book.amend(order_id, price, total)
        assert result is not None
        self._apply(market, result)
        response = self._create_response(order)
        return rest("AmendOrderV2Response", **response)

    def batch_create(self, user_id: str, body: Any) -> dict[str, Any]:
        """BatchCreateOrdersV2: each entry succeeds or fails alone."""
        body = self._check_body("BatchCreateOrdersV2Request", body)
        if not isinstance(body["orders"], list):
            raise ExchangeError(400, "invalid_parameters", "orders must be an array", "orders")
        out = []
        for item in body["orders"]:
            try:
                out.append(self.create_order(user_id, item) | {"error": None})
            except ExchangeError as exc:
                out.append(
                    {
                        "client_order_id": item.get("client_order_id") if isinstance(item, dict) else None,
                        "fill_count": None,
                        "remaining_count": None,
                        "ts_ms": self.clock(),
                        "error": exc.body(),
                    }
                )
        return rest("BatchCreateOrdersV2Response", orders=out)

    def batch_cancel(self, user_id: str, body: Any) -> dict[str, Any]:
        """BatchCancelOrdersV2: a failed entry has `reduced_by` "0.00" and an `error`."""
        body = self._check_body("BatchCancelOrdersV2Request", body)
        if not isinstance(body["orders"], list):
            raise ExchangeError(400, "invalid_parameters", "orders must be an array", "orders")
        out = []
        for item in body["orders"]:
            entry = item if isinstance(item, dict) else {}
            order_id = str(entry.get("order_id", ""))
            try:
                out.append(self.cancel_order(user_id, order_id, _int_field(entry, "subaccount")) | {"error": None})
            except ExchangeError as exc:
                out.append(
                    {
                        "order_id": order_id,
                        "client_order_id": None,
                        "reduced_by": "0.00",
                        "ts_ms": self.clock(),
                        "error": exc.body(),
                    }
                )
        return rest("BatchCancelOrdersV2Response", orders=out)

    def expire_orders(self) -> int:
        """Cancel resting orders whose `expiration_time` has passed; returns how many. O(expired) per call."""
        now_s = self.clock() // 1000
        expired = 0
        while self._expiries and self._expiries[0][0] <= now_s:
            _, order_id = heapq.heappop(self._expiries)
            order = self.orders[order_id]
            if order.status is not OrderStatus.RESTING:
                continue
            market = self.markets[order.meta["ticker"]]
            result = market.book.cancel(order_id, CancelReason.EXPIRY)
            if result is not None:
                self._apply(market, result)
                expired += 1
        return expired

    # --- settlement of one book operation ------------------------------------------------------

    def _apply(self, market: Market, result: MatchResult) -> None:
        now = self.clock()
        touched = {result.order.order_id: result.order}
        for maker in result.cancelled_makers:
            touched[maker.order_id] = maker
        if result.changes:
            market.clock += 1
        for change in result.changes:
            touched[change.order.order_id] = change.order
            yes = change.side is BookSide.BID
            msg = ws(
                "orderbook_delta",
                market_ticker=market.ticker,
                market_id=market.market_id,
                clock=market.clock,
                price_dollars=fmt.dollars(change.price if yes else _ONE - change.price),
                delta_fp=fmt.count(change.delta),
                side="yes" if yes else "no",
                ts=fmt.rfc3339(now),
                ts_ms=now,
            )
            owner_extra = {}
            if change.order.meta.get("client_order_id"):
                owner_extra = {"client_order_id": change.order.meta["client_order_id"]}
            self._publish(
                FeedEvent(
                    "orderbook_delta",
                    "orderbook_delta",
                    msg,
                    ticker=market.ticker,
                    owner=change.order.owner,
                    owner_extra=owner_extra,
                )
            )
        last_size = _ZERO
        for ex in result.executions:
            last_size = ex.count
            self._execute(market, ex, now)
        for order in touched.values():
            order.meta["updated_ms"] = now
            self._publish_order(order)
        if result.executions or result.changes:
            self._publish(FeedEvent("ticker", "ticker", self.ticker_msg(market, last_size), ticker=market.ticker))

    def _publish_order(self, order: Order) -> None:
        self._publish(
            FeedEvent(
                "user_orders",
                "user_order",
                self.user_order_msg(order),
                ticker=order.meta["ticker"],
                user_id=order.meta["user_id"],
            )
        )

    def _execute(self, market: Market, ex: Execution, now: int) -> None:
        maker, taker, price, count = ex.maker, ex.taker, ex.price, ex.count
        trade_id = self._next_id()
        taker_bid = taker.side is BookSide.BID
        market.last_price = price
        market.volume += count
        trade = rest(
            "Trade",
            trade_id=trade_id,
            ticker=market.ticker,
            count_fp=fmt.count(count),
            yes_price_dollars=fmt.dollars(price),
            no_price_dollars=fmt.dollars(_ONE - price),
            taker_side="yes" if taker_bid else "no",
            taker_outcome_side="yes" if taker_bid else "no",
            taker_book_side=taker.side.value,
            created_time=fmt.rfc3339(now),
            is_block_trade=False,
        )
        market.trades.append(trade)
        self._publish(
            FeedEvent(
                "trade",
                "trade",
                ws(
                    "trade",
                    trade_id=trade_id,
                    market_ticker=market.ticker,
                    yes_price_dollars=trade["yes_price_dollars"],
                    no_price_dollars=trade["no_price_dollars"],
                    count_fp=trade["count_fp"],
                    taker_side=trade["taker_side"],
                    taker_outcome_side=trade["taker_outcome_side"],
                    taker_book_side=trade["taker_book_side"],
                    is_block_trade=False,
                    ts=now // 1000,
                    ts_ms=now,
                ),
                ticker=market.ticker,
            )
        )
        for order, is_taker in ((maker, False), (taker, True)):
            self._settle_fill(market, order, is_taker=is_taker, trade_id=trade_id, price=price, count=count, now=now)
        market.open_interest = sum(
            (
                max(a.positions[market.ticker].position, _ZERO)
                for a in self.accounts.values()
                if market.ticker in a.positions
            ),
            _ZERO,
        )

    def _settle_fill(
        self, market: Market, order: Order, *, is_taker: bool, trade_id: str, price: Decimal, count: Decimal, now: int
    ) -> None:
        m = order.meta
        account = self.account(m["user_id"], m["subaccount"])
        pos = account.positions.setdefault(market.ticker, Position(market.ticker))
        bid = order.side is BookSide.BID
        delta = count if bid else -count
        fee = _taker_fee(count, price) if is_taker else _ZERO
        # Closing part first: it pays back the other leg; the rest opens new contracts.
        closing = min(count, max(_ZERO, -pos.position if bid else pos.position))
        opening = count - closing
        unit_open = price if bid else _ONE - price
        cash = -opening * unit_open
        if closing:
            avg = pos.cost / abs(pos.position)
            proceeds = closing * (_ONE - price if bid else price)
            pos.realized_pnl += proceeds - avg * closing
            pos.cost -= avg * closing
            cash += proceeds
        pos.cost += opening * unit_open
        pos.position += delta
        pos.fees_paid += fee
        pos.total_traded += count * unit_open
        pos.volume += count
        pos.updated_ms = now
        account.balance += cash - fee
        account.updated_ms = now
        cost = count * (price if bid else _ONE - price)
        m["fill_cost"] += count * price
        m["fees"] += fee
        m["taker_cost" if is_taker else "maker_cost"] += cost
        if is_taker:
            m["taker_fees"] += fee
        fill = rest(
            "Fill",
            fill_id=self._next_id(),
            exchange_index=0,
            trade_id=trade_id,
            order_id=order.order_id,
            ticker=market.ticker,
            market_ticker=market.ticker,
            side="yes" if bid else "no",
            action="buy",
            outcome_side="yes" if bid else "no",
            book_side=order.side.value,
            count_fp=fmt.count(count),
            yes_price_dollars=fmt.dollars(price),
            no_price_dollars=fmt.dollars(_ONE - price),
            is_taker=is_taker,
            created_time=fmt.rfc3339(now),
            fee_cost=fmt.dollars(fee),
            subaccount_number=m["subaccount"],
            ts=now // 1000,
        )
        account.fills.append(fill)
        user = m["user_id"]
        self._publish(
            FeedEvent(
                "fill",
                "fill",
                ws(
                    "fill",
                    trade_id=trade_id,
                    order_id=order.order_id,
                    client_order_id=m.get("client_order_id"),
                    market_ticker=market.ticker,
                    exchange_index=0,
                    is_taker=is_taker,
                    side="yes" if bid else "no",
                    ts=now // 1000,
                    ts_ms=now,
                    yes_price_dollars=fmt.dollars(price),
                    count_fp=fmt.count(count),
                    fee_cost=fmt.dollars(fee),
                    action="buy",
                    post_position_fp=fmt.count(pos.position),
                    purchased_side="yes" if bid else "no",
                    outcome_side="yes" if bid else "no",
                    book_side=order.side.value,
                    subaccount=m["subaccount"],
                ),
                ticker=market.ticker,
                user_id=user,
            )
        )
        self._publish(
            FeedEvent(
                "market_positions",
                "market_position",
                ws(
                    "market_position",
                    user_id=user,
                    market_ticker=market.ticker,
                    position_fp=fmt.count(pos.position),
                    position_cost_dollars=fmt.dollars(pos.cost),
                    realized_pnl_dollars=fmt.dollars(pos.realized_pnl),
                    fees_paid_dollars=fmt.dollars(pos.fees_paid),
                    position_fee_cost_dollars=fmt.dollars(pos.fees_paid),
                    volume_fp=fmt.count(pos.volume),
                    subaccount=m["subaccount"],
                ),
                ticker=market.ticker,
                user_id=user,
            )
        )
        group_id = m.get("order_group_id")
        if group_id and group_id in self.groups:
            self._count_group_fill(self.groups[group_id], count, now)

    # --- subaccounts ---------------------------------------------------------------------------

    def create_subaccount(self, user_id: str) -> dict[str, Any]:
        """CreateSubaccount: the next free number, starting at 1."""
        taken = [s for (u, s) in self.accounts if u == user_id]
        number = max(taken, default=0) + 1
        self.account(user_id, number).updated_ms = self.clock()
        return rest("CreateSubaccountResponse", subaccount_number=number)

    def transfer_between_subaccounts(self, user_id: str, body: Any) -> dict[str, Any]:
        """ApplySubaccountTransfer: `amount_cents` from one subaccount to another; `client_transfer_id` is idempotent.

        Reusing a `client_transfer_id` answers 409 and moves nothing (FACTS 3.8).
        """
        body = self._check_body("ApplySubaccountTransferRequest", body)
        history = self.transfers.setdefault(user_id, [])
        if any(t["transfer_id"] == body["client_transfer_id"] for t in history):
            raise ExchangeError(409, "duplicate_client_transfer_id", "client_transfer_id was already used")
        source, target, cents = body["from_subaccount"], body["to_subaccount"], body["amount_cents"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (source, target, cents)) or cents <= 0:
            raise ExchangeError(400, "invalid_parameters", "subaccounts and a positive amount_cents are integers")
        if source == target or (user_id, source) not in self.accounts or (user_id, target) not in self.accounts:
            raise ExchangeError(
                400, "invalid_parameters", "from_subaccount and to_subaccount must be two existing subaccounts"
            )
        amount = Decimal(cents) / 100
        if self.accounts[(user_id, source)].balance < amount:
            raise ExchangeError(400, "insufficient_balance", "insufficient balance in from_subaccount")
        now = self.clock()
        self.accounts[(user_id, source)].balance -= amount
        self.accounts[(user_id, target)].balance += amount
        self.accounts[(user_id, source)].updated_ms = self.accounts[(user_id, target)].updated_ms = now
        history.append(
            rest(
                "SubaccountTransfer",
                transfer_id=body["client_transfer_id"],
                from_subaccount=source,
                to_subaccount=target,
                amount_cents=cents,
                created_ts=now // 1000,
                exchange_index=0,
            )
        )
        return {}

    def subaccount_balances(self, user_id: str) -> dict[str, Any]:
        """GetSubaccountBalances: every subaccount of the user, primary (0) first."""
        items = [
            rest(
                "SubaccountBalance",
                subaccount_number=s,
                exchange_index=0,
                balance=fmt.dollars(a.balance),
                updated_ts=a.updated_ms // 1000,
            )
            for (u, s), a in sorted(self.accounts.items())
            if u == user_id
        ]
        return rest("GetSubaccountBalancesResponse", subaccount_balances=items)

    # --- market lifecycle ----------------------------------------------------------------------

    def _lifecycle(self, market: Market, event_type: str, **values: Any) -> None:
        msg = ws("market_lifecycle_v2", market_ticker=market.ticker, event_type=event_type, exchange_index=0, **values)
        self._publish(FeedEvent("market_lifecycle_v2", "market_lifecycle_v2", msg, ticker=market.ticker))

    def close_market(self, ticker: str) -> int:
        """Stop trading a market: cancel its resting orders (`CloseCancel`); returns how many."""
        market = self.market(ticker)
        cancelled = 0
        for order in market.book.orders():
            result = market.book.cancel(order.order_id, "CloseCancel")
            if result is not None:
                self._apply(market, result)
                cancelled += 1
        market.info["status"] = "closed"
        self._lifecycle(market, "deactivated", is_deactivated=True, close_ts=self.clock() // 1000)
        return cancelled

    def settle_market(self, ticker: str, result: str) -> None:
        """Determine and settle a market: pay $1 per winning contract, flatten positions, record settlements."""
        if result not in ("yes", "no"):
            raise ExchangeError(400, "invalid_parameters", "result must be 'yes' or 'no'")
        market = self.market(ticker)
        if market.info.get("status") == "active":
            self.close_market(ticker)
        now = self.clock()
        value = _ONE if result == "yes" else _ZERO
        market.info |= {
            "status": "finalized",
            "result": result,
            "settlement_value_dollars": fmt.dollars(value),
            "settlement_ts": fmt.rfc3339(now),
        }
        self._lifecycle(
            market, "determined", result=result, determination_ts=now // 1000, settlement_value=fmt.dollars(value)
        )
        for account in self.accounts.values():
            pos = account.positions.get(ticker)
            if pos is None or pos.position == 0:
                continue
            yes_count = max(pos.position, _ZERO)
            no_count = max(-pos.position, _ZERO)
            payout = yes_count * value + no_count * (_ONE - value)
            account.balance += payout
            account.updated_ms = now
            pos.realized_pnl += payout - pos.cost
            account.settlements.append(
                rest(
                    "Settlement",
                    ticker=ticker,
                    exchange_index=0,
                    event_ticker=market.info["event_ticker"],
                    market_result=result,
                    yes_count_fp=fmt.count(yes_count),
                    yes_total_cost_dollars=fmt.dollars(pos.cost if yes_count else _ZERO),
                    no_count_fp=fmt.count(no_count),
                    no_total_cost_dollars=fmt.dollars(pos.cost if no_count else _ZERO),
                    revenue=int(payout * 100),
                    settled_time=fmt.rfc3339(now),
                    fee_cost=fmt.dollars(pos.fees_paid),
                    value=int(value * 100),
                )
            )
            pos.position = _ZERO
            pos.cost = _ZERO
            pos.updated_ms = now
            self._publish(
                FeedEvent(
                    "market_positions",
                    "market_position",
                    ws(
                        "market_position",
                        user_id=account.user_id,
                        market_ticker=ticker,
                        position_fp=fmt.count(_ZERO),
                        position_cost_dollars=fmt.dollars(_ZERO),
                        realized_pnl_dollars=fmt.dollars(pos.realized_pnl),
                        fees_paid_dollars=fmt.dollars(pos.fees_paid),
                        position_fee_cost_dollars=fmt.dollars(pos.fees_paid),
                        volume_fp=fmt.count(pos.volume),
                        subaccount=account.subaccount,
                    ),
                    ticker=ticker,
                    user_id=account.user_id,
                )
            )
        self._lifecycle(market, "settled", settled_ts=now // 1000)

    # --- order groups --------------------------------------------------------------------------

    def create_group(self, user_id: str, body: Any) -> dict[str, Any]:
        """CreateOrderGroup: `contracts_limit` or `contracts_limit_fp` (they must agree if both)."""
        body = self._check_body("CreateOrderGroupRequest", body or {})
        limit = self._group_limit(body)
        group = OrderGroup(self._next_id(), user_id, _int_field(body, "subaccount") or 0, limit)
        self.groups[group.group_id] = group
        self._group_event(group, "created")
        return rest(
            "CreateOrderGroupResponse", order_group_id=group.group_id, subaccount=group.subaccount, exchange_index=0
        )

    @staticmethod
    def _group_limit(body: dict[str, Any]) -> Decimal:
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

    def group(self, user_id: str, group_id: str) -> OrderGroup:
        """The user's order group; 404 otherwise."""
        group = self.groups.get(group_id)
        if group is None or group.user_id != user_id:
            raise ExchangeError(404, "order_group_not_found", f"order group {group_id} not found")
        return group

    def group_view(self, group: OrderGroup, *, with_orders: bool) -> dict[str, Any]:
        """`GetOrderGroupResponse` (with order ids) or the list item `OrderGroup`."""
        if with_orders:
            resting = sorted(i for i in group.order_ids if self.orders[i].status is OrderStatus.RESTING)
            return rest(
                "GetOrderGroupResponse",
                is_auto_cancel_enabled=not group.triggered,
                contracts_limit_fp=fmt.count(group.limit),
                orders=resting,
                exchange_index=0,
            )
        return rest(
            "OrderGroup",
            id=group.group_id,
            contracts_limit_fp=fmt.count(group.limit),
            is_auto_cancel_enabled=not group.triggered,
            exchange_index=0,
        )

    def _group_event(self, group: OrderGroup, event_type: str) -> None:
        msg = ws(
            "order_group_updates",
            event_type=event_type,
            order_group_id=group.group_id,
            contracts_limit_fp=fmt.count(group.limit),
            ts_ms=self.clock(),
        )
        self._publish(FeedEvent("order_group_updates", "order_group_updates", msg, user_id=group.user_id))

    def _count_group_fill(self, group: OrderGroup, count: Decimal, now: int) -> None:
        group.window.append((now, count))
        self._check_group(group, now)

    def _check_group(self, group: OrderGroup, now: int) -> None:
        while group.window and group.window[0][0] <= now - _GROUP_WINDOW_MS:
            group.window.popleft()
        if not group.triggered and sum((c for _, c in group.window), _ZERO) >= group.limit:
            self.trigger_group(group)

    def trigger_group(self, group: OrderGroup) -> None:
        """Cancel every resting order of the group and refuse new ones until reset."""
        group.triggered = True
        for order_id in sorted(group.order_ids):
            order = self.orders[order_id]
            if order.status is OrderStatus.RESTING:
                market = self.markets[order.meta["ticker"]]
                result = market.book.cancel(order_id)
                if result is not None:
                    self._apply(market, result)
        self._group_event(group, "triggered")

    def reset_group(self, group: OrderGroup) -> None:
        """Clear the window and accept orders again."""
        group.triggered = False
        group.window.clear()
        self._group_event(group, "reset")

    def delete_group(self, group: OrderGroup) -> None:
        """Cancel the group's orders and forget it."""
        for order_id in sorted(group.order_ids):
            order = self.orders[order_id]
            if order.status is OrderStatus.RESTING:
                market = self.markets[order.meta["ticker"]]
                result = market.book.cancel(order_id)
                if result is not None:
                    self._apply(market, result)
        del self.groups[group.group_id]
        self._group_event(group, "deleted")

    def update_group_limit(self, group: OrderGroup, body: Any) -> None:
        """UpdateOrderGroupLimit; triggers the group at once if the window already reaches the new limit."""
        body = self._check_body("UpdateOrderGroupLimitRequest", body or {})
        group.limit = self._group_limit(body)
        self._group_event(group, "limit_updated")
        self._check_group(group, self.clock())
