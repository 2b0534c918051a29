from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi


def test_version_matches_distribution_metadata() -> None:
    assert kalshi.__version__ == importlib.metadata.version("kalshi-sdk")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi.__file__).parent / "py.typed").is_file()
