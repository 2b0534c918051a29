"""Post trade (KalshiPT, and KalshiRT with ReceiveSettlementReports=Y): settlement reports when a market settles.

When the engine settles a market (`Exchange.settle_market`, a scenario or a test), every user who held a
position gets a MarketSettlementReport (35=UMS, docs.kalshi.com/fix/post-trade): one party per
subaccount with LongQty / ShortQty and the payout as a PAYOUT collateral change, split into fragments of
`page_size` parties (LastFragment=N on all but the last). SettlementPrice (730) is the YES payout in
dollars (the wire carries cents with two decimals). KalshiPT does not retransmit (docs.kalshi.com/fix/
connectivity), so a PT session that is away misses the report; an opted-in RT session keeps it for resend.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from kalshi_auth import FixSessionType
from kalshi_fix.messages import (
    CollateralAmountChangeEntry,
    CollateralAmountType,
    MarketSettlementParty,
    MarketSettlementPartyRole,
    MarketSettlementReport,
)

if TYPE_CHECKING:
    from kalshi_testing.simulator._exchange import FeedEvent

    from ._gateway import FixGateway

__all__ = ["PostTrade"]


class PostTrade:
    """Builds settlement reports from the engine's settlements."""

    def __init__(self, gateway: FixGateway, *, page_size: int = 50) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.gateway = gateway
        self.page_size = page_size
        self._report_n = 0

    def on_feed(self, event: FeedEvent) -> None:
        """On a market's `settled` lifecycle event, report to every user who held it."""
        if event.type != "market_lifecycle_v2" or event.msg.get("event_type") != "settled" or event.ticker is None:
            return
        for user_id, parties in self.parties(event.ticker).items():
            self.send(user_id, event.ticker, parties)

    def parties(self, ticker: str) -> dict[str, list[MarketSettlementParty]]:
        """Per user, one party per subaccount that held `ticker` when it settled."""
        out: dict[str, list[MarketSettlementParty]] = {}
        for (user_id, subaccount), account in sorted(self.gateway.exchange.accounts.items()):
            settled = [s for s in account.settlements if s.get("ticker") == ticker]
            if not settled:
                continue
            last = settled[-1]
            payout = Decimal(int(last.get("revenue") or 0)) / 100
            out.setdefault(user_id, []).append(
                MarketSettlementParty(
                    market_settlement_party_id=f"{user_id}:{subaccount}",
                    market_settlement_party_role=MarketSettlementPartyRole.CUSTOMER_ACCOUNT,
                    long_qty=Decimal(str(last.get("yes_count_fp") or "0")),
                    short_qty=Decimal(str(last.get("no_count_fp") or "0")),
                    collateral_amount_changes=[
                        CollateralAmountChangeEntry(
                            collateral_amount_change=payout, collateral_amount_type=CollateralAmountType.PAYOUT
                        )
                    ],
                )
            )
        return out

    def send(self, user_id: str, ticker: str, parties: list[MarketSettlementParty]) -> None:
        """Send one report, in fragments, to the user's PT sessions and opted-in RT sessions."""
        market = self.gateway.exchange.markets[ticker]
        result = str(market.info.get("result") or "")
        price = Decimal(str(market.info.get("settlement_value_dollars") or "0"))
        day = dt.datetime.fromtimestamp(self.gateway.exchange.clock() / 1000, tz=dt.UTC).date()
        pages = [parties[i : i + self.page_size] for i in range(0, len(parties), self.page_size)] or [[]]
        reports = []
        for n, page in enumerate(pages):
            self._report_n += 1
            reports.append(
                MarketSettlementReport(
                    market_settlement_report_id=f"msr-{self._report_n}",
                    symbol=ticker,
                    clearing_business_date=day,
                    tot_num_market_settlement_reports=len(pages),
                    market_result=result,
                    settlement_price=price,
                    last_fragment=None if n == len(pages) - 1 else False,
                    market_settlement_party_ids=page,
                )
            )
        gateway = self.gateway
        keys = {
            conn.key
            for conn in gateway.sessions_of(user_id, False, frozenset({FixSessionType.POST_TRADE}))
            if conn.options.get(20127) != "N"  # ReceiveSettlementReports=N opts PT out
        }
        keys |= gateway.settlement_subscribers  # RT opts in with ReceiveSettlementReports=Y
        for key in sorted(keys, key=str):
            registered = gateway.keys.get(key[2])
            if registered is None or registered.user_id != user_id or key[0]:
                continue
            for report in reports:
                gateway.deliver(key, report)
