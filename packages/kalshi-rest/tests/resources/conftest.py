"""Fixtures for the resource-family tests: clients over rest-core's scripted mock server."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from kalshi_auth import KalshiAuth
from kalshi_rest import AsyncKalshiClient, KalshiClient

sys.path.insert(0, str(Path(__file__).parent))

from rest_support import Server


@pytest.fixture
def client(auth: KalshiAuth, server: Server) -> Iterator[KalshiClient]:
    with KalshiClient(auth=auth, transport=server.sync()) as c:
        yield c


@pytest.fixture
async def aclient(auth: KalshiAuth, server: Server) -> AsyncIterator[AsyncKalshiClient]:
    async with AsyncKalshiClient(auth=auth, transport=server.asynchronous()) as c:
        yield c


@pytest.fixture
def public_client(server: Server) -> Iterator[KalshiClient]:
    with KalshiClient(transport=server.sync()) as c:
        yield c
