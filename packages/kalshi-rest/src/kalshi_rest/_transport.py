"""The two drivers of the core's request flow: one sends with `httpx.Client`, one with `httpx.AsyncClient`.

They only move requests and responses, read bodies within their caps, call the event hooks and
sleep; every decision is made by `Core.flow`. Each attempt first takes a connection slot (a
semaphore the size of the pool, shared by a client and its `with_options` copies), and only then
builds and signs its request: with a thousand calls in flight, a signature is never minutes old
by the time a pooled connection frees up (a stale timestamp is a 401).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from ._core import Flow, Outcome, Send, Sleep
from ._errors import MAX_ERROR_BODY, KalshiResponseError

if TYPE_CHECKING:  # sync-only programs never import asyncio for this
    import asyncio
    import threading

__all__ = ["drive_async", "drive_sync", "slot_count"]


def slot_count(limits: httpx.Limits) -> int | None:
    """How many attempts may hold a connection at once: the pool's `max_connections` (None: unbounded)."""
    return limits.max_connections


def _no_slot(send: Send) -> httpx.PoolTimeout:
    return httpx.PoolTimeout(f"no connection slot free within {send.pool_timeout}s")


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
    slots: threading.BoundedSemaphore | None = None,
) -> httpx.Response:
    """Run `flow` to completion with blocking I/O; return the final response.

    With `slots`, each attempt holds one slot from before it is signed until its body is read.
    """
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
            if slots is not None and not slots.acquire(timeout=action.pool_timeout):
                outcome = _no_slot(action)
                continue
            try:
                request = action.request
                for hook in on_request:
                    hook(request)
                outcome = _read_sync(http.send(request, stream=True), action.max_body)
            except httpx.RequestError as exc:
                outcome = exc
            finally:
                if slots is not None:
                    slots.release()
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


async def _acquire(slots: asyncio.Semaphore, wait: float | None) -> bool:
    """Take a slot, waiting at most `wait` seconds; the free-slot path does not start a timer."""
    if not slots.locked() or wait is None:
        await slots.acquire()
        return True
    from asyncio import timeout

    try:
        async with timeout(wait):
            await slots.acquire()
    except TimeoutError:
        return False
    return True


async def drive_async(
    flow: Flow,
    http: httpx.AsyncClient,
    sleep: Callable[[float], Awaitable[object]],
    hooks: Mapping[str, Sequence[Callable[[Any], Any]]] | None = None,
    slots: asyncio.Semaphore | None = None,
) -> httpx.Response:
    """Run `flow` to completion on the event loop; return the final response (`slots` as for `drive_sync`)."""
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
            if slots is not None and not await _acquire(slots, action.pool_timeout):
                outcome = _no_slot(action)
                continue
            try:
                request = action.request
                for hook in on_request:
                    await _call(hook, request)
                outcome = await _read_async(await http.send(request, stream=True), action.max_body)
            except httpx.RequestError as exc:
                outcome = exc
            finally:
                if slots is not None:
                    slots.release()
            if isinstance(outcome, httpx.Response):
                for hook in on_response:
                    await _call(hook, outcome)
    except StopIteration as done:
        response: httpx.Response = done.value
        return response
