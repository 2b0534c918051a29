"""Contract tests: kalshi_perps against specs/perps_openapi.yaml, every operation, both faces.

`pytest -s tests/test_perps_contract.py` prints `53/53 operations covered`. The signature and type
checks are rest_contract's (the generator-independent checker of kalshi_rest), pointed at the
perps spec and the perps clients.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import re
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

import gen_perps
import rest_contract
from _openapi import OpenAPISpec, OperationSpec, ParameterSpec, Schema, example_for

from kalshi_auth import KalshiAuth
from kalshi_perps import AsyncPerpsClient, PerpsClient, models
from kalshi_perps.resources._generated import OPERATION_METHODS, RESOURCE_CLASSES
from kalshi_rest import AsyncPage, Page
from kalshi_rest._models import ResponseModel

ROOT = Path(__file__).resolve().parents[1]
SPEC = OpenAPISpec(ROOT / "specs" / "perps_openapi.yaml")
OPS = list(SPEC.operations())
OPS_BY_ID = {op.operation_id: op for op in OPS}
PREFIX = "/trade-api/v2"
GENERATED = "kalshi_perps.resources._generated"


def _module(attribute: str) -> Any:
    return importlib.import_module(f"{GENERATED}.{attribute}")


def check_operation(op: OperationSpec) -> list[str]:
    """Every disagreement between kalshi_perps and the spec for one operation (empty when it matches)."""
    return rest_contract.check_operation(SPEC, op, package="kalshi_perps", clients=(PerpsClient, AsyncPerpsClient))


def test_spec_has_53_operations() -> None:
    assert len(OPS) == 53
    assert len(OPS_BY_ID) == 53


def test_coverage_report() -> None:
    bad = {op.operation_id: p for op in OPS if (p := check_operation(op))}
    print(f"\n{len(OPS) - len(bad)}/{len(OPS)} operations covered")
    assert bad == {}


@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
def test_operation_matches_spec(op_id: str) -> None:
    assert check_operation(OPS_BY_ID[op_id]) == []


def test_every_operation_has_exactly_one_method() -> None:
    assert set(OPERATION_METHODS) == set(OPS_BY_ID)
    targets = list(OPERATION_METHODS.values())
    assert len(set(targets)) == len(targets)


def test_resource_families_follow_the_spec_tags() -> None:
    expected = {
        "exchange",
        "markets",
        "orders",
        "order_groups",
        "portfolio",
        "margin",
        "funding",
        "transfers",
        "risk",
        "fees",
        "corporate_actions",
        "exit_triggers",
        "fcm",
        "account",
    }
    assert set(RESOURCE_CLASSES) == expected


# -- the checker notices drift ------------------------------------------------------------------


def _mutated(op_id: str, **changes: Any) -> OperationSpec:
    return dataclasses.replace(OPS_BY_ID[op_id], **changes)


def test_checker_notices_a_new_query_param() -> None:
    op = OPS_BY_ID["GetMarginMarkets"]
    extra = ParameterSpec(name="brand_new", location="query", required=False, schema={"type": "string"})
    problems = check_operation(_mutated("GetMarginMarkets", parameters=(*op.parameters, extra)))
    assert any("brand_new" in p for p in problems)


def test_checker_notices_route_and_body_changes() -> None:
    problems = check_operation(_mutated("CreateMarginOrder", path="/margin/order", success_status=200))
    assert any("path" in p for p in problems)
    assert any("success_status" in p for p in problems)
    body = {"$ref": "#/components/schemas/AmendMarginOrderRequest"}
    assert any("request is" in p for p in check_operation(_mutated("CreateMarginOrder", request_schema=body)))


def test_checker_notices_a_missing_method() -> None:
    assert check_operation(_mutated("GetMarginMarkets", operation_id="GetSomethingNew")) == [
        "GetSomethingNew: no client method"
    ]


# -- responses: every example parses, every fixed-point value is Decimal -----------------------


def _decimal_paths(schema: dict[str, Any], value: Any, path: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    ref = SPEC.ref_name(schema)
    if ref in ("FixedPointDollars", "FixedPointCount"):
        return [(path, value)]
    target = SPEC.resolve(schema)
    if target.get("type") == "number":
        return [(path, value)]
    if isinstance(value, BaseModel):
        for name, prop in target.get("properties", {}).items():
            found += _decimal_paths(prop, getattr(value, name, None), f"{path}.{name}")
    elif isinstance(value, list) and target.get("type") == "array":
        for item in value:
            found += _decimal_paths(target.get("items", {}), item, path + "[]")
    return found


_DECIMAL_PROPS = {prop for _, prop in gen_perps.DECIMAL_STRING_FIELDS}


def _string_hook(prop: str, schema: Schema) -> str | None:
    if prop in _DECIMAL_PROPS:
        return "-0.000125"
    return rest_contract.decimal_string_hook(prop, schema)


def _example(schema: dict[str, Any], *, all_fields: bool = True) -> Any:
    return example_for(SPEC, schema, all_fields=all_fields, string_hook=_string_hook)


RESPONSE_OPS = sorted(op.operation_id for op in OPS if op.response_schema is not None)


@pytest.mark.parametrize("all_fields", [True, False], ids=["all-fields", "required-only"])
@pytest.mark.parametrize("op_id", RESPONSE_OPS)
def test_response_example_parses(op_id: str, all_fields: bool) -> None:
    op = OPS_BY_ID[op_id]
    assert op.response_schema is not None
    model = getattr(models, SPEC.ref_name(op.response_schema) or "")
    parsed = model.model_validate_json(json.dumps(_example(op.response_schema, all_fields=all_fields)))
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
        parsed = model.model_validate_json(json.dumps(_example(schema, all_fields=all_fields)))
        for path, value in _decimal_paths(schema, parsed):
            assert value is None or isinstance(value, Decimal), path


def test_every_referenced_component_schema_has_a_model() -> None:
    skipped = {"FixedPointDollars", "FixedPointCount"}
    assert sorted(n for n in SPEC.referenced_schemas() - skipped if not hasattr(models, n)) == []


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
    if schema.get("format") == "date":
        import datetime

        return datetime.date(2026, 1, 2)
    return {"integer": 7, "boolean": True, "number": Decimal("1.5")}.get(schema.get("type", ""), f"v-{param.name}")


def _call_args(op: OperationSpec) -> tuple[list[Any], dict[str, Any], dict[str, Any] | None]:
    args = [f"p-{p.name}" for p in op.path_params]
    kwargs = {rest_contract._wire_name(p.name): _sample(p) for p in op.query_params if p.required}
    body: dict[str, Any] | None = None
    if op.request_schema is not None and SPEC.resolve(op.request_schema).get("properties"):
        body = _example(op.request_schema)
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
        elif hasattr(value, "isoformat"):
            pairs.append((p.name, value.isoformat()))
        else:
            pairs.append((p.name, str(value)))
    return sorted(pairs)


def _handler(op: OperationSpec, seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if op.response_schema is None:
            return httpx.Response(op.success_status)
        return httpx.Response(op.success_status, json=_example(op.response_schema))

    return handle


def _strip_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nones(v) for v in value]
    return value


def _check_request(op: OperationSpec, request: httpx.Request, body: dict[str, Any] | None) -> None:
    assert request.method == op.method
    assert request.url.host == "external-api.kalshi.com"
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
    operation = _module(attribute).OPERATIONS[op.operation_id]
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
    with PerpsClient(auth=auth, transport=httpx.MockTransport(_handler(op, seen))) as client:
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
    async with AsyncPerpsClient(auth=auth, transport=httpx.MockTransport(_handler(op, seen))) as client:
        result = await getattr(getattr(client, attribute), method)(*args, **kwargs)
    assert len(seen) == 1
    _check_request(op, seen[0], body)
    _check_result(op, result, is_async=True)


# -- rate-limit costs (FACTS 5.8) ---------------------------------------------------------------


def test_costs_come_from_the_spec() -> None:
    from kalshi_perps.resources._generated import margin, orders

    assert orders.OPERATIONS["CancelAllMarginOrders"].cost == 10
    assert orders.OPERATIONS["CreateMarginOrder"].cost == 10
    assert margin.OPERATIONS["GetMarginBalance"].cost == 5
    assert margin._GET_MARGIN_BALANCE_COMPUTE_AVAILABLE_BALANCE.cost == 50


# -- the two faces never drift apart -----------------------------------------------------------


def _normalise_return(annotation: Any) -> str:
    return str(annotation).replace("AsyncIterator[", "Iterator[").replace("AsyncPage[", "Page[")


@pytest.mark.parametrize("attribute", sorted(RESOURCE_CLASSES))
def test_sync_and_async_signatures_match(attribute: str) -> None:
    module = _module(attribute)
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


# -- bare-named fixed-point strings (FACTS 5.2) ----------------------------------------------------

_DECIMAL_PROSE = re.compile(r"dollar|fixed-point|decimal|price|fraction|usd", re.IGNORECASE)


def _is_decimal(annotation: Any) -> bool:
    for arg in typing.get_args(annotation) or (annotation,):
        if arg is Decimal or (typing.get_origin(arg) is typing.Annotated and typing.get_args(arg)[0] is Decimal):
            return True
    return False


def test_plain_strings_that_carry_decimals_are_decimal() -> None:
    """A `string` property whose name or prose says dollars / fixed-point / decimal parses to Decimal."""
    checked = []
    for name, schema in SPEC.schemas.items():
        model = getattr(models, name, None)
        if model is None or not hasattr(model, "model_fields"):
            continue
        for prop, node in (schema.get("properties") or {}).items():
            text = f"{prop} {node.get('description', '')}"
            if node.get("type") != "string" or "enum" in node or node.get("format") or not _DECIMAL_PROSE.search(text):
                continue
            checked.append((name, prop))
            assert _is_decimal(model.model_fields[prop].annotation), (name, prop)
    for name, prop in gen_perps.DOLLAR_STRING_FIELDS | gen_perps.DECIMAL_STRING_FIELDS:
        assert _is_decimal(getattr(models, name).model_fields[prop].annotation), (name, prop)
    assert len(checked) >= 9
