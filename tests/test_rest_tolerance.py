"""The response decode policy, proved from the specs (prediction, perps and Klear).

For every operation's success schema, and every object schema reached from it, each field the
spec calls required is dropped in turn, then sent as null, each enum gets a value the spec does not
list, and every number is swapped with its numeric string (and back). The body goes through the
client's own parser (`Core.parse`): it must give the typed model, or a typed `KalshiResponseError`
only when the field is one a client cannot act without (`gen_rest.is_strict`: an order's or a
fill's id, ticker, side, price and size).
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))

import gen_perps
import gen_rest
import klear_contract
import rest_contract
from _openapi import OpenAPISpec, Schema, example_for, pascal_case

from kalshi_auth import KalshiConfig
from kalshi_rest import KalshiResponseError
from kalshi_rest._core import Core
from kalshi_rest._operation import Operation

_PERPS_DECIMALS = {prop for _, prop in gen_perps.DECIMAL_STRING_FIELDS}


def _perps_hook(prop: str, schema: Schema) -> str | None:
    return "-0.000125" if prop in _PERPS_DECIMALS else rest_contract.decimal_string_hook(prop, schema)


PRODUCTS: dict[str, tuple[OpenAPISpec, Any, str]] = {
    "prediction": (rest_contract.load_spec(), rest_contract.decimal_string_hook, "kalshi_rest"),
    "perps": (OpenAPISpec(gen_perps.SPEC_PATH), _perps_hook, "kalshi_perps"),
    "klear": (klear_contract.load_spec(), klear_contract.string_hook, "kalshi_klear"),
}
CORE = Core(KalshiConfig(), None)


def _operations(package: str) -> dict[str, Operation[Any]]:
    resources = importlib.import_module(f"{package}.resources._generated")
    found: dict[str, Operation[Any]] = {}
    for info in pkgutil.iter_modules(resources.__path__):
        module = importlib.import_module(f"{resources.__name__}.{info.name}")
        for op in getattr(module, "OPERATIONS", {}).values():
            found[op.operation_id] = op
    return found


def _cases() -> Iterator[Any]:
    for product, (spec, _, package) in PRODUCTS.items():
        ops = _operations(package)
        for op_spec in spec.operations():
            op = ops.get(op_spec.operation_id)
            if op is not None and op.response is not None and op_spec.response_schema is not None:
                yield pytest.param(product, op_spec.response_schema, op, id=f"{product}-{op.operation_id}")


CASES = list(_cases())


def _parse(op: Operation[Any], body: Any) -> Any:
    return CORE.parse(op, httpx.Response(200, content=json.dumps(body).encode()))


def _mutations(
    spec: OpenAPISpec, schema: Schema, value: Any, owner: str, seen: set[tuple[str, str]]
) -> Iterator[tuple[str, str, str, Any]]:
    """Yield `(owner, field, kind, setter)` for every required field of every object under `value`.

    `setter(kind)` returns a deep copy of the top-level body with the mutation applied; it is
    built by the caller from the path, so this yields paths instead: `(owner, field, kind, path)`.
    """
    yield from _walk(spec, schema, value, owner, (), seen)


def _walk(
    spec: OpenAPISpec, schema: Schema, value: Any, owner: str, path: tuple[Any, ...], seen: set[tuple[str, str]]
) -> Iterator[tuple[str, str, str, Any]]:
    ref = spec.ref_name(schema)
    if ref is not None:
        owner = ref
    schema = spec.resolve(schema) if "$ref" in schema else schema
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        for field in schema.get("required", ()):
            if field in value and (owner, field) not in seen:
                seen.add((owner, field))
                yield owner, field, "drop", (*path, field)
                yield owner, field, "null", (*path, field)
        for field, sub in schema["properties"].items():
            target = spec.resolve(sub) if "$ref" in sub else sub
            if (
                field in value
                and target.get("type") == "string"
                and "enum" in target
                and (owner, "enum:" + field) not in seen
            ):
                seen.add((owner, "enum:" + field))
                yield owner, field, "enum", (*path, field)
            if field in value:
                yield from _walk(spec, sub, value[field], owner + pascal_case(field), (*path, field), seen)
    elif isinstance(value, list) and value and isinstance(schema.get("items"), dict):
        yield from _walk(spec, schema["items"], value[0], owner, (*path, 0), seen)


def _apply(body: Any, path: tuple[Any, ...], kind: str) -> Any:
    out = copy.deepcopy(body)
    node = out
    for step in path[:-1]:
        node = node[step]
    if kind == "drop":
        del node[path[-1]]
    elif kind == "enum":
        node[path[-1]] = "a_value_added_later"
    else:
        node[path[-1]] = None
    return out


def _swap_numbers(value: Any) -> Any:
    """Every JSON number as its numeric string, and every numeric string as a JSON number."""
    if isinstance(value, dict):
        return {k: _swap_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_swap_numbers(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        if number.is_finite() and value.strip() == value and value not in ("", "-"):
            return int(number) if number == number.to_integral_value() and "." not in value else float(value)
    return value


def _numeric(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _numeric(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numeric(v) for v in value]
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


@pytest.mark.parametrize(("product", "schema", "op"), CASES)
def test_required_fields_absent_or_null(product: str, schema: Schema, op: Operation[Any]) -> None:
    spec, hook, _ = PRODUCTS[product]
    body = example_for(spec, schema, all_fields=True, string_hook=hook)
    assert _parse(op, body) is not None, "the spec's own example must parse"
    seen: set[tuple[str, str]] = set()
    for owner, field, kind, path in _mutations(spec, schema, body, op.operation_id + "Response", seen):
        mutated = _apply(body, path, kind)
        strict = kind != "enum" and gen_rest.is_strict(owner, field)
        if strict:
            with pytest.raises(KalshiResponseError) as info:
                _parse(op, mutated)
            assert field in str(info.value), (owner, field, kind)
        else:
            try:
                result = _parse(op, mutated)
            except KalshiResponseError as exc:  # pragma: no cover - the failure message names the field
                pytest.fail(f"{owner}.{field} {kind}: {exc}")
            if len(path) == 1 and kind != "enum" and hasattr(result, "missing_fields"):
                attr = field + "_" if field in ("from", "type") and field not in type(result).model_fields else field
                assert attr in result.missing_fields or isinstance(getattr(result, attr, None), list), (field, kind)


@pytest.mark.parametrize(("product", "schema", "op"), CASES)
def test_numbers_and_numeric_strings_swap(product: str, schema: Schema, op: Operation[Any]) -> None:
    spec, hook, _ = PRODUCTS[product]
    body = example_for(spec, schema, all_fields=True, string_hook=hook)
    original = _parse(op, body)
    swapped = _parse(op, _swap_numbers(body))
    assert type(swapped) is type(original)
    # Equal values: "0.5600" and 0.56 are one Decimal; a plain string field keeps the number's text.
    assert _numeric(swapped.model_dump()) == _numeric(original.model_dump())


@pytest.mark.parametrize(
    ("product", "operation_id", "owner", "field"),
    [
        ("prediction", "GetOrders", "Order", "order_id"),
        ("prediction", "GetOrders", "Order", "yes_price_dollars"),
        ("prediction", "GetFills", "Fill", "count_fp"),
        ("perps", "GetMarginOrders", "MarginOrder", "price"),
        ("perps", "GetMarginFills", "MarginFill", "side"),
    ],
)
def test_strict_fields_are_exercised(product: str, operation_id: str, owner: str, field: str) -> None:
    spec, hook, _package = PRODUCTS[product]
    (case,) = [c for c in CASES if c.id == f"{product}-{operation_id}"]
    schema, op = case.values[1], case.values[2]
    body = example_for(spec, schema, all_fields=True, string_hook=hook)
    hits = [m for m in _mutations(spec, schema, body, "", set()) if (m[0], m[1]) == (owner, field) and m[2] != "enum"]
    assert hits and gen_rest.is_strict(owner, field)
    for _, _, kind, path in hits:
        with pytest.raises(KalshiResponseError, match=field):
            _parse(op, _apply(body, path, kind))


def test_every_product_is_covered() -> None:
    counts = {p: sum(1 for c in CASES if c.values[0] == p) for p in PRODUCTS}
    assert counts["prediction"] >= 100 and counts["perps"] >= 40 and counts["klear"] >= 20, counts
