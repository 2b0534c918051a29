from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi_fix


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_fix.__version__ == importlib.metadata.version("kalshi-fix")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi_fix.__file__).parent / "py.typed").is_file()
