"""The README demo (`uv run python examples/demo.py`) runs against the local simulator and exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_demo_runs_offline_and_exits_zero() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for step in ("1. Open markets", "3. Placed bid", "4. Cancelled it", "5. Streaming", "delta seq=", "Done"):
        assert step in out, out
    assert "127.0.0.1" in out
