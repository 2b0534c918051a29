"""The perps engine's state: margin markets, accounts and positions (plain data, no rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kalshi_testing.simulator._matching import BookSide, OrderBook

__all__ = ["MarginAccount", "MarginPosition", "PerpsMarket", "default_markets"]

_ZERO = Decimal(0)


@dataclass(slots=True)
class MarginPosition:
    """One subaccount's position in one perps market. `position` > 0 is long, < 0 short."""

    ticker: str
    position: Decimal = _ZERO
    entry_price: Decimal = _ZERO
    realized_pnl: Decimal = _ZERO
    fees: Decimal = _ZERO
    funding: Decimal = _ZERO
    updated_ms: int = 0


@dataclass(slots=True)
class MarginAccount:
    """Cash (settled funds) and positions of one (user, subaccount) on the margin exchange."""

    user_id: str
    subaccount: int
    cash: Decimal = _ZERO
    positions: dict[str, MarginPosition] = field(default_factory=dict)
    fills: list[dict[str, Any]] = field(default_factory=list)
    funding: list[dict[str, Any]] = field(default_factory=list)
    updated_ms: int = 0


@dataclass(slots=True)
class PerpsMarket:
    """A perps market: its static `MarginMarket` fields, book, index price and running statistics."""

    info: dict[str, Any]
    market_id: str
    tick: Decimal
    contract_size: Decimal
    index_price: Decimal
    book: OrderBook = field(default_factory=OrderBook)
    last_price: Decimal = _ZERO
    volume: Decimal = _ZERO
    trades: list[dict[str, Any]] = field(default_factory=list)
    funding_rates: list[dict[str, Any]] = field(default_factory=list)
    """Applied funding (`MarginFundingRate` rows), oldest first."""
    funding_rate: Decimal | None = None
    """A fixed rate for the next funding (tests); None computes it from the premium."""
    next_funding_ms: int = 0

    @property
    def ticker(self) -> str:
        """The market ticker."""
        return str(self.info["ticker"])

    @property
    def mark_price(self) -> Decimal:
        """The last trade, else the mid of the book, else the index price."""
        if self.last_price:
            return self.last_price
        bid, ask = self.book.best(BookSide.BID), self.book.best(BookSide.ASK)
        if bid is not None and ask is not None:
            return (bid + ask) / 2
        return self.index_price


def default_markets() -> list[dict[str, Any]]:
    """The default perps catalogue: three markets across asset classes (scenario keys, `MarginMarket` names)."""
    return [
        {"ticker": "BTC-PERP", "title": "Bitcoin perpetual", "asset_class": "Crypto", "tick": "0.10", "index": "97000"},
        {"ticker": "ETH-PERP", "title": "Ether perpetual", "asset_class": "Crypto", "tick": "0.01", "index": "3500"},
        {"ticker": "GOLD-PERP", "title": "Gold perpetual", "asset_class": "Metals", "tick": "0.01", "index": "2650"},
    ]
