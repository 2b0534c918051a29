"""Test support for kalshi-perps: a scripted `httpx.MockTransport` server."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


@dataclass
class Server:
    """Answers (method, path) with queued replies, raw JSON text or responses; records every request."""

    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    seen: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *replies: Reply | dict[str, Any] | str, status: int = 200) -> None:
        queue = self.routes.setdefault((method, "/trade-api/v2" + path), [])
        for reply in replies:
            if isinstance(reply, dict):
                queue.append(httpx.Response(status, json=reply))
            elif isinstance(reply, str):
                queue.append(
                    httpx.Response(status, content=reply.encode(), headers={"content-type": "application/json"})
                )
            else:
                queue.append(reply)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(404, json={"code": "not_found", "message": f"no route {request.url.path}"})
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        return reply(request) if callable(reply) else reply

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.seen]
