from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi_auth


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_auth.__version__ == importlib.metadata.version("kalshi-auth")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi_auth.__file__).parent / "py.typed").is_file()
