"""Contract: the simulator serves every operation in specs/openapi.yaml.

Walks the spec (not the generated tables), so an operation added to the spec and not served fails
here. Each operation is (1) routed to its own handler: a literal segment wins over a `{template}`,
so `/markets/candlesticks` is not taken for a market ticker; and (2) answered live, signed, with
a status the spec declares for it and a body that validates against the declared schema.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from kalshi_testing import KalshiExchangeSimulator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_testing_simulator_shapes import API, FED, OPENAPI, check_response

_METHODS = ("get", "post", "put", "delete", "patch")
OPERATIONS = [
    (op["operationId"], method.upper(), path)
    for path, item in OPENAPI["paths"].items()
    for method, op in item.items()
    if method in _METHODS
]
_SAMPLE = {
    "ticker": FED,
    "market_tickers": FED,
    "tickers": FED,
    "event_ticker": "KXFED-26DEC",
    "series_ticker": "KXFED",
    "start_ts": "0",
    "end_ts": "4102444800",
    "period_interval": "60",
    "percentiles": "5000",
    "milestone_ids": "m1",
    "limit": "10",
    "subtrader_id": "sub-1",
}


def _concrete(path: str) -> str:
    path = path.replace("/events/{ticker}", "/events/" + _SAMPLE["event_ticker"])
    return re.sub(r"\{([^}]+)\}", lambda m: _SAMPLE.get(m.group(1), f"x-{m.group(1)}"), path)


def _required_query(op: dict[str, Any]) -> dict[str, str]:
    out = {}
    for entry in op.get("parameters", []):
        param = OPENAPI["components"]["parameters"][entry["$ref"].rsplit("/", 1)[-1]] if "$ref" in entry else entry
        if param.get("in") == "query" and param.get("required"):
            out[param["name"]] = _SAMPLE[param["name"]]
    return out


def test_the_spec_has_128_operations() -> None:
    assert len(OPERATIONS) == 128


@pytest.fixture(scope="module")
def app() -> web.Application:
    return KalshiExchangeSimulator(realistic=False).build_app()


@pytest.mark.parametrize(("operation", "method", "path"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
async def test_every_operation_routes_to_its_own_handler(
    app: web.Application, operation: str, method: str, path: str
) -> None:
    # The concrete URL resolves to this operation's template, not to a templated sibling.
    request = make_mocked_request(method, API + _concrete(path), app=app)
    match = await app.router.resolve(request)
    resource = match.route.resource
    assert resource is not None, f"{operation} ({method} {path}) is not served"
    assert resource.canonical == API + path, f"{operation}: {method} {path} is caught by {resource.canonical}"


def test_every_operation_answers_a_declared_status_and_shape() -> None:
    with KalshiExchangeSimulator(realistic=False) as sim:
        user = sim.create_user("walker")
        unserved: list[str] = []
        failures: list[str] = []
        with httpx.Client(base_url=sim.base_url, event_hooks={"response": [lambda r: r.read()]}) as http:
            for operation, method, path in OPERATIONS:
                op = OPENAPI["paths"][path][method.lower()]
                url = API + _concrete(path)
                body = None if method in ("GET", "DELETE") else json.dumps({})
                r = http.request(
                    method,
                    url,
                    params=_required_query(op),
                    headers=user.auth.headers(method, url),
                    content=body,
                )
                try:
                    check_response(r)  # a declared status and, with a body, the declared schema
                except AssertionError as exc:
                    failures.append(f"{operation}: {str(exc).splitlines()[0]} {r.text[:200]}")
                if r.status_code == 404 and r.json().get("code") == "not_found" and "no route" in r.json()["message"]:
                    unserved.append(operation)
        assert not unserved, f"unserved operations: {unserved}"
        assert not failures, "\n".join(failures)


def test_an_unknown_route_answers_kalshis_json_error_body() -> None:
    with KalshiExchangeSimulator() as sim, httpx.Client(base_url=sim.base_url) as http:
        r = http.get(API + "/no/such/route")
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/json")
        assert set(r.json()) >= {"code", "message"}


@pytest.mark.parametrize(
    "path", ["/markets/candlesticks", "/series/fee_changes", "/events/multivariate", "/events/fee_changes"]
)
def test_literal_routes_are_not_taken_for_tickers(path: str) -> None:
    with KalshiExchangeSimulator() as sim, httpx.Client(base_url=sim.base_url) as http:
        params = {"market_tickers": FED, "start_ts": "0", "end_ts": "4102444800", "period_interval": "60"}
        r = http.get(API + path, params=params if "candlesticks" in path else None)
        assert r.status_code == 200, r.text
        assert "not found" not in r.text
