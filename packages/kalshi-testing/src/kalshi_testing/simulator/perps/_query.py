"""Query parsing and replies shared by the perps REST routes."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from aiohttp import web

from kalshi_testing.simulator._exchange import ExchangeError
from kalshi_testing.simulator._ratelimit import retry_after_header

__all__ = [
    "Body",
    "Handler",
    "RateLimited",
    "as_coroutine",
    "epoch_ms",
    "in_window",
    "query_date",
    "query_int",
    "read_body",
    "reply",
    "required",
]

Body = dict[str, Any] | list[Any] | None
Handler = Callable[[web.Request, str], Awaitable[Body | tuple[Body, int]]]


def reply(body: Body, status: int = 200) -> web.Response:
    if status == 204 or body is None:
        return web.Response(status=status)
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, separators=(",", ":")))


def query_int(query: Any, name: str, *, required: bool = False) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        if required:
            raise ExchangeError(400, "invalid_parameters", f"{name} is required", name)
        return None
    try:
        return int(raw)
    except ValueError:
        raise ExchangeError(400, "invalid_parameters", f"{name} must be an integer", name) from None


def required(query: Any, name: str) -> str:
    value = query.get(name)
    if not value:
        raise ExchangeError(400, "invalid_parameters", f"{name} is required", name)
    return str(value)


def query_date(query: Any, name: str) -> date:
    try:
        return date.fromisoformat(required(query, name))
    except ValueError:
        raise ExchangeError(400, "invalid_parameters", f"{name} must be a date (YYYY-MM-DD)", name) from None


def epoch_ms(rfc3339: str) -> int:
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)


class RateLimited(ExchangeError):
    """A 429 with `Retry-After`, raised by a route that charges more tokens than the middleware did."""

    def __init__(self, wait: float) -> None:
        super().__init__(429, "too_many_requests", "too many requests")
        self.retry_after = retry_after_header(wait)


def in_window(ts_s: int, query: Any, low: str = "min_ts", high: str = "max_ts") -> bool:
    lo, hi = query_int(query, low), query_int(query, high)
    return (lo is None or ts_s >= lo) and (hi is None or ts_s <= hi)


def as_coroutine(fn: Callable[..., Any]) -> Handler:
    async def call(request: web.Request, user: str) -> Body | tuple[Body, int]:
        result = fn(request, user)
        if hasattr(result, "__await__"):
            result = await result
        return result  # type: ignore[no-any-return]

    return call


async def read_body(request: web.Request) -> Any:
    """The JSON request body (`{}` when there is none); 400 when it is not JSON."""
    if not request.body_exists:
        return {}
    try:
        return await request.json()
    except ValueError:
        raise ExchangeError(400, "invalid_parameters", "the request body is not valid JSON") from None
