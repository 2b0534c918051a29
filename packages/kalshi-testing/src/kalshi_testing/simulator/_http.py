"""What every REST routes module shares: the JSON reply, query and body readers, the caller."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ._auth import KeyRegistry
from ._exchange import Exchange, ExchangeError
from ._generated.openapi_shapes import OBJECTS, OPERATIONS
from ._ratelimit import RateLimits
from ._realistic import Realism
from ._shapes import rest
from ._state import check_body

__all__ = [
    "API_PREFIX",
    "USER",
    "RouteBase",
    "answer",
    "error_reply",
    "in_window",
    "int_query",
    "operation_body",
    "read_body",
    "reply",
]

API_PREFIX = "/trade-api/v2"
USER: contextvars.ContextVar[str] = contextvars.ContextVar("kalshi_user")
"""The authenticated user of the request being served."""


def reply(body: Any, status: int = 200) -> web.Response:
    """A compact JSON response."""
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, separators=(",", ":")))


def answer(operation: str, **values: Any) -> web.Response:
    """The success answer of spec operation `operation`: its status and response schema (204: no body)."""
    _, _, status, schema, _, _, _ = OPERATIONS[operation]
    if not schema:  # the spec declares no body (204, and a few 200/201)
        return web.Response(status=status)
    return reply(rest(schema, **values) if schema in OBJECTS else values, status)


async def operation_body(request: web.Request, operation: str) -> dict[str, Any]:
    """The request body of `operation`, checked against its request schema (unknown or missing fields: 400)."""
    schema = OPERATIONS[operation][4]
    body = await read_body(request)
    return check_body(schema, body) if schema and schema != "EmptyResponse" else body if isinstance(body, dict) else {}


def error_reply(exc: ExchangeError, headers: dict[str, str] | None = None) -> web.Response:
    """Kalshi's error body with the error's status."""
    return web.json_response(exc.body(), status=exc.status, headers=headers)


def int_query(query: Any, name: str) -> int | None:
    """An optional integer query parameter; anything else is a 400."""
    raw = query.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ExchangeError(400, "invalid_parameters", f"{name} must be an integer", name) from None


def in_window(query: Any, seconds: int) -> bool:
    """Whether epoch `seconds` lies within the query's optional `min_ts` / `max_ts` (seconds)."""
    lo, hi = int_query(query, "min_ts"), int_query(query, "max_ts")
    return (lo is None or seconds >= lo) and (hi is None or seconds <= hi)


async def read_body(request: web.Request) -> Any:
    """The JSON request body ({} when absent); malformed JSON is a 400."""
    if not request.body_exists:
        return {}
    try:
        return await request.json()
    except json.JSONDecodeError:
        raise ExchangeError(400, "invalid_parameters", "the request body is not valid JSON") from None


class RouteBase:
    """The state route handlers read; `RestSurface` sets it."""

    exchange: Exchange
    keys: KeyRegistry
    realism: Realism
    clock: Callable[[], int]
    rate_limits: RateLimits | None
