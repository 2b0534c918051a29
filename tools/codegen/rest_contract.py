"""Contract check of kalshi_rest against specs/openapi.yaml, independent of the generator.

For every operationId it checks that the sync and async clients have one typed method whose path
parameters, query parameters (names, required-ness, types) and request body fields match the spec,
and that the method's `Operation` (verb, path, status, response model, auth, array encoding)
agrees with the spec. `uv run python tools/codegen/rest_contract.py` prints `N/128 operations
covered` and exits 1 on any problem; `tests/test_rest_contract.py` runs the same checks.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import operator
import sys
import types
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _openapi import OpenAPISpec, OperationSpec, Schema, example_for

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "specs" / "openapi.yaml"

__all__ = ["check_operation", "coverage", "decimal_string_hook", "example", "load_spec", "main", "type_problem"]


def load_spec() -> OpenAPISpec:
    """The vendored prediction spec."""
    return OpenAPISpec(SPEC_PATH)


def decimal_string_hook(prop: str, schema: Schema) -> str | None:
    """Example values for plain-string fields that carry fixed-point numbers."""
    text = (schema.get("description") or "").lower()
    if prop.endswith("_dollars") or "dollars" in text or "price" in text:
        return "0.5600"
    if prop.endswith("_fp") or "_fp_" in prop:
        return "10.00"
    return None


def example(spec: OpenAPISpec, schema: Schema, *, all_fields: bool = True) -> Any:
    """An example instance of `schema` whose fixed-point strings parse as decimals."""
    return example_for(spec, schema, all_fields=all_fields, string_hook=decimal_string_hook)


def _wire_name(wire: str) -> str:
    import keyword

    return wire + "_" if keyword.iskeyword(wire) else wire


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        optional = len(args) != len(get_args(tp))
        return (args[0] if len(args) == 1 else functools.reduce(operator.or_, args)), optional
    return tp, False


def _unannotate(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def type_problem(spec: OpenAPISpec, schema: Schema, tp: Any, where: str, *, response: bool) -> str | None:
    """Why the Python type `tp` does not fit `schema`, or None when it does."""
    tp = _unannotate(_strip_optional(_unannotate(tp))[0])
    ref = spec.ref_name(schema)
    target = spec.resolve(schema["allOf"][0]) if ref and "allOf" in schema else spec.resolve(schema)
    if ref in ("FixedPointDollars", "FixedPointCount"):
        return None if tp is Decimal else f"{where}: {ref} should be Decimal, is {tp}"
    kind = target.get("type")
    if "enum" in target:
        values = {v for v in target["enum"] if v is not None}
        literals: set[Any] = set()
        members = get_args(tp) if get_origin(tp) in (typing.Union, types.UnionType) else (tp,)
        for member in members:
            plain = _unannotate(member)
            if get_origin(plain) is Literal:
                literals.update(get_args(plain))
            elif not (response and plain in (str, int)):
                return f"{where}: enum should be a Literal, has {plain}"
        if literals != values:
            return f"{where}: enum {sorted(map(str, values))} vs Literal {sorted(map(str, literals))}"
        return None
    if kind == "integer":
        return None if tp is int else f"{where}: integer should be int, is {tp}"
    if kind == "boolean":
        return None if tp is bool else f"{where}: boolean should be bool, is {tp}"
    if kind == "number":
        return None if tp is Decimal else f"{where}: number should be Decimal, is {tp}"
    if kind == "string":
        fmt = target.get("format")
        if fmt == "date-time":
            return None if tp is datetime else f"{where}: date-time should be datetime, is {tp}"
        if fmt == "date":
            return None if tp is date else f"{where}: date should be date, is {tp}"
        return None if tp in (str, Decimal) else f"{where}: string should be str (or Decimal), is {tp}"
    if kind == "array":
        origin = get_origin(tp)
        if origin is tuple:
            return None if all(_unannotate(a) is Decimal for a in get_args(tp)) else f"{where}: tuple of {get_args(tp)}"
        if origin not in (list, Sequence):
            return f"{where}: array should be list/Sequence, is {tp}"
        return type_problem(spec, target.get("items", {}), get_args(tp)[0], where + "[]", response=response)
    if kind == "object" or "properties" in target:
        if target.get("properties"):
            if not (inspect.isclass(tp) and issubclass(tp, BaseModel)):
                return f"{where}: object should be a model, is {tp}"
            return None
        if get_origin(tp) is dict or (inspect.isclass(tp) and issubclass(tp, BaseModel)):
            return None
        return f"{where}: map should be dict, is {tp}"
    return None


#: Request fields the SDK deliberately requires although the spec does not: `client_order_id`
#: de-duplicates order creates, so it is sent every time (docs/protocol/server-behaviours.md#semantics).
TIGHTENED = frozenset({("CreateOrderV2Request", "client_order_id")})


def _model_problems(spec: OpenAPISpec, schema: Schema, model: type[BaseModel], where: str) -> list[str]:
    target = spec.resolve(schema)
    props: dict[str, Schema] = target.get("properties", {})
    required = set(target.get("required", ()))
    fields = {(info.alias or name): (name, info) for name, info in model.model_fields.items()}
    problems: list[str] = []
    if set(fields) != set(props):
        problems.append(f"{where}: fields {sorted(set(fields) ^ set(props))} differ from the spec")
    for wire, prop in props.items():
        if wire not in fields:
            continue
        _, info = fields[wire]
        if info.is_required() != (wire in required) and (model.__name__, wire) not in TIGHTENED:
            problems.append(f"{where}.{wire}: required={info.is_required()} but the spec says {wire in required}")
        problem = type_problem(spec, prop, info.annotation, f"{where}.{wire}", response=False)
        if problem:
            problems.append(problem)
    if model.model_config.get("extra") != "forbid":
        problems.append(f"{where}: request model {model.__name__} does not forbid extra fields")
    return problems


def _auth_mode(op: OperationSpec) -> str:
    if not op.security:
        return "none"
    return "optional" if any(not entry for entry in op.security) else "required"


def check_operation(
    spec: OpenAPISpec,
    op: OperationSpec,
    *,
    package: str = "kalshi_rest",
    clients: tuple[type, type] | None = None,
) -> list[str]:
    """Every disagreement between a client package and the spec for one operation (empty when it matches).

    Args:
        spec: the spec the package was generated from.
        op: the operation to check.
        package: the import name of a package generated by gen_rest's builders
            (`kalshi_rest`, `kalshi_perps`, `kalshi_klear`).
        clients: its (sync, async) client classes; defaults to kalshi_rest's.
    """
    if clients is None:
        from kalshi_rest import AsyncKalshiClient, KalshiClient

        clients = (KalshiClient, AsyncKalshiClient)
    generated = importlib.import_module(f"{package}.resources._generated")
    where = op.operation_id
    if where not in generated.OPERATION_METHODS:
        return [f"{where}: no client method"]
    attribute, method_name = generated.OPERATION_METHODS[where]
    module = importlib.import_module(f"{package}.resources._generated.{attribute}")
    problems: list[str] = []
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
        ("auth", operation.auth, _auth_mode(op)),
        ("explode", operation.explode, frozenset(p.name for p in op.query_params if p.explode)),
    ]
    problems += [f"{where}: {name} is {got!r}, spec says {want!r}" for name, got, want in checks if got != want]

    for client, is_async in ((clients[0], False), (clients[1], True)):
        face = "async" if is_async else "sync"
        prop = getattr(client, attribute, None)
        cls_name = generated.RESOURCE_CLASSES[attribute][1 if is_async else 0]
        cls = getattr(module, cls_name)
        if prop is None or typing.get_type_hints(prop.func, localns=vars(module)).get("return") is not cls:
            problems.append(f"{where}: {client.__name__}.{attribute} is not typed as {cls_name}")
        method = getattr(cls, method_name, None)
        if method is None:
            problems.append(f"{where}: {cls_name}.{method_name} missing")
            continue
        if is_async and not inspect.iscoroutinefunction(method):
            problems.append(f"{where}: {cls_name}.{method_name} is not async")
        problems += _signature_problems(spec, op, method, f"{where} ({face})")
    return problems


def _signature_problems(spec: OpenAPISpec, op: OperationSpec, method: Any, where: str) -> list[str]:
    problems: list[str] = []
    sig = inspect.signature(method)
    hints = typing.get_type_hints(method)
    params = list(sig.parameters.values())[1:]
    positional = [p for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    keyword = {p.name: p for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY}
    want_path = [_wire_name(p.name) for p in op.path_params]
    if [p.name for p in positional] != want_path:
        problems.append(f"{where}: path params {[p.name for p in positional]} != spec {want_path}")
    for p in op.path_params:
        hint = hints.get(_wire_name(p.name))
        problem = type_problem(spec, p.schema, hint, f"{where} path {p.name}", response=False) if hint else None
        if problem:
            problems.append(problem)
    expected_kw = {_wire_name(p.name) for p in op.query_params} | {"options"}
    body_schema = op.request_schema
    has_body = body_schema is not None and bool(spec.resolve(body_schema).get("properties"))
    if has_body:
        expected_kw.add("request")
    if set(keyword) != expected_kw:
        problems.append(f"{where}: keyword params {sorted(set(keyword) ^ expected_kw)} differ from the spec")
    for p in op.query_params:
        param = keyword.get(_wire_name(p.name))
        if param is None:
            continue
        has_default = param.default is not inspect.Parameter.empty
        if has_default == p.required:
            problems.append(f"{where}: query {p.name} required={not has_default}, spec says {p.required}")
        problem = type_problem(spec, p.schema, hints[param.name], f"{where} query {p.name}", response=False)
        if problem:
            problems.append(problem)
    if has_body and "request" in keyword:
        assert body_schema is not None
        model, _ = _strip_optional(hints["request"])
        ref = spec.ref_name(body_schema)
        if getattr(model, "__name__", None) != ref:
            problems.append(f"{where}: request is {model}, spec says {ref}")
        elif inspect.isclass(model) and issubclass(model, BaseModel):
            problems += _model_problems(spec, body_schema, model, f"{where} body")
        if (keyword["request"].default is inspect.Parameter.empty) != op.request_required:
            problems.append(f"{where}: request required-ness differs from the spec")
    return problems


def coverage(
    spec: OpenAPISpec | None = None,
    check: Callable[[OpenAPISpec, OperationSpec], list[str]] = check_operation,
) -> tuple[int, int, dict[str, list[str]]]:
    """(operations with no problem, operations in the spec, problems by operationId)."""
    spec = spec or load_spec()
    ops = list(spec.operations())
    problems = {op.operation_id: check(spec, op) for op in ops}
    bad = {k: v for k, v in problems.items() if v}
    return len(ops) - len(bad), len(ops), bad


def report(result: tuple[int, int, dict[str, list[str]]]) -> int:
    """Print a coverage result's problems and its `N/M operations covered` line; 1 if any problem."""
    covered, total, bad = result
    for _, problems in sorted(bad.items()):
        for problem in problems:
            print(f"  {problem}")
    print(f"{covered}/{total} operations covered")
    return 0 if covered == total else 1


def main() -> int:
    """Print kalshi_rest's coverage line and every problem; exit 1 if any."""
    return report(coverage())


if __name__ == "__main__":
    raise SystemExit(main())
