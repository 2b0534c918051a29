"""Stream order books for a list of markets and print the top of each book as it changes.

uv run python examples/orderbook_top.py --simulator KXFED-26DEC-T3.50 KXFED-26DEC-T3.75
uv run python examples/orderbook_top.py KXFED-26DEC-T3.50      # Kalshi, from KALSHI_* variables

Prediction books hold YES bids and NO bids; `OrderBook` derives the YES ask (1 - best NO bid).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from decimal import Decimal

from _connect import Connection, add_arguments, connect

from kalshi_ws import KalshiWebSocket, Reconnected, Resyncing, SequenceGap
from kalshi_ws.messages import OrderbookDelta, OrderbookSnapshot

Top = tuple[Decimal | None, Decimal | None]


def _price(level: tuple[Decimal, Decimal] | None) -> Decimal | None:
    return level[0] if level else None


async def stream_tops(
    conn: Connection,
    tickers: list[str],
    *,
    max_updates: int | None = None,
    out: Callable[[str], object] = print,
    on_update: Callable[[str, Top], object] | None = None,
) -> dict[str, Top]:
    """Print `ticker  bid  ask  spread` on every book change; stop after `max_updates` (None: never)."""
    tops: dict[str, Top] = {}
    async with KalshiWebSocket(auth=conn.auth, config=conn.config).connect() as session:
        stream = await session.subscribe_orderbook_delta(tickers=tickers)
        updates = 0
        async for message in stream:
            if isinstance(message, (SequenceGap, Resyncing, Reconnected)):
                out(f"(resync: {type(message).__name__})")
                continue
            if not isinstance(message, (OrderbookSnapshot, OrderbookDelta)):
                continue
            ticker = message.msg.market_ticker
            book = stream.book(ticker)
            top = (_price(book.best_yes_bid), _price(book.best_yes_ask))
            if tops.get(ticker) != top:
                tops[ticker] = top
                out(f"{ticker:<28} bid {top[0]}  ask {top[1]}  spread {book.spread}")
                if on_update is not None:
                    await asyncio.to_thread(on_update, ticker, top)
            updates += 1
            if max_updates is not None and updates >= max_updates:
                break
    return tops


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickers", nargs="*", default=["KXFED-26DEC-T3.50", "KXFED-26DEC-T3.75"])
    parser.add_argument("--updates", type=int, default=None, help="stop after this many book messages")
    add_arguments(parser)
    args = parser.parse_args(argv)
    with connect(args.simulator) as conn:
        updates = args.updates if args.updates is not None else (len(args.tickers) if args.simulator else None)
        asyncio.run(stream_tops(conn, args.tickers, max_updates=updates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
