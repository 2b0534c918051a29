"""Order entry (KalshiNR / KalshiRT) and drop copy (KalshiDC) over the simulator's matching engine.

Inbound orders become `Exchange.create_order` / `cancel_order` / `amend_order` calls; every order's
ExecutionReports are derived from the engine's feed (`fill` and `user_order` events), so an order placed
over REST reports on FIX exactly like one entered over FIX. Reports go to the session that entered the
order (kept for resends on RT while it is away) and to the user's listener sessions (ListenerSession=Y);
drop copy replays them by ExecID (docs.kalshi.com/fix/drop-copy). Field use follows
docs.kalshi.com/fix/order-entry: Side 1 buys YES (`bid`), 2 sells YES (`ask`); OrderQty = CumQty +
LeavesQty; ExecID is `<n>;1`, increasing per report.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kalshi_fix import ApplicationMessage, FixDecodeError, decode_app_message
from kalshi_fix.messages import (
    BusinessMessageReject,
    BusinessRejectReason,
    CxlRejReason,
    CxlRejResponseTo,
    EventResendComplete,
    EventResendReject,
    EventResendRejectReason,
    ExecInst,
    ExecType,
    ExecutionReport,
    FixMessage,
    MassCancelResponse,
    MiscFee,
    MiscFeeBasis,
    MiscFeeType,
    OrderCancelReject,
    OrderGroupAction,
    OrderGroupResponse,
    OrderMassCancelReport,
    OrdRejReason,
    OrdStatus,
    SelfTradePreventionType,
    Side,
    TimeInForce,
)
from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._exchange import ExchangeError, FeedEvent
from kalshi_testing.simulator._matching import BookSide, Order, OrderStatus
from kalshi_testing.simulator.perps._spec import EASTERN

from ._engine import Engine, feed_value

if TYPE_CHECKING:
    from ._acceptor import AcceptorConnection, SessionKey
    from ._gateway import FixGateway

__all__ = ["OrderEntry", "business_reject"]

_ZERO = Decimal(0)
_REJECT_REASONS = {
    "market_not_found": OrdRejReason.UNKNOWN_SYMBOL,
    "market_closed": OrdRejReason.EXCHANGE_CLOSED,
    "insufficient_balance": OrdRejReason.ORDER_EXCEEDS_LIMIT,
    "order_already_exists": OrdRejReason.DUPLICATE_ORDER,
    "order_group_triggered": OrdRejReason.ORDER_EXCEEDS_LIMIT,
}
_TIME_IN_FORCE = {
    TimeInForce.DAY: "good_till_canceled",
    TimeInForce.GTC: "good_till_canceled",
    TimeInForce.GTD: "good_till_canceled",
    TimeInForce.IOC: "immediate_or_cancel",
    TimeInForce.FOK: "fill_or_kill",
}
DROP_COPY_LOOKBACK_MS = 3 * 3600 * 1000
"""Drop copy replays reports of the last 3 hours (docs.kalshi.com/fix/drop-copy)."""


@dataclass(slots=True)
class _Tracked:
    """What FIX has reported about one engine order."""

    order_id: str
    user_id: str
    margin: bool
    origin: SessionKey | None
    cl_ord_id: str
    orig_cl_ord_id: str | None = None
    next_cl_ord_id: str | None = None
    """The ClOrdID of a cancel or replace in flight (it names the report that answers it)."""
    price: Decimal = _ZERO
    order_qty: Decimal = _ZERO
    cum_qty: Decimal = _ZERO
    cost: Decimal = _ZERO
    done: bool = False


class OrderEntry:
    """Translates order-entry messages to engine calls and engine events to ExecutionReports."""

    def __init__(self, gateway: FixGateway, engine: Engine, *, margin: bool) -> None:
        self.gateway = gateway
        self.exchange = engine
        self.margin = margin
        self.tracked: dict[str, _Tracked] = {}
        self.history: dict[tuple[bool, str], deque[tuple[int, int, ExecutionReport]]] = {}
        """(margin, user) -> (exec number, epoch ms, report) of the last 3 hours, for drop copy; rejects left out."""
        self._forgotten: dict[tuple[bool, str], int] = {}
        """(margin, user) -> the newest exec number dropped from `history` for age."""
        self._entering: dict[tuple[str, str], SessionKey | None] = {}
        self._by_cl_ord_id: dict[tuple[str, str], str] = {}
        """(user, ClOrdID) -> order id, for every ClOrdID an order has carried (they are never reused)."""
        self._exec_n = 0

    # ------------------------------------------------------------------ inbound

    def handle(self, conn: AcceptorConnection, event: ApplicationMessage) -> None:
        """One application message from an order-entry or drop-copy session."""
        try:
            message = decode_app_message(event.frame)
        except FixDecodeError as exc:
            conn.send(business_reject(event, BusinessRejectReason.OTHER, str(exc)[:200]))
            return
        name = type(message).__name__
        handler = getattr(self, f"_on_{name}", None)
        if handler is None:
            conn.send(business_reject(event, BusinessRejectReason.UNSUPPORTED_MESSAGE_TYPE, f"{name} not supported"))
            return
        handler(conn, message, event)

    def _on_NewOrderSingle(self, conn: AcceptorConnection, msg: Any, event: ApplicationMessage) -> None:
        user = conn.user_id
        if (user, msg.cl_ord_id) in self._by_cl_ord_id:
            conn.send(self._reject(msg, OrdRejReason.DUPLICATE_ORDER, "ClOrdID was already used"))
            return
        if msg.quote_id is not None:  # refused, never placed as a plain order
            text = "accepting an RFQ quote with NewOrderSingle (117) is not simulated; send AcceptQuote (35=UA)"
            conn.send(self._reject(msg, OrdRejReason.UNSUPPORTED_ORDER_CHARACTERISTIC, text))
            return
        body: dict[str, Any] = {
            "ticker": msg.symbol,
            "side": BookSide.BID.value if str(msg.side) == Side.BUY_YES else BookSide.ASK.value,
            "price": fmt.dollars(msg.price),
            "count": fmt.count(msg.order_qty),
            "time_in_force": _TIME_IN_FORCE.get(msg.time_in_force or TimeInForce.GTC, "good_till_canceled"),
            "self_trade_prevention_type": "maker"
            if msg.self_trade_prevention_type == SelfTradePreventionType.MAKER
            else "taker_at_cross",
            "client_order_id": msg.cl_ord_id,
        }
        flags = str(msg.exec_inst or "").split()  # ExecInst is a MultipleValueString: "6", "E", "6 E"
        if ExecInst.POST_ONLY in flags:
            body["post_only"] = True
        if ExecInst.REDUCE_ONLY in flags:  # IOC only (prediction), IOC or FOK (margin): the engine checks
            body["reduce_only"] = True
        if msg.alloc_account:
            body["subaccount"] = int(msg.alloc_account)
        if msg.order_group_id:
            body["order_group_id"] = msg.order_group_id
        if msg.cancel_order_on_pause is not None:
            body["cancel_order_on_pause"] = bool(msg.cancel_order_on_pause)
        if msg.expire_time is not None:
            body["expiration_time"] = int(msg.expire_time.timestamp())
        elif msg.time_in_force == TimeInForce.DAY:  # "expires 11:59:59.999pm ET" (docs.kalshi.com/fix/order-entry)
            body["expiration_time"] = replace_expiry(TimeInForce.DAY, None, self.exchange.clock())[1]
        try:
            self.submit(user, body, conn.key)
        except ExchangeError as exc:
            conn.send(self._reject(msg, _REJECT_REASONS.get(exc.code, OrdRejReason.OTHER), exc.message))
        except ValueError as exc:
            conn.send(self._reject(msg, OrdRejReason.OTHER, str(exc)))

    def submit(self, user: str, body: dict[str, Any], origin: SessionKey | None) -> None:
        """Create an order for `user` whose reports go to the session `origin` (and listeners, and drop copy).

        Raises:
            ExchangeError: the engine refused it.
        """
        key = (user, str(body["client_order_id"]))
        self._entering[key] = origin
        try:
            self.exchange.create_order(user, body)
        finally:
            self._entering.pop(key, None)

    def _find(self, user: str, order_id: str | None, orig_cl_ord_id: str | None) -> _Tracked | None:
        order_id = order_id or self._by_cl_ord_id.get((user, orig_cl_ord_id or ""))
        tracked = self.tracked.get(order_id or "")
        return tracked if tracked is not None and tracked.user_id == user else None

    def _on_OrderCancelRequest(self, conn: AcceptorConnection, msg: Any, event: ApplicationMessage) -> None:
        tracked = self._find(conn.user_id, msg.order_id, msg.orig_cl_ord_id)
        if tracked is None or tracked.done:
            conn.send(_cancel_reject(msg, tracked, CxlRejResponseTo.ORDER_CANCEL_REQUEST, "order not found"))
            return
        tracked.next_cl_ord_id = msg.cl_ord_id
        try:
            self.exchange.cancel_order(conn.user_id, tracked.order_id)
        except ExchangeError as exc:
            tracked.next_cl_ord_id = None
            conn.send(_cancel_reject(msg, tracked, CxlRejResponseTo.ORDER_CANCEL_REQUEST, exc.message))

    def _on_OrderCancelReplaceRequest(self, conn: AcceptorConnection, msg: Any, event: ApplicationMessage) -> None:
        tracked = self._find(conn.user_id, msg.order_id, msg.orig_cl_ord_id)
        if tracked is None or tracked.done:
            conn.send(_cancel_reject(msg, tracked, CxlRejResponseTo.ORDER_CANCEL_REPLACE_REQUEST, "order not found"))
            return
        try:
            new_expiry, expiration = replace_expiry(msg.time_in_force, msg.expire_time, self.exchange.clock())
        except ValueError as exc:
            conn.send(_cancel_reject(msg, tracked, CxlRejResponseTo.ORDER_CANCEL_REPLACE_REQUEST, str(exc)))
            return
        order = self.exchange.orders[tracked.order_id]
        price = msg.price if msg.price is not None else order.price
        tracked.next_cl_ord_id = msg.cl_ord_id
        if price != order.price or msg.order_qty != order.count:
            body = {
                "ticker": order.meta["ticker"],
                "side": order.side.value,
                "price": fmt.dollars(price),
                "count": fmt.count(msg.order_qty),
                "updated_client_order_id": msg.cl_ord_id,
            }
            try:
                self.exchange.amend_order(conn.user_id, tracked.order_id, body)
            except (ExchangeError, ValueError) as exc:
                tracked.next_cl_ord_id = None
                text = exc.message if isinstance(exc, ExchangeError) else str(exc)
                conn.send(_cancel_reject(msg, tracked, CxlRejResponseTo.ORDER_CANCEL_REPLACE_REQUEST, text))
                return
        if new_expiry and order.status is OrderStatus.RESTING:
            self.exchange.set_expiration(order.order_id, expiration)
        if tracked.next_cl_ord_id is not None and not tracked.done:  # no price or size change reported it
            self._advance_cl_ord_id(tracked)
            status = OrdStatus.PARTIALLY_FILLED if tracked.cum_qty else OrdStatus.NEW
            self._emit(tracked, self._report(tracked, order, ExecType.REPLACED, status))

    def _on_OrderMassCancelRequest(self, conn: AcceptorConnection, msg: Any, event: ApplicationMessage) -> None:
        self.cancel_session_orders(conn.key)
        conn.send(
            OrderMassCancelReport(
                cl_ord_id=msg.cl_ord_id,
                order_id=msg.cl_ord_id,
                mass_cancel_response=MassCancelResponse.ALL_ORDERS_CANCELLED,
            )
        )

    def cancel_session_orders(self, key: SessionKey) -> int:
        """Cancel every resting order entered on the session `key` (mass cancel, CancelOrdersOnDisconnect)."""
        cancelled = 0
        for tracked in list(self.tracked.values()):
            order = self.exchange.orders.get(tracked.order_id)
            if tracked.origin == key and order is not None and order.status is OrderStatus.RESTING:
                try:
                    self.exchange.cancel_order(tracked.user_id, tracked.order_id)
                    cancelled += 1
                except ExchangeError:
                    pass
        return cancelled

    def _on_OrderGroupRequest(self, conn: AcceptorConnection, msg: Any, event: ApplicationMessage) -> None:
        user, ex = conn.user_id, self.exchange
        action = msg.order_group_action
        try:
            if action == OrderGroupAction.CREATE:
                body: dict[str, Any] = {"contracts_limit": msg.order_group_contracts_limit}
                if msg.alloc_account:
                    body["subaccount"] = int(msg.alloc_account)
                created = ex.create_group(user, body)
                group_id = str(created["order_group_id"])
                limit = msg.order_group_contracts_limit
            else:
                group = ex.groups.get(msg.order_group_id or "")
                if group is None or group.user_id != user:
                    raise ExchangeError(404, "order_group_not_found", f"order group {msg.order_group_id} not found")
                if (msg.alloc_account or 0) != group.subaccount:
                    raise ExchangeError(400, "invalid_parameters", "AllocAccount does not match the group's subaccount")
                group_id, limit = group.group_id, None
                if action == OrderGroupAction.RESET:
                    ex.reset_group(group)
                elif action == OrderGroupAction.DELETE:
                    ex.delete_group(group)
                elif action == OrderGroupAction.TRIGGER_CANCEL:
                    ex.trigger_group(group)
                elif action == OrderGroupAction.UPDATE:
                    ex.update_group_limit(group, {"contracts_limit": msg.order_group_contracts_limit})
                    limit = msg.order_group_contracts_limit
                else:
                    raise ExchangeError(400, "invalid_parameters", f"unknown OrderGroupAction {action}")
        except ExchangeError as exc:
            reason = BusinessRejectReason.UNKNOWN_ID if exc.status == 404 else BusinessRejectReason.OTHER
            conn.send(business_reject(event, reason, exc.message))
            return
        conn.send(
            OrderGroupResponse(
                order_group_id=group_id, order_group_contracts_limit=limit, alloc_account=msg.alloc_account
            )
        )

    def _on_EventResendRequest(self, conn: AcceptorConnection, msg: Any, event: ApplicationMessage) -> None:
        """Drop copy: replay the user's reports from BeginExecID (through EndExecID), then EventResendComplete."""
        key = (conn.margin, conn.user_id)
        history = self._prune(key)
        try:
            begin = int(msg.begin_exec_id.split(";")[0])
            end = int(msg.end_exec_id.split(";")[0]) if msg.end_exec_id else None
        except ValueError:
            conn.send(EventResendReject(ref_seq_num=event.seq, event_resend_reject_reason=EventResendRejectReason(2)))
            return
        last = history[-1][0] if history else 0
        if end is not None and end > max(last, self._exec_n):
            conn.send(
                EventResendReject(
                    ref_seq_num=event.seq, event_resend_reject_reason=EventResendRejectReason.END_EXECID_TOO_LARGE
                )
            )
            return
        if begin <= self._forgotten.get(key, 0):
            conn.send(
                EventResendReject(
                    ref_seq_num=event.seq, event_resend_reject_reason=EventResendRejectReason.BEGIN_EXECID_TOO_SMALL
                )
            )
            return
        replayed = [report for n, _, report in history if n >= begin and (end is None or n <= end)]
        for report in replayed:
            conn.send(report)
        conn.send(EventResendComplete(ref_seq_num=event.seq, resend_event_count=len(replayed)))

    # ------------------------------------------------------------------ engine feed

    def on_feed(self, event: FeedEvent) -> None:
        """Turn the engine's `fill` and `user_order` events into ExecutionReports."""
        if event.type == "fill":
            self._on_fill(event.msg)
        elif event.type == "user_order":
            self._on_order(event.msg)

    def _track(self, order: Order, *, taking: bool = False) -> _Tracked:
        """The order's FIX state, reporting it New the first time it is seen (`taking`: at its first fill, as a
        taker in the matching cycle of its placement, when the New ack is folded into the Trade report)."""
        tracked = self.tracked.get(order.order_id)
        if tracked is not None:
            return tracked
        meta = order.meta
        user = str(meta["user_id"])
        cl_ord_id = str(meta.get("client_order_id") or order.order_id)
        origin = self._entering.get((user, cl_ord_id))
        tracked = _Tracked(
            order.order_id, user, self.margin, origin, cl_ord_id, price=order.price, order_qty=order.count
        )
        self.tracked[order.order_id] = tracked
        self._by_cl_ord_id[(user, cl_ord_id)] = order.order_id
        self._emit(tracked, self._report(tracked, order, ExecType.NEW, OrdStatus.NEW), folded_new=taking)
        return tracked

    def _on_fill(self, msg: dict[str, Any]) -> None:
        order = self.exchange.orders.get(str(msg["order_id"]))
        if order is None:
            return
        tracked = self._track(order, taking=bool(msg.get("is_taker")))
        qty = Decimal(str(feed_value(msg, "count_fp", "count")))
        price = Decimal(str(feed_value(msg, "yes_price_dollars", "price")))
        tracked.cum_qty += qty
        tracked.cost += qty * price
        leaves = max(order.count - tracked.cum_qty, _ZERO)
        fee = Decimal(str(msg.get("fee_cost") or "0"))
        position = Decimal(str(feed_value(msg, "post_position_fp", "post_position") or "0"))
        report = self._report(
            tracked,
            order,
            ExecType.TRADE,
            OrdStatus.FILLED if leaves == 0 else OrdStatus.PARTIALLY_FILLED,
            leaves=leaves,
            last_px=price,
            last_qty=qty,
        )
        report.trd_match_id = str(msg.get("trade_id") or "")
        report.aggressor_indicator = bool(msg.get("is_taker"))
        report.long_qty = max(position, _ZERO)
        report.short_qty = max(-position, _ZERO)
        if fee:
            report.misc_fees = [
                MiscFee(
                    misc_fee_amt=fee,
                    misc_fee_curr="USD",
                    misc_fee_type=MiscFeeType.EXCHANGE_FEES,
                    misc_fee_basis=MiscFeeBasis.ABSOLUTE,
                )
            ]
        if leaves == 0:
            tracked.done = True
        self._emit(tracked, report)

    def _on_order(self, msg: dict[str, Any]) -> None:
        order = self.exchange.orders.get(str(msg["order_id"]))
        if order is None:
            return
        tracked = self._track(order)
        if tracked.done:
            return
        if order.status is OrderStatus.CANCELED:
            tracked.done = True
            expired = order.last_update_reason == "ExpiryCancel"
            kind = ExecType.EXPIRED if expired else ExecType.CANCELED
            status = OrdStatus.EXPIRED if expired else OrdStatus.CANCELED
            self._advance_cl_ord_id(tracked)
            self._emit(tracked, self._report(tracked, order, kind, status, leaves=_ZERO))
        elif order.price != tracked.price or order.count != tracked.order_qty:
            tracked.price, tracked.order_qty = order.price, order.count
            self._advance_cl_ord_id(tracked)
            status = OrdStatus.PARTIALLY_FILLED if tracked.cum_qty else OrdStatus.NEW
            self._emit(tracked, self._report(tracked, order, ExecType.REPLACED, status))

    def _advance_cl_ord_id(self, tracked: _Tracked) -> None:
        if tracked.next_cl_ord_id is not None:
            tracked.orig_cl_ord_id, tracked.cl_ord_id = tracked.cl_ord_id, tracked.next_cl_ord_id
            tracked.next_cl_ord_id = None
            self._by_cl_ord_id[(tracked.user_id, tracked.cl_ord_id)] = tracked.order_id

    # ------------------------------------------------------------------ reports

    def _prune(self, key: tuple[bool, str]) -> deque[tuple[int, int, ExecutionReport]]:
        """The user's drop-copy history, without reports older than the 3-hour lookback."""
        history = self.history.setdefault(key, deque())
        oldest = self.exchange.clock() - DROP_COPY_LOOKBACK_MS
        while history and history[0][1] < oldest:
            self._forgotten[key] = history.popleft()[0]
        return history

    def _report(
        self,
        tracked: _Tracked,
        order: Order,
        exec_type: ExecType,
        status: OrdStatus,
        *,
        leaves: Decimal | None = None,
        last_px: Decimal | None = None,
        last_qty: Decimal | None = None,
    ) -> ExecutionReport:
        self._exec_n += 1
        if leaves is None:
            leaves = max(order.count - tracked.cum_qty, _ZERO)
        subaccount = int(order.meta.get("subaccount") or 0)
        expiry = order.meta.get("expiration_s")
        replaced = exec_type == ExecType.REPLACED
        return ExecutionReport(
            order_id=order.order_id,
            cl_ord_id=tracked.cl_ord_id,
            orig_cl_ord_id=tracked.orig_cl_ord_id,
            exec_id=f"{self._exec_n};1",
            exec_type=exec_type,
            ord_status=status,
            side=Side.BUY_YES if order.side is BookSide.BID else Side.SELL_NO,
            symbol=str(order.meta["ticker"]),
            leaves_qty=leaves,
            cum_qty=tracked.cum_qty,
            avg_px=(tracked.cost / tracked.cum_qty).quantize(Decimal("0.0001")) if tracked.cum_qty else _ZERO,
            order_qty=order.count,
            price=order.price,
            last_px=last_px,
            last_qty=last_qty,
            transact_time=dt.datetime.fromtimestamp(self.exchange.clock() / 1000, tz=dt.UTC),
            alloc_account=subaccount or None,
            # docs.kalshi.com/fix/order-entry: a Replaced report states the resulting validity, 59=6 with 126
            # when the order expires (Day included), else 59=1
            time_in_force=(TimeInForce.GTD if expiry else TimeInForce.GTC) if replaced else None,
            expire_time=dt.datetime.fromtimestamp(expiry, tz=dt.UTC) if replaced and expiry else None,
        )

    def _reject(self, msg: Any, reason: OrdRejReason, text: str) -> ExecutionReport:
        self._exec_n += 1
        return ExecutionReport(
            order_id="NONE",
            cl_ord_id=msg.cl_ord_id,
            exec_id=f"{self._exec_n};1",
            exec_type=ExecType.REJECTED,
            ord_status=OrdStatus.REJECTED,
            side=msg.side,
            symbol=msg.symbol,
            leaves_qty=_ZERO,
            cum_qty=_ZERO,
            avg_px=_ZERO,
            order_qty=msg.order_qty,
            price=msg.price,
            ord_rej_reason=reason,
            text=text[:200],
            transact_time=dt.datetime.fromtimestamp(self.exchange.clock() / 1000, tz=dt.UTC),
        )

    def _emit(self, tracked: _Tracked, report: ExecutionReport, *, folded_new: bool = False) -> None:
        history = self._prune((tracked.margin, tracked.user_id))
        history.append((self._exec_n, self.exchange.clock(), report))
        self.gateway.deliver_report(tracked.user_id, tracked.margin, tracked.origin, report, folded_new=folded_new)


def business_reject(event: ApplicationMessage, reason: BusinessRejectReason, text: str) -> FixMessage:
    """A BusinessMessageReject (35=j) of the message `event`."""
    return BusinessMessageReject(
        ref_seq_num=event.seq, ref_msg_type=event.msg_type, business_reject_reason=reason, text=text[:200]
    )


def _cancel_reject(msg: Any, tracked: _Tracked | None, response_to: CxlRejResponseTo, text: str) -> FixMessage:
    done = tracked is not None and tracked.done
    return OrderCancelReject(
        order_id=tracked.order_id if tracked is not None else (msg.order_id or "NONE"),
        cl_ord_id=msg.cl_ord_id,
        orig_cl_ord_id=msg.orig_cl_ord_id,
        ord_status=OrdStatus.CANCELED if done else (OrdStatus.REJECTED if tracked is None else OrdStatus.NEW),
        cxl_rej_response_to=response_to,
        cxl_rej_reason=CxlRejReason.TOO_LATE_TO_CANCEL if done else CxlRejReason.UNKNOWN_ORDER,
        text=text[:200],
    )


def replace_expiry(time_in_force: str | None, expire_time: dt.datetime | None, now_ms: int) -> tuple[bool, int | None]:
    """What a Cancel/Replace does to the order's expiry, by "Kalshi conventions for replace"
    (docs.kalshi.com/fix/order-entry): neither 59 nor 126 keeps it; Day (59=0) ends it at 11:59:59pm ET; GTC
    (59=1) removes it; GTD (59=6) sets the future ExpireTime (126). Returns (changed, epoch seconds or None).

    Raises:
        ValueError: a combination the page rules out (126 without GTD, a past 126, another TimeInForce).
    """
    if time_in_force is None:
        if expire_time is not None:
            raise ValueError("ExpireTime (126) requires TimeInForce=GTD (59=6)")
        return False, None
    if time_in_force == TimeInForce.GTD:
        if expire_time is None or expire_time.timestamp() * 1000 <= now_ms:
            raise ValueError("TimeInForce=GTD (59=6) requires a future ExpireTime (126)")
        return True, int(expire_time.timestamp())
    if expire_time is not None:
        raise ValueError("ExpireTime (126) is allowed only with TimeInForce=GTD (59=6)")
    if time_in_force == TimeInForce.GTC:
        return True, None
    if time_in_force == TimeInForce.DAY:
        today = dt.datetime.fromtimestamp(now_ms / 1000, tz=EASTERN).date()
        end = dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=EASTERN)
        return True, int(end.timestamp())
    raise ValueError(f"TimeInForce (59)={time_in_force} is not supported on replace")
