"""RFQ over FIX (docs.kalshi.com/fix/rfq-messages): creators on KalshiRT, market makers on KalshiRFQ.

Creator: QuoteRequest (R) -> QuoteRequestAck (b) or QuoteRequestReject (AG); quotes arrive as Quote (S);
AcceptQuote (UA) -> AcceptQuoteStatus (UC); RFQCancel (UE) -> RFQCancelStatus (UB). Maker: receives the
QuoteRequest (R, 131 = the RfqId), sends Quote (S) -> QuoteStatusReport (AI, pending), learns of an accept
from AI (accepted, with the side), confirms with QuoteConfirm (U7) -> QuoteConfirmStatus (U8), or
withdraws with QuoteCancel (Z) -> QuoteCancelStatus (U9).

On AcceptQuote the Side is inverted: 1 (buy YES) takes the maker's NO bid (133 OfferPx) at a YES price of
1 - OfferPx; 2 takes the maker's YES bid (132 BidPx). A confirmed quote trades through the engine's public
order path: the maker's side rests post-only at the price and the creator's side crosses it (IOC), so both
get ExecutionReports, fills, positions and WebSocket messages like any other trade. Simplification: a
public order at a better price fills the creator first (price improvement), and a quote whose price would
cross the public book cannot rest post-only, so its confirm is rejected; whatever the maker's order did
not fill is cancelled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kalshi_auth import FixSessionType
from kalshi_fix import ApplicationMessage, FixDecodeError, decode_app_message
from kalshi_fix.messages import (
    AcceptQuote,
    AcceptQuoteStatus,
    AcceptQuoteStatusValue,
    BusinessRejectReason,
    Quote,
    QuoteCancel,
    QuoteCancelStatus,
    QuoteCancelStatusValue,
    QuoteConfirm,
    QuoteConfirmStatus,
    QuoteConfirmStatusValue,
    QuoteRequest,
    QuoteRequestAck,
    QuoteRequestReject,
    QuoteRequestRejectReason,
    QuoteRequestType,
    QuoteStatus,
    QuoteStatusReport,
    RFQCancel,
    RFQCancelStatus,
    RFQCancelStatusValue,
    Side,
)
from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._exchange import ExchangeError
from kalshi_testing.simulator._matching import OrderStatus

from ._orders import business_reject

if TYPE_CHECKING:
    from ._acceptor import AcceptorConnection, SessionKey
    from ._gateway import FixGateway

__all__ = ["Rfq"]

_ONE = Decimal(1)
_ZERO = Decimal(0)


@dataclass(slots=True)
class _Request:
    rfq_id: str
    quote_req_id: str
    creator: SessionKey
    user_id: str
    symbol: str
    qty: Decimal
    open: bool = True


@dataclass(slots=True)
class _Quote:
    quote_id: str
    rfq: _Request
    maker: SessionKey
    maker_user: str
    bid_px: Decimal
    offer_px: Decimal
    side: str | None = None
    cl_ord_id: str | None = None
    done: bool = False


class Rfq:
    """RFQs and quotes of one simulator."""

    def __init__(self, gateway: FixGateway) -> None:
        self.gateway = gateway
        self.requests: dict[str, _Request] = {}
        self.quotes: dict[str, _Quote] = {}

    def handle(self, conn: AcceptorConnection, event: ApplicationMessage) -> None:
        """A message of either role."""
        try:
            msg = decode_app_message(event.frame)
        except FixDecodeError as exc:
            conn.send(business_reject(event, BusinessRejectReason.OTHER, str(exc)))
            return
        creator = conn.kind is FixSessionType.ORDER_ENTRY_RETRANSMIT
        if creator and isinstance(msg, QuoteRequest):
            self._create(conn, msg)
        elif creator and isinstance(msg, AcceptQuote):
            self._accept(conn, msg)
        elif creator and isinstance(msg, RFQCancel):
            self._cancel_request(conn, msg)
        elif not creator and isinstance(msg, Quote):
            self._quote(conn, msg)
        elif not creator and isinstance(msg, QuoteCancel):
            self._cancel_quote(conn, msg)
        elif not creator and isinstance(msg, QuoteConfirm):
            self._confirm(conn, msg)
        else:
            conn.send(
                business_reject(
                    event, BusinessRejectReason.UNSUPPORTED_MESSAGE_TYPE, f"{event.msg_type} not accepted here"
                )
            )

    # ------------------------------------------------------------------ creator (KalshiRT)

    def _create(self, conn: AcceptorConnection, msg: QuoteRequest) -> None:
        symbol = msg.symbol or ""
        if symbol not in self.gateway.exchange.markets:
            reason, text = QuoteRequestRejectReason.UNKNOWN_SYMBOL, f"unknown symbol {symbol!r}"
        elif msg.order_qty is None or msg.order_qty <= 0:
            reason, text = QuoteRequestRejectReason.OTHER, "OrderQty (38) is required (CashOrderQty is not simulated)"
        else:
            reason, text = None, ""
        if reason is not None:
            conn.send(QuoteRequestReject(quote_req_id=msg.quote_req_id, quote_request_reject_reason=reason, text=text))
            return
        assert msg.order_qty is not None
        request = _Request(str(uuid.uuid4()), msg.quote_req_id, conn.key, conn.user_id, symbol, msg.order_qty)
        self.requests[request.rfq_id] = request
        conn.send(
            QuoteRequestAck(
                quote_req_id=msg.quote_req_id,
                quote_request_type=QuoteRequestType.AUTOMATIC,
                rfq_id=request.rfq_id,
                symbol=symbol,
            )
        )
        broadcast = QuoteRequest(quote_req_id=request.rfq_id, no_related_sym=1, symbol=symbol, order_qty=request.qty)
        for maker in list(self.gateway.active.values()):
            if maker.kind is FixSessionType.RFQ and not maker.margin and maker.logged_on:
                maker.send(broadcast)

    def _cancel_request(self, conn: AcceptorConnection, msg: RFQCancel) -> None:
        request = self.requests.get(msg.rfq_id or "") or next(
            (r for r in self.requests.values() if r.quote_req_id == msg.quote_req_id and r.user_id == conn.user_id),
            None,
        )
        ok = request is not None and request.open and request.user_id == conn.user_id
        if ok and request is not None:
            request.open = False
        conn.send(
            RFQCancelStatus(
                quote_req_id=msg.quote_req_id or (request.quote_req_id if request else ""),
                rfq_cancel_status=RFQCancelStatusValue.CANCELED if ok else RFQCancelStatusValue.REJECTED,
            )
        )

    def _accept(self, conn: AcceptorConnection, msg: AcceptQuote) -> None:
        quote = self.quotes.get(msg.quote_id)
        side = str(msg.side)
        price = None
        if (
            quote is not None
            and _of_rfq(quote, msg.rfq_id)
            and quote.rfq.user_id == conn.user_id
            and quote.rfq.open
            and quote.side is None
        ):
            # Side is inverted: 1 (buy YES) takes the maker's NO bid; 2 takes the maker's YES bid.
            price = _ONE - quote.offer_px if side == Side.BUY_YES and quote.offer_px else None
            price = quote.bid_px if side == Side.SELL_NO and quote.bid_px else price
        if quote is None or price is None:
            conn.send(
                AcceptQuoteStatus(
                    quote_id=msg.quote_id,
                    accept_quote_status=AcceptQuoteStatusValue.REJECTED,
                    cl_ord_id=msg.cl_ord_id,
                    text="no such open quote on that side",
                )
            )
            return
        quote.side, quote.cl_ord_id = side, msg.cl_ord_id or f"rfq-{quote.quote_id}"
        conn.send(
            AcceptQuoteStatus(
                quote_id=msg.quote_id,
                accept_quote_status=AcceptQuoteStatusValue.ACCEPTED,
                accepted_quote_id=quote.quote_id,
                cl_ord_id=msg.cl_ord_id,
            )
        )
        self._to_maker(quote, QuoteStatus.ACCEPTED, side=Side(side))

    # ------------------------------------------------------------------ maker (KalshiRFQ)

    def _quote(self, conn: AcceptorConnection, msg: Quote) -> None:
        request = self.requests.get(msg.quote_req_id)
        bid, offer = msg.bid_px or _ZERO, msg.offer_px or _ZERO
        valid = all(_ZERO <= p < _ONE for p in (bid, offer)) and (bid or offer)
        if request is None or not request.open or not valid or request.user_id == conn.user_id:
            conn.send(
                QuoteStatusReport(
                    quote_id=msg.quote_id,
                    quote_req_id=msg.quote_req_id,
                    quote_status=QuoteStatus.REJECTED,
                    text="unknown or closed RFQ" if valid else "BidPx or OfferPx must be a price, not both zero",
                )
            )
            return
        for old in [q for q in self.quotes.values() if q.rfq is request and q.maker == conn.key and q.side is None]:
            old.done = True  # a new quote replaces the maker's previous one
            del self.quotes[old.quote_id]
        quote = _Quote(msg.quote_id, request, conn.key, conn.user_id, bid, offer)
        self.quotes[quote.quote_id] = quote
        self._to_maker(quote, QuoteStatus.PENDING)
        self.gateway.deliver(
            request.creator,
            Quote(
                quote_id=quote.quote_id,
                quote_req_id=request.quote_req_id,
                symbol=request.symbol,
                bid_px=bid,
                offer_px=offer,
                order_qty=request.qty,
            ),
        )

    def _cancel_quote(self, conn: AcceptorConnection, msg: QuoteCancel) -> None:
        quote = self.quotes.get(msg.quote_id)
        ok = (
            quote is not None
            and _of_rfq(quote, msg.rfq_id)
            and quote.maker == conn.key
            and not quote.done
            and quote.side is None
        )
        if ok:
            del self.quotes[msg.quote_id]
        status = QuoteCancelStatusValue.CANCELLED if ok else QuoteCancelStatusValue.REJECTED
        conn.send(QuoteCancelStatus(quote_id=msg.quote_id, quote_cancel_status=status))

    def _confirm(self, conn: AcceptorConnection, msg: QuoteConfirm) -> None:
        quote = self.quotes.get(msg.quote_id)
        if (
            quote is None
            or not _of_rfq(quote, msg.rfq_id)
            or quote.maker != conn.key
            or quote.side is None
            or quote.done
        ):
            conn.send(
                QuoteConfirmStatus(
                    quote_id=msg.quote_id,
                    quote_confirm_status=QuoteConfirmStatusValue.REJECTED,
                    text="no accepted quote to confirm",
                )
            )
            return
        quote.done = True
        quote.rfq.open = False
        try:
            self._execute(quote)
        except ExchangeError as exc:
            conn.send(
                QuoteConfirmStatus(
                    quote_id=msg.quote_id, quote_confirm_status=QuoteConfirmStatusValue.REJECTED, text=exc.message
                )
            )
            return
        conn.send(QuoteConfirmStatus(quote_id=msg.quote_id, quote_confirm_status=QuoteConfirmStatusValue.ACCEPTED))

    def _execute(self, quote: _Quote) -> None:
        """The maker's side rests at the quoted price; the creator's side crosses it."""
        request = quote.rfq
        buy_yes = quote.side == Side.BUY_YES
        price = _ONE - quote.offer_px if buy_yes else quote.bid_px
        common: dict[str, Any] = {
            "ticker": request.symbol,
            "price": fmt.dollars(price),
            "count": fmt.count(request.qty),
            "self_trade_prevention_type": "taker_at_cross",
        }
        orders = self.gateway.order_entry[False]
        maker_id = f"rfq-{quote.quote_id}-maker"
        maker_body = common | {
            "side": "ask" if buy_yes else "bid",
            "time_in_force": "good_till_canceled",
            "client_order_id": maker_id,
            "post_only": True,
        }
        orders.submit(quote.maker_user, maker_body, None)
        exchange = self.gateway.exchange
        resting = [o for o in exchange.orders.values() if o.meta.get("client_order_id") == maker_id]
        if not resting or resting[-1].status is not OrderStatus.RESTING:
            raise ExchangeError(400, "invalid_price", "the quote crosses the public book")
        creator_body = common | {
            "side": "bid" if buy_yes else "ask",
            "time_in_force": "immediate_or_cancel",
            "client_order_id": quote.cl_ord_id,
        }
        try:
            orders.submit(request.user_id, creator_body, request.creator)
        finally:
            for order in list(exchange.orders.values()):
                meta = order.meta
                if meta.get("client_order_id") == maker_id and order.status is OrderStatus.RESTING:
                    exchange.cancel_order(quote.maker_user, order.order_id)

    def _to_maker(self, quote: _Quote, status: QuoteStatus, *, side: Side | None = None) -> None:
        self.gateway.deliver(
            quote.maker,
            QuoteStatusReport(
                quote_id=quote.quote_id,
                quote_req_id=quote.rfq.rfq_id,
                quote_status=status,
                order_qty=quote.rfq.qty,
                bid_px=quote.bid_px,
                offer_px=quote.offer_px,
                side=side,
            ),
        )


def _of_rfq(quote: _Quote, rfq_id: str | None) -> bool:
    """An RfqId (21023) on AcceptQuote, QuoteCancel or QuoteConfirm is optional; "if provided, the quote must
    belong to this RFQ" (docs.kalshi.com/fix/rfq-messages)."""
    return rfq_id is None or rfq_id == quote.rfq.rfq_id
