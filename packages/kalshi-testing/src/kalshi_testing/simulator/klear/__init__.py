"""The simulator's Klear (clearing-member) surface under `/klear-api/v1`, derived from the perps engine's accounts."""

from __future__ import annotations

from ._ledger import Ledger
from ._surface import KLEAR_PREFIX, KlearSurface, klear_surface

__all__ = ["KLEAR_PREFIX", "KlearSurface", "Ledger", "klear_surface"]
