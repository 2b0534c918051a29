"""Fixtures for kalshi-perps tests; helpers live in `perps_support.py` (importable from any test here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import KalshiAuth

sys.path.insert(0, str(Path(__file__).parent))

from perps_support import Server


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def auth(rsa_key: rsa.RSAPrivateKey) -> KalshiAuth:
    return KalshiAuth("perps-test-key-0001", rsa_key)


@pytest.fixture
def server() -> Server:
    return Server()
