"""Typed REST models generated from Kalshi's OpenAPI spec: everything `kalshi_rest.models` exports."""

from __future__ import annotations

from kalshi_rest.models import *  # noqa: F403
from kalshi_rest.models import __all__ as __all__  # noqa: PLC0414
