"""The two drivers of the core's request flow: one sends with `httpx.Client`, one with `httpx.AsyncClient`.

They only move requests and responses, read bodies within their caps, call the event hooks and
sleep; every decision is made by `Core.flow`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from ._core import Flow, Outcome, Send, Sleep
from ._errors import MAX_ERROR_BODY, KalshiResponseError

__all__ = ["drive_async", "drive_sync"]


class _Capped:
    """Collects a body's chunks up to the cap for its status; `add` says when to stop reading."""

    __slots__ = ("chunks", "limit", "ok", "size")

    def __init__(self, response: httpx.Response, max_body: int) -> None:
        self.ok = 200 <= response.status_code < 300
        self.limit = max_body if self.ok else MAX_ERROR_BODY
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep `chunk` (cut at the cap); True once the cap is reached."""
        self.size += len(chunk)
        if self.size <= self.limit:
            self.chunks.append(chunk)
            return False
        self.chunks.append(chunk[: len(chunk) - (self.size - self.limit)])
        return True

    def result(self, response: httpx.Response, over: bool) -> httpx.Response | Exception:
        if over and self.ok:  # a success body past the cap is refused, not truncated
            return KalshiResponseError(
                f"{response.request.method} {response.request.url.path}: the body is larger than {self.limit} "
                "bytes (KalshiConfig(max_response_bytes=...)); refused unread",
                status_code=response.status_code,
            )
        response._content = b"".join(self.chunks)  # what `Response.read()` sets; the stream is closed
        return response


def _read_sync(response: httpx.Response, max_body: int) -> httpx.Response | Exception:
    body, over = _Capped(response, max_body), False
    try:
        for chunk in response.iter_bytes():
            if over := body.add(chunk):
                break
    finally:
        response.close()
    return body.result(response, over)


async def _read_async(response: httpx.Response, max_body: int) -> httpx.Response | Exception:
    body, over = _Capped(response, max_body), False
    try:
        async for chunk in response.aiter_bytes():
            if over := body.add(chunk):
                break
    finally:
        await response.aclose()
    return body.result(response, over)


def drive_sync(
    flow: Flow,
    http: httpx.Client,
    sleep: Callable[[float], object],
    hooks: Mapping[str, Sequence[Callable[[Any], Any]]] | None = None,
) -> httpx.Response:
    """Run `flow` to completion with blocking I/O; return the final response."""
    on_request, on_response = (hooks or {}).get("request", ()), (hooks or {}).get("response", ())
    outcome: Outcome = None
    try:
        while True:
            action = flow.send(outcome)
            if isinstance(action, Sleep):
                sleep(action.seconds)
                outcome = None
                continue
            assert isinstance(action, Send)
            for hook in on_request:
                hook(action.request)
            try:
                outcome = _read_sync(http.send(action.request, stream=True), action.max_body)
            except httpx.RequestError as exc:
                outcome = exc
            if isinstance(outcome, httpx.Response):
                for hook in on_response:
                    hook(outcome)
    except StopIteration as done:
        response: httpx.Response = done.value
        return response


async def _call(hook: Callable[[Any], Any], value: object) -> None:
    result = hook(value)
    if inspect.isawaitable(result):
        await result


async def drive_async(
    flow: Flow,
    http: httpx.AsyncClient,
    sleep: Callable[[float], Awaitable[object]],
    hooks: Mapping[str, Sequence[Callable[[Any], Any]]] | None = None,
) -> httpx.Response:
    """Run `flow` to completion on the event loop; return the final response."""
    on_request, on_response = (hooks or {}).get("request", ()), (hooks or {}).get("response", ())
    outcome: Outcome = None
    try:
        while True:
            action = flow.send(outcome)
            if isinstance(action, Sleep):
                await sleep(action.seconds)
                outcome = None
                continue
            assert isinstance(action, Send)
            for hook in on_request:
                await _call(hook, action.request)
            try:
                outcome = await _read_async(await http.send(action.request, stream=True), action.max_body)
            except httpx.RequestError as exc:
                outcome = exc
            if isinstance(outcome, httpx.Response):
                for hook in on_response:
                    await _call(hook, outcome)
    except StopIteration as done:
        response: httpx.Response = done.value
        return response
