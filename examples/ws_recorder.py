"""Record WebSocket market data to Parquet, then replay it offline into order books.

uv run python examples/ws_recorder.py --simulator --seconds 3 --out md.parquet
uv run python examples/ws_recorder.py --replay md.parquet                  # offline
uv run python examples/ws_recorder.py KXFED-26DEC-T3.50 --seconds 60       # Kalshi, from KALSHI_* variables

Each row is one message as it arrived: arrival time, type, market, seq and the frame as JSON.
Replaying decodes the frames with the same decoder the live engine uses and rebuilds the books, so
a recording is a test fixture for anything that consumes the feed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import msgspec
import polars as pl
from _connect import Connection, add_arguments, connect

from kalshi_ws import PREDICTION, KalshiWebSocket, MessageDecoder, OrderBook, RawMessage
from kalshi_ws.messages import OrderbookDelta, OrderbookSnapshot

SCHEMA = {"received_ms": pl.Int64, "type": pl.String, "market": pl.String, "seq": pl.Int64, "frame": pl.String}


def _row(message: object) -> dict[str, object]:
    body = getattr(message, "msg", None)
    return {
        "received_ms": getattr(message, "received_ms", None),
        "type": getattr(getattr(type(message), "__struct_config__", None), "tag", None) or type(message).__name__,
        "market": getattr(body, "market_ticker", None),
        "seq": getattr(message, "seq", None),
        "frame": msgspec.json.encode(message).decode(),
    }


async def record(
    conn: Connection, tickers: list[str], out: Path, *, seconds: float, max_messages: int = 100_000
) -> int:
    """Record `orderbook_delta` and `trade` for `tickers` for `seconds`; returns the row count."""
    rows: list[dict[str, object]] = []
    deadline = time.monotonic() + seconds
    async with KalshiWebSocket(auth=conn.auth, config=conn.config).connect() as session:
        streams = [
            await session.subscribe_orderbook_delta(tickers=tickers),
            await session.subscribe_trade(tickers=tickers),
        ]

        async def drain(stream: object) -> None:
            async for message in stream:  # type: ignore[attr-defined]
                if isinstance(message, (msgspec.Struct, RawMessage)):
                    rows.append(_row(message))
                if len(rows) >= max_messages:
                    return

        tasks = [asyncio.create_task(drain(s)) for s in streams]
        await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
        for task in tasks:
            task.cancel()
    rows.sort(key=lambda r: r["received_ms"] or 0)
    pl.DataFrame(rows, schema=SCHEMA, orient="row").write_parquet(out)
    return len(rows)


def replay(path: Path) -> dict[str, OrderBook]:
    """Rebuild every recorded order book from a recording, offline."""
    decoder = MessageDecoder.for_messages(PREDICTION.messages)
    books: dict[str, OrderBook] = {}
    for frame in pl.read_parquet(path).sort("received_ms")["frame"]:
        message = decoder.decode(frame.encode())
        if isinstance(message, (OrderbookSnapshot, OrderbookDelta)):
            ticker = message.msg.market_ticker
            book = books.setdefault(ticker, OrderBook(ticker))
            book.apply(message)
    return books


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickers", nargs="*", default=["KXFED-26DEC-T3.50", "KXFED-26DEC-T3.75"])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out", type=Path, default=Path("market_data.parquet"))
    parser.add_argument("--replay", type=Path, help="replay this recording instead of recording")
    add_arguments(parser)
    args = parser.parse_args(argv)
    path = args.replay
    if path is None:
        with connect(args.simulator) as conn:
            count = asyncio.run(record(conn, args.tickers, args.out, seconds=args.seconds))
        print(f"recorded {count} messages -> {args.out}")
        path = args.out
    for ticker, book in sorted(replay(path).items()):
        print(f"{ticker:<28} bid {book.best_yes_bid}  ask {book.best_yes_ask}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
