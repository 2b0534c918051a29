"""Contract check of kalshi_klear against specs/perps_scm_openapi.yaml, independent of the generator.

For every operationId: the sync and async Klear clients have one typed method whose path
parameters, query parameters (names, required-ness, types) and request body fields match the spec,
and the method's `Operation` (verb, path, status, response model, auth) agrees with the spec. The
type rules are rest_contract's. `uv run python tools/codegen/klear_contract.py` prints
`N/28 operations covered` and exits 1 on any problem; `tests/test_klear_contract.py` runs the same checks.
"""

from __future__ import annotations

import sys
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

    return rest_contract.check_operation(spec, op, package="kalshi_klear", clients=(KlearClient, AsyncKlearClient))


def coverage(spec: OpenAPISpec | None = None) -> tuple[int, int, dict[str, list[str]]]:
    """(operations with no problem, operations in the spec, problems by operationId)."""
    return rest_contract.coverage(spec or load_spec(), check_operation)


def main() -> int:
    """Print the coverage line and every problem; exit 1 if any."""
    return rest_contract.report(coverage())


if __name__ == "__main__":
    raise SystemExit(main())
