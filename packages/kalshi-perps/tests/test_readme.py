"""The README's code runs: its REST snippets against a mock transport, every snippet compiles."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from perps_support import Server

from kalshi_auth import KalshiAuth
from kalshi_perps import AsyncPerpsClient, PerpsClient

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)

MARKET = {
    "ticker": "BTC-PERP",
    "title": "Bitcoin perpetual",
    "status": "active",
    "contract_size": "0.001000",
    "underlying_multiplier": "1",
    "tick_size": "0.0100",
    "fractional_trading_enabled": True,
    "schedule": None,
    "exchange_index": 0,
    "market_version": 1,
    "funding_deadband": 0.0005,
    "funding_cap": 0.0075,
    "funding_limit_unit": "percentage",
    "funding_invalid_premium_handling": "exclude",
    "halt_sources": [],
    "bid": "97012.5000",
    "ask": "97013.0000",
}
ORDER = {
    "order_id": "ord-1",
    "user_id": "u",
    "client_order_id": "my-intent-1",
    "ticker": "BTC-PERP",
    "side": "bid",
    "price": "97000.1000",
    "fill_count": "0.00",
    "remaining_count": "1.50",
    "last_update_reason": "Trade",
}
ZERO = "0.0000"
BALANCE = {
    "subaccount_balances": [
        {
            "subaccount": 0,
            "position_value": ZERO,
            "account_equity": ZERO,
            "maintenance_margin": ZERO,
            "initial_margin": ZERO,
            "resting_orders_margin": ZERO,
            "available_balance": ZERO,
        }
    ],
    "settled_funds": "100.00",
}


@pytest.fixture
def routed(server: Server) -> Server:
    server.on("GET", "/margin/exchange/status", {"exchange_active": True, "trading_active": True})
    server.on("GET", "/margin/markets", {"markets": [MARKET]})
    server.on("GET", "/margin/balance", BALANCE)
    server.on("GET", "/margin/orders", {"orders": [ORDER]})
    server.on(
        "POST",
        "/margin/orders",
        {"order_id": "ord-1", "client_order_id": "my-intent-1", "fill_count": "0.00", "remaining_count": "1.50"},
        status=201,
    )
    cancelled = {"order_id": "ord-1", "client_order_id": "my-intent-1", "reduced_by": "1.50"}
    server.on("DELETE", "/margin/orders/ord-1", cancelled)
    return server


def test_the_readme_has_its_snippets() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_every_snippet_compiles(index: int) -> None:
    compile(BLOCKS[index], f"README block {index}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


async def test_rest_snippets_run(
    routed: Server, auth: KalshiAuth, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def sync_from_env(**kw: Any) -> PerpsClient:
        return PerpsClient(auth=auth, transport=routed.transport(), **kw)

    def async_from_env(**kw: Any) -> AsyncPerpsClient:
        return AsyncPerpsClient(auth=auth, transport=httpx.MockTransport(routed.handle), **kw)

    monkeypatch.setattr(PerpsClient, "from_env", staticmethod(sync_from_env))
    monkeypatch.setattr(AsyncPerpsClient, "from_env", staticmethod(async_from_env))
    rest = [b for b in BLOCKS if "PerpsClient" in b]
    exec(rest[0], {})
    code = compile(rest[1], "README async", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(code, {})
    if result is not None:
        await result
    order_block = next(b for b in BLOCKS if "CreateMarginOrderRequest(" in b)
    with PerpsClient(auth=auth, transport=routed.transport()) as perps:
        exec(order_block, {"perps": perps})
    out = capsys.readouterr().out
    assert "BTC-PERP 97012.5000 97013.0000" in out
    assert "ord-1 97000.1000 1.50" in out
    methods = [(r.method, r.url.path.removeprefix("/trade-api/v2")) for r in routed.seen]
    assert ("POST", "/margin/orders") in methods
    assert ("DELETE", "/margin/orders/ord-1") in methods
