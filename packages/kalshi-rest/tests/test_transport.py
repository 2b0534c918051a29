"""The two drivers: they move requests, responses and sleeps, and hide nothing."""

from __future__ import annotations

from collections.abc import Generator

import httpx
import pytest

from kalshi_rest._core import Outcome, Send, Sleep
from kalshi_rest._transport import drive_async, drive_sync


def scripted_flow(log: list[object]) -> Generator[Send | Sleep, Outcome, httpx.Response]:
    first = yield Send(httpx.Request("GET", "https://example.test/a"))
    log.append(first)
    slept = yield Sleep(0.25)
    log.append(slept)
    second = yield Send(httpx.Request("GET", "https://example.test/b"))
    assert isinstance(second, httpx.Response)
    return second


def handler(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/a":
        raise httpx.ConnectError("refused", request=request)
    return httpx.Response(200, text="ok")


def test_sync_driver_feeds_errors_and_sleeps_back() -> None:
    log: list[object] = []
    sleeps: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        response = drive_sync(scripted_flow(log), http, sleeps.append)
    assert response.text == "ok"
    assert isinstance(log[0], httpx.ConnectError)
    assert log[1] is None
    assert sleeps == [0.25]


async def test_async_driver_feeds_errors_and_sleeps_back() -> None:
    log: list[object] = []
    sleeps: list[float] = []

    async def asleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def ahandler(request: httpx.Request) -> httpx.Response:
        return handler(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(ahandler)) as http:
        response = await drive_async(scripted_flow(log), http, asleep)
    assert response.text == "ok"
    assert isinstance(log[0], httpx.ConnectError)
    assert sleeps == [0.25]


def test_a_bug_in_the_transport_is_not_disguised_as_a_network_error() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("bug in a custom transport")

    with httpx.Client(transport=httpx.MockTransport(broken)) as http, pytest.raises(RuntimeError, match="bug"):
        drive_sync(scripted_flow([]), http, lambda s: None)


async def test_async_bug_in_the_transport_propagates() -> None:
    async def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("bug in a custom transport")

    async def asleep(seconds: float) -> None:
        return None

    async with httpx.AsyncClient(transport=httpx.MockTransport(broken)) as http:
        with pytest.raises(RuntimeError, match="bug"):
            await drive_async(scripted_flow([]), http, asleep)
