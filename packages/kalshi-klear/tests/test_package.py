from __future__ import annotations

import importlib.metadata

import kalshi_klear


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_klear.__version__ == importlib.metadata.version("kalshi-klear")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-klear") or []
    assert any(str(f).endswith("kalshi_klear/py.typed") for f in files)
