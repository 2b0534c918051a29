"""Market data commands: `markets list`, `market get`, `book` (with `--watch`) and `candles`."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ._app import EXIT_CONFIG, CliError, common_options, present, settings
from ._output import Column, console, emit_record, emit_rows, jsonable, text

if TYPE_CHECKING:
    from kalshi_rest.models import Market, MarketCandlestick

__all__ = ["book", "book_view", "candles", "market", "market_ticker", "markets", "parse_when"]

Level = tuple[Decimal, Decimal]
_ONE = Decimal(1)
_STATUSES = ["unopened", "open", "paused", "closed", "settled"]
_PERIODS = {"1m": 1, "1h": 60, "1d": 1440}
CANDLES_PER_REQUEST = 1000
"""Periods asked for in one candlesticks request; a long backfill is split into windows of this size."""

_MARKET_ROW = [
    Column("ticker", "ticker", lambda m: m.ticker),
    Column("status", "status", lambda m: m.status),
    Column("yes bid", "yes_bid_dollars", lambda m: m.yes_bid_dollars, numeric=True),
    Column("yes ask", "yes_ask_dollars", lambda m: m.yes_ask_dollars, numeric=True),
    Column("last", "last_price_dollars", lambda m: m.last_price_dollars, numeric=True),
    Column("volume", "volume_fp", lambda m: m.volume_fp, numeric=True),
    Column("closes", "close_time", lambda m: m.close_time),
]
_MARKET_DETAIL = [
    Column("ticker", "ticker", lambda m: m.ticker),
    Column("title", "title", lambda m: m.title),
    Column("event", "event_ticker", lambda m: m.event_ticker),
    Column("status", "status", lambda m: m.status),
    Column("yes bid", "yes_bid_dollars", lambda m: m.yes_bid_dollars),
    Column("yes bid size", "yes_bid_size_fp", lambda m: m.yes_bid_size_fp),
    Column("yes ask", "yes_ask_dollars", lambda m: m.yes_ask_dollars),
    Column("yes ask size", "yes_ask_size_fp", lambda m: m.yes_ask_size_fp),
    Column("no bid", "no_bid_dollars", lambda m: m.no_bid_dollars),
    Column("no ask", "no_ask_dollars", lambda m: m.no_ask_dollars),
    Column("last", "last_price_dollars", lambda m: m.last_price_dollars),
    Column("volume", "volume_fp", lambda m: m.volume_fp),
    Column("volume 24h", "volume_24h_fp", lambda m: m.volume_24h_fp),
    Column("open interest", "open_interest_fp", lambda m: m.open_interest_fp),
    Column("opens", "open_time", lambda m: m.open_time),
    Column("closes", "close_time", lambda m: m.close_time),
    Column("result", "result", lambda m: m.result),
]


@click.group("markets")
def markets() -> None:
    """Browse markets."""


@markets.command("list")
@click.option("--status", type=click.Choice(_STATUSES), help="Only markets in this state.")
@click.option("--series", metavar="SERIES", help="Only markets of this series ticker.")
@click.option("--event", metavar="EVENT", help="Only markets of this event ticker.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True, help="Markets per page.")
@click.option("--all", "all_pages", is_flag=True, help="Follow the cursor through every page.")
@common_options
def markets_list(status: str | None, series: str | None, event: str | None, limit: int, all_pages: bool) -> None:
    """List markets (one page unless --all)."""
    query: dict[str, Any] = {"status": status, "series_ticker": series, "event_ticker": event, "limit": limit}
    with settings().client() as client:
        rows: list[Market] = list(client.markets.list_all(**query) if all_pages else client.markets.list(**query))
    emit_rows(rows, _MARKET_ROW)


@click.group("market")
def market() -> None:
    """One market."""


@market.command("get")
@click.argument("ticker")
@common_options
def market_get(ticker: str) -> None:
    """Show one market."""
    with settings().client() as client:
        found = present(client.markets.get(market_ticker(ticker)).market, "market")
    emit_record(found, _MARKET_DETAIL, title=found.ticker)


def market_ticker(value: str) -> str:
    """A ticker as typed, checked for shape before anything is sent."""
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
        raise CliError(f"{value!r} is not a market ticker")
    return value


# ---------------------------------------------------------------------------------------------- book


def book_view(ticker: str, yes_bids: Sequence[Level], no_bids: Sequence[Level], depth: int, status: str = "") -> Group:
    """The top `depth` levels: YES bids, and YES asks (1 - each NO bid), best first on both sides."""
    bids = sorted(yes_bids, key=lambda lv: lv[0], reverse=True)[:depth]
    asks = sorted(((_ONE - p, s) for p, s in no_bids), key=lambda lv: lv[0])[:depth]
    table = Table(title=ticker, title_justify="left")
    for header in ("bid size", "YES bid", "YES ask", "ask size"):
        table.add_column(header, justify="right")
    for i in range(max(len(bids), len(asks), 1)):
        bid = bids[i] if i < len(bids) else None
        ask = asks[i] if i < len(asks) else None
        table.add_row(
            text(bid[1]) if bid else "",
            text(bid[0]) if bid else "",
            text(ask[0]) if ask else "",
            text(ask[1]) if ask else "",
        )
    spread = asks[0][0] - bids[0][0] if bids and asks else None
    footer = f"spread {text(spread)}" if spread is not None else "one-sided book"
    return Group(table, Text(f"{footer}{'  ' + status if status else ''}"))


def _book_json(ticker: str, yes_bids: Sequence[Level], no_bids: Sequence[Level], depth: int) -> dict[str, Any]:
    bids = sorted(yes_bids, key=lambda lv: lv[0], reverse=True)[:depth]
    asks = sorted(((_ONE - p, s) for p, s in no_bids), key=lambda lv: lv[0])[:depth]
    return {
        "ticker": ticker,
        "yes_bids": [{"price": p, "size": s} for p, s in bids],
        "yes_asks": [{"price": p, "size": s} for p, s in asks],
    }


@click.command("book")
@click.argument("ticker")
@click.option("--depth", type=click.IntRange(1, 100), default=5, show_default=True, help="Levels per side.")
@click.option("--watch", is_flag=True, help="Live top of book over the WebSocket, redrawn in place (Ctrl+C stops).")
@click.option("--count", type=click.IntRange(1), help="With --watch: stop after this many book updates.")
@click.option(
    "--for", "duration", type=click.FloatRange(0, min_open=True), help="With --watch: stop after this many seconds."
)
@common_options
def book(*, ticker: str, depth: int, watch: bool, count: int | None, duration: float | None) -> None:
    """Show a market's order book: YES bids and YES asks (the NO bids seen from the YES side)."""
    ticker = market_ticker(ticker)
    if watch:
        asyncio.run(_watch_for(ticker, depth, count, duration))
        return
    if count is not None or duration is not None:
        raise CliError("--count and --for only apply with --watch")
    with settings().client() as client:
        ob = present(client.markets.orderbook(ticker, depth=depth).orderbook_fp, "order book")
    yes, no = list(ob.yes_dollars or []), list(ob.no_dollars or [])
    _print_book(ticker, yes, no, depth)


def _print_book(ticker: str, yes: Sequence[Level], no: Sequence[Level], depth: int) -> None:
    fmt = settings().output
    data = _book_json(ticker, yes, no, depth)
    if fmt == "table":
        console().print(book_view(ticker, yes, no, depth))
    elif fmt == "json":
        click.echo(_dumps(data))
    else:
        rows = [{"side": "bid", **lv} for lv in data["yes_bids"]] + [{"side": "ask", **lv} for lv in data["yes_asks"]]
        emit_rows(rows, [_key_column(k) for k in ("side", "price", "size")])


def _key_column(key: str) -> Column:
    return Column(key, key, lambda row: row[key])


def _dumps(data: Any) -> str:
    import json

    return json.dumps(jsonable(data), separators=(",", ":"))


async def _watch_for(ticker: str, depth: int, count: int | None, duration: float | None) -> None:
    try:
        async with asyncio.timeout(duration):
            await _watch(ticker, depth, count)
    except TimeoutError:
        if duration is None:
            raise


async def _watch(ticker: str, depth: int, count: int | None) -> None:
    """Redraw the book on every snapshot and delta; the engine reconnects and resubscribes by itself."""
    from rich.live import Live

    from kalshi_ws import KalshiWebSocket, Reconnected, Resyncing, SequenceGap
    from kalshi_ws.messages import OrderbookDelta, OrderbookSnapshot

    s = settings()
    ws = KalshiWebSocket(auth=s.auth(), config=s.config())
    updates = reconnects = 0
    status = "connecting"
    yes: list[Level] = []
    no: list[Level] = []
    table_mode = s.output == "table"
    live = Live(book_view(ticker, yes, no, depth, status), console=console(), auto_refresh=False)
    with live if table_mode else contextlib.nullcontext():
        async with ws.connect() as session:
            stream = await session.subscribe_orderbook_delta(tickers=[ticker])
            async for msg in stream:
                if isinstance(msg, OrderbookSnapshot | OrderbookDelta):
                    book = stream.book(ticker)
                    yes, no = book.yes_bids(depth), book.no_bids(depth)
                    updates += 1
                    status = "live"
                    if not table_mode:
                        _emit_update(ticker, yes, no, depth, s.output, first=updates == 1)
                elif isinstance(msg, Reconnected):
                    reconnects += 1
                    status = "reconnected; waiting for a fresh snapshot"
                elif isinstance(msg, SequenceGap | Resyncing):
                    status = "resyncing"
                else:
                    continue
                if table_mode:
                    note = f"{status}  updates {updates}  reconnects {reconnects}"
                    live.update(book_view(ticker, yes, no, depth, note), refresh=True)
                if count is not None and updates >= count:
                    break


def _emit_update(ticker: str, yes: Sequence[Level], no: Sequence[Level], depth: int, fmt: str, *, first: bool) -> None:
    """--json: one JSON object per line; --csv: one top-of-book row per update."""
    data = _book_json(ticker, yes, no, depth)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    if fmt == "json":
        click.echo(_dumps({"time": stamp, **data}))
        return
    bid = data["yes_bids"][0] if data["yes_bids"] else {"price": "", "size": ""}
    ask = data["yes_asks"][0] if data["yes_asks"] else {"price": "", "size": ""}
    if first:
        click.echo("time,ticker,bid_size,bid,ask,ask_size")
    click.echo(f"{stamp},{ticker},{bid['size']},{bid['price']},{ask['price']},{ask['size']}")


# ------------------------------------------------------------------------------------------- candles


def parse_when(value: str, now: dt.datetime) -> dt.datetime:
    """An ISO 8601 date or time (UTC unless it says otherwise), or a span back from `now`: 90m, 36h, 7d."""
    value = value.strip()
    span = re.fullmatch(r"(\d+)([mhd])", value)
    if span:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[span.group(2)]
        return now - dt.timedelta(**{unit: int(span.group(1))})
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither an ISO 8601 date/time nor a span like 7d, 36h, 90m") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


_CANDLE_COLUMNS = [
    Column("end", "end", lambda c: dt.datetime.fromtimestamp(c.end_period_ts, dt.UTC)),
    Column("open", "open", lambda c: c.price.open_dollars, numeric=True),
    Column("high", "high", lambda c: c.price.high_dollars, numeric=True),
    Column("low", "low", lambda c: c.price.low_dollars, numeric=True),
    Column("close", "close", lambda c: c.price.close_dollars, numeric=True),
    Column("volume", "volume", lambda c: c.volume_fp, numeric=True),
    Column("open interest", "open_interest", lambda c: c.open_interest_fp, numeric=True),
]


@click.command("candles")
@click.argument("ticker")
@click.option("--period", type=click.Choice(list(_PERIODS)), default="1h", show_default=True, help="Candle length.")
@click.option(
    "--since", required=True, metavar="WHEN", help="Start: ISO 8601 (UTC by default) or a span back: 7d, 36h."
)
@click.option("--until", metavar="WHEN", help="End (default: now).")
@click.option("--series", metavar="SERIES", help="The market's series ticker (default: looked up).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a .parquet or .csv file.")
@common_options
def candles(*, ticker: str, period: str, since: str, until: str | None, series: str | None, out: Path | None) -> None:
    """Price candles of one market over a time range; long backfills are fetched in windows, with progress."""
    from rich.progress import Progress

    from ._app import _stderr

    ticker = market_ticker(ticker)
    now = dt.datetime.now(dt.UTC)
    start, end = parse_when(since, now), parse_when(until, now) if until else now
    if start >= end:
        raise CliError("--since must be before --until")
    if out is not None and out.suffix not in (".parquet", ".csv"):
        raise CliError(f"--out {out}: use a .parquet or .csv file name")
    minutes = _PERIODS[period]
    step = CANDLES_PER_REQUEST * minutes * 60
    windows = [
        (a, min(a + step - 1, int(end.timestamp())))
        for a in range(int(start.timestamp()), int(end.timestamp()) + 1, step)
    ]
    found: dict[int, MarketCandlestick] = {}
    with settings().client() as client:
        if series is None:
            event = present(present(client.markets.get(ticker).market, "market").event_ticker, "event ticker")
            series = present(present(client.events.get(event).event, "event").series_ticker, "series ticker")
        with Progress(console=_stderr(), transient=True, disable=len(windows) < 2) as progress:
            task = progress.add_task(f"{ticker} {period} candles", total=len(windows))
            for a, b in windows:
                got = client.markets.candlesticks(series, ticker, start_ts=a, end_ts=b, period_interval=minutes)  # type: ignore[arg-type]
                for candle in got.candlesticks or []:
                    if candle.end_period_ts is not None:  # a candle without its period cannot be placed
                        found[candle.end_period_ts] = candle
                progress.advance(task)
    rows = [found[k] for k in sorted(found)]
    if out is None:
        emit_rows(rows, _CANDLE_COLUMNS, title=f"{ticker} {period}")
        return
    _write(out, rows)
    _stderr().print(f"wrote {len(rows)} candles to {out}", markup=False, highlight=False)


def _write(path: Path, rows: Sequence[MarketCandlestick]) -> None:
    table = {c.key: [c.get(r) for r in rows] for c in _CANDLE_COLUMNS}
    if path.suffix == ".csv":
        with path.open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(list(table))
            writer.writerows([text(v) for v in values] for values in zip(*table.values(), strict=True))
        return
    try:
        import polars as pl
    except ImportError:
        raise CliError("writing parquet needs polars: pip install polars", EXIT_CONFIG) from None
    schema: dict[str, Any] = {"end": pl.Datetime("us", "UTC")}
    schema.update({key: pl.Decimal(38, 6) for key in list(table)[1:]})  # exact: no float columns
    pl.DataFrame(table, schema=schema).write_parquet(path)
