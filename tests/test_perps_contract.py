"""Contract tests: kalshi_perps against specs/perps_openapi.yaml, every operation, both faces.

`pytest -s tests/test_perps_contract.py` prints `53/53 operations covered`. The signature and type
checks are rest_contract's (the generator-independent checker of kalshi_rest), pointed at the
perps spec and the perps clients.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import re
import sys
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))

import contract_harness
import gen_perps
import rest_contract
from _openapi import OpenAPISpec, OperationSpec, ParameterSpec, Schema, example_for

from kalshi_auth import PRODUCTION, KalshiAuth
from kalshi_perps import AsyncPerpsClient, PerpsClient, models
from kalshi_perps.resources._generated import OPERATION_METHODS, RESOURCE_CLASSES
from kalshi_rest.extension import ResponseModel

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


@functools.cache
def _auth() -> KalshiAuth:
    return KalshiAuth("contract-key", rsa.generate_private_key(public_exponent=65537, key_size=2048))


HARNESS = contract_harness.ContractHarness(
    spec=SPEC,
    package="kalshi_perps",
    clients=(
        lambda transport: PerpsClient(auth=_auth(), transport=transport),
        lambda transport: AsyncPerpsClient(auth=_auth(), transport=transport),
    ),
    example=_example,
    prefix=PREFIX,
    check_auth=contract_harness.expect_signed,
    host=httpx.URL(PRODUCTION.perps_rest_url).host,
)


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


@pytest.mark.parametrize("op_id", HARNESS.op_ids)
def test_operation_round_trip_sync(op_id: str) -> None:
    HARNESS.round_trip_sync(op_id)


@pytest.mark.parametrize("op_id", HARNESS.op_ids)
async def test_operation_round_trip_async(op_id: str) -> None:
    await HARNESS.round_trip_async(op_id)


# -- rate-limit costs (docs/protocol/rate-limits.md) ------------------------------------------------


def test_costs_come_from_the_spec() -> None:
    from kalshi_perps.resources._generated import margin, orders

    assert orders.OPERATIONS["CancelAllMarginOrders"].cost == 10
    assert orders.OPERATIONS["CreateMarginOrder"].cost == 10
    assert margin.OPERATIONS["GetMarginBalance"].cost == 5
    assert margin._GET_MARGIN_BALANCE_COMPUTE_AVAILABLE_BALANCE.cost == 50


# -- the two faces never drift apart -----------------------------------------------------------


@pytest.mark.parametrize("attribute", HARNESS.resource_attributes)
def test_sync_and_async_signatures_match(attribute: str) -> None:
    HARNESS.check_signatures(attribute)


# -- bare-named fixed-point strings (docs/protocol/units.md#field-by-field) ---------------------------

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
