"""help() and IDE tooltips stay readable: no public signature shows object addresses or runs long.

A signature is what `help(obj)` prints first and what an IDE shows on hover. pydantic metadata,
lambdas and large default objects make it unreadable (one was 8,000 characters); this walks every
public name of every package.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "kalshi_auth", "kalshi_rest", "kalshi_ws", "kalshi_perps", "kalshi_klear", "kalshi_fix", "kalshi_testing",
    "kalshi_rest.models", "kalshi_perps.models", "kalshi_klear.models", "kalshi_ws.messages", "kalshi_perps.messages",
    "kalshi_fix.messages",
]  # fmt: skip
LONGEST = 2800  # characters; the widest generated model (Market, ~60 fields, each `X | None`) takes about 2,600

# Defaults that still print an object's repr, each owned by its package's maintainers:
KNOWN = {
    "kalshi_ws.Product": "the default `keeper` is a lambda",
    "kalshi_auth.Backoff": "the default `random` is a bound method of the global Random",
    "kalshi_rest.RetryPolicy": "the default `random` is a bound method of the global Random",
}


def _public_callables() -> list[tuple[str, object]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if callable(obj):
                found.append((f"{name}.{attr}", obj))
    return found


@pytest.mark.parametrize(("name", "obj"), _public_callables(), ids=lambda v: v if isinstance(v, str) else "")
def test_signature_is_readable(name: str, obj: object) -> None:
    try:
        text = str(inspect.signature(obj))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pytest.skip("no signature")
    if name in KNOWN and (" at 0x" in text or len(text) > LONGEST):
        pytest.xfail(KNOWN[name])
    assert " at 0x" not in text, text[:300]
    assert len(text) <= LONGEST, f"{len(text)} characters: {text[:300]}"


@pytest.mark.parametrize(
    "path",
    [
        "kalshi_rest.KalshiClient", "kalshi_rest.AsyncKalshiClient", "kalshi_perps.PerpsClient",
        "kalshi_perps.AsyncPerpsClient", "kalshi_klear.KlearClient", "kalshi_klear.AsyncKlearClient",
    ],
)  # fmt: skip
def test_from_env_shows_its_arguments_not_kwargs(path: str) -> None:
    module, name = path.rsplit(".", 1)
    client = getattr(importlib.import_module(module), name)
    shown = inspect.signature(client.from_env).parameters
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in shown.values())
    assert {"config", "transport", "environ"} <= set(shown)
