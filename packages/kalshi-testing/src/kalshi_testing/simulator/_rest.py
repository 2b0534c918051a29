"""The simulator's REST surface: aiohttp routes under `/trade-api/v2`, in the spec's shapes.

`RestSurface` holds the middleware (faults, auth, rate limits, errors); the operations live in
routes modules per tag family (`_routes_market`, `_routes_portfolio`, `_routes_orders`), each
with a `ROUTES` table.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._auth import KeyRegistry
from ._exchange import Exchange, ExchangeError
from ._faults import Faults
from ._generated.openapi_shapes import OPERATIONS
from ._http import API_PREFIX, USER, error_reply, reply
from ._pagination import EMPTY_CURSOR_IS_ERROR
from ._ratelimit import RateLimits, retry_after_header
from ._realistic import Realism
from ._routes_account import AccountRoutes
from ._routes_comms import CommunicationsRoutes
from ._routes_historical import HistoricalRoutes
from ._routes_market import MarketRoutes
from ._routes_orders import OrderRoutes
from ._routes_portfolio import PortfolioRoutes
from ._routes_reference import ReferenceRoutes

__all__ = ["API_PREFIX", "RestSurface"]

_log = logging.getLogger("kalshi.testing")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RestSurface(
    MarketRoutes,
    PortfolioRoutes,
    OrderRoutes,
    CommunicationsRoutes,
    AccountRoutes,
    ReferenceRoutes,
    HistoricalRoutes,
):
    """Serves every route; all state lives in the shared `Exchange`."""

    def __init__(
        self,
        exchange: Exchange,
        keys: KeyRegistry,
        faults: Faults,
        clock: Callable[[], int],
        rate_limits: RateLimits | None = None,
        *,
        realism: Realism | None = None,
    ) -> None:
        self.realism = realism or Realism(enabled=False)
        self.exchange = exchange
        self.rate_limits = rate_limits
        self.keys = keys
        self.faults = faults
        self.clock = clock
        self.requests: deque[list[Any]] = deque(maxlen=10_000)
        """[method, path below /trade-api/v2, status (0 while unanswered)] of recent requests, oldest first."""
        self._signed_routes: set[tuple[str, str]] = set()
        self._operation_of: dict[tuple[str, str], str] = {}

    def install(self, app: web.Application) -> None:
        """Add the middleware and every route to `app`; a literal segment wins over a `{template}`."""
        app.middlewares.append(self._middleware)
        table = [(op, name) for cls in type(self).__mro__ for op, name in vars(cls).get("OPERATIONS", {}).items()]
        for op, name in sorted(table, key=lambda r: [(s.startswith("{"), s) for s in OPERATIONS[r[0]][1].split("/")]):
            method, path, _, _, _, secured, _ = OPERATIONS[op]
            app.router.add_route(method, API_PREFIX + path, getattr(self, name))
            self._operation_of[(method, API_PREFIX + path)] = op
            if secured:
                self._signed_routes.add((method, API_PREFIX + path))

    def _secured(self, request: web.Request) -> bool:
        """Whether the spec lists security on the operation this request routes to."""
        resource = request.match_info.route.resource
        return resource is not None and (request.method, resource.canonical) in self._signed_routes

    def _realistic(self, request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
        """Reshape a successful JSON answer as the exchange sends it (realistic mode)."""
        if not self.realism.enabled or not isinstance(response, web.Response) or not 200 <= response.status < 300:
            return response
        resource = request.match_info.route.resource
        operation = self._operation_of.get((request.method, resource.canonical if resource else ""))
        if operation is None or not isinstance(response.body, bytes) or not response.body:
            return response
        body = json.loads(response.body)
        if request.method == "POST":
            self.realism.created(body)
        return reply(self.realism.rest_body(operation, body), response.status)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if not path.startswith(API_PREFIX):
            return await handler(request)
        entry = [request.method, path[len(API_PREFIX) :], 0]  # logged on arrival; status 0 until answered
        self.requests.append(entry)
        response = await self._serve(request, handler, path[len(API_PREFIX) :])
        entry[2] = response.status
        return response

    async def _serve(self, request: web.Request, handler: Handler, rel: str) -> web.StreamResponse:
        slow = 0.0
        for fault in self.faults.take_rest(request.method, rel):
            if fault.kind == "latency":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "slow":
                slow += fault.delay
            elif fault.kind == "rate_limit":
                headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
                return error_reply(ExchangeError(429, "too_many_requests", "too many requests"), headers)
            else:
                return error_reply(ExchangeError(fault.status, "internal_server_error", "injected server error"))
        try:
            signed = any(h in request.headers for h in ("KALSHI-ACCESS-KEY", "KALSHI-ACCESS-SIGNATURE"))
            user = None
            if signed or self._secured(request):
                user = self.keys.verify(request.method, request.raw_path, request.headers, self.clock())
                USER.set(user)
            if self.rate_limits is not None:
                body = await request.read() if request.body_exists else b""
                who = user or f"ip:{request.remote}"
                wait = self.rate_limits.charge(who, request.method, rel, body, self.clock())
                if wait is not None:
                    headers = {"Retry-After": retry_after_header(wait)}
                    return error_reply(ExchangeError(429, "too_many_requests", "too many requests"), headers)
            self.exchange.expire_orders()
            EMPTY_CURSOR_IS_ERROR.set(self.realism.enabled)
            if request.method == "GET" and self.realism.hidden(rel):
                raise ExchangeError(404, "not_found", "not found")
            response = await handler(request)
            response = self._realistic(request, response)
        except ExchangeError as exc:
            return error_reply(exc)
        except web.HTTPException as exc:
            if exc.status in (404, 405):  # no such route: Kalshi's JSON error body, not aiohttp's text
                return error_reply(ExchangeError(exc.status, "not_found", f"no route {request.method} {rel}"))
            raise
        except Exception:  # a simulator bug: answer like Kalshi's 500, keep serving, and say where
            _log.exception("simulator: unhandled error serving %s %s", request.method, request.path)
            return error_reply(ExchangeError(500, "internal_server_error", "internal server error"))
        if slow and isinstance(response, web.Response):
            return await self._slow(request, response, slow)
        return response

    @staticmethod
    async def _slow(request: web.Request, response: web.Response, delay: float) -> web.StreamResponse:
        stream = web.StreamResponse(status=response.status, headers=response.headers)
        await stream.prepare(request)
        await asyncio.sleep(delay)
        await stream.write(response.body if isinstance(response.body, bytes) else b"")
        await stream.write_eof()
        return stream
