"""`kalshi` loads names lazily; the lazy table, the typing imports and `__all__` must agree."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import kalshi


def test_lazy_table_typing_imports_and_all_agree() -> None:
    tree = ast.parse(Path(kalshi.__file__).read_text())
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kalshi_"):
            typed.update({alias.name: node.module for alias in node.names})
    assert typed == kalshi._EXPORTS
    assert set(kalshi.__all__) == set(kalshi._EXPORTS)


def test_every_name_resolves_from_its_package() -> None:
    import importlib

    for name, module in kalshi._EXPORTS.items():
        assert getattr(kalshi, name) is getattr(importlib.import_module(module), name)


def test_import_is_cheap_and_fix_does_not_pull_http_stacks() -> None:
    code = (
        "import sys, kalshi; from kalshi import FixClient; "
        "print(','.join(m for m in ('httpx', 'pydantic', 'aiohttp', 'websockets') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
