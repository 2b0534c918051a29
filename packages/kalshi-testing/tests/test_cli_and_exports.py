from __future__ import annotations

import asyncio
import shlex
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

import httpx

import kalshi_testing
import kalshi_testing.simulator


def test_serve_prints_urls_and_a_working_demo_key(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kalshi_testing",
            "serve",
            "--port",
            "0",
            "--key-dir",
            str(tmp_path),
            "--fix-ports",
            "ephemeral",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        env: dict[str, str] = {}
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        while time.monotonic() < deadline and "KALSHI_PERPS_FIX_TLS" not in env:  # the block's last line
            line = proc.stdout.readline()
            if not line:
                break
            assert line.startswith("export "), line  # stdout holds the export block only
            name, _, value = shlex.split(line)[1].partition("=")
            env[name] = value
        rest_url, key_id, key_file = env["KALSHI_API_BASE_URL"], env["KALSHI_KEY_ID"], env["KALSHI_PRIVATE_KEY_PATH"]
        assert env["KALSHI_WS_URL"].startswith("ws://127.0.0.1:")
        assert env["KALSHI_WS_URL"].endswith("/trade-api/ws/v2")
        from kalshi_auth import KalshiAuth

        auth = KalshiAuth.from_key_path(key_id, key_file)
        path = "/trade-api/v2/portfolio/balance"
        r = httpx.get(rest_url.removesuffix("/trade-api/v2") + path, headers=auth.headers("GET", path))
        assert r.status_code == 200
        assert r.json()["balance"] == 1_000_000
        # ... and the printed export block configures the SDK from the environment
        for name in ("KALSHI_KEY_ID", "KALSHI_PRIVATE_KEY_PATH", "KALSHI_API_BASE_URL"):
            monkeypatch.setenv(name, env[name])
        from kalshi_rest import KalshiClient

        with KalshiClient.from_env() as client:
            assert client.portfolio.balance().balance == 1_000_000
        # every FIX session is printed; the kalshi-fix README quick start runs against the printed NR port
        ports = dict(item.split("=") for item in env["KALSHI_FIX_PORTS"].split(","))
        assert sorted(ports) == ["KalshiDC", "KalshiMD", "KalshiNR", "KalshiPT", "KalshiRFQ", "KalshiRT"]
        margin = dict(item.split("=") for item in env["KALSHI_PERPS_FIX_PORTS"].split(","))
        assert sorted(margin) == ["KalshiDC", "KalshiMD", "KalshiNR", "KalshiRT"]  # no PT or RFQ on margin
        assert env["KALSHI_FIX_HOST"] == "127.0.0.1"
        report = asyncio.run(_fix_quick_start(int(ports["KalshiNR"])))
        assert (report.cl_ord_id, str(report.exec_type)) == ("order-1", "0")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


async def _fix_quick_start(port: int) -> Any:
    """packages/kalshi-fix/README.md's quick start, with only the key variables and the address changed."""
    from kalshi_fix import FixClient, FixEnvironment, NewOrderSingle, Side, decode_app_message

    client = FixClient.from_env(environment=FixEnvironment.DEMO, host="127.0.0.1", port=port, tls=False)
    async with client.order_entry() as session:
        await session.send(
            NewOrderSingle(
                cl_ord_id="order-1",
                symbol="KXFED-26DEC-T3.50",
                side=Side.BUY_YES,
                order_qty=Decimal("10"),
                price=Decimal("0.05"),
            )
        )
        return decode_app_message(await session.receive(timeout=10))


def test_all_is_sorted_and_complete() -> None:
    for module in (kalshi_testing, kalshi_testing.simulator):
        assert module.__all__ == sorted(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name), name
    for name in kalshi_testing.__all__:
        getattr(kalshi_testing, name)  # resolve every lazy export
    public = {
        n
        for n in dir(kalshi_testing)
        if not n.startswith("_") and getattr(getattr(kalshi_testing, n), "__module__", "").startswith("kalshi_testing")
    }
    assert public == set(kalshi_testing.__all__)
