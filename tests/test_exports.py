"""Every package's `__all__` is sorted (constants, classes, functions) and names exactly its public surface."""

from __future__ import annotations

import importlib
import importlib.metadata

import pytest

IMPORT_NAMES = [
    "kalshi_auth",
    "kalshi_rest",
    "kalshi_ws",
    "kalshi_perps",
    "kalshi_klear",
    "kalshi_fix",
    "kalshi_testing",
    "kalshi",
]


def _isort_key(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("name", IMPORT_NAMES)
def test_all_is_sorted_and_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_key), f"{name}.__all__ is not sorted"
    assert len(exported) == len(set(exported))
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names missing {attr}"


DISTRIBUTIONS = dict(zip(IMPORT_NAMES, [*(n.replace("_", "-") for n in IMPORT_NAMES[:-1]), "kalshi-sdk"], strict=True))


@pytest.mark.parametrize("name", IMPORT_NAMES)
def test_version_is_the_distributions(name: str) -> None:
    """Each package has its own release train; `__version__` follows its distribution's version."""
    assert importlib.import_module(name).__version__ == importlib.metadata.version(DISTRIBUTIONS[name])
