"""Reassemble KalshiPT settlement reports that arrive in fragments. Pure; no I/O.

A large MarketSettlementReport (35=UMS) comes as several messages: each non-final fragment has
LastFragment (893)=N and some of the parties; the final one has Y or leaves 893 out. Fragments are
matched by Symbol (55), since MarketSettlementReportID (20105) changes on every page.

```python
assembler = SettlementAssembler()
report = assembler.add(decoded_ums)    # None until the last fragment of that symbol arrives
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .messages import MarketSettlementParty, MarketSettlementReport

__all__ = ["SettlementAssembler", "SettlementReport"]


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

    def clear(self) -> None:
        """Drop partial buffers (on reconnect)."""
        self._partial.clear()

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
