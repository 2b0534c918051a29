from __future__ import annotations

import importlib.metadata

import kalshi


def test_version_matches_distribution_metadata() -> None:
    assert kalshi.__version__ == importlib.metadata.version("kalshi-sdk")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-sdk") or []
    assert any(str(f).endswith("kalshi/py.typed") for f in files)
