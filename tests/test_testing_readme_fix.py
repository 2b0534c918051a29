"""The kalshi-fix README quick start runs against `python -m kalshi_testing serve`, its FIX acceptor on loopback.

The snippet runs unchanged with the served `export` lines as its only `KALSHI_*` configuration
(`KALSHI_FIX_HOST`, `KALSHI_FIX_PORTS` and `KALSHI_FIX_TLS` point `FixClient.from_env` at the acceptor).
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
        while time.monotonic() < deadline and not {"KALSHI_PRIVATE_KEY_PATH", "KALSHI_FIX_PORTS"} <= set(found):
            line = proc.stdout.readline()
            if not line:
                break
            if match := re.match(r"\s*export (\w+)=(\S+)", line):
                found[match.group(1)] = match.group(2).strip("'")
            if match := re.match(r"\s*FIX prediction (\w+): tcp://([\d.]+):(\d+)", line):
                found[match.group(1)] = f"{match.group(2)}:{match.group(3)}"
        assert "KALSHI_FIX_PORTS" in found and "KALSHI_KEY_ID" in found, found
        yield found
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_quick_start_runs_against_the_simulator(served: dict[str, str], tmp_path: Path) -> None:
    assert DEMO in QUICK_START
    path = tmp_path / "quick_start.py"
    path.write_text(QUICK_START)  # unchanged: the exports alone point it at the simulator
    exports = {k: v for k, v in served.items() if k.startswith("KALSHI_")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_")} | exports
    done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    # the README's symbol is not in the simulator's catalogue: the gateway's answer is a reject, over FIX
    assert "ExecutionReport(" in done.stdout
    assert "cl_ord_id='order-1'" in done.stdout
