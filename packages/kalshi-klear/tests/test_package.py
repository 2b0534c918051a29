from __future__ import annotations

import importlib.metadata
from pathlib import Path

import kalshi_klear


def test_version_matches_distribution_metadata() -> None:
    assert kalshi_klear.__version__ == importlib.metadata.version("kalshi-klear")


def test_typed_marker_ships() -> None:
    assert (Path(kalshi_klear.__file__).parent / "py.typed").is_file()
