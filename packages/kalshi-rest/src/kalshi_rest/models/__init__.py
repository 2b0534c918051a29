"""Typed models of the prediction REST API, generated from specs/openapi.yaml.

Import any model from here, e.g. `from kalshi_rest.models import Market, CreateOrderV2Request`.
Models load lazily, one spec tag at a time, on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kalshi_rest._lazy import reexport

if TYPE_CHECKING:
    from kalshi_rest.models._generated import *  # noqa: F403

__all__, __getattr__, __dir__ = reexport(__name__, "kalshi_rest.models._generated")
