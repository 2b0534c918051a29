"""The README's Python blocks run as written, against a mock Klear server (both faces)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from klear_support import ADMIN, TOKEN

import kalshi_klear

README = Path(__file__).resolve().parents[1] / "README.md"
TS = "2026-11-20T21:00:00Z"

ROW = {
    "id": "sd-1",
    "market_ticker": "BTC-PERP",
    "subtrader_id": "s1",
    "position_quantity_fp": "1.25",
    "pnl_centicents": -832_000,
    "total_fees_centicents": 2_500,
    "total_amount_centicents": -834_500,
}
OBLIGATION = {
    "id": "ob-1",
    "user_id": ADMIN,
    "amount_centicents": -1_234_500,
    "fees_centicents": 2_500,
    "maintenance_margin_centicents": 400_000,
    "pnl_centicents": -832_000,
    "execution_time": TS,
    "last_updated_ts": TS,
    "asset_class": "Crypto",
    "receives": [],
    "settlement_details": [ROW],
    "maintenance_margin_details": [],
    "funding_payments": [],
    "corporate_action_payments": [],
    "settlement_details_truncated": True,
}


class Server:
    """Answers the README's calls and records them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self.withdrawals: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}"
        path = request.url.path.removeprefix("/klear-api/v1")
        query = dict(request.url.params)
        self.calls.append((request.method, path, query))
        if path == "/margin/active_obligations":
            return httpx.Response(200, json={"obligations": [OBLIGATION]})
        if path == "/margin/obligations/ob-1/settlement_details":
            return httpx.Response(200, json={"settlement_details": [ROW] * 3})
        if path == "/margin/obligation_history":
            if "cursor" not in query:
                return httpx.Response(200, json={"obligations": [OBLIGATION], "cursor": "c2"})
            return httpx.Response(200, json={"obligations": [{**OBLIGATION, "id": "ob-0"}]})
        if path == "/margin/settlement_balance":
            return httpx.Response(200, json={"user_id": ADMIN, "balance_available_centicents": 9_000_000})
        if path == "/margin/reports":
            report = {"report_type": "daily_statement", "url": "https://x", "date": "2026-11-19"}
            return httpx.Response(200, json={"reports": [{**report, "created_ts": TS, "is_end_of_day": True}]})
        if path == "/margin/withdraw_settlement_balance":
            self.withdrawals.append(json.loads(request.content))
            return httpx.Response(200, json={"id": "w-1"})
        if path == "/margin/settlement_balance_withdrawal":
            body = {"id": query["id"], "amount": "500.00", "status": "pending", "created_ts": TS}
            return httpx.Response(200, json=body)
        if path == "/margin/settlement_balance_history":
            entry = {
                "balance_delta_centicents": -5_000_000,
                "locked_balance_delta_centicents": 5_000_000,
                "reason": "withdrawal",
                "business_transaction_id": "bt-1",
                "created_ts": TS,
            }
            return httpx.Response(200, json={"entries": [entry]})
        return httpx.Response(404, json={"code": "not_found", "message": path})


def _blocks() -> list[str]:
    if not README.is_file():  # an installed wheel without the repository checkout
        pytest.skip("README.md is not next to the tests")
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Server:
    srv = Server()
    transport = httpx.MockTransport(srv)

    class Klear(kalshi_klear.KlearClient):
        def __init__(self, **kw: Any) -> None:
            super().__init__(**{"transport": transport, **kw})

    class AsyncKlear(kalshi_klear.AsyncKlearClient):
        def __init__(self, **kw: Any) -> None:
            super().__init__(**{"transport": transport, **kw})

    monkeypatch.setattr(kalshi_klear, "KlearClient", Klear)
    monkeypatch.setattr(kalshi_klear, "AsyncKlearClient", AsyncKlear)
    monkeypatch.setenv("KALSHI_KLEAR_ADMIN_USER_ID", ADMIN)
    monkeypatch.setenv("KALSHI_KLEAR_ACCESS_TOKEN", TOKEN)
    monkeypatch.delenv("KALSHI_KLEAR_DEMO", raising=False)
    monkeypatch.delenv("KALSHI_KLEAR_API_BASE_URL", raising=False)
    return srv


def test_readme_has_the_three_examples() -> None:
    assert len(_blocks()) == 3


def test_repr_example(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    exec(_blocks()[0], {})
    out = capsys.readouterr().out
    assert "access_token='***'" in out
    assert "demo-api.kalshi.co/klear-api/v1" in out


def test_sync_usage(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    exec(_blocks()[1], {})
    out = capsys.readouterr().out
    assert "Crypto -123.4500" in out
    assert out.count("BTC-PERP -832000") == 3
    assert "daily_statement 2026-11-19" in out
    assert out.rstrip().endswith("pending")
    assert server.withdrawals == [{"amount": "500.00"}]
    history = [q for m, p, q in server.calls if p == "/margin/obligation_history"]
    assert history == [{"limit": "100"}, {"limit": "100", "cursor": "c2"}]


async def test_async_usage(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    exec(_blocks()[2], namespace)
    await namespace["main"]()
    assert "-5000000 withdrawal" in capsys.readouterr().out
