from __future__ import annotations

import asyncio
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
        lines: dict[str, str] = {}
        deadline = time.monotonic() + 20
        assert proc.stdout is not None
        while time.monotonic() < deadline and "key file" not in lines:
            line = proc.stdout.readline()
            if not line:
                break
            if ":" in line:
                key, _, value = line.strip().partition(":")
                lines[key.strip()] = value.strip()
        rest_url, key_id, key_file = lines["REST"], lines["key id"], lines["key file"]
        assert lines["WebSocket"].startswith("ws://127.0.0.1:")
        assert lines["WebSocket"].endswith("/trade-api/ws/v2")
        from kalshi_auth import KalshiAuth

        auth = KalshiAuth.from_key_path(key_id, key_file)
        path = "/trade-api/v2/portfolio/balance"
        r = httpx.get(rest_url.removesuffix("/trade-api/v2") + path, headers=auth.headers("GET", path))
        assert r.status_code == 200
        assert r.json()["balance"] == 1_000_000
        # ... and the printed export line configures the SDK from the environment
        monkeypatch.setenv("KALSHI_KEY_ID", key_id)
        monkeypatch.setenv("KALSHI_PRIVATE_KEY_PATH", key_file)
        monkeypatch.setenv("KALSHI_API_BASE_URL", rest_url)
        from kalshi_rest import KalshiClient

        with KalshiClient.from_env() as client:
            assert client.portfolio.balance().balance == 1_000_000
        # every FIX session is printed; the kalshi-fix README quick start runs against the printed NR port
        for session in ("KalshiNR", "KalshiDC", "KalshiRT", "KalshiPT", "KalshiRFQ", "KalshiMD"):
            assert lines[f"FIX prediction {session}"].startswith("tcp://127.0.0.1:")
        for session in ("KalshiNR", "KalshiDC", "KalshiRT", "KalshiMD"):
            assert lines[f"FIX margin {session}"].startswith("tcp://127.0.0.1:")
        assert "FIX margin KalshiPT" not in lines
        nr_port = int(lines["FIX prediction KalshiNR"].rsplit(":", 1)[1])
        report = asyncio.run(_fix_quick_start(nr_port))
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
