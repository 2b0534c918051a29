from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi_rest


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_rest.__version__ == importlib.metadata.version("kalshi-rest")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi_rest.__file__).parent / "py.typed").is_file()
