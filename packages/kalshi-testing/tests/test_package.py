from __future__ import annotations

import importlib.metadata

import kalshi_testing


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_testing.__version__ == importlib.metadata.version("kalshi-testing")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-testing") or []
    assert any(str(f).endswith("kalshi_testing/py.typed") for f in files)
