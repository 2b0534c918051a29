from __future__ import annotations

import importlib.metadata

import kalshi_fix


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_fix.__version__ == importlib.metadata.version("kalshi-fix")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-fix") or []
    assert any(str(f).endswith("kalshi_fix/py.typed") for f in files)
