"""Request parsing and replies shared by the Klear routes (specs/perps_scm_openapi.yaml)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from aiohttp import web

from kalshi_testing.simulator._pagination import paginate
from kalshi_testing.simulator._state import ExchangeError

from ._ledger import KLEAR

__all__ = ["Body", "error", "page", "query", "query_asset_class", "query_date", "reply"]

Body = dict[str, Any] | None


def reply(body: Body, status: int) -> web.Response:
    if body is None:
        return web.Response(status=status)
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, separators=(",", ":")))


def error(status: int, code: str, message: str) -> web.Response:
    return reply(KLEAR.rest("Error", code=code, message=message, service="klear"), status)


def query(request: web.Request, name: str) -> str:
    value = request.query.get(name)
    if not value:
        raise ExchangeError(400, "invalid_parameters", f"{name} is required", name)
    return value


def query_date(request: web.Request, name: str) -> date:
    try:
        return date.fromisoformat(query(request, name))
    except ValueError:
        raise ExchangeError(400, "invalid_parameters", f"{name} must be a date", name) from None


def query_asset_class(request: web.Request) -> str:
    value = query(request, "asset_class")
    if value not in KLEAR.enums["AssetClass"]:
        raise ExchangeError(400, "invalid_parameters", f"asset_class must be one of {KLEAR.enums['AssetClass']}")
    return value


def page(items: list[dict[str, Any]], request: web.Request, kind: str, key: str, schema: str) -> Body:
    """A cursor page; `cursor` is absent when there are no more results (perps_scm_openapi.yaml)."""
    page, cursor = paginate(items, request.query, kind)
    values: dict[str, Any] = {key: page}
    if cursor:
        values["cursor"] = cursor
    return KLEAR.rest(schema, **values)
