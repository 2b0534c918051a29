"""Fixtures for kalshi-klear tests; helpers live in `klear_support.py`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
