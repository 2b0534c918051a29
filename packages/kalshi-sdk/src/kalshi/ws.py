"""The WebSocket API: everything `kalshi_ws` exports (`from kalshi.ws import KalshiWebSocket`)."""

from __future__ import annotations

from kalshi_ws import *  # noqa: F403
from kalshi_ws import __all__ as __all__  # noqa: PLC0414
