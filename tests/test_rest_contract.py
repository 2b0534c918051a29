"""Contract tests: kalshi_rest against specs/openapi.yaml, every operation, both faces.

`pytest -s tests/test_rest_contract.py` prints `128/128 operations covered`; the same report is
`uv run python tools/codegen/rest_contract.py`.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import sys
import typing
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))

import rest_contract
from _openapi import OperationSpec, ParameterSpec

from kalshi_auth import KalshiAuth
from kalshi_rest import AsyncKalshiClient, AsyncPage, KalshiClient, Page, models
from kalshi_rest._models import ResponseModel
from kalshi_rest.resources._generated import OPERATION_METHODS, RESOURCE_CLASSES

SPEC = rest_contract.load_spec()
OPS = list(SPEC.operations())
OPS_BY_ID = {op.operation_id: op for op in OPS}
PREFIX = "/trade-api/v2"


def test_spec_has_128_operations() -> None:
    assert len(OPS) == 128
    assert len(OPS_BY_ID) == 128


def test_coverage_report() -> None:
    covered, total, bad = rest_contract.coverage(SPEC)
    print(f"\n{covered}/{total} operations covered")
    assert bad == {}
    assert (covered, total) == (128, 128)


@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
def test_operation_matches_spec(op_id: str) -> None:
    assert rest_contract.check_operation(SPEC, OPS_BY_ID[op_id]) == []


def test_every_operation_has_exactly_one_method() -> None:
    assert set(OPERATION_METHODS) == set(OPS_BY_ID)
    targets = list(OPERATION_METHODS.values())
    assert len(set(targets)) == len(targets)


# -- the checker itself notices drift ---------------------------------------------------------


def _mutated(op_id: str, **changes: Any) -> OperationSpec:
    return dataclasses.replace(OPS_BY_ID[op_id], **changes)


def test_checker_notices_a_new_query_param() -> None:
    op = OPS_BY_ID["GetMarkets"]
    extra = ParameterSpec(name="brand_new", location="query", required=False, schema={"type": "string"})
    problems = rest_contract.check_operation(SPEC, _mutated("GetMarkets", parameters=(*op.parameters, extra)))
    assert any("brand_new" in p for p in problems)


def test_checker_notices_required_ness_and_type_changes() -> None:
    op = OPS_BY_ID["GetMarkets"]
    flipped = tuple(dataclasses.replace(p, required=True) if p.name == "limit" else p for p in op.parameters)
    assert any(
        "limit required" in p for p in rest_contract.check_operation(SPEC, _mutated("GetMarkets", parameters=flipped))
    )
    retyped = tuple(
        dataclasses.replace(p, schema={"type": "boolean"}) if p.name == "limit" else p for p in op.parameters
    )
    assert any(
        "limit" in p and "bool" in p
        for p in rest_contract.check_operation(SPEC, _mutated("GetMarkets", parameters=retyped))
    )


def test_checker_notices_body_and_route_changes() -> None:
    problems = rest_contract.check_operation(
        SPEC, _mutated("CreateOrderV2", path="/portfolio/orders", success_status=200)
    )
    assert any("path" in p for p in problems)
    assert any("success_status" in p for p in problems)
    body = {"$ref": "#/components/schemas/AmendOrderV2Request"}
    assert any(
        "request is" in p for p in rest_contract.check_operation(SPEC, _mutated("CreateOrderV2", request_schema=body))
    )


def test_checker_notices_a_missing_method() -> None:
    assert rest_contract.check_operation(SPEC, _mutated("GetMarkets", operation_id="GetSomethingNew")) == [
        "GetSomethingNew: no client method"
    ]


# -- responses ------------------------------------------------------------------------------------


def _decimal_paths(schema: dict[str, Any], value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(path, parsed value) for every FixedPoint field reachable in `value`."""
    found: list[tuple[str, Any]] = []
    ref = SPEC.ref_name(schema)
    if ref in ("FixedPointDollars", "FixedPointCount"):
        return [(path, value)]
    target = SPEC.resolve(schema)
    if isinstance(value, BaseModel):
        for name, prop in target.get("properties", {}).items():
            found += _decimal_paths(prop, getattr(value, name, None), f"{path}.{name}")
    elif isinstance(value, list) and target.get("type") == "array":
        for item in value:
            found += _decimal_paths(target.get("items", {}), item, path + "[]")
    return found


RESPONSE_OPS = sorted(op.operation_id for op in OPS if op.response_schema is not None)


@pytest.mark.parametrize("all_fields", [True, False], ids=["all-fields", "required-only"])
@pytest.mark.parametrize("op_id", RESPONSE_OPS)
def test_response_example_parses(op_id: str, all_fields: bool) -> None:
    op = OPS_BY_ID[op_id]
    assert op.response_schema is not None
    model = getattr(models, SPEC.ref_name(op.response_schema) or "")
    payload = rest_contract.example(SPEC, op.response_schema, all_fields=all_fields)
    parsed = model.model_validate_json(json.dumps(payload))
    for path, value in _decimal_paths(op.response_schema, parsed):
        assert value is None or isinstance(value, Decimal), path


MODEL_SCHEMAS = sorted(
    name
    for name in SPEC.referenced_schemas()
    if SPEC.schemas[name].get("properties") and issubclass(getattr(models, name), ResponseModel)
)


@pytest.mark.parametrize("name", MODEL_SCHEMAS)
def test_every_response_component_schema_parses_its_example(name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{name}"}
    model = getattr(models, name)
    for all_fields in (True, False):
        parsed = model.model_validate_json(json.dumps(rest_contract.example(SPEC, schema, all_fields=all_fields)))
        for path, value in _decimal_paths(schema, parsed):
            assert value is None or isinstance(value, Decimal), path


def test_every_referenced_component_schema_has_a_model() -> None:
    skipped = {"FixedPointDollars", "FixedPointCount"}  # Decimal types in kalshi_rest._fixed_point
    missing = sorted(n for n in SPEC.referenced_schemas() - skipped if not hasattr(models, n))
    assert missing == []


# -- behaviour: every operation through a mock transport, both faces ----------------------------


@pytest.fixture(scope="module")
def auth() -> KalshiAuth:
    return KalshiAuth("contract-key", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _sample(param: ParameterSpec) -> Any:
    schema = SPEC.resolve(param.schema)
    if schema.get("type") == "array":
        return ["a1", "b2"] if SPEC.resolve(schema.get("items", {})).get("type") == "string" else [1, 2]
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": 7, "boolean": True, "number": Decimal("1.5")}.get(schema.get("type", ""), f"v-{param.name}")


def _call_args(op: OperationSpec) -> tuple[list[Any], dict[str, Any], dict[str, Any] | None]:
    args = [f"p-{p.name}" for p in op.path_params]
    kwargs = {rest_contract._wire_name(p.name): _sample(p) for p in op.query_params if p.required}
    body: dict[str, Any] | None = None
    if op.request_schema is not None and SPEC.resolve(op.request_schema).get("properties"):
        body = rest_contract.example(SPEC, op.request_schema)
        model = getattr(models, SPEC.ref_name(op.request_schema) or "")
        kwargs["request"] = model.model_validate_json(json.dumps(body))
    return args, kwargs, body


def _expected_query(op: OperationSpec) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for p in op.query_params:
        if not p.required:
            continue
        value = _sample(p)
        if isinstance(value, list):
            texts = [str(v) for v in value]
            pairs += [(p.name, t) for t in texts] if p.explode else [(p.name, ",".join(texts))]
        elif isinstance(value, bool):
            pairs.append((p.name, "true" if value else "false"))
        else:
            pairs.append((p.name, str(value)))
    return sorted(pairs)


def _handler(op: OperationSpec, seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if op.response_schema is None:
            return httpx.Response(op.success_status)
        return httpx.Response(op.success_status, json=rest_contract.example(SPEC, op.response_schema))

    return handle


def _strip_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nones(v) for v in value]
    return value


def _check_request(op: OperationSpec, request: httpx.Request, body: dict[str, Any] | None) -> None:
    assert request.method == op.method
    expected_path = PREFIX + op.path
    for p in op.path_params:
        expected_path = expected_path.replace("{" + p.name + "}", f"p-{p.name}")
    assert request.url.path == expected_path
    assert sorted(parse_qsl(request.url.query.decode(), keep_blank_values=True)) == _expected_query(op)
    assert "KALSHI-ACCESS-SIGNATURE" in request.headers
    if body is not None:
        assert json.loads(request.content) == _strip_nones(body)
    elif op.method in ("POST", "PUT"):
        assert json.loads(request.content) == {}


def _check_result(op: OperationSpec, result: Any, *, is_async: bool) -> None:
    attribute, _ = OPERATION_METHODS[op.operation_id]
    module = importlib.import_module(f"kalshi_rest.resources._generated.{attribute}")
    operation = module.OPERATIONS[op.operation_id]
    if op.response_schema is None:
        assert result is None
    elif operation.page_items:
        assert isinstance(result, AsyncPage if is_async else Page)
        assert len(list(result)) >= 1
    else:
        assert type(result).__name__ == SPEC.ref_name(op.response_schema)


@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
def test_operation_round_trip_sync(op_id: str, auth: KalshiAuth) -> None:
    op = OPS_BY_ID[op_id]
    seen: list[httpx.Request] = []
    attribute, method = OPERATION_METHODS[op_id]
    args, kwargs, body = _call_args(op)
    with KalshiClient(auth=auth, transport=httpx.MockTransport(_handler(op, seen))) as client:
        result = getattr(getattr(client, attribute), method)(*args, **kwargs)
    assert len(seen) == 1
    _check_request(op, seen[0], body)
    _check_result(op, result, is_async=False)


@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
async def test_operation_round_trip_async(op_id: str, auth: KalshiAuth) -> None:
    op = OPS_BY_ID[op_id]
    seen: list[httpx.Request] = []
    attribute, method = OPERATION_METHODS[op_id]
    args, kwargs, body = _call_args(op)
    async with AsyncKalshiClient(auth=auth, transport=httpx.MockTransport(_handler(op, seen))) as client:
        result = await getattr(getattr(client, attribute), method)(*args, **kwargs)
    assert len(seen) == 1
    _check_request(op, seen[0], body)
    _check_result(op, result, is_async=True)


# -- the two faces never drift apart -----------------------------------------------------------


def _normalise_return(annotation: Any) -> str:
    text = str(annotation)
    return text.replace("AsyncIterator[", "Iterator[").replace("AsyncPage[", "Page[")


@pytest.mark.parametrize("attribute", sorted(RESOURCE_CLASSES))
def test_sync_and_async_signatures_match(attribute: str) -> None:
    module = importlib.import_module(f"kalshi_rest.resources._generated.{attribute}")
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
        assert not inspect.iscoroutinefunction(sync_fn), name
    for cls, methods in ((sync_cls, sync_methods), (async_cls, async_methods)):
        raw_cls = typing.get_type_hints(cls.with_raw_response.func)["return"]
        wrapped = set(vars(raw_cls(cls(object()))))
        iterators = {n for n, f in methods.items() if "Iterator[" in str(inspect.signature(f).return_annotation)}
        assert wrapped == set(methods) - iterators - {"with_raw_response"}
