"""The docs tooling: the block runner finds and runs the right blocks; the reference pages are current."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"kalshi_docs_{name}", ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


blocks_tool = _tool("docs_blocks")

PAGE = """# A page

```bash
echo not python
```

```python
x = 1
```

<!-- blocks: offline needs Kalshi's production gateway -->
```python
raise SystemExit("never run")
```

- a list item with an indented block:

    ```python
    y = x + 1
    ```

```python
# blocks: offline needs a FIX gateway
z = 3
```

````markdown
```python
not_a_block = True
```
````
"""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.md"
    path.write_text(PAGE)
    return path


def test_finds_python_blocks_only_with_their_markers(page: Path) -> None:
    found = list(blocks_tool.blocks(page))
    assert [b.source for b in found] == [
        "x = 1\n",
        'raise SystemExit("never run")\n',
        "y = x + 1\n",
        "# blocks: offline needs a FIX gateway\nz = 3\n",
    ]
    assert [b.offline for b in found] == [None, "needs Kalshi's production gateway", None, "needs a FIX gateway"]
    assert [b.line for b in found] == [7, 12, 18, 22]


def test_blocks_of_a_page_share_one_namespace_and_may_await(page: Path) -> None:
    first, _, indented, _ = blocks_tool.blocks(page)
    namespace: dict[str, object] = {"__name__": "__main__"}
    blocks_tool.run_block(first, namespace)
    blocks_tool.run_block(indented, namespace)
    assert namespace["y"] == 2
    awaiting = blocks_tool.Block(page, 1, "import asyncio\nawait asyncio.sleep(0)\ndone = True\n", None)
    blocks_tool.run_block(awaiting, namespace)
    assert namespace["done"] is True


def test_a_failing_block_fails(page: Path) -> None:
    broken = blocks_tool.Block(page, 1, "assert 1 == 2, 'the page is wrong'\n", None)
    with pytest.raises(AssertionError, match="the page is wrong"):
        blocks_tool.run_block(broken, {})


def test_every_page_is_covered() -> None:
    pages = {b.path for b in blocks_tool.all_blocks()}
    assert ROOT / "README.md" in pages
    assert ROOT / "docs" / "getting-started.md" in pages
    assert {p.parent.name for p in pages if p.name == "README.md"} >= {"kalshi-rest", "kalshi-ws", "kalshi-testing"}


def test_reference_pages_match_the_packages() -> None:
    reference = _tool("docs_reference")
    for dist in reference.PAGES:
        page = ROOT / "docs" / "reference" / f"{dist}.md"
        assert page.read_text() == reference.render(dist), f"run `uv run python tools/docs_reference.py` ({dist})"
