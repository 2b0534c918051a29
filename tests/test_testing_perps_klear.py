"""Contract: the simulator serves every operation of specs/perps_openapi.yaml (53) and perps_scm_openapi.yaml (28).

Each operation is called over HTTP with the parameters it needs, and fails the test if the
simulator has no route for it (the router's plain 404/405) or answers a status the spec does not
declare as success. Every 2xx body is validated by the SDK's generated model for the response
schema the spec names (`kalshi_perps.models`, `kalshi_klear.models`), in realistic mode (the
simulator's default), so a shape the clients cannot decode fails here.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kalshi_testing.simulator import KalshiExchangeSimulator, SimulatedUser
from kalshi_testing.simulator.klear import klear_surface
from kalshi_testing.simulator.perps import perps_surface

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_testing_simulator_shapes import validate

perps_models = pytest.importorskip("kalshi_perps.models")
klear_models = pytest.importorskip("kalshi_klear.models")

ROOT = Path(__file__).resolve().parents[1]
PERPS_SPEC = yaml.safe_load((ROOT / "specs/perps_openapi.yaml").read_text())
KLEAR_SPEC = yaml.safe_load((ROOT / "specs/perps_scm_openapi.yaml").read_text())


def merged_all_of(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with each `allOf` of object schemas merged into one object, for a field-exact check."""
    schemas = spec["components"]["schemas"]

    def merge(schema: dict[str, Any]) -> dict[str, Any]:
        parts = [merge(schemas[p["$ref"].rsplit("/", 1)[-1]]) if "$ref" in p else p for p in schema.get("allOf", [])]
        if not parts or not all("properties" in p for p in parts):
            return schema
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in parts:
            merged["properties"] |= part["properties"]
            merged["required"] += part.get("required", [])
        return merged

    return spec | {"components": spec["components"] | {"schemas": {n: merge(s) for n, s in schemas.items()}}}


API = "/trade-api/v2"
KLEAR = "/klear-api/v1"
BTC = "BTC-PERP"


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """{operationId: (METHOD, path, operation)} straight from a spec."""
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "delete")
    }


def success(op: dict[str, Any]) -> tuple[set[int], str]:
    """The 2xx statuses an operation declares and the response schema of the first."""
    codes = sorted(int(c) for c in op["responses"] if str(c).startswith("2"))
    content = op["responses"][str(codes[0])].get("content", {}).get("application/json", {})
    return set(codes), content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]


def test_the_specs_hold_the_expected_operation_counts() -> None:
    assert len(operations(PERPS_SPEC)) == 53
    assert len(operations(KLEAR_SPEC)) == 28


def populate(sim: KalshiExchangeSimulator) -> SimulatedUser:
    """A crossed position, funding paid and a resting order, so every view has data; returns alice."""
    alice = sim.create_user("alice")
    sim.create_user("bob")
    engine = perps_surface(sim).engine

    def setup(_: Any) -> None:
        for user in ("alice", "bob"):
            engine.deposit(user, Decimal(100_000))
        base = {"ticker": BTC, "time_in_force": "good_till_canceled", "self_trade_prevention_type": "maker"}
        engine.create_order("bob", base | {"client_order_id": "b", "side": "ask", "price": "97000.00", "count": "3"})
        engine.create_order("alice", base | {"client_order_id": "a", "side": "bid", "price": "97000.00", "count": "2"})
        engine.create_order(
            "alice", base | {"client_order_id": "rest", "side": "bid", "price": "90000.00", "count": "1"}
        )
        engine.markets[BTC].funding_rate = Decimal("0.0004")
        engine.settle_funding(engine.markets[BTC])

    sim.call(setup)
    return alice


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[KalshiExchangeSimulator, SimulatedUser]]:
    """A realistic-mode simulator (the default), populated."""
    sim = KalshiExchangeSimulator(consistency_window=0)  # the walk reads ids right after creating them
    sim.start()
    try:
        yield sim, populate(sim)
    finally:
        sim.stop()


class Caller:
    def __init__(self, sim: KalshiExchangeSimulator, user: SimulatedUser) -> None:
        self.sim, self.user = sim, user
        self.http = httpx.Client(base_url=sim.base_url, timeout=10)

    def perps(self, method: str, path: str, params: dict[str, Any], body: Any) -> httpx.Response:
        headers = self.user.auth.headers(method, API + path)
        return self._send(method, API + path, headers, params, body)

    def klear(
        self, method: str, path: str, params: dict[str, Any], body: Any, token: str | None = None
    ) -> httpx.Response:
        surface = klear_surface(self.sim)
        headers = {"Authorization": f"Bearer {surface.admin_user_id}:{token or surface.access_token}"}
        return self._send(method, KLEAR + path, headers, params, body)

    def _send(
        self, method: str, url: str, headers: dict[str, str], params: dict[str, Any], body: Any
    ) -> httpx.Response:
        content = None
        if body is not None:
            content = json.dumps(body)
            headers = headers | {"Content-Type": "application/json"}
        return self.http.request(method, url, headers=headers, params=params or None, content=content)


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _routed(response: httpx.Response) -> bool:
    """False for a router miss: aiohttp's plain 404/405, or the simulator's JSON "no route" answer."""
    if response.status_code not in (404, 405):
        return True
    if not response.headers.get("content-type", "").startswith("application/json"):
        return False
    return not str(response.json().get("message", "")).startswith("no route")


NOW = datetime.now(UTC)
PERPS_CALLS: dict[str, Callable[[dict[str, str]], tuple[dict[str, Any], Any]]] = {
    "GetMarginCorporateActions": lambda v: ({}, None),
    "CreateMarginFCMSubtrader": lambda v: ({}, {"subtrader_suffix": "desk1", "require_category_cap": True}),
    "UpdateFCMSubtraderRiskControls": lambda v: (
        {},
        {"subtrader_id": "alice_desk1", "asset_class": "Crypto", "im_cap": "5000.00"},
    ),
    "GetFCMSubtraderRiskControls": lambda v: ({"subtrader_id": "alice_desk1"}, None),
    "DeleteFCMSubtraderRiskControls": lambda v: ({"subtrader_id": "alice_desk1", "asset_class": "Crypto"}, None),
    "UpdateFCMNotionalRiskLimit": lambda v: ({}, {"notional_value_risk_limit": "250000.00"}),
    "DeleteFCMNotionalRiskLimit": lambda v: ({}, None),
    "GetPerpsAccountApiLimits": lambda v: ({}, None),
    "GetMarginExchangeStatus": lambda v: ({}, None),
    "GetMarginRiskParameters": lambda v: ({}, None),
    "GetMarginOrders": lambda v: ({"limit": 1}, None),
    "CreateMarginOrder": lambda v: (
        {},
        {
            "ticker": BTC,
            "client_order_id": "contract-1",
            "side": "bid",
            "count": "1",
            "price": "91000.00",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "maker",
        },
    ),
    "GetMarginOrder": lambda v: ({}, None),
    "DecreaseMarginOrder": lambda v: ({}, {"reduce_by": "0.5"}),
    "AmendMarginOrder": lambda v: ({}, {"ticker": BTC, "side": "bid", "price": "91000.10", "count": "1"}),
    "CancelMarginOrder": lambda v: ({}, None),
    "CancelAllMarginOrders": lambda v: ({"subaccount": 5}, None),
    "GetMarginMarkets": lambda v: ({"status": "active"}, None),
    "GetMarginMarketOrderbooks": lambda v: ({"tickers": [BTC, "ETH-PERP"]}, None),
    "GetMarginMarket": lambda v: ({}, None),
    "GetMarginMarketOrderbook": lambda v: ({"depth": 2}, None),
    "GetMarginMarketCandlesticks": lambda v: (
        {"start_ts": int(NOW.timestamp()) - 3600, "end_ts": int(NOW.timestamp()) + 60, "period_interval": 1},
        None,
    ),
    "GetMarginFills": lambda v: ({}, None),
    "GetMarginPositions": lambda v: ({}, None),
    "GetMarginTrades": lambda v: ({"ticker": BTC}, None),
    "GetMarginEnabled": lambda v: ({}, None),
    "GetMarginNotionalRiskLimit": lambda v: ({}, None),
    "GetMarginBalance": lambda v: ({"compute_available_balance": "true"}, None),
    "GetMarginRisk": lambda v: ({}, None),
    "GetMarginFeeTiers": lambda v: ({}, None),
    "GetMarginFeeTierRates": lambda v: ({}, None),
    "GetMarginFundingHistory": lambda v: ({"start_date": "2020-01-01", "end_date": "2099-01-01"}, None),
    "GetMarginHistoricalFundingRates": lambda v: ({"ticker": BTC}, None),
    "GetMarginFundingRateEstimate": lambda v: ({"ticker": BTC}, None),
    "GetMarginPremiumIndex": lambda v: (
        {"ticker": BTC, "start_ts": int(NOW.timestamp()) - 5, "end_ts": int(NOW.timestamp())},
        None,
    ),
    "IntraExchangeInstanceTransfer": lambda v: (
        {},
        {"source": "event_contract", "destination": "margined", "amount": 10_000},
    ),
    "CreateMarginSubaccount": lambda v: ({}, {}),
    "ApplyMarginSubaccountTransfer": lambda v: (
        {},
        {"client_transfer_id": "c-1", "from_subaccount": 0, "to_subaccount": 1, "amount_cents": 100},
    ),
    "CreateMarginOrderGroup": lambda v: ({}, {"contracts_limit": 5}),
    "GetMarginOrderGroups": lambda v: ({}, None),
    "GetMarginOrderGroup": lambda v: ({}, None),
    "UpdateMarginOrderGroupLimit": lambda v: ({}, {"contracts_limit": 7}),
    "ResetMarginOrderGroup": lambda v: ({}, {}),
    "TriggerMarginOrderGroup": lambda v: ({}, {}),
    "DeleteMarginOrderGroup": lambda v: ({}, None),
    "SetIsolatedMarginExitTrigger": lambda v: ({}, {"kind": "bracket", "stop_loss_price": "80000.00"}),
    "GetIsolatedMarginExitTriggers": lambda v: ({}, None),
    "DeleteIsolatedMarginExitTrigger": lambda v: ({}, None),
    "SetCrossMarginExitTrigger": lambda v: ({}, {"kind": "bracket", "take_profit_price": "120000.00"}),
    "GetCrossMarginExitTriggers": lambda v: ({"kind": "bracket"}, None),
    "UpdateCrossMarginExitTrigger": lambda v: ({}, {"stop_loss_price": "85000.00"}),
    "DeleteCrossMarginExitTriggerById": lambda v: ({}, None),
    "DeleteCrossMarginExitTrigger": lambda v: ({}, None),
}


def sdk_model(models: Any) -> Callable[[str, httpx.Response], None]:
    """Decode a response with the SDK's generated model for `schema` (pydantic validation)."""

    def check(schema: str, response: httpx.Response) -> None:
        model = getattr(models, schema, None)
        assert model is not None, f"the SDK has no model {schema}"
        model.model_validate(response.json())

    return check


def spec_schema(spec: dict[str, Any], errors: list[str]) -> Callable[[str, httpx.Response], None]:
    """Check a response against the spec's own schema: required fields, no undeclared ones, types, enums."""

    def check(schema: str, response: httpx.Response) -> None:
        ref = {"$ref": f"#/components/schemas/{schema}"}
        errors.extend(validate(spec, ref, response.json(), f"{response.request.url.path}: {schema}"))

    return check


def walk(
    ops: dict[str, tuple[str, str, dict[str, Any]]],
    calls: dict[str, Callable[[dict[str, str]], tuple[dict[str, Any], Any]]],
    send: Callable[..., httpx.Response],
    check: Callable[[str, httpx.Response], None],
    values: dict[str, str],
    captures: dict[str, tuple[str, str]],
) -> list[str]:
    """Call every operation in `calls` order (creates before the calls that need their ids); return the failures.

    `captures` maps an operationId to (value name, response field) kept for the path of later calls.
    """
    failures = []
    for op_id, make in calls.items():
        method, path, op = ops[op_id]
        params, body = make(values)
        response = send(method, _fill(path, values), params, body)
        if not _routed(response):
            failures.append(f"{op_id}: not served ({method} {path})")
            continue
        codes, schema = success(op)
        if response.status_code not in codes:
            failures.append(f"{op_id}: {response.status_code} {response.text[:200]}")
            continue
        if schema and response.content:
            check(schema, response)
        if op_id in captures:
            name, field = captures[op_id]
            values[name] = response.json()[field]
    return failures


def walk_perps(
    sim: KalshiExchangeSimulator, alice: SimulatedUser, check: Callable[[str, httpx.Response], None]
) -> list[str]:
    """Every perps operation, signed as alice."""
    ops = operations(PERPS_SPEC)
    assert set(PERPS_CALLS) == set(ops), "the walk must cover exactly the spec's operations"
    captures = {
        "CreateMarginOrder": ("order_id", "order_id"),
        "CreateMarginOrderGroup": ("order_group_id", "order_group_id"),
        "SetCrossMarginExitTrigger": ("trigger_id", "id"),
    }
    return walk(ops, PERPS_CALLS, Caller(sim, alice).perps, check, {"ticker": BTC}, captures)


def test_every_perps_operation_is_served_and_decodes(world: tuple[KalshiExchangeSimulator, SimulatedUser]) -> None:
    assert walk_perps(*world, sdk_model(perps_models)) == []


KLEAR_CALLS: dict[str, Callable[[dict[str, str]], tuple[dict[str, Any], Any]]] = {
    "GetMarginReports": lambda v: ({"start_date": "2026-11-01", "end_date": "2026-11-03"}, None),
    "GetActiveMarginObligations": lambda v: ({}, None),
    "GetObligationHistory": lambda v: ({"limit": 5}, None),
    "GetObligationSettlementDetails": lambda v: ({"limit": 10}, None),
    "GetObligationFundingPayments": lambda v: ({}, None),
    "GetObligationCorporateActionPayments": lambda v: ({}, None),
    "GetObligationMaintenanceMarginDetails": lambda v: ({}, None),
    "GetMemberFundingPayments": lambda v: ({"funding_time": v["funding_time"]}, None),
    "GetLargeTraderPositions": lambda v: ({}, None),
    "EstimatePortfolioMaintenanceMargin": lambda v: (
        {},
        {"asset_class": "Crypto", "positions": [{"market_ticker": BTC, "quantity": 3}], "clearing_type": "FCM"},
    ),
    "GetMaintenanceMarginMetadata": lambda v: ({"asset_class": "Crypto", "date": "2026-01-02"}, None),
    "GetSettlementEstimateByAssetClass": lambda v: ({}, None),
    "GetFundingEstimateByAssetClass": lambda v: ({}, None),
    "GetMarginFundingSchedule": lambda v: ({"asset_class": "Crypto"}, None),
    "GetSettlementPrices": lambda v: ({"asset_class": "Crypto", "settlement_time": NOW.isoformat()}, None),
    "GetSettlementBalance": lambda v: ({}, None),
    "GetGuarantyFundBalance": lambda v: ({}, None),
    "WithdrawSettlementBalance": lambda v: ({}, {"amount": "500.00"}),
    "GetSettlementBalanceHistory": lambda v: ({}, None),
    "GetSettlementBalanceWithdrawal": lambda v: ({"id": v["withdrawal_id"]}, None),
    "CreateMarginSubtraderGroup": lambda v: ({}, {"subtrader_ids": ["alice", "bob"]}),
    "GetMarginSubtraderGroups": lambda v: ({}, None),
    "UpdateMarginSubtraderGroup": lambda v: ({}, {"subtrader_ids": ["alice"]}),
    "DeleteMarginSubtraderGroup": lambda v: ({}, None),
    "GenerateMarginFcmApiKey": lambda v: ({}, {"name": "desk", "fcm_subtrader_id": "alice"}),
    "CreateMarginFcmApiKey": lambda v: (
        {},
        {"name": "mine", "public_key": v["public_key"], "fcm_subtrader_id": "alice"},
    ),
    "ListMarginFcmApiKeys": lambda v: ({"fcm_subtrader_id": "alice"}, None),
    "DeleteMarginFcmApiKey": lambda v: ({}, None),
}


def walk_klear(
    sim: KalshiExchangeSimulator, alice: SimulatedUser, check: Callable[[str, httpx.Response], None]
) -> list[str]:
    """Every Klear operation, with the simulator's admin token."""
    caller = Caller(sim, alice)
    ops = operations(KLEAR_SPEC)
    assert set(KLEAR_CALLS) == set(ops), "the walk must cover exactly the spec's operations"
    active = caller.klear("GET", "/margin/active_obligations", {}, None).json()["obligations"]
    assert [o["asset_class"] for o in active] == ["Crypto"]
    values = {
        "obligation_id": active[0]["id"],
        "funding_time": active[0]["funding_payments"][0]["funding_time"],
        "public_key": alice.auth.public_key_pem.decode()
        if isinstance(alice.auth.public_key_pem, bytes)
        else alice.auth.public_key_pem,
    }
    captures = {
        "WithdrawSettlementBalance": ("withdrawal_id", "id"),
        "CreateMarginSubtraderGroup": ("group_id", "group_id"),
        "CreateMarginFcmApiKey": ("api_key_id", "api_key_id"),
    }
    return walk(ops, KLEAR_CALLS, caller.klear, check, values, captures)


def test_every_klear_operation_is_served_and_validates_against_the_client_models(
    world: tuple[KalshiExchangeSimulator, SimulatedUser],
) -> None:
    assert walk_klear(*world, sdk_model(klear_models)) == []


def test_spec_exact_mode_answers_every_operation_in_the_specs_shapes() -> None:
    """With realistic mode off, every body has exactly the spec's fields, types and enums."""
    with KalshiExchangeSimulator(realistic=False) as sim:
        alice = populate(sim)
        errors: list[str] = []
        assert walk_perps(sim, alice, spec_schema(merged_all_of(PERPS_SPEC), errors)) == []
        assert walk_klear(sim, alice, spec_schema(merged_all_of(KLEAR_SPEC), errors)) == []
    assert errors == [], "\n".join(errors)


def test_klear_refuses_a_wrong_bearer_token(world: tuple[KalshiExchangeSimulator, SimulatedUser]) -> None:
    sim, alice = world
    response = Caller(sim, alice).klear("GET", "/margin/settlement_balance", {}, None, token="not-the-token")
    assert response.status_code == 401
    klear_models.Error.model_validate(response.json())
    unauthenticated = httpx.get(sim.base_url + KLEAR + "/margin/settlement_balance", timeout=10)
    assert unauthenticated.status_code == 401


PERPS_WS_SPEC = yaml.safe_load((ROOT / "specs/perps_asyncapi.yaml").read_text())


def frame_errors(frame: dict[str, Any]) -> list[str]:
    """How a perps WebSocket frame breaks the AsyncAPI payload of its `type` (empty when it fits one)."""
    name = "list_subscriptions" if frame["type"] == "ok" and isinstance(frame.get("msg"), list) else frame["type"]
    payloads = [
        m["payload"]
        for key, m in PERPS_WS_SPEC["components"]["messages"].items()
        if m.get("name") == name or (name == "list_subscriptions" and key == "listSubscriptionsResponse")
    ]
    assert payloads, f"no AsyncAPI message named {name}"
    results = [validate(PERPS_WS_SPEC, p, frame, name) for p in payloads]
    return [] if any(not r for r in results) else results[0]


async def test_spec_exact_mode_streams_every_perps_frame_in_the_asyncapi_shapes() -> None:
    from websockets.asyncio.client import connect

    with KalshiExchangeSimulator(realistic=False) as sim:
        alice = sim.create_user("alice")
        engine = perps_surface(sim).engine
        path = "/trade-api/ws/v2/margin"
        url = sim.base_url.replace("http://", "ws://") + path
        frames: list[dict[str, Any]] = []
        async with connect(url, additional_headers=alice.auth.headers("GET", path)) as ws:
            for i, channel in enumerate(
                [
                    "orderbook_delta",
                    "ticker",
                    "trade",
                    "fill",
                    "user_orders",
                    "order_group_updates",
                    "corporate_actions",
                ]
            ):
                params: dict[str, Any] = {"channels": [channel]}
                if channel == "orderbook_delta":
                    params["market_tickers"] = [BTC]
                await ws.send(json.dumps({"id": i + 1, "cmd": "subscribe", "params": params}))
            await ws.send(json.dumps({"id": 99, "cmd": "list_subscriptions"}))
            await ws.send(json.dumps({"id": 100, "cmd": "subscribe", "params": {"channels": ["nope"]}}))
            for _ in range(50):  # every command answered before anything happens
                frames.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                if frames[-1].get("id") == 100:
                    break

            def activity(_: Any) -> None:
                engine.deposit("alice", Decimal(100_000))
                engine.deposit("bob", Decimal(100_000))
                base = {"ticker": BTC, "time_in_force": "good_till_canceled", "self_trade_prevention_type": "maker"}
                group = engine.create_group("alice", {"contracts_limit": 5})["order_group_id"]
                engine.create_order(
                    "alice",
                    base
                    | {"client_order_id": "a", "side": "ask", "price": "97000.00", "count": "2"}
                    | {"order_group_id": group},
                )
                engine.create_order(
                    "bob", base | {"client_order_id": "b", "side": "bid", "price": "97000.00", "count": "1"}
                )
                engine.stock_split(BTC, ratio_old=1, ratio_new=2)

            sim.call(activity)
            seen = {f["type"] for f in frames}
            wanted = {
                "subscribed", "ok", "error", "orderbook_snapshot", "orderbook_delta", "ticker", "trade", "fill",
                "user_order", "order_group_updates", "corporate_actions_delta",
            }  # fmt: skip
            for _ in range(200):
                if wanted <= seen:
                    break
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                frames.append(frame)
                seen.add(frame["type"])
        assert wanted <= seen
        errors = [e for f in frames for e in frame_errors(f)]
        assert errors == [], "\n".join(errors[:20])
