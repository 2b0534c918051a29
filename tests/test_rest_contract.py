"""Contract tests: kalshi_rest against specs/openapi.yaml, every operation, both faces.

`pytest -s tests/test_rest_contract.py` prints `128/128 operations covered`; the same report is
`uv run python tools/codegen/rest_contract.py`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))

import contract_harness
import rest_contract
from _openapi import OperationSpec, ParameterSpec

from kalshi_auth import PRODUCTION, KalshiAuth
from kalshi_rest import AsyncKalshiClient, KalshiClient, models
from kalshi_rest.extension import ResponseModel
from kalshi_rest.resources._generated import OPERATION_METHODS

SPEC = rest_contract.load_spec()
OPS = list(SPEC.operations())
OPS_BY_ID = {op.operation_id: op for op in OPS}
PREFIX = "/trade-api/v2"


@functools.cache
def _auth() -> KalshiAuth:
    return KalshiAuth("contract-key", rsa.generate_private_key(public_exponent=65537, key_size=2048))


HARNESS = contract_harness.ContractHarness(
    spec=SPEC,
    package="kalshi_rest",
    clients=(
        lambda transport: KalshiClient(auth=_auth(), transport=transport),
        lambda transport: AsyncKalshiClient(auth=_auth(), transport=transport),
    ),
    example=lambda schema: rest_contract.example(SPEC, schema),
    prefix=PREFIX,
    host=httpx.URL(PRODUCTION.rest_url).host,
    check_auth=contract_harness.expect_signed,
)


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


@pytest.mark.parametrize("op_id", HARNESS.op_ids)
def test_operation_round_trip_sync(op_id: str) -> None:
    HARNESS.round_trip_sync(op_id)


@pytest.mark.parametrize("op_id", HARNESS.op_ids)
async def test_operation_round_trip_async(op_id: str) -> None:
    await HARNESS.round_trip_async(op_id)


# -- the two faces never drift apart -----------------------------------------------------------


@pytest.mark.parametrize("attribute", HARNESS.resource_attributes)
def test_sync_and_async_signatures_match(attribute: str) -> None:
    HARNESS.check_signatures(attribute)
