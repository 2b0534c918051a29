from __future__ import annotations

import httpx
import pytest
from rest_payloads import ok
from rest_support import Server

from kalshi_rest import AsyncKalshiClient, AuthRequiredError, KalshiClient

COSTS = {
    "default_cost": 10,
    "endpoint_costs": [
        {"method": "DELETE", "path": "/trade-api/v2/portfolio/events/orders/{order_id}", "cost": 2},
        {"method": "POST", "path": "/trade-api/v2/account/api_usage_level/upgrade", "cost": 30},
    ],
}
LIMITS = {
    "usage_tier": "advanced",
    "read": {"refill_rate": 300, "bucket_capacity": 300},
    "write": {"refill_rate": 300, "bucket_capacity": 600},
    "grants": [{"exchange_instance": "event_contract", "level": "advanced", "source": "manual"}],
}


class TestAccount:
    def test_endpoint_costs(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok(COSTS))
        costs = client.account.endpoint_costs()
        assert costs.default_cost == 10
        assert [(c.method, c.cost) for c in costs.endpoint_costs] == [("DELETE", 2), ("POST", 30)]
        assert server.requests[0].url.path == "/trade-api/v2/account/endpoint_costs"

    def test_endpoint_costs_is_public(self, public_client: KalshiClient, server: Server) -> None:
        server.script.append(ok(COSTS))
        assert public_client.account.endpoint_costs().default_cost == 10

    def test_limits_are_nested_buckets(self, client: KalshiClient, server: Server) -> None:
        server.script.append(ok(LIMITS))
        limits = client.account.limits()
        assert limits.usage_tier == "advanced"
        assert limits.write.bucket_capacity == 600
        assert limits.grants[0].source == "manual"

    def test_limits_need_credentials(self, public_client: KalshiClient, server: Server) -> None:
        with pytest.raises(AuthRequiredError):
            public_client.account.limits()
        assert server.requests == []

    def test_upgrade_posts_an_empty_object(self, client: KalshiClient, server: Server) -> None:
        server.script.append(httpx.Response(201))
        assert client.account.upgrade_api_usage_level() is None  # type: ignore[func-returns-value]
        assert server.requests[0].method == "POST"
        assert server.requests[0].content == b"{}"

    def test_exchange_status_and_api_keys(self, client: KalshiClient, server: Server) -> None:
        server.script += [
            ok({"exchange_active": True, "trading_active": False}),
            ok({"api_keys": [{"api_key_id": "k-1", "name": "bot", "scopes": None}]}),
            httpx.Response(204),
        ]
        status = client.exchange.status()
        assert (status.exchange_active, status.trading_active) == (True, False)
        keys = client.api_keys.list()
        assert keys.api_keys[0].scopes == []  # JSON null for a required array
        assert client.api_keys.delete("k-1") is None  # type: ignore[func-returns-value]
        assert (server.requests[2].method, server.requests[2].url.path) == ("DELETE", "/trade-api/v2/api_keys/k-1")


class TestAsyncAccount:
    async def test_endpoint_costs_and_limits(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script += [ok(COSTS), ok(LIMITS)]
        costs = await aclient.account.endpoint_costs()
        assert costs.endpoint_costs[1].cost == 30
        limits = await aclient.account.limits()
        assert limits.read.refill_rate == 300

    async def test_exchange_status_raw(self, aclient: AsyncKalshiClient, server: Server) -> None:
        server.script.append(ok({"exchange_active": True, "trading_active": True}))
        raw = await aclient.exchange.with_raw_response.status()
        assert raw.status_code == 200
        assert raw.parse().trading_active is True
