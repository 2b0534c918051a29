"""The session-type faces of `FixSession`: what each Kalshi FIX session adds (orders, books, reports)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._book import OrderBook
from ._errors import FixEncodeError
from ._fix_session import FixSession, QueueOverflow, _SettlementFeed
from ._session import ApplicationMessage
from ._settlement import SettlementReport

if TYPE_CHECKING:
    from .messages import SecurityTradingStatus

__all__ = ["DropCopySession", "MarketDataSession", "OrderEntrySession", "PostTradeSession", "RfqSession"]

logger = logging.getLogger("kalshi.fix")


def _is_uuid(text: object) -> bool:
    try:
        return isinstance(text, str) and str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


class OrderEntrySession(FixSession):
    """Order entry (KalshiNR, or KalshiRT with retransmission): orders, cancels, amends, order groups."""

    async def cancel_all(self, cl_ord_id: str) -> int:
        """Cancel every order of this session (OrderMassCancelRequest, 530=6)."""
        from .messages import MassCancelRequestType, OrderMassCancelRequest

        return await self.send(
            OrderMassCancelRequest(
                cl_ord_id=cl_ord_id, mass_cancel_request_type=MassCancelRequestType.CANCEL_FOR_SESSION
            )
        )

    async def _group(self, action: int, group_id: str | None, limit: int | None, subaccount: int | None) -> int:
        from .messages import OrderGroupAction, OrderGroupRequest

        # docs.kalshi.com/fix/order-groups: the ID is a UUID the server assigned, the limit 1 to 1,000,000;
        # Kalshi answers anything else with a Reject, so it is refused here and nothing is sent
        if group_id is not None and not _is_uuid(group_id):
            raise FixEncodeError(f"OrderGroupID (20130) must be the UUID Kalshi assigned, not {group_id!r}", tag=20130)
        if limit is not None and not (limit.__class__ is int and 1 <= limit <= 1_000_000):
            raise FixEncodeError(f"OrderGroupContractsLimit (20132) must be 1 to 1,000,000, not {limit!r}", tag=20132)

        return await self.send(
            OrderGroupRequest(
                order_group_action=OrderGroupAction(action),
                order_group_id=group_id,
                order_group_contracts_limit=limit,
                alloc_account=subaccount,
            )
        )

    async def create_order_group(self, contracts_limit: int, *, subaccount: int | None = None) -> int:
        """Create an order group (the server assigns its ID in the OrderGroupResponse, 35=UOH)."""
        return await self._group(1, None, contracts_limit, subaccount)

    async def reset_order_group(self, group_id: str, *, subaccount: int | None = None) -> int:
        """Reset a group whose contracts limit was hit, so it accepts orders again."""
        return await self._group(2, group_id, None, subaccount)

    async def delete_order_group(self, group_id: str, *, subaccount: int | None = None) -> int:
        """Delete a group (and cancel its orders)."""
        return await self._group(3, group_id, None, subaccount)

    async def trigger_order_group(self, group_id: str, *, subaccount: int | None = None) -> int:
        """Cancel every order in the group and block new ones until it is reset."""
        return await self._group(4, group_id, None, subaccount)

    async def update_order_group(self, group_id: str, contracts_limit: int, *, subaccount: int | None = None) -> int:
        """Change a group's contracts limit (a rolling 15 s window)."""
        return await self._group(5, group_id, contracts_limit, subaccount)


class DropCopySession(FixSession):
    """Drop copy (KalshiDC): replays of past execution reports on request (not a live stream)."""

    async def request_replay(self, begin_exec_id: str, end_exec_id: str | None = None) -> int:
        """Ask for the ExecutionReports from `begin_exec_id` (EventResendRequest, 35=U1); 3 h lookback."""
        from .messages import EventResendRequest

        return await self.send(EventResendRequest(begin_exec_id=begin_exec_id, end_exec_id=end_exec_id))


class MarketDataSession(FixSession):
    """Market data (KalshiMD): subscriptions, and a local `OrderBook` per symbol with absolute sizes.

    Books are cleared on every reconnect and the subscriptions sent again, since MD has no resend.
    `on_book(book)` (optional) is called after each snapshot or incremental changes a book. A slow
    reader of the raw frames loses the oldest ones (`QueueOverflow.DROP_OLDEST`, counted in `dropped`),
    never the books.
    """

    overflow: QueueOverflow = QueueOverflow.DROP_OLDEST

    def __init__(self, *args: Any, on_book: Callable[[OrderBook], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.books: dict[str, OrderBook] = {}
        self.statuses: dict[str, SecurityTradingStatus | int] = {}
        """The latest SecurityStatus (35=f) per symbol: halt, resume, determined, settled."""
        self._subscribed: dict[str, None] = {}
        self._on_book = on_book

    def book(self, symbol: str) -> OrderBook:
        """The local book of `symbol` (empty and not `ready` until its first snapshot)."""
        existing = self.books.get(symbol)
        if existing is not None:
            return existing
        book = self.books[symbol] = OrderBook(symbol)
        return book

    async def subscribe(self, *symbols: str, updates: bool = True) -> int:
        """Subscribe to snapshot + incremental updates (or one snapshot with `updates=False`)."""
        from .messages import MarketDataRequest, RelatedSym, SubscriptionRequestType

        if updates:
            for symbol in symbols:
                self._subscribed[symbol] = None
                self.book(symbol)
        kind = SubscriptionRequestType.SNAPSHOT_AND_UPDATES if updates else SubscriptionRequestType.SNAPSHOT
        return await self.send(
            MarketDataRequest(subscription_request_type=kind, related_sym=[RelatedSym(symbol=s) for s in symbols])
        )

    async def unsubscribe(self, *symbols: str) -> int:
        """Stop updates for `symbols`, or for everything when none are given."""
        from .messages import MarketDataRequest, RelatedSym, SubscriptionRequestType

        for symbol in symbols or tuple(self._subscribed):
            self._subscribed.pop(symbol, None)
        related = [RelatedSym(symbol=s) for s in symbols] or None
        return await self.send(
            MarketDataRequest(subscription_request_type=SubscriptionRequestType.UNSUBSCRIBE, related_sym=related)
        )

    async def request_status(self, symbol: str, *, updates: bool = True) -> int:
        """Ask for a symbol's trading status (SecurityStatusRequest, 35=e); answers land in `statuses`."""
        from .messages import SecurityStatusRequest, SubscriptionRequestType

        kind = SubscriptionRequestType.SNAPSHOT_AND_UPDATES if updates else SubscriptionRequestType.UNSUBSCRIBE
        return await self.send(SecurityStatusRequest(subscription_request_type=kind, symbol=symbol))

    def _handle(self, event: ApplicationMessage) -> None:
        msg_type = event.msg_type
        if msg_type == "f":
            from .messages import SecurityStatus

            status = SecurityStatus.from_frame(event.frame, use_dollars=self.use_dollars)
            self.statuses[status.symbol] = status.security_trading_status
        elif msg_type == "W":
            from .messages import MarketDataSnapshotFullRefresh

            snapshot = MarketDataSnapshotFullRefresh.from_frame(event.frame, use_dollars=self.use_dollars)
            book = self.book(snapshot.symbol)
            book.apply_snapshot(snapshot)
            if self._on_book is not None:
                self._on_book(book)
        elif msg_type == "X":
            from .messages import MarketDataIncrementalRefresh, MDIncrementalEntry

            update = MarketDataIncrementalRefresh.from_frame(event.frame, use_dollars=self.use_dollars)
            by_symbol: dict[str, list[MDIncrementalEntry]] = {}
            for entry in update.md_entries or ():
                by_symbol.setdefault(entry.symbol, []).append(entry)
            for symbol, entries in by_symbol.items():
                target = self.books.get(symbol)
                if target is not None and target.apply_incremental(entries) and self._on_book is not None:
                    self._on_book(target)

    def _on_connected(self) -> None:
        super()._on_connected()
        for book in self.books.values():
            book.clear()

    def _on_logged_on(self) -> None:
        if self.connection.connects > 1 and self._subscribed:
            symbols = tuple(self._subscribed)
            task = asyncio.get_running_loop().create_task(self.subscribe(*symbols))
            task.add_done_callback(_log_failure)


class PostTradeSession(FixSession):
    """Post trade (KalshiPT, prediction only): settlement reports, reassembled across fragments.

    `on_settlement(report)` (optional) gets each whole `SettlementReport`; they queue for
    `async for report in session.settlements()` when no callback is given. Reports may repeat after
    a resend, so handle them idempotently.
    """

    def __init__(
        self, *args: Any, on_settlement: Callable[[SettlementReport], Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._settlements = _SettlementFeed(self, on_settlement)


class RfqSession(FixSession):
    """RFQ for market makers (KalshiRFQ, prediction only): receive QuoteRequests, send Quotes.

    The RFQ *creator* side (QuoteRequest, AcceptQuote, RFQCancel) runs on order entry with
    retransmission (`client.order_entry(retransmit=True)`).
    """


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("kalshi_fix: resubscribe failed: %s", task.exception())
