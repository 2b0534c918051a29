"""The kalshi-fix README quick start runs against `python -m kalshi_testing serve`, its FIX acceptor on loopback.

The snippet gets the served `export` lines as its only `KALSHI_*` configuration, plus the address of the
simulator's KalshiNR port where the README names `FixEnvironment.DEMO`: kalshi_fix reads no FIX address
from the environment yet (the xfail below says so and turns into a failure once it does).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("kalshi_fix")

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "packages/kalshi-fix/README.md").read_text()
QUICK_START = re.findall(r"## Quick start\n+```python\n(.*?)```", README, flags=re.DOTALL)[0]
DEMO = "FixClient.from_env(environment=FixEnvironment.DEMO)"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    key_dir = tmp_path_factory.mktemp("keys")
    command = [sys.executable, "-m", "kalshi_testing", "serve", "--port", "0", "--key-dir", str(key_dir)]
    proc = subprocess.Popen([*command, "--fix-ports", "ephemeral"], stdout=subprocess.PIPE, text=True)
    found: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "KALSHI_PRIVATE_KEY_PATH" not in found:
            line = proc.stdout.readline()
            if not line:
                break
            if match := re.match(r"\s*export (\w+)=(\S+)", line):
                found[match.group(1)] = match.group(2).strip("'")
            if match := re.match(r"\s*FIX prediction (\w+): tcp://([\d.]+):(\d+)", line):
                found[match.group(1)] = f"{match.group(2)}:{match.group(3)}"
        assert "KalshiNR" in found and "KALSHI_KEY_ID" in found, found
        yield found
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_quick_start_runs_against_the_simulator(served: dict[str, str], tmp_path: Path) -> None:
    host, port = served["KalshiNR"].split(":")
    assert DEMO in QUICK_START
    snippet = QUICK_START.replace(
        DEMO, f"FixClient.from_env(environment=FixEnvironment.DEMO, host={host!r}, port={port}, tls=False)"
    )
    path = tmp_path / "quick_start.py"
    path.write_text(snippet)
    exports = {k: v for k, v in served.items() if k.startswith("KALSHI_")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_")} | exports
    done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    # the README's symbol is not in the simulator's catalogue: the gateway's answer is a reject, over FIX
    assert "ExecutionReport(" in done.stdout
    assert "cl_ord_id='order-1'" in done.stdout


@pytest.mark.xfail(
    strict=True,
    reason="kalshi_fix.FixClient.from_env reads no FIX address variable (KALSHI_FIX_HOST), so the README's "
    "quick start cannot be pointed at a simulator by environment alone (fix branch); the simulator listens on "
    "Kalshi's documented ports by default, so a host variable is all it would take",
)
def test_quick_start_can_be_pointed_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from kalshi_auth import FixSessionType
    from kalshi_fix import FixClient, FixEnvironment

    monkeypatch.setenv("KALSHI_KEY_ID", "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d")
    monkeypatch.setenv("KALSHI_PRIVATE_KEY", _pem())
    monkeypatch.setenv("KALSHI_FIX_HOST", "127.0.0.1")
    client = FixClient.from_env(environment=FixEnvironment.DEMO)  # the snippet's line; nothing connects here
    endpoint = client.endpoint(FixSessionType.ORDER_ENTRY)
    assert (endpoint.host, endpoint.port, endpoint.tls) == ("127.0.0.1", 8228, False)


def _pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.decode()
