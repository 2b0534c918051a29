"""Contract: every simulator REST response and WebSocket payload validates against the vendored specs.

Walks the simulator through a realistic session (catalogue reads, orders, a cross, groups, errors)
and checks each JSON body against the response schema the spec declares for that operation and
status, and each WebSocket frame against its AsyncAPI payload schema: required fields present,
no undeclared fields, JSON types, enums and nullability.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from websockets.asyncio.client import connect as ws_connect

from kalshi_testing import KalshiExchangeSimulator

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = yaml.safe_load((ROOT / "specs/openapi.yaml").read_text())
ASYNCAPI = yaml.safe_load((ROOT / "specs/asyncapi.yaml").read_text())
API = "/trade-api/v2"
FED = "KXFED-26DEC-T3.50"


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def validate(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """Return every way `value` breaks `schema` (a small subset of JSON Schema, enough for these specs)."""
    if value is None and schema.get("nullable"):
        return []  # `nullable` beside a `$ref` (the spec's style) still allows null
    schema = _resolve(spec, schema)
    if value is None:
        nullable = schema.get("nullable") or "null" in (
            schema.get("type") if isinstance(schema.get("type"), list) else []
        )
        return [] if nullable or not schema else [f"{where}: null not allowed"]
    if "allOf" in schema:
        return [e for sub in schema["allOf"] for e in validate(spec, sub, value, where)]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [validate(spec, sub, value, where) for sub in schema[key]]
            return [] if any(not o for o in options) else options[0]
    errors: list[str] = []
    typ = schema.get("type")
    types = typ if isinstance(typ, list) else [typ] if typ else []
    checks = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}
    if types and not any(
        isinstance(value, checks[t]) and not (t in ("integer", "number") and isinstance(value, bool))
        for t in types
        if t in checks
    ):
        return [f"{where}: {type(value).__name__} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in enum")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{where}: missing required {k}" for k in schema.get("required", []) if k not in value]
        if props and schema.get("additionalProperties") is not True:
            errors += [f"{where}: undeclared field {k}" for k in value if k not in props]
        for k, v in value.items():
            if k in props:
                errors += validate(spec, props[k], v, f"{where}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errors += validate(spec, schema["items"], v, f"{where}[{i}]")
    return errors


def _operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    rel = path[len(API) :]
    for template, ops in OPENAPI["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, rel) and method.lower() in ops:
            literal = template.count("{")
            best = (template, ops[method.lower()])
            if literal == 0:
                return best
            candidate = best
            # prefer a literal template over a parameterised one (e.g. /markets/trades vs /markets/{ticker})
            for t2, ops2 in OPENAPI["paths"].items():
                if (
                    t2.count("{") < literal
                    and re.match("^" + re.sub(r"\{[^}]+\}", "[^/]+", t2) + "$", rel)
                    and method.lower() in ops2
                ):
                    candidate = (t2, ops2[method.lower()])
            return candidate
    raise AssertionError(f"{method} {rel} is not in openapi.yaml")


def check_response(response: httpx.Response) -> None:
    _template, op = _operation(response.request.method, response.request.url.path)
    declared = op["responses"].get(str(response.status_code))
    assert declared is not None, f"{op['operationId']} does not declare status {response.status_code}"
    declared = _resolve(OPENAPI, declared)
    content = declared.get("content", {}).get("application/json")
    if content is None and response.status_code >= 400:
        # Some error statuses are declared without a body; Kalshi still sends its ErrorResponse
        # (docs/protocol/server-behaviours.md#http).
        content = {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
    if content is None:
        assert not response.content, f"{op['operationId']} {response.status_code} must have no body"
        return
    errors = validate(OPENAPI, content["schema"], response.json(), f"{op['operationId']}[{response.status_code}]")
    assert not errors, "\n".join(errors[:20])


_WS_PAYLOADS = {m["name"]: m["payload"] for m in ASYNCAPI["components"]["messages"].values() if "name" in m}


def check_frame(frame: dict[str, Any]) -> None:
    name = frame["type"]
    if name == "ok" and isinstance(frame.get("msg"), list):
        name = "list_subscriptions"
    candidates = [
        p
        for n, p in ASYNCAPI["components"]["messages"].items()
        if p.get("name") == name or (name == "list_subscriptions" and n == "listSubscriptionsResponse")
    ]
    assert candidates, f"no AsyncAPI message named {name}"
    results = [validate(ASYNCAPI, c["payload"], frame, name) for c in candidates]
    assert any(not r for r in results), "\n".join(results[0][:20])


def test_rest_responses_match_openapi() -> None:
    with KalshiExchangeSimulator(realistic=False) as sim:
        alice = sim.create_user("shape-a")
        bob = sim.create_user("shape-b")
        with httpx.Client(base_url=sim.base_url, event_hooks={"response": [lambda r: r.read()]}) as http:

            def call(method: str, path: str, user: Any = None, body: Any = None, **params: Any) -> httpx.Response:
                headers = user.auth.headers(method, API + path) if user else {}
                r = http.request(
                    method,
                    API + path,
                    headers=headers,
                    params=params or None,
                    content=None if body is None else json.dumps(body),
                )
                check_response(r)
                return r

            order = {
                "ticker": FED,
                "side": "bid",
                "price": "0.05",
                "count": "2",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
                "client_order_id": "shape-1",
            }
            for path, params in [
                ("/exchange/status", {}),
                ("/exchange/schedule", {}),
                ("/series", {}),
                ("/series/KXFED", {}),
                ("/events", {"with_nested_markets": "true"}),
                ("/events/KXFED-26DEC", {}),
                ("/markets", {"limit": 3}),
                (f"/markets/{FED}", {}),
                (f"/markets/{FED}/orderbook", {}),
                ("/markets/orderbooks", {"tickers": FED}),
                ("/markets/trades", {}),
                ("/markets/NOPE", {}),
                ("/markets", {"cursor": ""}),
            ]:
                call("GET", path, **params)
            created = call("POST", "/portfolio/events/orders", alice, order).json()
            call("POST", "/portfolio/events/orders", alice, order | {"price": "7"})
            oid = created["order_id"]
            call("POST", f"/portfolio/events/orders/{oid}/decrease", alice, {"reduce_by": "1"})
            call(
                "POST",
                f"/portfolio/events/orders/{oid}/amend",
                alice,
                {"ticker": FED, "side": "bid", "price": "0.06", "count": "3"},
            )
            call("GET", f"/portfolio/orders/{oid}", alice)
            call("DELETE", f"/portfolio/events/orders/{oid}", alice)
            call(
                "POST",
                "/portfolio/events/orders/batched",
                alice,
                {"orders": [order | {"client_order_id": "b1"}, order | {"price": "9"}]},
            )
            call("DELETE", "/portfolio/events/orders/batched", alice, {"orders": [{"order_id": "missing"}]})
            call("DELETE", "/portfolio/events/orders", alice)
            sim.call(lambda ex: ex.cancel_all("market-maker"))
            call(
                "POST",
                "/portfolio/events/orders",
                alice,
                order | {"side": "ask", "price": "0.50", "client_order_id": "x"},
            )
            call(
                "POST",
                "/portfolio/events/orders",
                bob,
                order | {"price": "0.50", "client_order_id": "y", "time_in_force": "immediate_or_cancel"},
            )
            for user in (alice, bob):
                for path in ("/portfolio/balance", "/portfolio/positions", "/portfolio/fills", "/portfolio/orders"):
                    call("GET", path, user)
            call("GET", "/portfolio/balance")
            sub = call("POST", "/portfolio/subaccounts", alice, {}).json()["subaccount_number"]
            call(
                "POST",
                "/portfolio/subaccounts/transfer",
                alice,
                {"client_transfer_id": "s1", "from_subaccount": 0, "to_subaccount": sub, "amount_cents": 100},
            )
            call("GET", "/portfolio/subaccounts/balances", alice)
            call("GET", "/portfolio/subaccounts/transfers", alice)
            call("GET", "/account/endpoint_costs")
            call("GET", "/account/limits", alice)
            call("GET", "/exchange/user_data_timestamp")
            for path in (
                "/portfolio/deposits",
                "/portfolio/withdrawals",
                "/portfolio/settlements",
                "/portfolio/orders/queue_positions",
            ):
                call("GET", path, alice)
            resting = call("POST", "/portfolio/events/orders", alice, order | {"client_order_id": "q"}).json()
            call("GET", f"/portfolio/orders/{resting['order_id']}/queue_position", alice)
            call("GET", "/markets/trades", ticker=FED)
            gid = call("POST", "/portfolio/order_groups/create", alice, {"contracts_limit": 3}).json()["order_group_id"]
            call("GET", "/portfolio/order_groups", alice)
            call("GET", f"/portfolio/order_groups/{gid}", alice)
            call("PUT", f"/portfolio/order_groups/{gid}/limit", alice, {"contracts_limit": 4})
            call("PUT", f"/portfolio/order_groups/{gid}/trigger", alice, {})
            call("PUT", f"/portfolio/order_groups/{gid}/reset", alice, {})
            call("DELETE", f"/portfolio/order_groups/{gid}", alice)
            sim.call(lambda ex: ex.settle_market(FED, "no"))
            call("GET", "/portfolio/settlements", alice)
            call("GET", f"/markets/{FED}")


def test_websocket_frames_match_asyncapi() -> None:
    async def session(sim: KalshiExchangeSimulator) -> list[dict[str, Any]]:
        alice = await asyncio.to_thread(sim.create_user, "ws-shape-a")
        bob = await asyncio.to_thread(sim.create_user, "ws-shape-b")
        frames: list[dict[str, Any]] = []
        headers = alice.auth.headers("GET", "/trade-api/ws/v2")
        async with ws_connect(sim.ws_url, additional_headers=headers) as ws:
            commands = [
                {"id": 1, "cmd": "subscribe", "params": {"channels": ["orderbook_delta"], "market_ticker": FED}},
                {
                    "id": 2,
                    "cmd": "subscribe",
                    "params": {
                        "channels": [
                            "ticker",
                            "trade",
                            "fill",
                            "user_orders",
                            "market_positions",
                            "order_group_updates",
                        ]
                    },
                },
                {"id": 3, "cmd": "list_subscriptions"},
                {
                    "id": 4,
                    "cmd": "update_subscription",
                    "params": {"sid": 1, "action": "add_markets", "market_tickers": ["KXFED-26DEC-T3.25"]},
                },
                {"id": 5, "cmd": "subscribe", "params": {"channels": ["nope"]}},
                {"id": 7, "cmd": "subscribe", "params": {"channels": ["market_lifecycle_v2"]}},
            ]
            for c in commands:
                await ws.send(json.dumps(c))
            await asyncio.to_thread(sim.call, lambda ex: ex.cancel_all("market-maker"))
            base = {
                "ticker": FED,
                "count": "1",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
            }
            await asyncio.to_thread(
                sim.call, lambda ex: ex.create_order("ws-shape-a", base | {"side": "ask", "price": "0.40"})
            )
            await asyncio.to_thread(
                sim.call, lambda ex: ex.create_order("ws-shape-b", base | {"side": "bid", "price": "0.40"})
            )
            await asyncio.to_thread(sim.call, lambda ex: ex.create_group("ws-shape-a", {"contracts_limit": 1}))
            await asyncio.to_thread(sim.call, lambda ex: ex.settle_market("KXFED-26DEC-T3.25", "yes"))
            await ws.send(json.dumps({"id": 6, "cmd": "unsubscribe", "params": {"sids": [1]}}))
            try:
                while True:
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), 0.5)))
            except TimeoutError:
                pass
        del bob
        return frames

    with KalshiExchangeSimulator(realistic=False) as sim:
        frames = asyncio.run(session(sim))
    seen = {f["type"] for f in frames}
    assert seen >= {
        "subscribed",
        "orderbook_snapshot",
        "orderbook_delta",
        "ticker",
        "trade",
        "fill",
        "user_order",
        "market_position",
        "order_group_updates",
        "ok",
        "error",
        "unsubscribed",
        "market_lifecycle_v2",
    }
    for frame in frames:
        check_frame(frame)


def test_generated_shape_tables_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/codegen/gen_testing.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["Market", "Order", "Fill", "MarketPosition", "CreateOrderV2Response"])
def test_shape_builder_fills_every_required_field(name: str) -> None:
    from kalshi_testing.simulator._shapes import rest

    built = rest(name)
    assert not validate(OPENAPI, {"$ref": f"#/components/schemas/{name}"}, built, name)
