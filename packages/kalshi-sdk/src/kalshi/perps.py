"""The Perps (margin) REST and WebSocket clients: everything `kalshi_perps` exports."""

from __future__ import annotations

from kalshi_perps import *  # noqa: F403
from kalshi_perps import __all__ as __all__  # noqa: PLC0414
