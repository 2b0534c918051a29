"""Each example script does what its docstring says, against the simulator (or a loopback FIX gateway)."""

from __future__ import annotations

import asyncio
import importlib
import uuid
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

from kalshi_rest import KalshiClient
from kalshi_rest.models import CreateOrderV2Request

EXAMPLES = Path(__file__).resolve().parent.parent  # on sys.path: see conftest.py
FED = "KXFED-26DEC-T3.50"
FED_HIGHER = "KXFED-26DEC-T3.75"


def load(name: str) -> ModuleType:
    return importlib.import_module(name)


def order(
    ticker: str, side: str, price: str, count: str = "2", tif: str = "good_till_canceled"
) -> CreateOrderV2Request:
    return CreateOrderV2Request(
        ticker=ticker,
        client_order_id=str(uuid.uuid4()),
        side=side,
        count=Decimal(count),
        price=Decimal(price),
        time_in_force=tif,
        self_trade_prevention_type="taker_at_cross",
    )


def top_of_book(client: KalshiClient, ticker: str) -> tuple[Decimal, Decimal]:
    """(best YES bid, best YES ask) from REST: the ask is 1 - the best NO bid."""
    book = client.markets.orderbook(ticker).orderbook_fp
    best_yes = max(Decimal(p) for p, _ in book.yes_dollars)
    best_no = max(Decimal(p) for p, _ in book.no_dollars)
    return best_yes, Decimal(1) - best_no


def test_orderbook_top_prints_each_book_and_follows_a_better_bid(conn) -> None:
    module = load("orderbook_top")
    mover = conn.simulator.create_user("mover", balance="1000.00")
    with KalshiClient(auth=conn.auth, config=conn.config) as client:
        start = {t: top_of_book(client, t) for t in (FED, FED_HIGHER)}
    better = start[FED][0] + Decimal("0.01")
    lines: list[str] = []
    placed: list[str] = []

    def improve(ticker: str, top: tuple[Decimal | None, Decimal | None]) -> None:
        if ticker == FED and not placed:
            with KalshiClient(auth=mover.auth, config=conn.config) as other:
                placed.append(other.orders.create_v2(request=order(FED, "bid", str(better))).order_id)

    tops = asyncio.run(module.stream_tops(conn, [FED, FED_HIGHER], max_updates=3, out=lines.append, on_update=improve))

    assert tops[FED] == (better, start[FED][1])  # the delta moved the bid, not the ask
    assert tops[FED_HIGHER] == start[FED_HIGHER]
    assert any(line.startswith(FED_HIGHER) for line in lines)
    assert lines[-1].startswith(FED) and f"bid {better}" in lines[-1]


def test_order_lifecycle_places_amends_cancels_and_leaves_nothing_resting(conn) -> None:
    module = load("order_lifecycle")
    lines: list[str] = []
    order_id = module.lifecycle(conn, FED, out=lines.append)
    assert lines[0].startswith(f"placed   {order_id}") and "resting 5.00" in lines[0]
    assert "resting 8.00" in lines[1]  # the amend raised the size to 8
    assert "reduced by 8.00" in lines[2]
    assert lines[3] == "balance  $1000.0000"  # nothing filled, no fee
    assert lines[-1] == "resting orders 0"
    assert conn.simulator.count_requests("POST", "/portfolio/events/orders") == 1  # sent once


def test_backfill_candles_writes_exact_decimals_to_parquet(conn, tmp_path: Path) -> None:
    module = load("backfill_candles")
    with KalshiClient(auth=conn.auth, config=conn.config) as buyer:  # lift 4 at the best ask: one trade
        ask = top_of_book(buyer, FED)[1]
        buyer.orders.create_v2(request=order(FED, "bid", str(ask), "4", "immediate_or_cancel"))

    out = tmp_path / "kxfed.parquet"
    frame = module.backfill(conn, "KXFED", out, days=1, progress=False)

    back = pl.read_parquet(out)
    assert back.equals(frame)
    assert back.schema["close"] == pl.Decimal(precision=18, scale=4)
    row = back.filter(pl.col("ticker") == FED).row(0, named=True)
    assert row["close"] == ask and row["volume"] == Decimal("4.00")
    assert back.filter(pl.col("ticker") == FED_HIGHER).height == 0  # no trade, no candle


def test_ws_recorder_replays_the_books_it_recorded(conn, tmp_path: Path) -> None:
    module = load("ws_recorder")
    other = conn.simulator.create_user("other", balance="1000.00")
    out = tmp_path / "md.parquet"

    async def record_while_trading() -> int:
        recording = asyncio.create_task(module.record(conn, [FED, FED_HIGHER], out, seconds=2.5))
        await asyncio.sleep(1.0)
        with KalshiClient(auth=other.auth, config=conn.config) as client:
            await asyncio.to_thread(client.orders.create_v2, request=order(FED, "bid", "0.2300"))
            await asyncio.to_thread(client.orders.create_v2, request=order(FED_HIGHER, "ask", "0.8000"))
        return await recording

    count = asyncio.run(record_while_trading())
    frame = pl.read_parquet(out)
    assert count == frame.height >= 4  # two snapshots and at least two deltas
    assert set(frame["type"]) >= {"orderbook_snapshot", "orderbook_delta"}

    books = module.replay(out)
    with KalshiClient(auth=conn.auth, config=conn.config) as client:
        for ticker in (FED, FED_HIGHER):
            live = top_of_book(client, ticker)
            assert (books[ticker].best_yes_bid[0], books[ticker].best_yes_ask[0]) == live


def test_quoting_bot_quotes_both_sides_and_cancels_on_disconnect(conn) -> None:
    module = load("quoting_bot")
    conn.simulator.faults.drop_connection(after_frames=2)  # cut the bot's WebSocket mid-stream
    bot = module.QuotingBot(conn, FED, size=Decimal("3"), out=lambda line: None)
    quotes = asyncio.run(bot.run(seconds=20, stop_after_disconnect=True))

    assert quotes.disconnects == 1
    sides = [line.split()[1] for line in quotes.log if line.startswith("quote ")]
    assert {"bid", "ask"} <= set(sides)
    cancelled_at_drop = next(line for line in quotes.log if line.endswith("(disconnected)"))
    assert cancelled_at_drop == "cancelled 2 quotes (disconnected)"
    with KalshiClient(auth=conn.auth, config=conn.config) as client:
        assert client.orders.list(status="resting").items == []


def test_quoting_bot_cancels_its_quotes_when_it_stops(conn) -> None:
    module = load("quoting_bot")
    quotes = asyncio.run(module.QuotingBot(conn, FED, out=lambda line: None).run(seconds=1.5))
    assert quotes.placed >= 2 and quotes.log[-1] == f"cancelled {len(quotes.orders) or 2} quotes (stopping)"
    with KalshiClient(auth=conn.auth, config=conn.config) as client:
        assert client.orders.list(status="resting").items == []


def test_fix_order_entry_then_drop_copy_replays_the_report(conn) -> None:
    from kalshi_fix import FixClient

    module = load("fix_order_entry")
    client = FixClient(conn.auth, environment=conn.simulator.fix_environment())  # the simulator's FIX ports
    lines: list[str] = []
    ack, replayed = asyncio.run(module.order_with_drop_copy(client, client, FED, out=lines.append))

    assert ack.symbol == FED
    assert ack.order_qty == Decimal("3")
    assert [r.exec_id for r in replayed] == [ack.exec_id]  # drop copy knows the order
    assert lines[-1] == "drop copy:   EventResendComplete"
    with KalshiClient(auth=conn.auth, config=conn.config) as rest:  # one exchange behind FIX and REST
        assert ack.order_id in {o.order_id for o in rest.orders.list(status="resting").items}


@pytest.mark.parametrize(
    "script", ["orderbook_top", "order_lifecycle", "backfill_candles", "ws_recorder", "quoting_bot", "fix_order_entry"]
)
def test_each_script_runs_offline_from_the_command_line(script: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["--simulator"] + (["--seconds", "1"] if script in ("ws_recorder", "quoting_bot") else [])
    assert load(script).main(args) == 0
