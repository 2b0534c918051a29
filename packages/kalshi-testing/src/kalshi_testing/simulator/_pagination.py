"""Cursor pagination with the spec's page-size limits, and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import contextvars
from collections.abc import Mapping, Sequence
from typing import TypeVar

from ._exchange import ExchangeError

__all__ = ["EMPTY_CURSOR_IS_ERROR", "LIMITS", "paginate"]

T = TypeVar("T")

EMPTY_CURSOR_IS_ERROR: contextvars.ContextVar[bool] = contextvars.ContextVar("empty_cursor_is_error", default=True)
"""Realistic mode: an empty `cursor=` is a 400 (observed); spec-exact mode treats it as absent."""

LIMITS: dict[str, tuple[int, int, int]] = {
    "markets": (0, 1000, 100),
    "trades": (0, 1000, 100),
    "events": (1, 200, 200),
    "orders": (1, 1000, 100),
    "fills": (1, 1000, 100),
    "positions": (1, 1000, 100),
    "transfers": (1, 500, 100),
    "rfqs": (1, 100, 100),
    "rfq_batches": (1, 20, 20),
    "quotes": (1, 500, 500),
    "block_trades": (1, 100, 100),
    "mve_events": (1, 200, 100),
    "fee_changes": (1, 1000, 100),
    "milestones": (1, 500, 100),
    "collections": (1, 200, 100),
    "incentives": (1, 10000, 100),
    "structured_targets": (1, 2000, 100),
    "margin_orders": (1, 10000, 10000),
    "margin_fills": (1, 1000, 100),
    "margin_trades": (1, 1000, 100),
    "klear_obligations": (1, 100, 20),
    "klear_details": (1, 1000, 1000),
    "klear_funding": (1, 10000, 1000),
    "klear_balance_history": (1, 500, 100),
}
"""Per list: (minimum, maximum, default) of `limit`, from openapi.yaml (`margin_*`: perps_openapi.yaml;
`klear_*`: perps_scm_openapi.yaml)."""


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"sim:{offset}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, offset = text.partition(":")
        if prefix != "sim" or not offset.isdigit():
            raise ValueError(cursor)
        return int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ExchangeError(400, "invalid_parameters", "invalid cursor", "cursor") from None


def paginate(items: Sequence[T], query: Mapping[str, str], kind: str) -> tuple[list[T], str]:
    """Return (page, next cursor or "") for a list, validating `limit` and `cursor` like Kalshi.

    An empty `cursor=` is a 400, as Kalshi answers (observed), unless `EMPTY_CURSOR_IS_ERROR` is off.
    """
    low, high, default = LIMITS[kind]
    raw = query.get("limit")
    limit = default
    if raw is not None:
        if not raw.lstrip("-").isdigit():
            raise ExchangeError(400, "invalid_parameters", "limit must be an integer", "limit")
        limit = int(raw)
        if not low <= limit <= high:
            raise ExchangeError(400, "invalid_parameters", f"limit must be between {low} and {high}", "limit")
        if limit == 0:
            limit = default
    start = 0
    if "cursor" in query and (query["cursor"] or EMPTY_CURSOR_IS_ERROR.get()):
        if not query["cursor"]:
            raise ExchangeError(400, "invalid_parameters", "cursor must not be empty", "cursor")
        start = _decode(query["cursor"])
    page = list(items[start : start + limit])
    more = start + limit < len(items)
    return page, _encode(start + limit) if more else ""
