"""Reassemble KalshiPT settlement reports that arrive in fragments. Pure; no I/O.

A large MarketSettlementReport (35=UMS) comes as several messages: each non-final fragment has
LastFragment (893)=N and some of the parties; the final one has Y or leaves 893 out. Fragments are
matched by Symbol (55), since MarketSettlementReportID (20105) changes on every page.

```python
assembler = SettlementAssembler()
report = assembler.add(decoded_ums)    # None until the last fragment of that symbol arrives
for dropped in assembler.clear("reconnect"):   # a batch a reconnect cut off: a warning, never a partial report
    ...
```
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .messages import MarketSettlementParty, MarketSettlementReport

__all__ = ["SettlementAssembler", "SettlementBatchDropped", "SettlementReport"]

logger = logging.getLogger("kalshi.fix")


@dataclass(frozen=True, slots=True)
class SettlementReport:
    """A whole settlement report for one market: every party from every fragment, in order."""

    symbol: str
    clearing_business_date: date
    market_result: str
    settlement_price: Decimal
    """Dollars (the wire carries cents with 2 decimals: `100.00` is a full YES payout)."""
    parties: tuple[MarketSettlementParty, ...]
    report_ids: tuple[str, ...]
    """MarketSettlementReportID (20105) of each fragment, in arrival order."""
    fragments: tuple[MarketSettlementReport, ...] = field(repr=False)


@dataclass(frozen=True, slots=True)
class SettlementBatchDropped:
    """A warning event: fragments of one symbol's settlement report were dropped before their last one came
    (a reconnect cut the batch). The partial report is never delivered; a resend or the next batch brings
    the whole one."""

    symbol: str
    fragments: int
    """How many fragments were held."""
    report_ids: tuple[str | None, ...]
    """MarketSettlementReportID (20105) of each dropped fragment."""
    reason: str


class SettlementAssembler:
    """Buffer UMS fragments per symbol and emit a `SettlementReport` on the last one.

    Consumers should be idempotent: a final fragment may be delivered again after a resend.
    """

    __slots__ = ("_partial",)

    def __init__(self) -> None:
        self._partial: dict[str, list[MarketSettlementReport]] = {}

    @property
    def pending_symbols(self) -> list[str]:
        """Symbols with fragments waiting for their last one."""
        return list(self._partial)

    def clear(self, reason: str = "cleared") -> list[SettlementBatchDropped]:
        """Drop partial buffers (on reconnect); return a `SettlementBatchDropped` per symbol, each logged."""
        dropped = [
            SettlementBatchDropped(symbol, len(parts), tuple(p.market_settlement_report_id for p in parts), reason)
            for symbol, parts in self._partial.items()
        ]
        self._partial.clear()
        for event in dropped:
            logger.warning(
                "kalshi_fix: dropped %d fragment(s) of the settlement report for %s (%s)",
                event.fragments,
                event.symbol,
                reason,
            )
        return dropped

    def add(self, fragment: MarketSettlementReport) -> SettlementReport | None:
        """Add one fragment; return the whole report when it was the last, else None."""
        parts = self._partial.setdefault(fragment.symbol, [])
        parts.append(fragment)
        if fragment.last_fragment is False:
            return None
        del self._partial[fragment.symbol]
        parties = tuple(p for part in parts for p in (part.market_settlement_party_ids or ()))
        return SettlementReport(
            symbol=fragment.symbol,
            clearing_business_date=fragment.clearing_business_date,
            market_result=str(fragment.market_result),
            settlement_price=fragment.settlement_price,
            parties=parties,
            report_ids=tuple(part.market_settlement_report_id for part in parts),
            fragments=tuple(parts),
        )
