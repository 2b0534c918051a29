"""Contract tests: kalshi_klear against specs/perps_scm_openapi.yaml, every operation, both faces.

`pytest -s tests/test_klear_contract.py` prints `28/28 operations covered`; the same report is
`uv run python tools/codegen/klear_contract.py`.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))

import contract_harness
import klear_contract
from _openapi import OperationSpec, ParameterSpec

from kalshi_auth import PRODUCTION
from kalshi_klear import AsyncKlearClient, KlearClient, models
from kalshi_klear.resources._generated import OPERATION_METHODS, RESOURCE_CLASSES

SPEC = klear_contract.load_spec()
OPS = list(SPEC.operations())
OPS_BY_ID = {op.operation_id: op for op in OPS}
PREFIX = "/klear-api/v1"
ADMIN, TOKEN = "contract-admin", "contract-token-not-real"
HARNESS = contract_harness.ContractHarness(
    spec=SPEC,
    package="kalshi_klear",
    clients=(
        lambda transport: KlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=transport),
        lambda transport: AsyncKlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=transport),
    ),
    example=lambda schema: klear_contract.example(SPEC, schema),
    prefix=PREFIX,
    host=httpx.URL(PRODUCTION.klear_url).host,
    check_auth=contract_harness.expect_bearer(f"{ADMIN}:{TOKEN}"),
)


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
            assert type(value) is int, path  # centicents stay integers (docs/protocol/units.md#field-by-field)
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
