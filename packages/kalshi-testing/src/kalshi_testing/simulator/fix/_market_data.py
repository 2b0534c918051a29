"""Market data (KalshiMD): snapshots and incrementals from the engine's books (docs.kalshi.com/fix/market-data).

A MarketDataRequest (V) with SubscriptionRequestType 0 answers one MarketDataSnapshotFullRefresh (W) per
symbol; 1 also streams MarketDataIncrementalRefresh (X) for every book change; 2 stops them (all of them
when no symbol is given). Books are YES bids (269=0) and YES offers (269=1) with absolute sizes; MDEntryPx
(270) is always in dollars, whatever UseDollars says. SecurityStatusRequest (e) answers SecurityStatus (f)
and, with 263=1, follows the market's lifecycle.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from kalshi_fix import ApplicationMessage, FixDecodeError, decode_app_message
from kalshi_fix.messages import (
    MarketDataIncrementalRefresh,
    MarketDataRequest,
    MarketDataRequestReject,
    MarketDataSnapshotFullRefresh,
    MDEntryType,
    MDIncrementalEntry,
    MDReqRejReason,
    MDSnapshotEntry,
    MDUpdateAction,
    SecurityStatus,
    SecurityStatusRequest,
    SecurityTradingStatus,
    SubscriptionRequestType,
)
from kalshi_testing.simulator._matching import BookSide

if TYPE_CHECKING:
    from kalshi_testing.simulator._exchange import FeedEvent

    from ._acceptor import FixConnection
    from ._gateway import FixGateway

__all__ = ["MarketData"]

_ONE = Decimal(1)
_LIFECYCLE_STATUS = {
    "deactivated": SecurityTradingStatus.TRADING_HALT,
    "activated": SecurityTradingStatus.RESUME,
    "determined": SecurityTradingStatus.DETERMINED,
    "settled": SecurityTradingStatus.SETTLED,
}


class MarketData:
    """Subscriptions per connection, fed from the engine's `orderbook_delta` and lifecycle events."""

    def __init__(self, gateway: FixGateway) -> None:
        self.gateway = gateway
        self.books: dict[FixConnection, set[str]] = {}
        self.statuses: dict[FixConnection, set[str]] = {}

    def forget(self, conn: FixConnection) -> None:
        """A connection went away: its subscriptions end (MD has no resend)."""
        self.books.pop(conn, None)
        self.statuses.pop(conn, None)

    def snapshot(self, symbol: str) -> MarketDataSnapshotFullRefresh:
        """The whole book of `symbol`, best levels first."""
        book = self.gateway.exchange.markets[symbol].book
        entries = [
            MDSnapshotEntry(md_entry_type=MDEntryType.BID, md_entry_px=price, md_entry_size=size)
            for price, size in book.levels(BookSide.BID)
        ] + [
            MDSnapshotEntry(md_entry_type=MDEntryType.OFFER, md_entry_px=price, md_entry_size=size)
            for price, size in book.levels(BookSide.ASK)
        ]
        return MarketDataSnapshotFullRefresh(symbol=symbol, md_entries=entries)

    def status(self, symbol: str) -> SecurityTradingStatus:
        """The trading status of `symbol` from its market's status."""
        info = self.gateway.exchange.markets[symbol].info
        if info.get("result"):
            return SecurityTradingStatus.SETTLED
        return SecurityTradingStatus.RESUME if info.get("status") == "active" else SecurityTradingStatus.TRADING_HALT

    def handle(self, conn: FixConnection, event: ApplicationMessage) -> None:
        """A MarketDataRequest or SecurityStatusRequest."""
        try:
            request = decode_app_message(event.frame)
        except FixDecodeError as exc:
            conn.send(MarketDataRequestReject(text=str(exc)[:200]))
            return
        markets = self.gateway.exchange.markets
        if isinstance(request, SecurityStatusRequest):
            if request.symbol not in markets:
                conn.send(MarketDataRequestReject(text=f"unknown symbol {request.symbol}"))
                return
            watched = self.statuses.setdefault(conn, set())
            if request.subscription_request_type == SubscriptionRequestType.UNSUBSCRIBE:
                watched.discard(request.symbol)
                return
            watched.add(request.symbol)
            conn.send(SecurityStatus(symbol=request.symbol, security_trading_status=self.status(request.symbol)))
            return
        if not isinstance(request, MarketDataRequest):
            conn.send(MarketDataRequestReject(text=f"MsgType {event.msg_type} is not served on KalshiMD"))
            return
        kind = request.subscription_request_type
        symbols = [entry.symbol for entry in request.related_sym or ()]
        subscribed = self.books.setdefault(conn, set())
        if kind == SubscriptionRequestType.UNSUBSCRIBE:
            subscribed.difference_update(symbols) if symbols else subscribed.clear()
            return
        if kind not in (SubscriptionRequestType.SNAPSHOT, SubscriptionRequestType.SNAPSHOT_AND_UPDATES):
            conn.send(
                MarketDataRequestReject(
                    md_req_rej_reason=MDReqRejReason.UNSUPPORTED_SUBSCRIPTION_TYPE,
                    text=f"SubscriptionRequestType {kind}",
                )
            )
            return
        for symbol in symbols:
            if symbol not in markets:
                conn.send(MarketDataRequestReject(text=f"unknown symbol {symbol}"))
                continue
            conn.send(self.snapshot(symbol), use_dollars=True)
            if kind == SubscriptionRequestType.SNAPSHOT_AND_UPDATES:
                subscribed.add(symbol)

    def on_feed(self, event: FeedEvent) -> None:
        """Book changes become incrementals (absolute sizes); lifecycle changes become SecurityStatus."""
        ticker = event.ticker
        if ticker is None:
            return
        if event.type == "orderbook_delta":
            watchers = [conn for conn, symbols in self.books.items() if ticker in symbols and conn.logged_on]
            if not watchers:
                return
            msg = event.msg
            side = BookSide.BID if msg["side"] == "yes" else BookSide.ASK
            price = Decimal(str(msg["price_dollars"]))
            if side is BookSide.ASK:
                price = _ONE - price
            size = self.gateway.exchange.markets[ticker].book.size_at(side, price)
            entry = MDIncrementalEntry(
                md_update_action=MDUpdateAction.CHANGE if size else MDUpdateAction.DELETE,
                symbol=ticker,
                md_entry_type=MDEntryType.BID if side is BookSide.BID else MDEntryType.OFFER,
                md_entry_px=price,
                md_entry_size=size,
            )
            update = MarketDataIncrementalRefresh(md_entries=[entry])
            for conn in watchers:
                conn.send(update, use_dollars=True)
        elif event.type == "market_lifecycle_v2":
            status = _LIFECYCLE_STATUS.get(str(event.msg.get("event_type")))
            if status is None:
                return
            for conn, symbols in list(self.statuses.items()):
                if ticker in symbols and conn.logged_on:
                    conn.send(SecurityStatus(symbol=ticker, security_trading_status=status))
