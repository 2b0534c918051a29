"""The public surface: sorted, complete `__all__`s and both faces for every resource."""

from __future__ import annotations

import importlib

import pytest

import kalshi_klear
from kalshi_klear import AsyncKlearClient, KlearClient, models, resources
from kalshi_klear.resources._generated import OPERATION_METHODS, RESOURCE_CLASSES


def _isort_key(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions and modules (the workspace's order)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("module", ["kalshi_klear", "kalshi_klear.models", "kalshi_klear.resources"])
def test_all_is_sorted_and_resolvable(module: str) -> None:
    mod = importlib.import_module(module)
    names = list(mod.__all__)
    assert names == sorted(names, key=_isort_key)
    for name in names:
        assert getattr(mod, name) is not None, name


def test_package_all_lists_every_public_name() -> None:
    public = {n for n, v in vars(kalshi_klear).items() if not n.startswith("_") and n != "annotations"}
    assert public == set(kalshi_klear.__all__)


def test_all_28_operations_have_a_method_on_both_clients() -> None:
    assert len(OPERATION_METHODS) == 28
    for attribute, method in OPERATION_METHODS.values():
        assert callable(getattr(getattr(KlearClient, attribute).func(KlearClient()), method))
        assert callable(getattr(getattr(AsyncKlearClient, attribute).func(AsyncKlearClient()), method))


def test_resource_names() -> None:
    assert list(RESOURCE_CLASSES) == [
        "reports",
        "obligations",
        "funding",
        "margin",
        "settlement",
        "subtrader_groups",
        "api_keys",
    ]
    assert "Obligations" in resources.__all__
    assert "AsyncObligations" in resources.__all__
    assert "ObligationEntry" in models.__all__
