"""Funding on the simulator's clock: the rate (premium within deadband and cap), payments, history."""

from __future__ import annotations

from decimal import Decimal

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._exchange import FeedEvent
from kalshi_testing.simulator._matching import CancelReason, OrderStatus

from ._base import EngineBase
from ._spec import PERPS, next_funding_ms
from ._state import PerpsMarket

__all__ = ["Funding"]

_ZERO = Decimal(0)
_CENTICENT = Decimal("0.0001")


class Funding(EngineBase):
    """What the clock makes due: order expiries and funding every 8 hours."""

    def tick(self) -> None:
        """Run what the clock has made due: order expiries and funding."""
        now = self.clock()
        for order in list(self.orders.values()):
            expiry = order.meta.get("expiration_s")
            if expiry and order.status is OrderStatus.RESTING and expiry * 1000 <= now:
                market = self.markets[order.meta["ticker"]]
                result = market.book.cancel(order.order_id, CancelReason.EXPIRY)
                if result is not None:
                    self.apply(market, result)
        for market in self.markets.values():
            while market.next_funding_ms <= now:
                self.settle_funding(market, market.next_funding_ms)

    def funding_rate(self, market: PerpsMarket) -> Decimal:
        """The rate of the funding in progress: the fixed test rate, else the premium within deadband and cap."""
        if market.funding_rate is not None:
            return market.funding_rate
        premium = (market.mark_price - market.index_price) / market.index_price
        deadband = Decimal(str(market.info["funding_deadband"]))
        cap = Decimal(str(market.info["funding_cap"]))
        if abs(premium) <= deadband:
            return _ZERO
        return max(-cap, min(cap, premium)).quantize(Decimal("0.000001"))

    def settle_funding(self, market: PerpsMarket, at_ms: int | None = None) -> Decimal:
        """Exchange funding on `market` now (or at the due time `at_ms`): longs pay shorts when the rate is positive.

        Returns the rate applied. Each position's payment lands in cash and in the funding history.
        """
        at = self.clock() if at_ms is None else at_ms
        rate = self.funding_rate(market)
        mark = market.mark_price
        when = fmt.rfc3339(at)
        market.funding_rates.append(
            PERPS.rest(
                "MarginFundingRate",
                market_ticker=market.ticker,
                funding_time=when,
                funding_rate=float(rate),
                mark_price=fmt.dollars(mark),
            )
        )
        for account in self.accounts.values():
            pos = account.positions.get(market.ticker)
            if pos is None or pos.position == 0:
                continue
            amount = (-pos.position * market.contract_size * mark * rate).quantize(_CENTICENT)
            account.cash += amount
            account.updated_ms = at
            pos.funding += amount
            account.funding.append(
                PERPS.rest(
                    "MarginFundingHistoryEntry",
                    market_ticker=market.ticker,
                    funding_time=when,
                    funding_rate=float(rate),
                    mark_price=fmt.dollars(mark),
                    funding_amount=fmt.dollars(amount),
                    quantity=fmt.count(pos.position),
                    subaccount_number=account.subaccount,
                )
            )
        market.next_funding_ms = max(market.next_funding_ms, next_funding_ms(at))
        self.publish(FeedEvent("ticker", "ticker", self.ticker_msg(market), ticker=market.ticker))
        self.check_liquidations(market)
        return rate
