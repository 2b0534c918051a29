"""The simulated perps (margin) exchange: margin markets on the shared `OrderBook`, cross-margin accounts, funding.

Pure state like the prediction `Exchange`: time comes from `clock()` (epoch ms), writes return
their REST body (specs/perps_openapi.yaml shapes) and publish `FeedEvent`s in the
specs/perps_asyncapi.yaml shapes; refusals are `ExchangeError`.

Money model (cross margin per subaccount): `cash` holds settled funds; a fill moves a signed
position at an average entry price, closing realises PnL into cash, and takers pay `TAKER_FEE` of
notional. Equity is cash plus unrealised PnL at the mark price. A resting order reserves
`INITIAL_MARGIN` of its notional (`resting_orders_margin`) until it fills or is cancelled, and an
order is refused when its opening part would take more than the available balance. Funding is
exchanged every 8 hours on the clock (`FUNDING_HOURS_ET`): longs pay shorts `position x mark x rate`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator import _order_rules as rules
from kalshi_testing.simulator._exchange import Exchange, ExchangeError
from kalshi_testing.simulator._matching import BookSide, Order, TimeInForce
from kalshi_testing.simulator._state import int_field

from ._corporate import CorporateActions
from ._fills import Fills, fee
from ._funding import Funding
from ._portfolio import Portfolio
from ._risk import Risk
from ._spec import INITIAL_MARGIN, PERPS, next_funding_ms
from ._state import PerpsMarket, default_markets
from ._views import Views

__all__ = ["PerpsExchange"]

_ZERO = Decimal(0)
_NS = uuid.UUID("6f1c2d3e-0000-4000-8000-0000000ba5e5")
_MAKER = "sim-perps-mm"
"""The market maker whose resting orders give the default catalogue a two-sided book."""


class PerpsExchange(Views, Fills, Funding, Risk, CorporateActions, Portfolio):
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
        super().__init__(clock=clock, prediction=prediction)
        self._client_ids: dict[tuple[str, int, str], str] = {}
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

    # --- set-up -------------------------------------------------------------------------------

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
        market.next_funding_ms = next_funding_ms(now)
        self.markets[market.ticker] = market
        return market

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
        subaccount = int_field(body, "subaccount") or 0
        client_order_id = str(body["client_order_id"])
        existing = self._client_ids.get((user_id, subaccount, client_order_id))
        if existing is not None:
            order = self.orders[existing]
            if order.meta["request"] != body:
                raise ExchangeError(409, "order_already_exists", f"client_order_id {client_order_id} was already used")
            return self._create_response(order)
        side, tif, stp, price, count = rules.parse_order(body)
        version = int_field(body, "market_version")
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
        expiration = int_field(body, "expiration_time")
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
            meta=rules.order_meta(body, user_id, subaccount, market.ticker, client_order_id, group, expiration, now)
            | {"order_source": source},
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
        values.update(rules.fill_averages(order))
        return PERPS.rest("CreateMarginOrderResponse", **values)

    def _resting(self, user_id: str, order_id: str, subaccount: int | None) -> tuple[Order, PerpsMarket]:
        order = self.user_order(user_id, order_id, subaccount)
        return order, rules.resting_order(self.markets, order)

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
        return rules.cancel_resting(self.markets, rules.owned_orders(self.orders, user_id, subaccount), self.apply)

    def decrease_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]:
        """DecreaseMarginOrder: exactly one of `reduce_by` / `reduce_to`; keeps queue position."""
        body = self.check_body("DecreaseMarginOrderRequest", body)
        order, market = self._resting(user_id, order_id, subaccount)
        result = market.book.reduce(order_id, rules.decrease_target(body, order.remaining))
        assert result is not None
        self.apply(market, result)
        return PERPS.rest(
            "DecreaseMarginOrderResponse",
            order_id=order_id,
            client_order_id=order.meta["client_order_id"],
            remaining_count=fmt.count(order.remaining),
        )

    def set_expiration(self, order_id: str, expiration_s: int | None) -> None:
        """Give a resting order a new expiry (epoch seconds), or none; its place in the book does not change."""
        self.orders[order_id].meta["expiration_s"] = expiration_s

    def amend_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]:
        """AmendMarginOrder: new price and/or total count, and `expiration_time` (0 clears it, absent keeps it)."""
        body = self.check_body("AmendMarginOrderRequest", body)
        order, market = self._resting(user_id, order_id, subaccount)
        if (body.get("ticker") or body.get("market_id")) and self._resolve_market(body) is not market:
            raise ExchangeError(400, "invalid_parameters", "ticker must match the order")
        if body["side"] != order.side.value:
            raise ExchangeError(400, "invalid_parameters", "side must match the order")
        price, total = rules.price_and_count(body)
        if price <= 0 or price % market.tick:
            raise ExchangeError(400, "invalid_price", f"price {body['price']} is not a tick of {market.ticker}")
        if total <= order.filled:
            raise ExchangeError(400, "invalid_parameters", "count must exceed the filled count")
        if "expiration_time" in body:
            order.meta["expiration_s"] = int_field(body, "expiration_time") or None
        if body.get("updated_client_order_id"):
            order.meta["client_order_id"] = str(body["updated_client_order_id"])
        if price != order.price or total != order.count:
            result = market.book.amend(order_id, price, total)
            assert result is not None
            self.apply(market, result)
        return PERPS.rest("AmendMarginOrderResponse", **self._create_response(order))


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
