"""Helpers for kalshi-klear tests (importable from any test here; `conftest.py` puts this folder on sys.path)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from kalshi_auth import KalshiConfig

ADMIN = "admin-user-1"
TOKEN = "tok-SECRET-5e1f9c"  # a fake token; tests prove it never leaks
BASE = "https://api.klear.kalshi.com/klear-api/v1"
DEMO_BASE = "https://demo-api.kalshi.co/klear-api/v1"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that records requests and answers from a queue (or one fixed reply)."""

    def __init__(self, *replies: httpx.Response | Callable[[httpx.Request], httpx.Response]) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request) if callable(reply) else reply

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def ok(payload: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=payload)


FAST = KalshiConfig(retry_base_delay=0.0, retry_max_delay=0.0, max_retries=2)
"""Production environment, retries without waiting."""
