"""Load the example scripts (examples/ is not a package) and start a simulator for each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))  # what `python examples/<script>.py` puts there too


@pytest.fixture
def conn() -> Iterator[object]:
    """A Connection to a fresh local simulator, with a funded example user."""
    from _connect import connect

    with connect(True) as connection:
        yield connection
