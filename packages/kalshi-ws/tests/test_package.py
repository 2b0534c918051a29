from __future__ import annotations

import importlib.metadata

import kalshi_ws


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_ws.__version__ == importlib.metadata.version("kalshi-ws")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-ws") or []
    assert any(str(f).endswith("kalshi_ws/py.typed") for f in files)
