"""`python -m kalshi_testing serve`: one export block that every client can use, and one-line errors."""

from __future__ import annotations

import io
import shlex
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kalshi_testing.__main__ import main


def _serve(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, str], str, threading.Event, threading.Thread]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    stop = threading.Event()
    thread = threading.Thread(target=main, args=(argv,), kwargs={"stop": stop}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while "Press Ctrl+C" not in err.getvalue():
        assert thread.is_alive(), err.getvalue()
        assert time.monotonic() < deadline, "serve did not start"
        time.sleep(0.05)
    lines = out.getvalue().splitlines()
    assert lines and all(line.startswith("export ") for line in lines)  # stdout is the block, nothing else
    exports = dict(shlex.split(line)[1].split("=", 1) for line in lines)
    return exports, err.getvalue(), stop, thread


def test_serve_prints_one_export_block_every_client_can_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["serve", "--port", "0", "--fix-ports", "ephemeral", "--key-dir", str(tmp_path)]
    env, _, stop, thread = _serve(argv, monkeypatch)
    try:
        for name in (
            "KALSHI_KEY_ID",
            "KALSHI_PRIVATE_KEY_PATH",
            "KALSHI_API_BASE_URL",
            "KALSHI_WS_URL",
            "KALSHI_PERPS_KEY_ID",
            "KALSHI_PERPS_API_BASE_URL",
            "KALSHI_PERPS_WS_URL",
            "KALSHI_KLEAR_API_BASE_URL",
            "KALSHI_FIX_HOST",
            "KALSHI_FIX_PORTS",
            "KALSHI_PERPS_FIX_PORTS",
        ):
            assert env.get(name), f"{name} missing from the export block"
        key = Path(env["KALSHI_PRIVATE_KEY_PATH"])
        assert key.parent == tmp_path
        assert key.stat().st_mode & 0o777 == 0o600
        assert "PRIVATE KEY" not in "".join(env.values())  # a path, never the key itself

        from kalshi_rest import KalshiClient

        with KalshiClient.from_env(environ=env) as client:  # the base URL wins over the default host
            assert client.portfolio.balance().balance == 1_000_000
        with KalshiClient.from_env(environ=env | {"KALSHI_DEMO": "1"}) as client:
            assert client.portfolio.balance().balance == 1_000_000  # loopback base URL beats demo
        from kalshi_auth import FixSessionType
        from kalshi_fix import FixClient, MarginFixClient

        for cls in (FixClient, MarginFixClient):  # the FIX clients read the block alone
            ep = cls.from_env(environ=env).endpoint(FixSessionType.ORDER_ENTRY)
            assert (ep.host, ep.tls) == ("127.0.0.1", False)
            with socket.create_connection((ep.host, ep.port), timeout=5):
                pass  # the FIX acceptor listens where the block says
    finally:
        stop.set()
        thread.join(15)
    assert not thread.is_alive()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "kalshi_testing", "serve", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def test_a_missing_key_dir_is_one_clear_line(tmp_path: Path) -> None:
    done = _run("--port", "0", "--no-fix", "--key-dir", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "--key-dir" in lines[0] and "no such directory" in lines[0]


def test_a_busy_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _run("--port", str(port), "--no-fix", "--key-dir", str(tmp_path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "Traceback" not in done.stderr
