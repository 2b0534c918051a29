"""Typed models of the perps REST API, generated from specs/perps_openapi.yaml.

Import any model from here, e.g. `from kalshi_perps.models import MarginMarket, CreateMarginOrderRequest`.
Models load lazily, one spec tag at a time, on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kalshi_perps.models._generated import MODULES as _MODULES
from kalshi_perps.models._generated import __all__ as __all__
from kalshi_perps.models._generated import __getattr__ as _generated_getattr

if TYPE_CHECKING:
    from kalshi_perps.models._generated import *  # noqa: F403


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = _generated_getattr(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
