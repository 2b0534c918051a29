"""Typed models of the Klear clearing-member API, generated from specs/perps_scm_openapi.yaml.

Import any model from here, e.g. `from kalshi_klear.models import ObligationEntry, WithdrawSettlementBalanceRequest`.
Models load lazily, one resource module at a time, on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kalshi_rest.extension import reexport

if TYPE_CHECKING:
    from kalshi_klear.models._generated import *  # noqa: F403

__all__, __getattr__, __dir__ = reexport(__name__, "kalshi_klear.models._generated")
