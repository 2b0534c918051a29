"""A FIX market-data order book: bids and offers with absolute sizes, per symbol. Pure; no I/O.

FIX books differ from the WebSocket ones: sizes are absolute, not signed deltas. A snapshot (35=W)
replaces the book; in an incremental (35=X) New and Change set a level's new size (0 or no size removes
it) and Delete removes it; an entry with any other action, or that is not a bid or an offer (a Trade, 269=2),
is counted in `ignored` and never applied. Prices are dollars (`Decimal`): MDEntryPx (270) is fixed-point
dollars on every session ("Book level price in dollars", docs.kalshi.com/fix/market-data).

```python
book = OrderBook("KXBTC-25DEC-T100000")
book.apply_snapshot(snapshot)          # a decoded MarketDataSnapshotFullRefresh
book.best_bid()                        # (Decimal("0.55"), Decimal("120")) or None
```
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .messages import MarketDataSnapshotFullRefresh, MDIncrementalEntry

__all__ = ["OrderBook"]

_BID = "0"
_OFFER = "1"
_NEW = "0"
_CHANGE = "1"
_DELETE = "2"
_ZERO = Decimal(0)


class OrderBook:
    """One symbol's book: `bids` and `offers` map price (dollars) to absolute size.

    `ready` is False until the first snapshot: incrementals that arrive before it are dropped.
    """

    __slots__ = ("bids", "ignored", "offers", "ready", "symbol", "updates")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids: dict[Decimal, Decimal] = {}
        self.offers: dict[Decimal, Decimal] = {}
        self.ready = False
        self.updates = 0
        """Snapshots and incremental entries applied so far."""
        self.ignored = 0
        """Entries not applied: an unknown MDUpdateAction (279), or an entry that is not a bid or offer."""

    def clear(self) -> None:
        """Forget every level and wait for a new snapshot (after a reconnect)."""
        self.bids.clear()
        self.offers.clear()
        self.ready = False

    def apply_snapshot(self, snapshot: MarketDataSnapshotFullRefresh) -> None:
        """Replace the whole book with a 35=W snapshot (an empty entry list is an empty book)."""
        self.bids.clear()
        self.offers.clear()
        for entry in snapshot.md_entries or ():
            kind = str(entry.md_entry_type)
            if kind not in (_BID, _OFFER):
                self.ignored += 1
                continue
            if entry.md_entry_px is None or not entry.md_entry_size:
                continue
            side = self.bids if kind == _BID else self.offers
            side[entry.md_entry_px] = entry.md_entry_size
        self.ready = True
        self.updates += 1

    def apply_incremental(self, entries: Iterable[MDIncrementalEntry]) -> bool:
        """Apply this symbol's 35=X entries; return False (and change nothing) before a snapshot."""
        if not self.ready:
            return False
        for entry in entries:
            kind = str(entry.md_entry_type)
            action = str(entry.md_update_action)
            if (kind not in (_BID, _OFFER)) or (action not in (_NEW, _CHANGE, _DELETE)):
                self.ignored += 1  # a Trade entry, or an action this SDK does not know: never applied
                continue
            price = entry.md_entry_px
            if price is None:
                continue
            side = self.bids if kind == _BID else self.offers
            size = entry.md_entry_size
            if action == _DELETE or size is None or size == _ZERO:
                side.pop(price, None)
            else:  # New and Change both set the absolute size
                side[price] = size
            self.updates += 1
        return True

    def best_bid(self) -> tuple[Decimal, Decimal] | None:
        """The highest bid as (price, size), or None."""
        if not self.bids:
            return None
        price = max(self.bids)
        return price, self.bids[price]

    def best_offer(self) -> tuple[Decimal, Decimal] | None:
        """The lowest offer as (price, size), or None."""
        if not self.offers:
            return None
        price = min(self.offers)
        return price, self.offers[price]

    def bid_levels(self) -> list[tuple[Decimal, Decimal]]:
        """Bids, best (highest) first."""
        return sorted(self.bids.items(), reverse=True)

    def offer_levels(self) -> list[tuple[Decimal, Decimal]]:
        """Offers, best (lowest) first."""
        return sorted(self.offers.items())

    def __repr__(self) -> str:
        return f"OrderBook({self.symbol!r}, best_bid={self.best_bid()}, best_offer={self.best_offer()})"
