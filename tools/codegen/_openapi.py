"""A small, product-agnostic OpenAPI 3.0 reader shared by the REST generators.

It loads a spec, resolves `$ref`s, lists operations with their parameters, request body and
success response, and builds example instances of schemas (used by the contract tests). It knows
nothing about Kalshi: product quirks live in each `gen_<target>.py`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "HTTP_METHODS",
    "OpenAPISpec",
    "OperationSpec",
    "ParameterSpec",
    "example_for",
    "pascal_case",
    "snake_case",
]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
Schema = dict[str, Any]


def pascal_case(text: str) -> str:
    """`"market_positions"` -> `"MarketPositions"`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", text) if part)


def snake_case(text: str) -> str:
    """`"GetMarketOrderbook"` -> `"get_market_orderbook"`."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


@dataclass(frozen=True)
class ParameterSpec:
    """One path or query parameter."""

    name: str
    location: str
    required: bool
    schema: Schema
    description: str = ""
    explode: bool = False
    deprecated: bool = False


@dataclass(frozen=True)
class OperationSpec:
    """One operation (path + method) of the spec."""

    operation_id: str
    method: str
    path: str
    tags: tuple[str, ...]
    summary: str
    description: str
    parameters: tuple[ParameterSpec, ...]
    request_schema: Schema | None
    request_required: bool
    success_status: int
    response_schema: Schema | None
    security: list[dict[str, list[str]]] | None
    deprecated: bool = False
    extensions: dict[str, Any] = field(default_factory=dict)

    @property
    def path_params(self) -> tuple[ParameterSpec, ...]:
        """Path parameters in the order they appear in the path template."""
        order = re.findall(r"{([^}]+)}", self.path)
        by_name = {p.name: p for p in self.parameters if p.location == "path"}
        return tuple(by_name[name] for name in order)

    @property
    def query_params(self) -> tuple[ParameterSpec, ...]:
        """Query parameters in spec order."""
        return tuple(p for p in self.parameters if p.location == "query")


class OpenAPISpec:
    """A loaded OpenAPI document with `$ref` resolution."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raw_bytes = path.read_bytes()
        self.sha256 = hashlib.sha256(self.raw_bytes).hexdigest()
        self.doc: dict[str, Any] = yaml.safe_load(self.raw_bytes)

    @property
    def schemas(self) -> dict[str, Schema]:
        """`components.schemas`."""
        schemas: dict[str, Schema] = self.doc.get("components", {}).get("schemas", {})
        return schemas

    def resolve(self, node: Schema) -> Schema:
        """Follow `$ref` chains (any component kind) to the target node."""
        seen: set[str] = set()
        while "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"$ref cycle at {ref}")
            seen.add(ref)
            if not ref.startswith("#/"):
                raise ValueError(f"external $ref not supported: {ref}")
            target: Any = self.doc
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    @staticmethod
    def ref_name(node: Schema) -> str | None:
        """The component name a schema `$ref` points at (also through a single-element `allOf`)."""
        if "$ref" in node:
            return str(node["$ref"]).rsplit("/", 1)[-1]
        all_of = node.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and "$ref" in all_of[0]:
            return str(all_of[0]["$ref"]).rsplit("/", 1)[-1]
        return None

    def operations(self) -> Iterator[OperationSpec]:
        """Every operation, in document order."""
        default_security = self.doc.get("security")
        for path, item in self.doc.get("paths", {}).items():
            shared = [self.resolve(p) for p in item.get("parameters", [])]
            for method in HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                params: dict[tuple[str, str], ParameterSpec] = {}
                for raw in [*shared, *(self.resolve(p) for p in op.get("parameters", []))]:
                    location = raw["in"]
                    if location not in ("path", "query"):
                        continue
                    params[(raw["name"], location)] = ParameterSpec(
                        name=raw["name"],
                        location=location,
                        required=bool(raw.get("required", location == "path")),
                        schema=raw.get("schema", {}),
                        description=(raw.get("description") or "").strip(),
                        explode=raw.get("explode") is True,
                        deprecated=bool(raw.get("deprecated", False)),
                    )
                request_schema: Schema | None = None
                request_required = False
                body = op.get("requestBody")
                if body is not None:
                    body = self.resolve(body)
                    request_schema = body.get("content", {}).get("application/json", {}).get("schema")
                    request_required = bool(body.get("required", False))
                status, response_schema = self._success(op)
                yield OperationSpec(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    tags=tuple(op.get("tags", ())),
                    summary=(op.get("summary") or "").strip(),
                    description=(op.get("description") or "").strip(),
                    parameters=tuple(params.values()),
                    request_schema=request_schema,
                    request_required=request_required,
                    success_status=status,
                    response_schema=response_schema,
                    security=op.get("security", default_security),
                    deprecated=bool(op.get("deprecated", False)),
                    extensions={k: v for k, v in op.items() if k.startswith("x-")},
                )

    def _success(self, op: dict[str, Any]) -> tuple[int, Schema | None]:
        for code in sorted(op.get("responses", {})):
            if not str(code).startswith("2"):
                continue
            response = self.resolve(op["responses"][code])
            content = response.get("content") or {}
            schema = content.get("application/json", {}).get("schema")
            return int(code), schema
        raise ValueError(f"{op.get('operationId')}: no 2xx response")

    def referenced_schemas(self) -> set[str]:
        """Component schemas reachable from any operation."""
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                    name = ref.rsplit("/", 1)[-1]
                    if name not in found:
                        found.add(name)
                        walk(self.schemas[name])
                elif isinstance(ref, str):
                    walk(self.resolve(node))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.doc.get("paths", {}))
        return found


_STRING_BY_FORMAT = {
    "date-time": "2026-01-02T03:04:05Z",
    "date": "2026-01-02",
    "uuid": "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1",
}


def example_for(
    spec: OpenAPISpec,
    schema: Schema,
    *,
    depth: int = 0,
    all_fields: bool = True,
    string_hook: Callable[[str, Schema], str | None] | None = None,
    prop: str = "",
) -> Any:
    """Build an example instance of `schema`: spec examples where they fit, else values by type.

    Objects include every declared property when `all_fields` (else only required ones); arrays
    hold one element; enums take their first value. `string_hook(property_name, schema)` may
    supply a value for a string without an example. Recursion is cut at depth 40.
    """
    if depth > 40:
        return None
    kw: dict[str, Any] = {"all_fields": all_fields, "string_hook": string_hook}
    if "$ref" in schema:
        return example_for(spec, spec.resolve(schema), depth=depth + 1, prop=prop, **kw)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_for(spec, part, depth=depth + 1, prop=prop, **kw)
            if not isinstance(value, dict):
                return value
            merged.update(value)
        return merged
    kind = schema.get("type")
    if "enum" in schema:
        values = [v for v in schema["enum"] if v is not None]
        return values[0] if values else None
    if kind == "object" or "properties" in schema:
        out: dict[str, Any] = {}
        required = set(schema.get("required", ()))
        for name, sub in schema.get("properties", {}).items():
            if all_fields or name in required:
                out[name] = example_for(spec, sub, depth=depth + 1, prop=name, **kw)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not out:
            out["key"] = example_for(spec, extra, depth=depth + 1, prop=prop, **kw)
        return out
    if kind == "array":
        if isinstance(schema.get("example"), list):
            return schema["example"]
        count = max(1, int(schema.get("minItems", 1)))
        return [example_for(spec, schema.get("items", {}), depth=depth + 1, prop=prop, **kw)] * count
    example = schema.get("example")
    if kind == "string":
        if isinstance(example, str):
            return example
        hooked = string_hook(prop, schema) if string_hook is not None else None
        if hooked is not None:
            return hooked
        return _STRING_BY_FORMAT.get(schema.get("format", ""), "example")
    if kind == "integer":
        return example if isinstance(example, int) and not isinstance(example, bool) else 1
    if kind == "number":
        return example if isinstance(example, int | float) and not isinstance(example, bool) else 1.5
    if kind == "boolean":
        return example if isinstance(example, bool) else True
    return example if example is not None else {}
