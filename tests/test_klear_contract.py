"""Contract tests: kalshi_klear against specs/perps_scm_openapi.yaml, every operation, both faces.

`pytest -s tests/test_klear_contract.py` prints `28/28 operations covered`; the same report is
`uv run python tools/codegen/klear_contract.py`.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import sys
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))

import klear_contract
from _openapi import OperationSpec, ParameterSpec

from kalshi_klear import AsyncKlearClient, KlearClient, models
from kalshi_klear.resources._generated import OPERATION_METHODS, RESOURCE_CLASSES
from kalshi_rest import AsyncPage, Page

SPEC = klear_contract.load_spec()
OPS = list(SPEC.operations())
OPS_BY_ID = {op.operation_id: op for op in OPS}
PREFIX = "/klear-api/v1"
ADMIN, TOKEN = "contract-admin", "contract-token-not-real"


def test_spec_has_28_untagged_operations() -> None:
    assert len(OPS) == 28
    assert len(OPS_BY_ID) == 28
    assert all(not op.tags for op in OPS)
    assert SPEC.doc["security"] == [{"kalshiBearer": []}]


def test_coverage_report() -> None:
    covered, total, bad = klear_contract.coverage(SPEC)
    print(f"\n{covered}/{total} operations covered")
    assert bad == {}
    assert (covered, total) == (28, 28)


@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
def test_operation_matches_spec(op_id: str) -> None:
    assert klear_contract.check_operation(SPEC, OPS_BY_ID[op_id]) == []


def test_every_operation_has_exactly_one_method() -> None:
    assert set(OPERATION_METHODS) == set(OPS_BY_ID)
    targets = list(OPERATION_METHODS.values())
    assert len(set(targets)) == len(targets)


def test_removed_endpoints_have_no_method() -> None:
    paths = {(m.upper(), p) for p, item in SPEC.doc["paths"].items() for m in item if m != "parameters"}
    for gone in (("GET", "/margin/active_obligation"), ("GET", "/margin/settlement_estimate"), ("POST", "/log_in")):
        assert gone not in paths
    operations = [
        op
        for attribute in RESOURCE_CLASSES
        for op in importlib.import_module(f"kalshi_klear.resources._generated.{attribute}").OPERATIONS.values()
    ]
    assert {op.path for op in operations}.isdisjoint(
        {"/margin/active_obligation", "/margin/settlement_estimate", "/log_in"}
    )


# -- the checker itself notices drift ---------------------------------------------------------


def _mutated(op_id: str, **changes: Any) -> OperationSpec:
    return dataclasses.replace(OPS_BY_ID[op_id], **changes)


def test_checker_notices_a_new_or_retyped_query_param() -> None:
    op = OPS_BY_ID["GetObligationHistory"]
    extra = ParameterSpec(name="asset_class", location="query", required=False, schema={"type": "string"})
    problems = klear_contract.check_operation(SPEC, _mutated(op.operation_id, parameters=(*op.parameters, extra)))
    assert any("asset_class" in p for p in problems)
    retyped = tuple(
        dataclasses.replace(p, schema={"type": "boolean"}) if p.name == "limit" else p for p in op.parameters
    )
    assert any(
        "limit" in p for p in klear_contract.check_operation(SPEC, _mutated(op.operation_id, parameters=retyped))
    )


def test_checker_notices_route_body_and_missing_methods() -> None:
    problems = klear_contract.check_operation(
        SPEC, _mutated("WithdrawSettlementBalance", path="/margin/withdraw", success_status=201)
    )
    assert any("path" in p for p in problems)
    assert any("success_status" in p for p in problems)
    other = {"$ref": "#/components/schemas/CreateMarginSubtraderGroupRequest"}
    problems = klear_contract.check_operation(SPEC, _mutated("WithdrawSettlementBalance", request_schema=other))
    assert any("request is" in p for p in problems)
    assert klear_contract.check_operation(SPEC, _mutated("GetSettlementBalance", operation_id="GetNewThing")) == [
        "GetNewThing: no client method"
    ]


# -- responses: money types ----------------------------------------------------------------------

RESPONSE_OPS = sorted(op.operation_id for op in OPS if op.response_schema is not None)


def _walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(dotted path, leaf value) for every field of a parsed model tree."""
    if hasattr(type(value), "model_fields"):
        out: list[tuple[str, Any]] = []
        for name in type(value).model_fields:
            out += _walk(getattr(value, name), f"{path}.{name}")
        return out
    if isinstance(value, list):
        return [pair for item in value for pair in _walk(item, path + "[]")]
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _walk(item, f"{path}{{}}")]
    return [(path, value)]


def _money_checks(op_id: str, all_fields: bool) -> int:
    op = OPS_BY_ID[op_id]
    assert op.response_schema is not None
    model = getattr(models, SPEC.ref_name(op.response_schema) or "")
    payload = klear_contract.example(SPEC, op.response_schema, all_fields=all_fields)
    parsed = model.model_validate_json(json.dumps(payload))
    checked = 0
    for path, value in _walk(parsed):
        assert not isinstance(value, float), path
        if value is None:
            continue
        leaf = path.rsplit(".", 1)[-1].rstrip("[]{}")
        if leaf.endswith(("_centicents", "_centicount")):
            assert type(value) is int, path  # centicents stay integers (FACTS 5.10)
            checked += 1
        if leaf.endswith("_fp") or (leaf == "amount" and "Withdrawal" in op_id):
            assert isinstance(value, Decimal), path
            checked += 1
    return checked


@pytest.mark.parametrize("all_fields", [True, False], ids=["all-fields", "required-only"])
@pytest.mark.parametrize("op_id", RESPONSE_OPS)
def test_response_example_parses_with_money_types(op_id: str, all_fields: bool) -> None:
    _money_checks(op_id, all_fields)


def test_money_checks_reach_the_money_fields() -> None:
    assert sum(_money_checks(op_id, True) for op_id in RESPONSE_OPS) > 40
    assert _money_checks("GetSettlementBalanceWithdrawal", False) == 1


def test_the_two_dollar_exceptions_are_decimal() -> None:
    withdrawal = models.GetSettlementBalanceWithdrawalResponse.model_validate_json(
        '{"id":"w","amount":"500.00","status":"pending","created_ts":"2026-01-02T00:00:00Z"}'
    )
    assert withdrawal.amount == Decimal("500.00")
    estimate = models.MarketSettlementEstimate.model_validate_json(
        '{"quantity_centicount":125,"variation_margin_centicents":-10,"notional_value_centicents":9,'
        '"session_avg_price_fp":"68123.4500"}'
    )
    assert estimate.session_avg_price_fp == Decimal("68123.4500")
    assert estimate.quantity_centicount == 125


# -- behaviour: every operation through a mock transport, both faces ----------------------------


def _sample(param: ParameterSpec) -> Any:
    schema = SPEC.resolve(param.schema)
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date":
        return date(2026, 1, 2)
    if schema.get("format") == "date-time":
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return {"integer": 7, "boolean": True}.get(schema.get("type", ""), f"v-{param.name}")


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _call_args(op: OperationSpec) -> tuple[list[Any], dict[str, Any], dict[str, Any] | None]:
    args = [f"p-{p.name}" for p in op.path_params]
    kwargs = {p.name: _sample(p) for p in op.query_params if p.required}
    body: dict[str, Any] | None = None
    if op.request_schema is not None:
        body = klear_contract.example(SPEC, op.request_schema)
        model = getattr(models, SPEC.ref_name(op.request_schema) or "")
        kwargs["request"] = model.model_validate_json(json.dumps(body))
    return args, kwargs, body


def _handler(op: OperationSpec, seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if op.response_schema is None:
            return httpx.Response(op.success_status)
        return httpx.Response(op.success_status, json=klear_contract.example(SPEC, op.response_schema))

    return handle


def _check_request(op: OperationSpec, request: httpx.Request, body: dict[str, Any] | None) -> None:
    assert request.method == op.method
    expected_path = PREFIX + op.path
    for p in op.path_params:
        expected_path = expected_path.replace("{" + p.name + "}", f"p-{p.name}")
    assert request.url.path == expected_path
    expected_query = sorted((p.name, _text(_sample(p))) for p in op.query_params if p.required)
    assert sorted(parse_qsl(request.url.query.decode(), keep_blank_values=True)) == expected_query
    assert request.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}"
    assert not any(h.lower().startswith("kalshi-access") for h in request.headers)
    if body is not None:
        assert json.loads(request.content) == {k: v for k, v in body.items() if v is not None}
    elif op.method in ("POST", "PUT"):
        assert json.loads(request.content) == {}


def _check_result(op: OperationSpec, result: Any, *, is_async: bool) -> None:
    attribute, _ = OPERATION_METHODS[op.operation_id]
    module = importlib.import_module(f"kalshi_klear.resources._generated.{attribute}")
    operation = module.OPERATIONS[op.operation_id]
    if op.response_schema is None:
        assert result is None
    elif operation.page_items:
        assert isinstance(result, AsyncPage if is_async else Page)
        assert len(list(result)) >= 1
        assert result.cursor is not None
    else:
        assert type(result).__name__ == SPEC.ref_name(op.response_schema)


@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
def test_operation_round_trip_sync(op_id: str) -> None:
    op = OPS_BY_ID[op_id]
    seen: list[httpx.Request] = []
    attribute, method = OPERATION_METHODS[op_id]
    args, kwargs, body = _call_args(op)
    transport = httpx.MockTransport(_handler(op, seen))
    with KlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=transport) as client:
        result = getattr(getattr(client, attribute), method)(*args, **kwargs)
    assert len(seen) == 1
    _check_request(op, seen[0], body)
    _check_result(op, result, is_async=False)


@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
async def test_operation_round_trip_async(op_id: str) -> None:
    op = OPS_BY_ID[op_id]
    seen: list[httpx.Request] = []
    attribute, method = OPERATION_METHODS[op_id]
    args, kwargs, body = _call_args(op)
    transport = httpx.MockTransport(_handler(op, seen))
    async with AsyncKlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=transport) as client:
        result = await getattr(getattr(client, attribute), method)(*args, **kwargs)
    assert len(seen) == 1
    _check_request(op, seen[0], body)
    _check_result(op, result, is_async=True)


# -- the two faces never drift apart -----------------------------------------------------------


def _normalise_return(annotation: Any) -> str:
    return str(annotation).replace("AsyncIterator[", "Iterator[").replace("AsyncPage[", "Page[")


@pytest.mark.parametrize("attribute", sorted(RESOURCE_CLASSES))
def test_sync_and_async_signatures_match(attribute: str) -> None:
    module = importlib.import_module(f"kalshi_klear.resources._generated.{attribute}")
    sync_name, async_name = RESOURCE_CLASSES[attribute]
    sync_cls, async_cls = getattr(module, sync_name), getattr(module, async_name)

    def public(cls: type) -> dict[str, Any]:
        return {n: f for n, f in vars(cls).items() if inspect.isfunction(f) and not n.startswith("_")}

    sync_methods, async_methods = public(sync_cls), public(async_cls)
    assert sorted(sync_methods) == sorted(async_methods)
    assert sync_methods
    for name, sync_fn in sync_methods.items():
        async_fn = async_methods[name]
        sync_sig, async_sig = inspect.signature(sync_fn), inspect.signature(async_fn)
        assert list(sync_sig.parameters.values()) == list(async_sig.parameters.values()), name
        assert _normalise_return(sync_sig.return_annotation) == _normalise_return(async_sig.return_annotation), name
        assert inspect.getdoc(sync_fn) == inspect.getdoc(async_fn), name
        iterates = str(async_sig.return_annotation).startswith("AsyncIterator")
        assert inspect.iscoroutinefunction(async_fn) is not iterates, name
    for cls in (sync_cls, async_cls):
        raw_cls = typing.get_type_hints(cls.with_raw_response.func)["return"]
        assert set(vars(raw_cls(cls(object())))) <= set(public(cls))
