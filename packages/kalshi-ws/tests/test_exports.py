"""Public surface: every public module's `__all__` is sorted, complete and importable."""

from __future__ import annotations

import importlib
import inspect

import pytest

import kalshi_ws

MODULES = [
    "kalshi_ws",
    "kalshi_ws.messages",
    "kalshi_ws._book",
    "kalshi_ws._channel",
    "kalshi_ws._client",
    "kalshi_ws._connection",
    "kalshi_ws._decode",
    "kalshi_ws._errors",
    "kalshi_ws._events",
    "kalshi_ws._inbound",
    "kalshi_ws._product",
    "kalshi_ws._protocol",
    "kalshi_ws._reconnect",
    "kalshi_ws._session",
    "kalshi_ws._stream",
    "kalshi_ws._subscription",
]


def isort_key(name: str) -> tuple[int, str]:
    """ruff RUF022 order: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names, key=isort_key) or names == sorted(names), names
    for attr in names:
        assert hasattr(module, attr), f"{name}.{attr}"


def test_root_exports_every_public_class() -> None:
    public = set(kalshi_ws.__all__)
    for mod in MODULES[2:]:
        module = importlib.import_module(mod)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isclass(obj) and not attr.startswith("_") and attr not in {"CommandDone", "Event", "PeerDead"}:
                if attr in {"SubState", "SubscriptionActive", "SubscriptionFailed", "Connection", "Pending", "Inbound"}:
                    continue
                assert attr in public, attr
    assert sorted(public, key=isort_key) == list(kalshi_ws.__all__)


def test_errors_sit_under_kalshi_error() -> None:
    from kalshi_auth import KalshiError

    for name in kalshi_ws.__all__:
        obj = getattr(kalshi_ws, name)
        if inspect.isclass(obj) and name.endswith("Error"):
            assert issubclass(obj, KalshiError), name
