from __future__ import annotations

import importlib.metadata

import kalshi_perps


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_perps.__version__ == importlib.metadata.version("kalshi-perps")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-perps") or []
    assert any(str(f).endswith("kalshi_perps/py.typed") for f in files)
