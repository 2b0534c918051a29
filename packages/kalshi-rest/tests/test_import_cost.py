"""`import kalshi_rest` stays cheap: httpx and pydantic load on first use, not at import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import kalshi_rest

HEAVY = ("httpx", "pydantic", "pydantic_core", "kalshi_rest._client", "kalshi_rest._core", "kalshi_rest.models")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def test_import_loads_neither_httpx_nor_pydantic() -> None:
    assert _loaded_after("import kalshi_rest") == []


def test_errors_and_options_are_importable_without_httpx() -> None:
    code = "from kalshi_rest import KalshiAPIError, Page, RequestOptions, RetryPolicy, APIResponse"
    assert _loaded_after(code) == []


def test_first_use_loads_what_it_needs() -> None:
    loaded = _loaded_after("from kalshi_rest import KalshiClient")
    assert "httpx" in loaded and "kalshi_rest._client" in loaded
    assert "kalshi_rest.models" in _loaded_after("import kalshi_rest; kalshi_rest.models.Market")


def test_lazy_names_resolve_to_the_real_objects() -> None:
    from kalshi_rest._client import AsyncKalshiClient, KalshiClient
    from kalshi_rest.models import Market

    assert kalshi_rest.KalshiClient is KalshiClient
    assert kalshi_rest.AsyncKalshiClient is AsyncKalshiClient
    assert kalshi_rest.models.Market is Market
    assert {"KalshiClient", "AsyncKalshiClient", "models"} <= set(dir(kalshi_rest))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'KalshiClinet'"):
        _ = kalshi_rest.KalshiClinet  # type: ignore[attr-defined]


def test_the_extension_api_loads_pydantic_only_for_the_model_bases() -> None:
    loaded = _loaded_after("import kalshi_rest.extension")
    assert "pydantic" not in loaded and "httpx" in loaded  # the client bases need httpx
    assert "pydantic" in _loaded_after("from kalshi_rest.extension import ResponseModel")
