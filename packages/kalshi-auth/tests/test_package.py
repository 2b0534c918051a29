from __future__ import annotations

import importlib.metadata

import kalshi_auth


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_auth.__version__ == importlib.metadata.version("kalshi-auth")


def test_typed_marker_ships() -> None:
    files = importlib.metadata.files("kalshi-auth") or []
    assert any(str(f).endswith("kalshi_auth/py.typed") for f in files)
