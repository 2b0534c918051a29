"""The `kalshi` command line, every command against the local simulator (kalshi-testing's fixture)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from kalshi.cli import cli
from kalshi.cli._markets import book_view, parse_when
from kalshi_rest.models import CreateOrderV2Request

TICKER = "KXHIGHNY-26NOV24-T40"  # seeded: YES bids 0.39/0.38/0.37, NO bids 0.59/0.58/0.57

Run = Callable[..., Result]


@pytest.fixture
def run(kalshi_exchange: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run("markets", "list", input=None)`: the CLI as a user runs it, signed as the fixture's trader."""
    key = tmp_path / "key.pem"
    key.write_bytes(kalshi_exchange.user.private_key_pem)
    for name in ("KALSHI_PRIVATE_KEY", "KALSHI_PRIVATE_KEY_PASSWORD", "KALSHI_DEMO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KALSHI_KEY_ID", kalshi_exchange.user.key_id)
    monkeypatch.setenv("KALSHI_PRIVATE_KEY_PATH", str(key))
    monkeypatch.setenv("KALSHI_API_BASE_URL", kalshi_exchange.simulator.rest_url)
    monkeypatch.setenv("KALSHI_WS_URL", kalshi_exchange.simulator.ws_url)

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _order(ticker: str, side: str, count: str, price: str, cid: str) -> CreateOrderV2Request:
    return CreateOrderV2Request(
        ticker=ticker,
        client_order_id=cid,
        side=side,  # type: ignore[arg-type]
        count=Decimal(count),
        price=Decimal(price),
        time_in_force="good_till_canceled",
        self_trade_prevention_type="taker_at_cross",
    )


def _listed_order(kalshi_exchange: Any, order_id: str) -> Any:
    """An order as the orders list shows it (a GET by id can 404 just after the create)."""
    with kalshi_exchange.client() as client:
        [found] = [o for o in client.orders.list_all() if o.order_id == order_id]
    return found


def _one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


# ------------------------------------------------------------------------------------------- markets


def test_markets_list_table_json_and_csv_agree(run: Run, kalshi_exchange: Any) -> None:
    table = run("markets", "list", "--status", "open", "--limit", "5")
    assert table.exit_code == 0, table.output
    assert TICKER in table.output
    assert "0.3900" in table.output
    rows = _json(run("markets", "list", "--status", "open", "--limit", "5", "--json"))
    assert len(rows) == 5
    first = next(r for r in rows if r["ticker"] == TICKER)
    assert first["yes_bid_dollars"] == "0.3900"  # money as an exact string, never a float
    csv_lines = run("--csv", "markets", "list", "--limit", "5").stdout.splitlines()
    assert csv_lines[0].startswith("ticker,status,yes_bid_dollars,yes_ask_dollars")
    assert any(line.startswith(f"{TICKER},") and ",0.3900,0.4100," in line for line in csv_lines[1:])


def test_markets_list_all_follows_every_page(run: Run, kalshi_exchange: Any) -> None:
    with kalshi_exchange.client() as client:
        everything = {m.ticker for m in client.markets.list_all()}
    before = kalshi_exchange.simulator.count_requests("GET", "/markets")
    rows = _json(run("markets", "list", "--limit", "5", "--all", "--json"))
    assert {r["ticker"] for r in rows} == everything
    assert len(rows) == len(everything) > 5
    pages = kalshi_exchange.simulator.count_requests("GET", "/markets") - before
    assert pages == -(-len(everything) // 5)  # ceil: one request per page


def test_markets_list_series_filter(run: Run) -> None:
    rows = _json(run("markets", "list", "--series", "KXHIGHNY", "--json"))
    assert rows
    assert all(r["ticker"].startswith("KXHIGHNY-") for r in rows)


def test_market_get_and_not_found(run: Run) -> None:
    got = _json(run("market", "get", TICKER, "--json"))
    assert got["ticker"] == TICKER
    assert got["yes_ask_dollars"] == "0.4100"
    table = run("market", "get", TICKER)
    assert "KXHIGHNY-26NOV24" in table.output
    line = _one_line_error(run("market", "get", "NO-SUCH-MARKET"), 4)
    assert "404" in line or "not found" in line.lower()


# ---------------------------------------------------------------------------------------------- book


def test_book_shows_yes_bids_and_asks_best_first(run: Run) -> None:
    data = _json(run("book", TICKER, "--depth", "2", "--json"))
    assert data["yes_bids"] == [{"price": "0.3900", "size": "140.00"}, {"price": "0.3800", "size": "80.00"}]
    # YES asks are the NO bids seen from the YES side: 1 - 0.59 = 0.41, 1 - 0.58 = 0.42.
    assert data["yes_asks"] == [{"price": "0.4100", "size": "300.00"}, {"price": "0.4200", "size": "90.00"}]
    table = run("book", TICKER, "--depth", "3")
    assert table.exit_code == 0
    assert "spread 0.0200" in table.output
    assert table.output.index("0.3900") < table.output.index("0.3800") < table.output.index("0.3700")
    csv_lines = run("book", TICKER, "--depth", "1", "--csv").stdout.splitlines()
    assert csv_lines == ["side,price,size", "bid,0.3900,140.00", "ask,0.4100,300.00"]


def test_book_view_renders_to_a_string() -> None:
    out = io.StringIO()
    view = book_view(
        "T",
        [(Decimal("0.37"), Decimal(5)), (Decimal("0.39"), Decimal(1))],
        [(Decimal("0.58"), Decimal(2))],
        depth=5,
        status="live  updates 3  reconnects 1",
    )
    Console(file=out, width=80, force_terminal=False).print(view)
    text = out.getvalue()
    assert text.index("0.39") < text.index("0.37")  # best bid first, whatever order the levels came in
    assert "0.42" in text  # 1 - 0.58
    assert "spread 0.03" in text
    assert "reconnects 1" in text
    empty = io.StringIO()
    Console(file=empty, width=80).print(book_view("T", [], [], depth=3))
    assert "one-sided book" in empty.getvalue()


def test_book_watch_redraws_and_survives_a_reconnect(run: Run, kalshi_exchange: Any) -> None:
    other = kalshi_exchange.create_user("maker")
    kalshi_exchange.faults.drop_connection(after_frames=2)  # the first connection dies after its snapshot
    stop = threading.Event()

    def add_bids() -> None:  # a new resting bid every 0.2 s moves the book (bounded: 60 orders, 12 s)
        with kalshi_exchange.client(other) as client:
            for i in range(60):
                if stop.wait(0.2):
                    return
                client.orders.create_v2(request=_order(TICKER, "bid", "1", "0.2000", f"watch-{i}"))

    feeder = threading.Thread(target=add_bids)
    feeder.start()
    try:
        result = run("book", TICKER, "--watch", "--count", "6", "--for", "30", "--depth", "10")
    finally:
        stop.set()
        feeder.join(timeout=15)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "updates 6" in out  # stopped by --count, not by --for
    assert "reconnects 1" in out  # the dropped connection was re-established and resubscribed
    assert "0.2000" in out  # a level that only exists after the reconnect
    assert "0.3900" in out


def test_book_watch_json_lines(run: Run) -> None:
    result = run("book", TICKER, "--watch", "--count", "1", "--for", "20", "--json", "--depth", "1")
    [line] = result.stdout.splitlines()
    data = json.loads(line)
    assert data["yes_bids"] == [{"price": "0.3900", "size": "140.00"}]
    assert data["time"].endswith("+00:00")


def test_book_count_without_watch_is_bad_input(run: Run, kalshi_exchange: Any) -> None:
    _one_line_error(run("book", TICKER, "--count", "2"), 2)


# ----------------------------------------------------------------------------------------- portfolio


def test_portfolio_balance(run: Run) -> None:
    data = _json(run("portfolio", "balance", "--json"))
    assert Decimal(data["balance"]) == Decimal("1000")
    assert Decimal(data["portfolio_value"]) == Decimal("1000")
    assert "balance (demo)" in run("portfolio", "balance").output


def test_order_lifecycle_and_portfolio_views(run: Run, kalshi_exchange: Any) -> None:
    created = _json(run("order", "create", TICKER, "--side", "bid", "--count", "3", "--price", "0.41", "--json"))
    assert Decimal(created["fill_count"]) == 3  # crossed the 0.41 ask
    resting = _json(
        run(
            "order",
            "create",
            TICKER,
            "--side",
            "bid",
            "--count",
            "5",
            "--price",
            "0.30",
            "--client-order-id",
            "rest-1",
            "--json",
        )
    )
    assert resting["client_order_id"] == "rest-1"
    order_id = resting["order_id"]

    orders = _json(run("portfolio", "orders", "--status", "resting", "--json"))
    [mine] = [o for o in orders if o["order_id"] == order_id]
    assert mine["yes_price_dollars"] == "0.3000"
    assert "rest-1" in run("portfolio", "orders").output

    fills = _json(run("portfolio", "fills", "--ticker", TICKER, "--json"))
    assert sum(Decimal(f["count_fp"]) for f in fills) == 3
    positions = _json(run("portfolio", "positions", "--json"))
    [pos] = [p for p in positions if p["ticker"] == TICKER]
    assert Decimal(pos["position_fp"]) == 3
    assert TICKER in run("portfolio", "positions", "--csv").stdout
    assert TICKER in run("portfolio", "fills").output

    amended = _json(run("order", "amend", order_id, "--price", "0.31", "--json"))
    assert amended["order_id"]
    after = _listed_order(kalshi_exchange, amended["order_id"])
    assert after.yes_price_dollars == Decimal("0.31")
    assert after.remaining_count_fp == Decimal(5)  # count kept from the order

    canceled = _json(run("order", "cancel", amended["order_id"], "--json"))
    assert Decimal(canceled["reduced_by"]) == 5
    assert _listed_order(kalshi_exchange, amended["order_id"]).status == "canceled"


def test_prices_are_parsed_exactly_never_through_float(run: Run, kalshi_exchange: Any) -> None:
    result = _json(run("order", "create", TICKER, "--side", "bid", "--count", "1", "--price", "0.1", "--json"))
    assert _listed_order(kalshi_exchange, result["order_id"]).yes_price_dollars == Decimal("0.1")


@pytest.mark.parametrize(
    "args",
    [
        ["--price", "1.5", "--count", "1"],
        ["--price", "abc", "--count", "1"],
        ["--price", "0.5", "--count", "-2"],
        ["--price", "NaN", "--count", "1"],
        ["--price", "0.5", "--count", "1", "--side", "up"],
    ],
)
def test_bad_order_input_is_one_line_and_sends_nothing(run: Run, kalshi_exchange: Any, args: list[str]) -> None:
    base = ["order", "create", TICKER]
    if "--side" not in args:
        base += ["--side", "bid"]
    before = len(kalshi_exchange.simulator.requests)
    _one_line_error(run(*base, *args), 2)
    assert len(kalshi_exchange.simulator.requests) == before


@pytest.mark.parametrize("ticker", ["../portfolio/balance", "KX FED", "", "T?x=1"])
def test_malformed_tickers_and_ids_never_leave(run: Run, kalshi_exchange: Any, ticker: str) -> None:
    before = len(kalshi_exchange.simulator.requests)
    _one_line_error(run("order", "create", ticker, "--side", "bid", "--count", "1", "--price", "0.5"), 2)
    _one_line_error(run("book", ticker), 2)
    _one_line_error(run("order", "cancel", ticker or "/"), 2)
    assert len(kalshi_exchange.simulator.requests) == before


def test_production_asks_before_an_order_action(run: Run, kalshi_exchange: Any) -> None:
    path = "/portfolio/events/orders"
    args = ["--prod", "order", "create", TICKER, "--side", "bid", "--count", "1", "--price", "0.30"]
    declined = run(*args, input="n\n")
    assert declined.exit_code == 6, declined.output
    assert "PRODUCTION" in declined.output
    assert kalshi_exchange.simulator.count_requests("POST", path) == 0
    accepted = run(*args, "--json", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert kalshi_exchange.simulator.count_requests("POST", path) == 1
    unasked = run(*args, "--yes")
    assert unasked.exit_code == 0
    assert "PRODUCTION" not in unasked.output
    assert kalshi_exchange.simulator.count_requests("POST", path) == 2
    order_id = _json(run("portfolio", "orders", "--status", "resting", "--json"))[0]["order_id"]
    assert run("--prod", "order", "cancel", order_id, input="n\n").exit_code == 6
    assert run("--prod", "order", "amend", order_id, "--price", "0.2", input="n\n").exit_code == 6
    assert kalshi_exchange.simulator.count_requests("DELETE", f"{path}/{order_id}") == 0
    demo = run("order", "cancel", order_id)  # demo never asks
    assert demo.exit_code == 0
    assert "PRODUCTION" not in demo.output


def test_amend_needs_a_change(run: Run) -> None:
    _one_line_error(run("order", "amend", "some-order"), 2)


# ------------------------------------------------------------------------------------------- candles


def _trade(kalshi_exchange: Any, prices: list[str]) -> None:
    seller = kalshi_exchange.create_user("seller")
    buyer = kalshi_exchange.create_user("buyer")
    with kalshi_exchange.client(seller) as s, kalshi_exchange.client(buyer) as b:
        for i, price in enumerate(prices):
            s.orders.create_v2(request=_order("KXHIGHNY-26NOV24-T45", "ask", "2", price, f"s{i}"))
            b.orders.create_v2(request=_order("KXHIGHNY-26NOV24-T45", "bid", "2", price, f"b{i}"))


def test_candles_table_json_and_files(run: Run, kalshi_exchange: Any, tmp_path: Path) -> None:
    _trade(kalshi_exchange, ["0.4300", "0.4400"])
    ticker = "KXHIGHNY-26NOV24-T45"
    rows = _json(run("candles", ticker, "--period", "1h", "--since", "3h", "--json"))
    assert rows
    last = rows[-1]
    assert last["price"]["close_dollars"] == "0.4400"
    assert Decimal(last["volume_fp"]) >= 4
    assert "0.4400" in run("candles", ticker, "--period", "1h", "--since", "3h").output

    csv_path = tmp_path / "c.csv"
    result = run("candles", ticker, "--since", "3h", "--out", str(csv_path))
    assert result.exit_code == 0, result.output
    header, *lines = csv_path.read_text().splitlines()
    assert header == "end,open,high,low,close,volume,open_interest"
    assert lines[-1].split(",")[4] == "0.4400"

    pl = pytest.importorskip("polars")
    parquet = tmp_path / "c.parquet"
    assert run("candles", ticker, "--since", "3h", "--out", str(parquet)).exit_code == 0
    frame = pl.read_parquet(parquet)
    assert frame["close"].to_list()[-1] == Decimal("0.4400")
    assert str(frame["close"].dtype).startswith("Decimal")


def test_candles_long_backfill_is_fetched_in_windows(run: Run, kalshi_exchange: Any) -> None:
    _trade(kalshi_exchange, ["0.4300"])
    path = "/series/KXHIGHNY/markets/KXHIGHNY-26NOV24-T45/candlesticks"
    result = run("candles", "KXHIGHNY-26NOV24-T45", "--period", "1m", "--since", "3d", "--json")
    rows = _json(result)
    assert [r["price"]["close_dollars"] for r in rows] == ["0.4300"]
    assert kalshi_exchange.simulator.count_requests("GET", path) == 5  # 4320 one-minute periods, 1000 a window


def test_candles_bad_times(run: Run) -> None:
    _one_line_error(run("candles", TICKER, "--since", "yesterday"), 2)
    _one_line_error(run("candles", TICKER, "--since", "1h", "--until", "2h"), 2)
    _one_line_error(run("candles", TICKER, "--since", "1h", "--out", "x.xlsx"), 2)


def test_parse_when() -> None:
    import datetime as dt

    now = dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)
    assert parse_when("36h", now) == dt.datetime(2026, 12, 4, 0, tzinfo=dt.UTC)
    assert parse_when("2026-12-01", now) == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert parse_when("2026-12-01T05:00:00-05:00", now) == dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)


# ------------------------------------------------------------------------------------ errors, output


def test_demo_unless_prod_and_the_simulators_websocket_beside_its_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    from kalshi.cli._app import Settings
    from kalshi_auth import DEMO, PRODUCTION

    for name in ("KALSHI_API_BASE_URL", "KALSHI_WS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KALSHI_DEMO", "false")  # the CLI's own rule: demo unless --prod
    assert Settings().config().rest_url == DEMO.rest_url
    assert Settings(prod=True).config().websocket_url == PRODUCTION.ws_url
    local = Settings(base_url="http://127.0.0.1:8080/trade-api/v2").config()
    assert local.websocket_url == "ws://127.0.0.1:8080/trade-api/ws/v2"
    proxied = Settings(base_url="https://proxy.example.com/trade-api/v2").config()
    assert proxied.websocket_url == DEMO.ws_url  # only a loopback simulator's WebSocket is guessed


def test_missing_credentials_is_a_configuration_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KALSHI_KEY_ID")
    monkeypatch.delenv("KALSHI_PRIVATE_KEY_PATH")
    line = _one_line_error(run("portfolio", "balance"), 3)
    assert "KALSHI" in line or "credentials" in line.lower()
    assert run("markets", "list", "--limit", "1").exit_code == 0  # public data needs no key


def test_half_set_credentials_and_debug_traceback(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KALSHI_PRIVATE_KEY_PATH")
    _one_line_error(run("markets", "list"), 3)
    debug = run("markets", "list", "--debug")
    assert debug.exit_code == 3
    assert "Traceback" in debug.output


def test_unreachable_server_is_a_connection_error(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        monkeypatch.setenv("KALSHI_API_BASE_URL", f"http://127.0.0.1:{port}/trade-api/v2")
        line = _one_line_error(run("market", "get", TICKER), 5)
    assert str(port) in line or "connect" in line.lower()


def test_no_secret_reaches_the_output(run: Run, kalshi_exchange: Any) -> None:
    outputs = [
        run("portfolio", "balance", "--json").output,
        run("--debug", "portfolio", "balance").output,
        run("order", "create", TICKER, "--side", "bid", "--count", "1", "--price", "0.2").output,
    ]
    pem = kalshi_exchange.user.private_key_pem.decode()
    body = "".join(pem.splitlines()[1:-1])[:40]
    for out in outputs:
        assert "PRIVATE KEY" not in out
        assert body not in out.replace("\n", "")
        assert "KALSHI-ACCESS-SIGNATURE" not in out.upper()


def test_version_and_help() -> None:
    import importlib.metadata

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert importlib.metadata.version("kalshi-sdk") in result.output
    assert "Exit codes" in CliRunner().invoke(cli, ["--help"]).output
    assert CliRunner().invoke(cli, ["no-such-command"]).exit_code == 2
    bare = CliRunner().invoke(cli, ["markets"])  # a group alone shows its help, not an error line
    assert "list" in bare.output
    assert "error:" not in bare.output


def test_console_script_is_declared_and_import_kalshi_stays_cheap() -> None:
    import importlib.metadata

    [entry] = [e for e in importlib.metadata.entry_points(group="console_scripts") if e.name == "kalshi"]
    assert entry.value == "kalshi.cli:main"
    code = "import sys, kalshi; print(','.join(m for m in ('click', 'rich', 'kalshi.cli') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ----------------------------------------------------------------------------------------- sim, fix


def test_sim_serves_until_interrupted(tmp_path: Path) -> None:
    import signal
    import time

    import httpx

    proc = subprocess.Popen(
        [sys.executable, "-m", "kalshi.cli", "sim", "--port", "0", "--key-dir", str(tmp_path), "--for", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while not any("export " in line for line in lines) and time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                break
            lines.append(line)
        exports = dict(w.split("=", 1) for w in next(line for line in lines if "export " in line).split()[1:])
        status = httpx.get(exports["KALSHI_API_BASE_URL"] + "/exchange/status", timeout=5)
        assert status.status_code == 200
        key = tmp_path / "demo_private_key.pem"
        assert exports["KALSHI_PRIVATE_KEY_PATH"] == str(key)
        assert exports["KALSHI_WS_URL"].startswith("ws://127.0.0.1:")
        assert key.stat().st_mode & 0o777 == 0o600
        env = {**__import__("os").environ, **exports}
        balance = subprocess.run(
            [sys.executable, "-m", "kalshi.cli", "portfolio", "balance", "--json"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert Decimal(json.loads(balance.stdout)["balance"]) == Decimal("10000")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "PRIVATE KEY" not in "".join(lines) + out


def _loopback_acceptor() -> Any:
    """kalshi-fix's loopback FIX acceptor (packages/kalshi-fix/tests/fix_acceptor.py), when the tree has it."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "kalshi-fix" / "tests" / "fix_acceptor.py"
    if not path.is_file():
        pytest.skip("kalshi-fix's loopback acceptor is not beside this copy of the tests")
    spec = importlib.util.spec_from_file_location("kalshi_fix_test_acceptor", path)
    assert spec is not None
    assert spec.loader is not None
    module = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    if spec.name not in sys.modules:
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module.FixAcceptor


@pytest.fixture
def fix_gateway(kalshi_exchange: Any) -> Any:
    """(host, port) of an order-entry FIX acceptor on 127.0.0.1 that knows the trader's key, and its logons."""
    import asyncio

    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    acceptor_class = _loopback_acceptor()
    key = load_pem_private_key(kalshi_exchange.user.private_key_pem, password=None)
    acceptor = acceptor_class({kalshi_exchange.user.key_id: key.public_key()}, target_comp_id="KalshiNR")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = asyncio.run_coroutine_threadsafe(acceptor.start(), loop).result(timeout=10)
    try:
        yield acceptor, port
    finally:
        asyncio.run_coroutine_threadsafe(acceptor.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def test_fix_logon_round_trip(run: Run, fix_gateway: Any) -> None:
    acceptor, port = fix_gateway
    result = run("fix", "logon", "--session", "NR", "--host", "127.0.0.1", "--port", str(port), "--no-tls", "--json")
    data = _json(result)
    assert data["result"] == "logged on and out"
    assert data["target_comp_id"] == "KalshiNR"
    assert data["address"] == f"127.0.0.1:{port}"
    assert data["tls"] is False
    assert float(data["logon_ms"]) > 0
    assert len(acceptor.logons) == 1  # one signed Logon reached the gateway


def test_fix_logon_refused_and_unreachable(run: Run, fix_gateway: Any) -> None:
    acceptor, port = fix_gateway
    acceptor.faults.reject_logon = "bad key"
    args = ["fix", "logon", "--host", "127.0.0.1", "--port", str(port), "--no-tls", "--timeout", "5"]
    line = _one_line_error(run(*args), 4)
    assert "bad key" in line
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
        _one_line_error(
            run("fix", "logon", "--host", "127.0.0.1", "--port", str(closed), "--no-tls", "--timeout", "2"), 5
        )
    # No TLS to a public host is refused before anything is sent.
    _one_line_error(run("fix", "logon", "--host", "fix.example.com", "--no-tls"), 3)


@pytest.mark.parametrize(
    ("session", "target"), [("NR", "KalshiNR"), ("DC", "KalshiDC"), ("MD", "KalshiMD"), ("RFQ", "KalshiRFQ")]
)
def test_fix_logon_against_the_simulators_gateway(run: Run, kalshi_exchange: Any, session: str, target: str) -> None:
    """The simulator's own FIX acceptor (kalshi-testing), when this version of it has one."""
    from kalshi_auth import FixSessionType

    sim = kalshi_exchange.simulator
    if not hasattr(sim, "fix_endpoint"):
        pytest.skip("this kalshi-testing simulator has no FIX acceptor")
    kind = {"NR": FixSessionType.ORDER_ENTRY, "DC": FixSessionType.DROP_COPY, "MD": FixSessionType.MARKET_DATA}
    endpoint = sim.fix_endpoint(kind.get(session, FixSessionType.RFQ))
    args = ["fix", "logon", "--session", session, "--host", endpoint.host, "--port", str(endpoint.port), "--no-tls"]
    data = _json(run(*args, "--timeout", "10", "--json"))
    assert data["result"] == "logged on and out"
    assert data["target_comp_id"] == target
    assert data["address"] == f"{endpoint.host}:{endpoint.port}"
