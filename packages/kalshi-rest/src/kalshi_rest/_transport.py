"""The two drivers of the core's request flow: one sends with `httpx.Client`, one with `httpx.AsyncClient`.

They only move requests and responses and sleep; every decision is made by `Core.flow`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from ._core import Flow, Outcome, Sleep

__all__ = ["drive_async", "drive_sync"]


def drive_sync(flow: Flow, http: httpx.Client, sleep: Callable[[float], object]) -> httpx.Response:
    """Run `flow` to completion with blocking I/O; return the final response."""
    outcome: Outcome = None
    try:
        while True:
            action = flow.send(outcome)
            if isinstance(action, Sleep):
                sleep(action.seconds)
                outcome = None
                continue
            try:
                outcome = http.send(action.request)
            except httpx.RequestError as exc:
                outcome = exc
    except StopIteration as done:
        response: httpx.Response = done.value
        return response


async def drive_async(
    flow: Flow, http: httpx.AsyncClient, sleep: Callable[[float], Awaitable[object]]
) -> httpx.Response:
    """Run `flow` to completion on the event loop; return the final response."""
    outcome: Outcome = None
    try:
        while True:
            action = flow.send(outcome)
            if isinstance(action, Sleep):
                await sleep(action.seconds)
                outcome = None
                continue
            try:
                outcome = await http.send(action.request)
            except httpx.RequestError as exc:
                outcome = exc
    except StopIteration as done:
        response: httpx.Response = done.value
        return response
