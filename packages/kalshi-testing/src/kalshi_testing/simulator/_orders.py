"""Order entry: create, cancel, decrease, amend, batches and expiry (V2 shapes)."""

from __future__ import annotations

import heapq
from typing import Any

from . import _format as fmt
from . import _order_rules as rules
from ._groups import ExchangeGroups
from ._matching import BookSide, CancelReason, Order, OrderStatus, TimeInForce
from ._shapes import rest
from ._state import ONE, ZERO, ExchangeError, int_field, taker_fee

__all__ = ["ExchangeOrders"]


class ExchangeOrders(ExchangeGroups):
    def create_order(self, user_id: str, body: Any) -> dict[str, Any]:
        """CreateOrderV2: validate, match, settle; returns `CreateOrderV2Response` (201)."""
        body = self._check_body("CreateOrderV2Request", body)
        market = self.market(str(body["ticker"]))
        subaccount = int_field(body, "subaccount") or 0
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
        side, tif, stp, price, count = rules.parse_order(body)
        if market.info.get("status") != "active" or not self.trading_active:
            raise ExchangeError(400, "market_closed", f"market {market.ticker} is not open for trading")
        if not (ZERO < price < ONE) or price % market.tick:
            raise ExchangeError(400, "invalid_price", f"price {body['price']} is not a valid tick of {market.ticker}")
        if count <= 0:
            raise ExchangeError(400, "invalid_parameters", "count must be positive")
        if body.get("reduce_only") and tif is not TimeInForce.IMMEDIATE_OR_CANCEL:
            raise ExchangeError(400, "invalid_parameters", "reduce_only is only accepted with immediate_or_cancel")
        expiration = int_field(body, "expiration_time")
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
        held = position.position if position else ZERO
        requested = count
        if body.get("reduce_only"):  # never more than closes the position; nothing if flat
            closable = -held if side is BookSide.BID else held
            count = min(count, max(closable, ZERO))
        opening = count - max(ZERO, min(count, -held if side is BookSide.BID else held))
        need = opening * (price if side is BookSide.BID else ONE - price) + taker_fee(count, price)
        if need > account.balance - account.reserved:  # resting orders hold part of the cash
            raise ExchangeError(400, "insufficient_balance", "insufficient balance for this order")
        now = self.clock()
        order_id = self._next_id()
        meta = rules.order_meta(body, user_id, subaccount, market.ticker, client_order_id, group, expiration, now) | {
            "initial": count,
            "taker_cost": ZERO,
            "maker_cost": ZERO,
            "taker_fees": ZERO,
            "opening": opening,
            "reserved": ZERO,
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
            order.remaining = ZERO
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
        values.update(rules.fill_averages(order))
        return rest("CreateOrderV2Response", **values)

    def cancel_order(self, user_id: str, order_id: str, subaccount: int | None = None) -> dict[str, Any]:
        """CancelOrderV2: returns `CancelOrderV2Response`; 404 if not resting."""
        order = self.user_order(user_id, order_id, subaccount)
        market = rules.resting_order(self.markets, order)
        result = market.book.cancel(order_id)
        assert result is not None
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
        return rules.cancel_resting(self.markets, rules.owned_orders(self.orders, user_id, subaccount), self._apply)

    def decrease_order(self, user_id: str, order_id: str, body: Any, subaccount: int | None = None) -> dict[str, Any]:
        """DecreaseOrderV2: exactly one of `reduce_by` / `reduce_to`; keeps queue position."""
        body = self._check_body("DecreaseOrderV2Request", body)
        order = self.user_order(user_id, order_id, subaccount)
        target = rules.decrease_target(body, order.remaining)
        market = rules.resting_order(self.markets, order)
        result = market.book.reduce(order_id, target)
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
        price, total = rules.price_and_count(body)
        if not (ZERO < price < ONE) or price % market.tick:
            raise ExchangeError(400, "invalid_price", f"price {body['price']} is not a valid tick")
        if market.book.get(order_id) is None:
            raise ExchangeError(404, "order_not_found", f"order {order_id} is not resting")
        if total <= order.filled:
            raise ExchangeError(400, "invalid_parameters", "count must exceed the filled count")
        if body.get("updated_client_order_id"):
            order.meta["client_order_id"] = body["updated_client_order_id"]
        account = self.account(order.meta["user_id"], order.meta["subaccount"])
        opening = order.meta["opening"]
        order.meta["opening"] = opening + max(ZERO, total - order.filled - order.remaining)  # added ones open
        extra = self.reservation(order, price, total - order.filled) - order.meta["reserved"]
        if extra > account.balance - account.reserved:
            order.meta["opening"] = opening
            raise ExchangeError(400, "insufficient_balance", "insufficient balance for this amendment")
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
                out.append(self.cancel_order(user_id, order_id, int_field(entry, "subaccount")) | {"error": None})
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

    def set_expiration(self, order_id: str, expiration_s: int | None) -> None:
        """Give a resting order a new expiry (epoch seconds), or none; its place in the book does not change."""
        order = self.orders[order_id]
        order.meta["expiration_s"] = expiration_s
        if expiration_s is not None:
            heapq.heappush(self._expiries, (expiration_s, order_id))

    def expire_orders(self) -> int:
        """Cancel resting orders whose `expiration_time` has passed; returns how many. O(expired) per call."""
        now_s = self.clock() // 1000
        expired = 0
        while self._expiries and self._expiries[0][0] <= now_s:
            when, order_id = heapq.heappop(self._expiries)
            order = self.orders[order_id]
            if order.status is not OrderStatus.RESTING or order.meta.get("expiration_s") != when:
                continue  # done already, or its expiry was amended since
            market = self.markets[order.meta["ticker"]]
            result = market.book.cancel(order_id, CancelReason.EXPIRY)
            if result is not None:
                self._apply(market, result)
                expired += 1
        return expired
