"""The simulated perps (margin) exchange: margin markets on the shared `OrderBook`, cross-margin accounts, funding.

Pure state like the prediction `Exchange`: time comes from `clock()` (epoch ms), writes return
their REST body (specs/perps_openapi.yaml shapes) and publish `FeedEvent`s in the
specs/perps_asyncapi.yaml shapes; refusals are `ExchangeError`.

Money model (cross margin per subaccount): `cash` holds settled funds; a fill moves a signed
position at an average entry price, closing realises PnL into cash, and takers pay `TAKER_FEE` of
notional. Equity is cash plus unrealised PnL at the mark price. A resting order reserves
`INITIAL_MARGIN` of its notional (`resting_orders_margin`) until it fills or is cancelled, and an
order is refused when its opening part would take more than the available balance. Funding is
exchanged every `FUNDING_INTERVAL_MS` on the clock: longs pay shorts `position x mark x rate`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._exchange import Exchange, ExchangeError, FeedEvent
from kalshi_testing.simulator._matching import (
    BookSide,
    CancelReason,
    MatchResult,
    Order,
    OrderStatus,
    SelfTradePrevention,
    TimeInForce,
)

from ._portfolio import Portfolio
from ._spec import FUNDING_INTERVAL_MS, INITIAL_MARGIN, PERPS, TAKER_FEE
from ._state import MarginAccount, MarginPosition, PerpsMarket, default_markets
from ._views import Views

__all__ = ["PerpsExchange"]

_ZERO = Decimal(0)
_NS = uuid.UUID("6f1c2d3e-0000-4000-8000-0000000ba5e5")
_CENTICENT = Decimal("0.0001")
_MAKER = "sim-perps-mm"
"""The market maker whose resting orders give the default catalogue a two-sided book."""


def fee(count: Decimal, price: Decimal, contract_size: Decimal) -> Decimal:
    """The taker fee of a fill, rounded up to the centicent."""
    return (count * price * contract_size * TAKER_FEE).quantize(_CENTICENT, rounding=ROUND_CEILING)


class PerpsExchange(Views, Portfolio):
    """The margin exchange. Thread-unsafe by design, like `Exchange`: one event loop drives it.

    Args:
        clock: epoch milliseconds.
        prediction: the prediction exchange, for transfers between the two exchange instances.
        markets: catalogue entries (`default_markets()` shape); None for the default three.
        liquidity: rest a maker's bid and ask around each index price, so books are two-sided.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], int],
        prediction: Exchange | None = None,
        markets: list[dict[str, Any]] | None = None,
        liquidity: bool = True,
    ) -> None:
        self.clock = clock
        self.prediction = prediction
        self.listeners: list[Callable[[FeedEvent], None]] = []
        self.markets: dict[str, PerpsMarket] = {}
        self.accounts: dict[tuple[str, int], MarginAccount] = {}
        self.orders: dict[str, Order] = {}
        self.trading_active = True
        self._client_ids: dict[tuple[str, int, str], str] = {}
        self._ids = itertools.count(1)
        Portfolio.__init__(self)
        now = clock()
        for entry in markets if markets is not None else default_markets():
            self.add_market(entry, now)
        if liquidity:
            for market in self.markets.values():
                self.deposit(_MAKER, Decimal(10) ** 9)
                step = market.tick * 10
                for side, price in (
                    (BookSide.BID, market.index_price - step),
                    (BookSide.ASK, market.index_price + step),
                ):
                    self.create_order(_MAKER, _order_body(market.ticker, side, price, Decimal(5)))

    # --- set-up and lookups --------------------------------------------------------------------

    def add_market(self, entry: dict[str, Any], now: int) -> PerpsMarket:
        """List a market from a catalogue entry (`ticker`, `title`, `tick`, `index`, optional `MarginMarket` fields)."""
        info = dict(entry)
        tick = Decimal(str(info.pop("tick", "0.01")))
        index = Decimal(str(info.pop("index", "100")))
        contract_size = Decimal(str(info.get("contract_size", "1")))
        info = {
            "market_version": 1,
            "exchange_index": 0,
            "contract_size": fmt.count(contract_size),
            "underlying_multiplier": "1",
            "tick_size": fmt.dollars(tick),
            "status": "active",
            "fractional_trading_enabled": True,
            "funding_deadband": 0.0001,
            "funding_cap": 0.01,
            "funding_limit_unit": "percentage",
            "funding_invalid_premium_handling": "dampen",
            "halt_sources": [],
        } | info
        market = PerpsMarket(info, str(uuid.uuid5(_NS, str(info["ticker"]))), tick, contract_size, index)
        market.next_funding_ms = (now // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS
        self.markets[market.ticker] = market
        return market

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
        market = self.markets.get(ticker)
        if market is None:
            raise ExchangeError(404, "market_not_found", f"market {ticker} not found")
        return market

    def user_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> Order:
        """The user's order (in `subaccount` when given); 404 otherwise."""
        order = self.orders.get(order_id)
        if order is None or order.meta["user_id"] != user_id:
            raise ExchangeError(404, "order_not_found", f"order {order_id} not found")
        if subaccount is not None and order.meta["subaccount"] != subaccount:
            raise ExchangeError(404, "order_not_found", f"order {order_id} not found in subaccount {subaccount}")
        return order

    def next_id(self) -> str:
        """A fresh deterministic id."""
        return str(uuid.uuid5(_NS, f"id-{next(self._ids)}"))

    def publish(self, event: FeedEvent) -> None:
        """Hand a feed event to every listener (the perps WebSocket surface)."""
        for listener in list(self.listeners):
            listener(event)

    def check_body(self, schema: str, body: Any) -> dict[str, Any]:
        """A JSON-object request body with only the spec's fields and every required one; 400 otherwise."""
        if not isinstance(body, dict):
            raise ExchangeError(400, "invalid_parameters", "the request body must be a JSON object")
        unknown = PERPS.unknown_fields(schema, body)
        if unknown:
            raise ExchangeError(400, "invalid_parameters", f"unknown field(s) {unknown}", ", ".join(unknown))
        missing = PERPS.missing_required(schema, body)
        if missing:
            raise ExchangeError(400, "invalid_parameters", f"missing required field(s) {missing}", ", ".join(missing))
        return body

    # --- clock ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """Run what the clock has made due: order expiries and funding."""
        now = self.clock()
        for order in list(self.orders.values()):
            expiry = order.meta.get("expiration_s")
            if expiry and order.status is OrderStatus.RESTING and expiry * 1000 <= now:
                market = self.markets[order.meta["ticker"]]
                result = market.book.cancel(order.order_id, CancelReason.EXPIRY)
                if result is not None:
                    self.apply(market, result)
        for market in self.markets.values():
            while market.next_funding_ms <= now:
                self.settle_funding(market, market.next_funding_ms)

    def funding_rate(self, market: PerpsMarket) -> Decimal:
        """The rate of the funding in progress: the fixed test rate, else the premium within deadband and cap."""
        if market.funding_rate is not None:
            return market.funding_rate
        premium = (market.mark_price - market.index_price) / market.index_price
        deadband = Decimal(str(market.info["funding_deadband"]))
        cap = Decimal(str(market.info["funding_cap"]))
        if abs(premium) <= deadband:
            return _ZERO
        return max(-cap, min(cap, premium)).quantize(Decimal("0.000001"))

    def settle_funding(self, market: PerpsMarket, at_ms: int | None = None) -> Decimal:
        """Exchange funding on `market` now (or at the due time `at_ms`): longs pay shorts when the rate is positive.

        Returns the rate applied. Each position's payment lands in cash and in the funding history.
        """
        at = self.clock() if at_ms is None else at_ms
        rate = self.funding_rate(market)
        mark = market.mark_price
        when = fmt.rfc3339(at)
        market.funding_rates.append(
            PERPS.rest(
                "MarginFundingRate",
                market_ticker=market.ticker,
                funding_time=when,
                funding_rate=float(rate),
                mark_price=fmt.dollars(mark),
            )
        )
        for account in self.accounts.values():
            pos = account.positions.get(market.ticker)
            if pos is None or pos.position == 0:
                continue
            amount = (-pos.position * market.contract_size * mark * rate).quantize(_CENTICENT)
            account.cash += amount
            account.updated_ms = at
            pos.funding += amount
            account.funding.append(
                PERPS.rest(
                    "MarginFundingHistoryEntry",
                    market_ticker=market.ticker,
                    funding_time=when,
                    funding_rate=float(rate),
                    mark_price=fmt.dollars(mark),
                    funding_amount=fmt.dollars(amount),
                    quantity=fmt.count(pos.position),
                    subaccount_number=account.subaccount,
                )
            )
        market.next_funding_ms = max(market.next_funding_ms, (at // FUNDING_INTERVAL_MS + 1) * FUNDING_INTERVAL_MS)
        self.publish(FeedEvent("ticker", "ticker", self.ticker_msg(market), ticker=market.ticker))
        return rate

    # --- orders --------------------------------------------------------------------------------

    def _resolve_market(self, body: dict[str, Any]) -> PerpsMarket:
        """`ticker` or `market_id`; when both are sent, `ticker` wins (CreateMarginOrderRequest)."""
        if body.get("ticker"):
            return self.market(str(body["ticker"]))
        wanted = body.get("market_id")
        for market in self.markets.values():
            if wanted and market.market_id == wanted:
                return market
        raise ExchangeError(400, "invalid_parameters", "send ticker or market_id", "ticker")

    def create_order(self, user_id: str, body: Any, *, source: str = "user") -> dict[str, Any]:
        """CreateMarginOrder: validate, reserve margin, match; returns `CreateMarginOrderResponse` (201)."""
        body = self.check_body("CreateMarginOrderRequest", body)
        market = self._resolve_market(body)
        subaccount = _int(body, "subaccount") or 0
        client_order_id = str(body["client_order_id"])
        existing = self._client_ids.get((user_id, subaccount, client_order_id))
        if existing is not None:
            order = self.orders[existing]
            if order.meta["request"] != body:
                raise ExchangeError(409, "order_already_exists", f"client_order_id {client_order_id} was already used")
            return self._create_response(order)
        try:
            side = BookSide(body["side"])
            tif = TimeInForce(body["time_in_force"])
            stp = SelfTradePrevention(body["self_trade_prevention_type"])
            price = fmt.parse_price(body["price"])
            count = fmt.parse_count(body["count"])
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        version = _int(body, "market_version")
        if version and version != market.info["market_version"]:
            raise ExchangeError(409, "market_version_mismatch", f"market {market.ticker} is at a different version")
        if market.info["status"] != "active" or not self.trading_active:
            raise ExchangeError(400, "market_closed", f"market {market.ticker} is not open for trading")
        if price <= 0 or price % market.tick:
            raise ExchangeError(400, "invalid_price", f"price {body['price']} is not a tick of {market.ticker}")
        if count <= 0:
            raise ExchangeError(400, "invalid_parameters", "count must be positive", "count")
        reduce_only = bool(body.get("reduce_only"))
        if reduce_only and tif is TimeInForce.GOOD_TILL_CANCELED:
            raise ExchangeError(400, "invalid_parameters", "reduce_only is only accepted with IOC or FOK")
        expiration = _int(body, "expiration_time")
        if expiration is not None and (tif is not TimeInForce.GOOD_TILL_CANCELED or expiration * 1000 <= self.clock()):
            raise ExchangeError(400, "invalid_parameters", "expiration_time must be a future time on a GTC order")
        group = self.order_group(user_id, str(body["order_group_id"])) if body.get("order_group_id") else None
        if group is not None and group.triggered:
            raise ExchangeError(400, "order_group_triggered", "the order group is triggered; reset it first")
        account = self.account(user_id, subaccount)
        held = account.positions[market.ticker].position if market.ticker in account.positions else _ZERO
        closable = max(-held if side is BookSide.BID else held, _ZERO)
        if reduce_only:
            count = min(count, closable)
            if count <= 0:
                raise ExchangeError(400, "invalid_parameters", "reduce_only order would not reduce a position")
        opening = count - min(count, closable)
        need = opening * price * market.contract_size * INITIAL_MARGIN + fee(count, price, market.contract_size)
        if source == "user" and need > self.available(user_id, subaccount):
            raise ExchangeError(400, "insufficient_balance", "insufficient margin for this order")
        now = self.clock()
        order = Order(
            self.next_id(),
            owner=user_id,
            side=side,
            price=price,
            count=count,
            time_in_force=tif,
            self_trade_prevention=stp,
            post_only=bool(body.get("post_only")),
            meta={
                "user_id": user_id,
                "subaccount": subaccount,
                "ticker": market.ticker,
                "client_order_id": client_order_id,
                "created_ms": now,
                "updated_ms": now,
                "fill_cost": _ZERO,
                "fees": _ZERO,
                "request": dict(body),
                "order_group_id": group.group_id if group else None,
                "expiration_s": expiration,
                "cancel_order_on_pause": bool(body.get("cancel_order_on_pause")),
                "order_source": source,
            },
        )
        self.orders[order.order_id] = order
        self._client_ids[(user_id, subaccount, client_order_id)] = order.order_id
        if group is not None:
            group.order_ids.add(order.order_id)
        self.apply(market, market.book.submit(order))
        return self._create_response(order)

    def _create_response(self, order: Order) -> dict[str, Any]:
        m = order.meta
        values: dict[str, Any] = {
            "order_id": order.order_id,
            "client_order_id": m["client_order_id"],
            "fill_count": fmt.count(order.filled),
            "remaining_count": fmt.count(order.remaining),
        }
        if order.filled:
            values["average_fill_price"] = fmt.dollars(m["fill_cost"] / order.filled)
            values["average_fee_paid"] = fmt.dollars(m["fees"] / order.filled)
        return PERPS.rest("CreateMarginOrderResponse", **values)

    def _resting(self, user_id: str, order_id: str, subaccount: int | None) -> tuple[Order, PerpsMarket]:
        order = self.user_order(user_id, order_id, subaccount)
        market = self.markets[order.meta["ticker"]]
        if market.book.get(order_id) is None:
            raise ExchangeError(404, "order_not_found", f"order {order_id} is not resting")
        return order, market

    def cancel_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> dict[str, Any]:
        """CancelMarginOrder: returns `CancelMarginOrderResponse`; 404 if not resting."""
        order, market = self._resting(user_id, order_id, subaccount)
        result = market.book.cancel(order_id)
        assert result is not None
        self.apply(market, result)
        return PERPS.rest(
            "CancelMarginOrderResponse",
            order_id=order_id,
            client_order_id=order.meta["client_order_id"],
            reduced_by=fmt.count(order.meta["reduced_by"]),
        )

    def cancel_all(self, user_id: str, subaccount: int | None = None) -> int:
        """CancelAllMarginOrders: every resting order of the user (one subaccount or all); returns how many."""
        cancelled = 0
        for order in list(self.orders.values()):
            m = order.meta
            if m["user_id"] == user_id and subaccount in (None, m["subaccount"]):
                market = self.markets[m["ticker"]]
                result = market.book.cancel(order.order_id)
                if result is not None:
                    self.apply(market, result)
                    cancelled += 1
        return cancelled

    def decrease_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]:
        """DecreaseMarginOrder: exactly one of `reduce_by` / `reduce_to`; keeps queue position."""
        body = self.check_body("DecreaseMarginOrderRequest", body)
        order, market = self._resting(user_id, order_id, subaccount)
        by, to = body.get("reduce_by"), body.get("reduce_to")
        if (by is None) == (to is None):
            raise ExchangeError(400, "invalid_parameters", "send exactly one of reduce_by or reduce_to")
        try:
            target = order.remaining - fmt.parse_count(by) if by is not None else fmt.parse_count(to)
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        result = market.book.reduce(order_id, min(max(target, _ZERO), order.remaining))
        assert result is not None
        self.apply(market, result)
        return PERPS.rest(
            "DecreaseMarginOrderResponse",
            order_id=order_id,
            client_order_id=order.meta["client_order_id"],
            remaining_count=fmt.count(order.remaining),
        )

    def amend_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]:
        """AmendMarginOrder: new price and/or total count, and `expiration_time` (0 clears it, absent keeps it)."""
        body = self.check_body("AmendMarginOrderRequest", body)
        order, market = self._resting(user_id, order_id, subaccount)
        if (body.get("ticker") or body.get("market_id")) and self._resolve_market(body) is not market:
            raise ExchangeError(400, "invalid_parameters", "ticker must match the order")
        if body["side"] != order.side.value:
            raise ExchangeError(400, "invalid_parameters", "side must match the order")
        try:
            price = fmt.parse_price(body["price"])
            total = fmt.parse_count(body["count"])
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        if price <= 0 or price % market.tick:
            raise ExchangeError(400, "invalid_price", f"price {body['price']} is not a tick of {market.ticker}")
        if total <= order.filled:
            raise ExchangeError(400, "invalid_parameters", "count must exceed the filled count")
        if "expiration_time" in body:
            order.meta["expiration_s"] = _int(body, "expiration_time") or None
        if body.get("updated_client_order_id"):
            order.meta["client_order_id"] = str(body["updated_client_order_id"])
        if price != order.price or total != order.count:
            result = market.book.amend(order_id, price, total)
            assert result is not None
            self.apply(market, result)
        return PERPS.rest("AmendMarginOrderResponse", **self._create_response(order))

    # --- matching results -> fills, positions, feed --------------------------------------------

    def apply(self, market: PerpsMarket, result: MatchResult) -> None:
        """Turn a book operation into fills, trades, order updates and book deltas."""
        now = self.clock()
        touched: dict[str, Order] = {result.order.order_id: result.order}
        for execution in result.executions:
            trade_id = self.next_id()
            for order, is_taker in ((execution.maker, False), (execution.taker, True)):
                self._fill(
                    market,
                    order,
                    price=execution.price,
                    count=execution.count,
                    is_taker=is_taker,
                    trade_id=trade_id,
                    now=now,
                )
                touched[order.order_id] = order
            market.last_price = execution.price
            market.volume += execution.count
            trade = PERPS.rest(
                "MarginTrade",
                trade_id=trade_id,
                ticker=market.ticker,
                count=fmt.count(execution.count),
                price=fmt.dollars(execution.price),
                created_time=fmt.rfc3339(now),
                taker_side=execution.taker.side.value,
            )
            market.trades.append(trade)
            msg = PERPS.ws(
                "trade",
                trade_id=trade_id,
                market_ticker=market.ticker,
                price=trade["price"],
                count=trade["count"],
                taker_side=trade["taker_side"],
                ts_ms=now,
            )
            self.publish(FeedEvent("trade", "trade", msg, ticker=market.ticker))
        for maker in result.cancelled_makers:
            touched[maker.order_id] = maker
        for change in result.changes:
            order = change.order
            msg = PERPS.ws(
                "orderbook_delta",
                market_ticker=market.ticker,
                price=fmt.dollars(change.price),
                delta=fmt.count(change.delta),
                side=change.side.value,
                ts_ms=now,
            )
            extra: dict[str, Any] = {"client_order_id": order.meta["client_order_id"]}
            extra["subaccount"] = order.meta["subaccount"]
            if order.last_update_reason in _DELTA_REASONS:
                extra["last_update_reason"] = order.last_update_reason
            self.publish(
                FeedEvent(
                    "orderbook_delta", "orderbook_delta", msg, market.ticker, owner=order.owner, owner_extra=extra
                )
            )
        for order in touched.values():
            order.meta["updated_ms"] = now
            msg = self.user_order_msg(order)
            self.publish(FeedEvent("user_orders", "user_order", msg, market.ticker, user_id=order.meta["user_id"]))
        if result.executions or result.changes:
            self.publish(FeedEvent("ticker", "ticker", self.ticker_msg(market), ticker=market.ticker))
        if result.executions:
            self.check_exit_triggers(market)

    def _fill(
        self,
        market: PerpsMarket,
        order: Order,
        *,
        price: Decimal,
        count: Decimal,
        is_taker: bool,
        trade_id: str,
        now: int,
    ) -> None:
        m = order.meta
        account = self.account(m["user_id"], m["subaccount"])
        pos = account.positions.setdefault(market.ticker, MarginPosition(market.ticker))
        signed = count if order.side is BookSide.BID else -count
        cost = fee(count, price, market.contract_size) if is_taker else _ZERO
        entry_before = pos.entry_price
        realized = _ZERO
        if pos.position == 0 or (pos.position > 0) == (signed > 0):
            total = pos.position + signed
            pos.entry_price = (pos.entry_price * abs(pos.position) + price * count) / abs(total)
            pos.position = total
        else:
            closed = min(count, abs(pos.position))
            direction = 1 if pos.position > 0 else -1
            realized = (price - pos.entry_price) * closed * direction * market.contract_size
            pos.position += signed
            if pos.position == 0:
                pos.entry_price = _ZERO
            elif (pos.position > 0) != (direction > 0):
                pos.entry_price = price  # flipped: the rest opened at this price
        account.cash += realized - cost
        pos.realized_pnl += realized
        pos.fees += cost
        pos.updated_ms = account.updated_ms = now
        m["fill_cost"] += price * count
        m["fees"] += cost
        source = m["order_source"]
        fill = PERPS.rest(
            "MarginFill",
            fill_id=self.next_id(),
            order_id=order.order_id,
            is_taker=is_taker,
            side=order.side.value,
            count=fmt.count(count),
            created_time=fmt.rfc3339(now),
            ticker=market.ticker,
            price=fmt.dollars(price),
            entry_price=fmt.dollars(entry_before or price),
            fees=fmt.dollars(cost),
            realized_pnl=fmt.dollars(realized),
            order_source=source,
        )
        account.fills.append(fill | {"subaccount": m["subaccount"], "ts_ms": now})
        msg = PERPS.ws(
            "fill",
            trade_id=trade_id,
            order_id=order.order_id,
            client_order_id=m["client_order_id"],
            market_ticker=market.ticker,
            is_taker=is_taker,
            side=order.side.value,
            ts_ms=now,
            price=fmt.dollars(price),
            count=fmt.count(count),
            fee_cost=fmt.dollars(cost),
            post_position=fmt.count(pos.position),
            subaccount=m["subaccount"],
            order_source=source,
        )
        self.publish(FeedEvent("fill", "fill", msg, market.ticker, user_id=m["user_id"]))
        if m.get("order_group_id"):
            self.count_group_fill(m["order_group_id"], count, now)


_DELTA_REASONS = frozenset(PERPS.ws_field_enums["orderbook_delta"]["last_update_reason"])


def _int(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExchangeError(400, "invalid_parameters", f"{name} must be an integer", name)
    return value


def _order_body(ticker: str, side: BookSide, price: Decimal, count: Decimal) -> dict[str, Any]:
    return {
        "ticker": ticker,
        "client_order_id": f"seed-{ticker}-{side.value}",
        "side": side.value,
        "count": fmt.count(count),
        "price": fmt.dollars(price),
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "maker",
    }
