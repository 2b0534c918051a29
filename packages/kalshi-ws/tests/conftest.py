"""Fixtures for kalshi-ws tests; the fake exchange lives in `ws_support.py` (importable from any test here)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import KalshiAuth

sys.path.insert(0, str(Path(__file__).parent))

from ws_support import Clock, FakeExchange


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def auth(rsa_key: rsa.RSAPrivateKey) -> KalshiAuth:
    return KalshiAuth("test-key-id-0001", rsa_key, clock=Clock())


@pytest.fixture
async def exchange(rsa_key: rsa.RSAPrivateKey) -> AsyncIterator[FakeExchange]:
    async with FakeExchange(public_key=rsa_key.public_key(), require_auth=True) as ex:
        yield ex
