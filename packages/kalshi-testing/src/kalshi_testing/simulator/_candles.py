"""Candlesticks from the simulator's own trades (MarketCandlestick shapes, openapi.yaml)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import _format as fmt
from ._http import int_query
from ._shapes import rest
from ._state import ExchangeError, Market

__all__ = ["candle_window", "candlesticks"]


def candle_window(query: Mapping[str, str]) -> tuple[int, int, int]:
    """(start_ts, end_ts, period_interval) from a query; all required, period 1, 60 or 1440 minutes."""
    start, end, period = int_query(query, "start_ts"), int_query(query, "end_ts"), int_query(query, "period_interval")
    if start is None or end is None or period not in (1, 60, 1440):
        raise ExchangeError(
            400, "invalid_parameters", "start_ts, end_ts and period_interval (1, 60, 1440) are required"
        )
    return start, end, period


def candlesticks(market: Market, start: int, end: int, period: int) -> list[dict[str, Any]]:
    """One `MarketCandlestick` per period with trades in [start, end], oldest first."""
    width = period * 60
    buckets: dict[int, list[Decimal]] = {}
    volumes: dict[int, Decimal] = {}
    for t in market.trades:
        ts = fmt.seconds(t["created_time"])
        if start <= ts <= end:
            key = ts - ts % width + width
            buckets.setdefault(key, []).append(Decimal(t["yes_price_dollars"]))
            volumes[key] = volumes.get(key, Decimal(0)) + Decimal(t["count_fp"])
    candles = []
    for key in sorted(buckets):
        prices = buckets[key]
        price = rest(
            "PriceDistribution",
            open_dollars=fmt.dollars(prices[0]),
            close_dollars=fmt.dollars(prices[-1]),
            high_dollars=fmt.dollars(max(prices)),
            low_dollars=fmt.dollars(min(prices)),
            previous_dollars=fmt.dollars(prices[0]),
            mean_dollars=fmt.dollars(sum(prices, Decimal(0)) / len(prices)),
        )
        candles.append(
            rest(
                "MarketCandlestick",
                end_period_ts=key,
                price=price,
                volume_fp=fmt.count(volumes[key]),
                open_interest_fp=fmt.count(market.open_interest),
            )
        )
    return candles
