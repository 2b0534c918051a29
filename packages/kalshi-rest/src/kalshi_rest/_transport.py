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


def _limit(response: httpx.Response, max_body: int) -> int:
    return max_body if 200 <= response.status_code < 300 else MAX_ERROR_BODY


def _too_large(response: httpx.Response, limit: int) -> KalshiResponseError:
    return KalshiResponseError(
        f"{response.request.method} {response.request.url.path}: the body is larger than {limit} bytes "
        "(KalshiConfig(max_response_bytes=...)); refused unread",
        status_code=response.status_code,
    )


def _read_sync(response: httpx.Response, max_body: int) -> httpx.Response | Exception:
    limit = _limit(response, max_body)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                if 200 <= response.status_code < 300:
                    return _too_large(response, limit)
                chunks.append(chunk[: len(chunk) - (size - limit)])
                break
            chunks.append(chunk)
    finally:
        response.close()
    response._content = b"".join(chunks)  # what `Response.read()` sets; the stream is closed
    return response


async def _read_async(response: httpx.Response, max_body: int) -> httpx.Response | Exception:
    limit = _limit(response, max_body)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                if 200 <= response.status_code < 300:
                    return _too_large(response, limit)
                chunks.append(chunk[: len(chunk) - (size - limit)])
                break
            chunks.append(chunk)
    finally:
        await response.aclose()
    response._content = b"".join(chunks)
    return response


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
