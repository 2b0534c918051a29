"""Backfill hourly candlesticks for every market of a series into a DataFrame and a Parquet file.

uv run python examples/backfill_candles.py --simulator --series KXFED --out kxfed.parquet
uv run python examples/backfill_candles.py --series KXFED --days 7    # Kalshi, from KALSHI_* variables

Prices stay exact: the DataFrame (polars) has Decimal columns and Parquet stores them as decimals.
A progress bar (tqdm) counts markets.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from _connect import Connection, add_arguments, connect
from tqdm import tqdm

from kalshi_rest import KalshiClient

PERIODS = {"minute": 1, "hour": 60, "day": 1440}
COLUMNS = ["ticker", "end_period_ts", "open", "high", "low", "close", "volume"]


def candle_rows(
    client: KalshiClient,
    series: str,
    tickers: Iterable[str],
    *,
    start: int,
    end: int,
    period: int,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """One row per candle of every market, oldest first."""
    rows: list[dict[str, Any]] = []
    for ticker in tqdm(list(tickers), desc=f"{series} candles", unit="market", disable=not progress):
        answer = client.markets.candlesticks(series, ticker, start_ts=start, end_ts=end, period_interval=period)
        for candle in answer.candlesticks or []:
            price = candle.price
            rows.append(
                {
                    "ticker": ticker,
                    "end_period_ts": candle.end_period_ts,
                    "open": price.open_dollars,
                    "high": price.high_dollars,
                    "low": price.low_dollars,
                    "close": price.close_dollars,
                    "volume": candle.volume_fp,
                }
            )
    return rows


def to_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A polars DataFrame with Decimal price and volume columns (nulls where a candle had no trade)."""
    money = pl.Decimal(precision=18, scale=4)
    schema = {
        "ticker": pl.String,
        "end_period_ts": pl.Int64,
        "open": money,
        "high": money,
        "low": money,
        "close": money,
        "volume": pl.Decimal(precision=18, scale=2),
    }
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def backfill(
    conn: Connection, series: str, out: Path, *, days: float = 2, period: str = "hour", progress: bool = True
) -> pl.DataFrame:
    """Fetch every market of `series`, write `out` (Parquet) and return the frame."""
    end = int(time.time())
    start = end - int(days * 86400)
    with KalshiClient(auth=conn.auth, config=conn.config) as client:
        tickers = [m.ticker for m in client.markets.list_all(series_ticker=series, max_pages=100)]
        frame = to_frame(
            candle_rows(client, series, tickers, start=start, end=end, period=PERIODS[period], progress=progress)
        )
    frame.write_parquet(out)
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", default="KXFED")
    parser.add_argument("--days", type=float, default=2)
    parser.add_argument("--period", choices=sorted(PERIODS), default="hour")
    parser.add_argument("--out", type=Path, default=Path("candles.parquet"))
    add_arguments(parser)
    args = parser.parse_args(argv)
    with connect(args.simulator) as conn:
        if conn.simulator is not None:
            trade_a_little(conn, args.series)
        frame = backfill(conn, args.series, args.out, days=args.days, period=args.period)
    print(frame)
    print(f"{frame.height} candles -> {args.out}")
    return 0


def trade_a_little(conn: Connection, series: str) -> None:
    """On a fresh simulator nothing has traded yet: cross the spread once per market so candles exist."""
    import uuid

    from kalshi_rest.models import CreateOrderV2Request

    with KalshiClient(auth=conn.auth, config=conn.config) as client:
        for market in client.markets.list_all(series_ticker=series, max_pages=10):
            ask = market.yes_ask_dollars
            if ask is None or ask <= 0 or ask >= 1:
                continue
            client.orders.create_v2(
                request=CreateOrderV2Request(
                    ticker=market.ticker,
                    client_order_id=str(uuid.uuid4()),
                    side="bid",
                    count=Decimal("1"),
                    price=ask,
                    time_in_force="immediate_or_cancel",
                    self_trade_prevention_type="taker_at_cross",
                )
            )


if __name__ == "__main__":
    sys.exit(main())
