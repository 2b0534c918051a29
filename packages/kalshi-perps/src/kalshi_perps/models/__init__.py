"""Typed models of the perps REST API, generated from specs/perps_openapi.yaml.

Import any model from here, e.g. `from kalshi_perps.models import MarginMarket, CreateMarginOrderRequest`.
Models load lazily, one spec tag at a time, on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kalshi_rest.extension import reexport

if TYPE_CHECKING:
    from kalshi_perps.models._generated import *  # noqa: F403

__all__, __getattr__, __dir__ = reexport(__name__, "kalshi_perps.models._generated")
