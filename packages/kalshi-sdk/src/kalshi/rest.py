"""The prediction REST client: everything `kalshi_rest` exports."""

from __future__ import annotations

from kalshi_rest import *  # noqa: F403
from kalshi_rest import __all__ as __all__  # noqa: PLC0414
