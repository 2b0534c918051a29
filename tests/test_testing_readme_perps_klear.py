"""Every perps and Klear README snippet runs unchanged against `python -m kalshi_testing serve`, configured by env only.

The server is started as a user would start it; its printed `export` lines are the only
configuration each snippet gets (a fresh interpreter per snippet, no other `KALSHI_*` variable).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("kalshi_perps")
pytest.importorskip("kalshi_klear")

ROOT = Path(__file__).resolve().parents[1]
PERPS = re.findall(r"```python\n(.*?)```", (ROOT / "packages/kalshi-perps/README.md").read_text(), flags=re.DOTALL)
KLEAR = re.findall(r"```python\n(.*?)```", (ROOT / "packages/kalshi-klear/README.md").read_text(), flags=re.DOTALL)

# Runs a snippet file: top-level `await` allowed; `async def main` is then awaited; a `perps`
# client from the environment is provided when the snippet uses one it does not open itself.
RUNNER = textwrap.dedent(
    """
    import ast, asyncio, inspect, sys
    source = open(sys.argv[1]).read()
    namespace = {"__name__": "__readme__"}
    if "perps." in source and "as perps" not in source:
        from kalshi_perps import PerpsClient
        namespace["perps"] = PerpsClient.from_env()
    code = compile(source, "README snippet", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, namespace)
    if inspect.iscoroutine(result):
        asyncio.run(result)
    if "main" in namespace and inspect.iscoroutinefunction(namespace["main"]):
        asyncio.run(namespace["main"]())
    """
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    key_dir = tmp_path_factory.mktemp("keys")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kalshi_testing", "serve", "--port", "0", "--key-dir", str(key_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    exports: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "KALSHI_KLEAR_ACCESS_TOKEN" not in exports:
            line = proc.stdout.readline()
            if not line:
                break
            match = re.match(r"\s*export (\w+)=(\S+)", line)
            if match:
                exports[match.group(1)] = match.group(2).strip("'")
        assert "KALSHI_PERPS_API_BASE_URL" in exports, exports
        yield exports
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def run(snippet: str, exports: dict[str, str], tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALSHI_")} | exports
    path = tmp_path / "snippet.py"
    path.write_text(snippet)
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER)
    done = subprocess.run(
        [sys.executable, str(runner), str(path)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_readmes_have_their_snippets() -> None:
    assert len(PERPS) == 4
    assert len(KLEAR) == 3


def preflight(served: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail before any request unless the README's `from_env(demo=True)` resolves to the simulator."""
    from kalshi_perps import AsyncPerpsClient, PerpsClient

    for name, value in served.items():
        monkeypatch.setenv(name, value)
    with PerpsClient.from_env(demo=True) as client:
        assert client.base_url.startswith(served["KALSHI_PERPS_API_BASE_URL"]), client.base_url
    assert AsyncPerpsClient.from_env(demo=True).base_url.startswith(served["KALSHI_PERPS_API_BASE_URL"])


def test_perps_sync_rest_snippet(served: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preflight(served, monkeypatch)
    out = run(PERPS[0], served, tmp_path)
    assert out.splitlines()[0] == "True"
    assert "BTC-PERP 96999.0000 97001.0000" in out
    assert "0 0.0000 0.0000" in out  # subaccount 0: no positions, no maintenance margin


def test_perps_async_rest_snippet(served: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preflight(served, monkeypatch)
    run(PERPS[1], served, tmp_path)


def test_perps_order_snippet_places_and_cancels(served: dict[str, str], tmp_path: Path) -> None:
    assert "CreateMarginOrderRequest(" in PERPS[2]
    run(PERPS[2], served, tmp_path)
    check = (
        "from kalshi_perps import PerpsClient\n"
        "with PerpsClient.from_env() as p:\n"
        "    print([o.remaining_count for o in p.orders.list()])\n"
    )
    assert run(check, served, tmp_path).strip() == "[Decimal('0.00')]"  # placed, then cancelled


def test_perps_websocket_snippet_can_be_pointed_by_env(served: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from kalshi_perps import PerpsWebSocket

    for name, value in served.items():
        monkeypatch.setenv(name, value)
    # The snippet's first line; nothing connects here (a wrong URL would be the internet).
    ws = PerpsWebSocket.from_env(demo=True)
    assert ws.url == served["KALSHI_PERPS_WS_URL"]


def test_klear_snippets(served: dict[str, str], tmp_path: Path) -> None:
    out = run(KLEAR[0], served, tmp_path)
    assert "access_token='***'" in out
    assert served["KALSHI_KLEAR_ACCESS_TOKEN"] not in out
    out = run(KLEAR[1], served, tmp_path)
    assert out.splitlines()[-1] == "pending"  # the withdrawal is processed asynchronously
    run(KLEAR[2], served, tmp_path)
