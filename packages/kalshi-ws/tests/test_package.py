from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi_ws


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_ws.__version__ == importlib.metadata.version("kalshi-ws")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi_ws.__file__).parent / "py.typed").is_file()
