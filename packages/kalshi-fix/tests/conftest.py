"""Shared fixtures: one RSA test key per run (generated, never committed) and the loopback acceptor."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import KalshiAuth

KEY_ID = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"


def _load(name: str, filename: str) -> None:
    """Import a helper file of this directory under a name no other package's tests use."""
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(filename))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load("kalshi_fix_test_acceptor", "fix_acceptor.py")
_load("kalshi_fix_test_helpers", "fix_helpers.py")

if TYPE_CHECKING:
    from kalshi_fix_test_acceptor import FixAcceptor


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def auth(rsa_key: rsa.RSAPrivateKey) -> KalshiAuth:
    return KalshiAuth(KEY_ID, rsa_key)


@pytest.fixture
async def rt(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> AsyncIterator[FixAcceptor]:
    """A KalshiRT acceptor (retransmits, keeps its numbers across connections) on a loopback port."""
    from kalshi_fix_test_acceptor import FixAcceptor

    acceptor = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiRT", retransmits=True)
    await acceptor.start()
    yield acceptor
    await acceptor.stop()
