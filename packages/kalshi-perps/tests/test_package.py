from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi_perps


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_perps.__version__ == importlib.metadata.version("kalshi-perps")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi_perps.__file__).parent / "py.typed").is_file()
