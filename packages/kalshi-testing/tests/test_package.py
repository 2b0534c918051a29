from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi_testing


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_testing.__version__ == importlib.metadata.version("kalshi-testing")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi_testing.__file__).parent / "py.typed").is_file()
