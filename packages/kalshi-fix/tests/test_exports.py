"""The package root: a sorted, complete `__all__`, lazy loading, and a light `import kalshi_fix`."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kalshi_fix


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert kalshi_fix.__all__ == sorted(kalshi_fix.__all__)
    for name in kalshi_fix.__all__:
        assert getattr(kalshi_fix, name) is not None, name


def test_message_classes_resolve_from_the_root() -> None:
    from kalshi_fix.messages import ExecutionReport, NewOrderSingle, Side

    assert kalshi_fix.NewOrderSingle is NewOrderSingle
    assert kalshi_fix.ExecutionReport is ExecutionReport
    assert kalshi_fix.Side is Side


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        kalshi_fix.NoSuchThing  # noqa: B018


def test_import_loads_nothing_heavy() -> None:
    code = "import sys, kalshi_fix; print(sorted(m for m in sys.modules if m.startswith(('kalshi', 'crypto'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['kalshi_fix']"
