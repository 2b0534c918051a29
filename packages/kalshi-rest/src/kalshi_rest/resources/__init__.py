"""Resource classes of the prediction REST API (`Markets`/`AsyncMarkets`, `Orders`/`AsyncOrders`, ...).

Users reach them through a client (`client.markets`); the classes are importable here for type
annotations. Each resource module is imported on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kalshi_rest._lazy import reexport

if TYPE_CHECKING:
    from kalshi_rest.resources._generated import *  # noqa: F403

__all__, __getattr__, __dir__ = reexport(
    __name__, "kalshi_rest.resources._generated", lambda name: name[0].isupper() and not name.isupper()
)
