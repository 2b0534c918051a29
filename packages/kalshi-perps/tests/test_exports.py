"""The public surface: `__all__` sorted, complete and importable; models and resources load lazily."""

from __future__ import annotations

import importlib

import pytest

import kalshi_perps

MODULES = ["kalshi_perps", "kalshi_perps._client", "kalshi_perps.models", "kalshi_perps.resources"]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=lambda s: (not s.isupper(), s[:1].islower(), s))
    for attr in exported:
        assert hasattr(module, attr), f"{name}.{attr}"


def test_package_exports_the_clients() -> None:
    assert {"PerpsClient", "AsyncPerpsClient", "models"} <= set(kalshi_perps.__all__)


def test_resources_pair_sync_and_async_classes() -> None:
    from kalshi_perps import resources

    names = set(resources.__all__)
    for name in names:
        if not name.startswith("Async"):
            assert f"Async{name}" in names, name


def test_unknown_model_name_is_an_attribute_error() -> None:
    from kalshi_perps import models

    with pytest.raises(AttributeError):
        models.NoSuchModel  # noqa: B018


def test_rest_only_programs_do_not_import_the_websocket_side() -> None:
    import subprocess
    import sys

    code = "import sys, kalshi_perps; kalshi_perps.PerpsClient; print('kalshi_ws' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
    assert kalshi_perps.PerpsWebSocket.__name__ == "PerpsWebSocket"
    with pytest.raises(AttributeError):
        kalshi_perps.NoSuchThing  # noqa: B018


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from kalshi_perps import *", namespace)
    assert set(kalshi_perps.__all__) <= set(namespace)
    assert namespace["PerpsWebSocket"] is kalshi_perps.PerpsWebSocket
