"""The Klear clearing-member client: everything `kalshi_klear` exports."""

from __future__ import annotations

from kalshi_klear import *  # noqa: F403
from kalshi_klear import __all__ as __all__  # noqa: PLC0414
