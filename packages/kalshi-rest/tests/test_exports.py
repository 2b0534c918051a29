"""The public surface: `__all__` sorted, complete and importable."""

from __future__ import annotations

import importlib

import pytest

import kalshi_rest

MODULES = [
    "kalshi_rest",
    "kalshi_rest._client",
    "kalshi_rest._core",
    "kalshi_rest._errors",
    "kalshi_rest._frames",
    "kalshi_rest._operation",
    "kalshi_rest._options",
    "kalshi_rest._pagination",
    "kalshi_rest._ratelimit",
    "kalshi_rest._resource",
    "kalshi_rest._response",
    "kalshi_rest._retry",
    "kalshi_rest._transport",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert exported == sorted(exported, key=lambda s: (not s.isupper(), s[:1].islower(), s))
    for attr in exported:
        assert hasattr(module, attr), f"{name}.{attr}"


def test_package_exports_every_public_error_and_client() -> None:
    public = {n for n in dir(kalshi_rest._errors) if n.startswith("Kalshi") or n == "AuthRequiredError"}
    assert public <= set(kalshi_rest.__all__)
    assert {"KalshiClient", "AsyncKalshiClient", "KalshiConfig", "Page", "AsyncPage", "RequestOptions"} <= set(
        kalshi_rest.__all__
    )
    assert kalshi_rest.KalshiConfig is importlib.import_module("kalshi_auth").KalshiConfig


def test_clients_expose_resources_with_matching_faces() -> None:
    sync_names = {n for n in dir(kalshi_rest.KalshiClient) if not n.startswith("_")}
    async_names = {n for n in dir(kalshi_rest.AsyncKalshiClient) if not n.startswith("_")}
    assert "markets" in sync_names
    assert sync_names - {"close", "__enter__", "__exit__"} == async_names - {"aclose"}
