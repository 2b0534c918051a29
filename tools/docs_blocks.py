"""Run every Python code block of docs/, the top README and each package README against the simulator.

uv run pytest -q tools/docs_blocks.py             # what `nox -s docs` runs
uv run python tools/docs_blocks.py [--summary]    # list the blocks (--summary: the offline ones) and count them

Rules, the same for every page:

- A block is a fenced block whose info string starts with `python`. Blocks of one file run in
  order in one namespace, as a reader would run them top to bottom; each file starts afresh.
- `python -m kalshi_testing serve` runs once for the whole run, and each block sees exactly the
  environment variables it prints (every other `KALSHI_*` variable is removed), so
  `KalshiClient.from_env()` reaches the simulator with no edits to the page.
- Top-level `await` is allowed (as in `python -m asyncio`): such a block runs in `asyncio.run`.
- A block that cannot run offline is preceded by the line `<!-- blocks: offline REASON -->`, or
  starts with the comment `# blocks: offline REASON`. It is reported as skipped with its reason,
  and the run prints how many there are.
- A block that defines `test_*` functions taking pytest fixtures is also run by pytest, with the
  kalshi_testing plugin, so a test shown on a page is a test that passes.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = re.compile(r"<!--\s*blocks:\s*offline\s+(?P<reason>.+?)\s*-->")
OFFLINE_LINE = re.compile(r"^#\s*blocks:\s*offline\s+(?P<reason>.+?)\s*$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)\s*(?P<info>[^\n`]*)$")
BLOCK_TIMEOUT = 60  # seconds; a block that takes longer is a failure


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    source: str
    offline: str | None  # the reason, when marked

    @property
    def id(self) -> str:
        path = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{path}:{self.line}"


def documents() -> list[Path]:
    """Every page whose Python blocks are run: docs/**/*.md, README.md, packages/*/README.md."""
    return [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md", *sorted(ROOT.glob("packages/*/README.md"))]


def blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        i += 1
        if info.split(" ", 1)[0].lower() not in {"python", "py"}:
            continue
        marker = next(
            (OFFLINE.search(lines[j]) for j in range(start - 1, max(start - 3, -1), -1) if lines[j].strip()), None
        ) or (OFFLINE_LINE.match(body[0].strip()) if body else None)
        yield Block(path, start + 1, textwrap.dedent("\n".join(body)) + "\n", marker["reason"] if marker else None)


def all_blocks() -> list[Block]:
    return [block for path in documents() for block in blocks(path)]


# --- the simulator, started once ----------------------------------------------------------------


def serve() -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start `python -m kalshi_testing serve --port 0` and return it with the variables it exports."""
    key_dir = tempfile.mkdtemp(prefix="kalshi-blocks-")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kalshi_testing",
            "serve",
            "--port",
            "0",
            "--fix-ports",
            "ephemeral",
            "--key-dir",
            key_dir,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    watchdog = threading.Timer(60, proc.kill)  # a serve that never finishes its banner is killed
    watchdog.start()
    exports: dict[str, str] = {}
    seen: list[str] = []
    for _ in range(200):  # bounded: serve prints a few dozen lines, then waits
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.strip().startswith("export "):
            for pair in shlex.split(line.strip())[1:]:
                name, _, value = pair.partition("=")
                exports[name] = value
        if "Ctrl+C" in line:
            watchdog.cancel()
            return proc, exports
    proc.kill()
    raise RuntimeError("the simulator did not start:\n" + "".join(seen))


# --- running a block -----------------------------------------------------------------------------


class BlockTimeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise BlockTimeout(f"block still running after {BLOCK_TIMEOUT} s")


def run_block(block: Block, namespace: dict[str, Any]) -> None:
    """Execute one block in `namespace` (top-level await allowed), bounded by BLOCK_TIMEOUT."""
    code = compile(block.source, block.id, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(BLOCK_TIMEOUT)
    try:
        result = eval(code, namespace)
        if inspect.iscoroutine(result):
            asyncio.run(result)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    tests = [name for name, value in namespace.items() if name.startswith("test_") and inspect.isfunction(value)]
    fresh = [name for name in tests if namespace[name].__code__.co_filename == block.id]
    if fresh:
        _pytest_block(block)


def _pytest_block(block: Block) -> None:
    """Run the tests a block defines with pytest (and the kalshi_testing plugin), in a child process."""
    with tempfile.TemporaryDirectory(prefix="kalshi-blocks-") as tmp:
        name = re.sub(r"\W", "_", block.id)
        target = Path(tmp) / f"test_{name}.py"
        target.write_text(block.source)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp, str(target)],
            check=False,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT * 2,
            cwd=tmp,
        )
    if result.returncode != 0:
        raise AssertionError(f"the tests in {block.id} failed under pytest:\n{result.stdout[-3000:]}{result.stderr}")


# --- pytest entry points -------------------------------------------------------------------------

BLOCKS = all_blocks()
_NAMESPACES: dict[Path, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def simulator_env() -> Iterator[dict[str, str]]:
    proc, exports = serve()
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith("KALSHI_")]:
        del os.environ[name]
    os.environ.update(exports)
    try:
        yield exports
    finally:
        os.environ.clear()
        os.environ.update(saved)
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_block(block: Block, simulator_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if block.offline:
        pytest.skip(f"offline marker: {block.offline}")
    namespace = _NAMESPACES.setdefault(block.path, {"__name__": "__main__"})
    monkeypatch.chdir(tmp_path)  # files a block writes land in a scratch directory
    run_block(block, namespace)


def main(argv: list[str]) -> int:
    offline = [b for b in BLOCKS if b.offline]
    for block in BLOCKS if "--summary" not in argv else offline:
        print(f"{block.id:<48} {'offline: ' + block.offline if block.offline else 'runs'}")
    pages = len({b.path for b in BLOCKS})
    print(f"{len(BLOCKS)} Python blocks in {pages} pages: {len(BLOCKS) - len(offline)} run, {len(offline)} offline")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
