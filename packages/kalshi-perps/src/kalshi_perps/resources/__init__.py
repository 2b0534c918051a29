"""Resource classes of the perps REST API (`Markets`/`AsyncMarkets`, `Orders`/`AsyncOrders`, ...).

Users reach them through a client (`perps.markets`); the classes are importable here for type
annotations. Each resource module is imported on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kalshi_perps.resources._generated import __all__ as _generated_all
from kalshi_perps.resources._generated import __getattr__ as _generated_getattr

if TYPE_CHECKING:
    from kalshi_perps.resources._generated import *  # noqa: F403

__all__ = [name for name in _generated_all if name[0].isupper() and not name.isupper()]


def __getattr__(name: str) -> object:
    value = _generated_getattr(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
