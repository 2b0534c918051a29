"""Contract check of kalshi_klear against specs/perps_scm_openapi.yaml, independent of the generator.

For every operationId: the sync and async Klear clients have one typed method whose path
parameters, query parameters (names, required-ness, types) and request body fields match the spec,
and the method's `Operation` (verb, path, status, response model, auth) agrees with the spec. The
type rules are rest_contract's. `uv run python tools/codegen/klear_contract.py` prints
`N/28 operations covered` and exits 1 on any problem; `tests/test_klear_contract.py` runs the same checks.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import typing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import rest_contract
from _openapi import OpenAPISpec, OperationSpec, Schema, example_for

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "specs" / "perps_scm_openapi.yaml"
RESOURCES_PKG = "kalshi_klear.resources._generated"

__all__ = ["check_operation", "coverage", "example", "load_spec", "main", "string_hook"]


def load_spec() -> OpenAPISpec:
    """The vendored Klear spec, read as published (no generator adjustments)."""
    return OpenAPISpec(SPEC_PATH)


def string_hook(prop: str, schema: Schema) -> str | None:
    """Example values for plain-string fields that carry fixed-point numbers (dollars or counts)."""
    text = (schema.get("description") or "").lower()
    if "usd" in text or "dollar" in text or prop == "price":
        return "500.00"
    if prop.endswith("_fp"):
        return "1.25"
    return None


def example(spec: OpenAPISpec, schema: Schema, *, all_fields: bool = True) -> Any:
    """An example instance of `schema` whose fixed-point strings parse as decimals."""
    return example_for(spec, schema, all_fields=all_fields, string_hook=string_hook)


def check_operation(spec: OpenAPISpec, op: OperationSpec) -> list[str]:
    """Every disagreement between kalshi_klear and the spec for one operation (empty when it matches)."""
    from kalshi_klear import AsyncKlearClient, KlearClient
    from kalshi_klear.resources._generated import OPERATION_METHODS, RESOURCE_CLASSES

    where = op.operation_id
    if where not in OPERATION_METHODS:
        return [f"{where}: no client method"]
    attribute, method_name = OPERATION_METHODS[where]
    module = importlib.import_module(f"{RESOURCES_PKG}.{attribute}")
    operation = module.OPERATIONS.get(where)
    if operation is None:
        return [f"{where}: no Operation in {module.__name__}"]
    expected_model = spec.ref_name(op.response_schema) if op.response_schema else None
    actual_model = operation.response.__name__ if operation.response is not None else None
    checks = [
        ("method", operation.method, op.method),
        ("path", operation.path, op.path),
        ("success_status", operation.success_status, op.success_status),
        ("response", actual_model, expected_model),
        ("auth", operation.auth, rest_contract._auth_mode(op)),
        ("explode", operation.explode, frozenset(p.name for p in op.query_params if p.explode)),
    ]
    problems = [f"{where}: {name} is {got!r}, spec says {want!r}" for name, got, want in checks if got != want]
    for client, is_async in ((KlearClient, False), (AsyncKlearClient, True)):
        face = "async" if is_async else "sync"
        prop = getattr(client, attribute, None)
        cls_name = RESOURCE_CLASSES[attribute][1 if is_async else 0]
        cls = getattr(module, cls_name)
        if prop is None or typing.get_type_hints(prop.func, localns=vars(module)).get("return") is not cls:
            problems.append(f"{where}: {client.__name__}.{attribute} is not typed as {cls_name}")
        method = getattr(cls, method_name, None)
        if method is None:
            problems.append(f"{where}: {cls_name}.{method_name} missing")
            continue
        if is_async and not inspect.iscoroutinefunction(method):
            problems.append(f"{where}: {cls_name}.{method_name} is not async")
        problems += rest_contract._signature_problems(spec, op, method, f"{where} ({face})")
    return problems


def coverage(spec: OpenAPISpec | None = None) -> tuple[int, int, dict[str, list[str]]]:
    """(operations with no problem, operations in the spec, problems by operationId)."""
    spec = spec or load_spec()
    ops = list(spec.operations())
    problems = {op.operation_id: check_operation(spec, op) for op in ops}
    bad = {k: v for k, v in problems.items() if v}
    return len(ops) - len(bad), len(ops), bad


def main() -> int:
    """Print the coverage line and every problem; exit 1 if any."""
    covered, total, bad = coverage()
    for _, problems in sorted(bad.items()):
        for problem in problems:
            print(f"  {problem}")
    print(f"{covered}/{total} operations covered")
    return 0 if covered == total else 1


if __name__ == "__main__":
    raise SystemExit(main())
