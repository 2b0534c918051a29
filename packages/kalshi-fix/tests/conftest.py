"""Shared fixtures: one RSA test key per run (generated, never committed) and the loopback acceptor."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import KalshiAuth

KEY_ID = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"


def _load_acceptor() -> None:
    name = "kalshi_fix_test_acceptor"
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("fix_acceptor.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_acceptor()


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def auth(rsa_key: rsa.RSAPrivateKey) -> KalshiAuth:
    return KalshiAuth(KEY_ID, rsa_key)
