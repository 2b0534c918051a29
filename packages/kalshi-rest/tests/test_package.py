from __future__ import annotations

import importlib.metadata

import kalshi_rest


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_rest.__version__ == importlib.metadata.version("kalshi-rest")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-rest") or []
    assert any(str(f).endswith("kalshi_rest/py.typed") for f in files)
