"""Generate the simulator's wire-shape tables from the vendored specs (prediction, perps and Klear).

The simulator builds every REST response and WebSocket payload from these tables, so the JSON it
serves carries the spec's field names (and only those). Run:

    uv run python tools/codegen/gen_testing.py          # write the files
    uv run python tools/codegen/gen_testing.py --check  # exit 1 and list files that would change
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
OUT = ROOT / "packages/kalshi-testing/src/kalshi_testing/simulator/_generated"


def _kind(prop: dict[str, Any]) -> tuple[str, bool]:
    """Return (kind, nullable) for one property: a JSON type, or `$Name` for a component reference."""
    nullable = bool(prop.get("nullable"))
    if "$ref" in prop:
        return "$" + prop["$ref"].rsplit("/", 1)[-1], nullable
    for combo in ("allOf", "oneOf", "anyOf"):
        if combo in prop:
            refs = [p for p in prop[combo] if "$ref" in p or "type" in p]
            if any(p.get("type") == "null" for p in prop[combo]):
                nullable = True
            refs = [p for p in refs if p.get("type") != "null"]
            if refs:
                kind, inner_null = _kind(refs[0])
                return kind, nullable or inner_null
            return "any", nullable
    typ = prop.get("type", "any")
    if isinstance(typ, list):
        nullable = nullable or "null" in typ
        typ = next((t for t in typ if t != "null"), "any")
    return str(typ), nullable


def _field_enums(schema: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Inline `enum` lists on an object's properties."""
    out: dict[str, tuple[str, ...]] = {}
    for field, prop in schema.get("properties", {}).items():
        if isinstance(prop, dict) and "enum" in prop:
            out[field] = tuple(str(v) for v in prop["enum"] if v is not None)
    return out


def _rest_field_enums(spec: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, schema in sorted(spec["components"]["schemas"].items()):
        enums = _field_enums(schema)
        if enums:
            out[name] = enums
    return out


def _ws_field_enums(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    out: dict[str, Any] = {}
    for message in spec["components"]["messages"].values():
        ref = message.get("payload", {}).get("$ref")
        if not ref:
            continue
        msg = schemas[ref.rsplit("/", 1)[-1]].get("properties", {}).get("msg")
        if isinstance(msg, dict):
            enums = {}
            for field, prop in msg.get("properties", {}).items():
                target = prop
                if "$ref" in prop:
                    target = schemas.get(prop["$ref"].rsplit("/", 1)[-1], {})
                if "enum" in target:
                    enums[field] = tuple(str(v) for v in target["enum"] if v is not None)
            if enums:
                known = out.setdefault(message["name"], {})
                for field, values in enums.items():
                    known[field] = tuple(dict.fromkeys((*known.get(field, ()), *values)))
    return dict(sorted(out.items()))


def _rest_tables(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    objects: dict[str, Any] = {}
    enums: dict[str, Any] = {}
    scalars: dict[str, str] = {}
    schemas = spec["components"]["schemas"]
    for name, raw in sorted(schemas.items()):
        schema = _merge_all_of(schemas, raw)
        if "properties" in schema:
            objects[name] = {
                field: (kind, required, nullable) for field, (kind, nullable, required) in _fields(schema).items()
            }
        elif "enum" in schema:
            enums[name] = tuple(str(v) for v in schema["enum"])
        elif "type" in schema or "allOf" in schema:
            kind, _ = _kind(schema)
            scalars[name] = kind
    return objects, enums, scalars


def _merge_all_of(schemas: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """An `allOf` of object schemas (references or inline) as one object; anything else unchanged."""
    parts = schema.get("allOf")
    if not parts:
        return schema
    resolved = [_merge_all_of(schemas, schemas[p["$ref"].rsplit("/", 1)[-1]]) if "$ref" in p else p for p in parts]
    if not all("properties" in p for p in resolved):
        return schema
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for part in resolved:
        merged["properties"] |= part["properties"]
        merged["required"] += [r for r in part.get("required", []) if r not in merged["required"]]
    return merged


def _fields(schema: dict[str, Any]) -> dict[str, tuple[str, bool, bool]]:
    required = set(schema.get("required", []))
    out: dict[str, tuple[str, bool, bool]] = {}
    for field, prop in schema.get("properties", {}).items():
        kind, nullable = _kind(prop)
        out[field] = (kind, nullable, field in required)
    return out


def _ws_tables(spec: dict[str, Any]) -> dict[str, Any]:
    """Map each server message `type` (the payload's `msg` object) to its field table."""
    schemas = spec["components"]["schemas"]
    out: dict[str, Any] = {}
    for message in spec["components"]["messages"].values():
        ref = message.get("payload", {}).get("$ref")
        if not ref:
            continue
        payload = schemas[ref.rsplit("/", 1)[-1]]
        msg = payload.get("properties", {}).get("msg")
        if not isinstance(msg, dict) or "properties" not in msg:
            continue
        table = {field: (kind, required, nullable) for field, (kind, nullable, required) in _fields(msg).items()}
        previous = out.get(message["name"])
        if previous is not None:
            # Several messages share one `type` (market_lifecycle_v2 and its metadata_updated variant):
            # a field belongs to the type if any variant has it, and is required only if every variant requires it.
            merged = {}
            for field in [*previous, *(f for f in table if f not in previous)]:
                a, b = previous.get(field), table.get(field)
                kind = (a or b)[0]  # type: ignore[index]
                merged[field] = (kind, bool(a and b and a[1] and b[1]), bool((a and a[2]) or (b and b[2])))
            table = merged
        out[message["name"]] = table
    return dict(sorted(out.items()))


def _operations(spec: dict[str, Any]) -> dict[str, Any]:
    """{operationId: (method, path, success status, response schema, request schema, secured, query names)}."""
    params = spec["components"].get("parameters", {})
    out: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            codes = sorted(c for c in op.get("responses", {}) if str(c).startswith("2"))
            status = str(codes[0]) if codes else "200"
            content = op["responses"].get(status, {}).get("content", {}).get("application/json", {})
            response = content.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            request = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            query = []
            for entry in [*item.get("parameters", []), *op.get("parameters", [])]:
                param = params[entry["$ref"].rsplit("/", 1)[-1]] if "$ref" in entry else entry
                if param.get("in") == "query":
                    query.append(param["name"])
            secured = bool(op.get("security", spec.get("security")))
            out[op["operationId"]] = (method.upper(), path, int(status), response, request, secured, tuple(query))
    return dict(sorted(out.items()))


def _array_items(spec: dict[str, Any]) -> dict[str, Any]:
    """{schema: {array field: item schema}} for arrays of component objects."""
    out: dict[str, Any] = {}
    for name, schema in sorted(spec["components"]["schemas"].items()):
        items = {}
        for field, prop in schema.get("properties", {}).items():
            ref = prop.get("items", {}).get("$ref") if prop.get("type") == "array" else None
            if ref:
                items[field] = ref.rsplit("/", 1)[-1]
        if items:
            out[name] = items
    return out


def _ws_deprecated(spec: dict[str, Any]) -> dict[str, Any]:
    """{message type: deprecated `msg` fields}, from the payload schemas' `deprecated: true`."""
    schemas = spec["components"]["schemas"]
    out: dict[str, Any] = {}
    for message in spec["components"]["messages"].values():
        ref = message.get("payload", {}).get("$ref")
        msg = schemas[ref.rsplit("/", 1)[-1]].get("properties", {}).get("msg") if ref else None
        if isinstance(msg, dict):
            fields = tuple(f for f, prop in msg.get("properties", {}).items() if prop.get("deprecated") is True)
            if fields:
                out[message["name"]] = tuple(dict.fromkeys((*out.get(message["name"], ()), *fields)))
    return dict(sorted(out.items()))


def _render(spec_file: str, body: str) -> str:
    digest = hashlib.sha256((SPECS / spec_file).read_bytes()).hexdigest()
    header = f"# Generated by tools/codegen from specs/{spec_file} (sha256 {digest}). Do not edit.\n"
    return header + body


def _py(obj: Any, indent: int = 0) -> str:
    pad = "    " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad}    {k!r}: {_py(v, indent + 1)}," for k, v in obj.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(obj, tuple):
        inner = ", ".join(_py(v, indent + 1) for v in obj)
        return f"({inner},)" if len(obj) == 1 else f"({inner})"
    return repr(obj)


_FIELD_T = "dict[str, dict[str, tuple[str, bool, bool]]]"
_ENUM_T = "dict[str, dict[str, tuple[str, ...]]]"
_OP_T = "dict[str, tuple[str, str, int, str, str, bool, tuple[str, ...]]]"


def _rest_module(spec: dict[str, Any]) -> str:
    objects, enums, scalars = _rest_tables(spec)
    return (
        '"""REST schema tables: {schema: {field: (kind, required, nullable)}}; kind is a JSON type or `$Ref`."""\n\n'
        "from __future__ import annotations\n\n"
        '__all__ = ["ARRAY_ITEMS", "ENUMS", "FIELD_ENUMS", "OBJECTS", "OPERATIONS", "SCALARS"]\n\n'
        f"OBJECTS: {_FIELD_T} = {_py(objects)}\n\n"
        f"ENUMS: dict[str, tuple[str, ...]] = {_py(enums)}\n\n"
        f"SCALARS: dict[str, str] = {_py(scalars)}\n\n"
        f"FIELD_ENUMS: {_ENUM_T} = {_py(_rest_field_enums(spec))}\n\n"
        f"OPERATIONS: {_OP_T} = {_py(_operations(spec))}\n"
        '"""{operationId: (method, path, success status, response schema or "", request schema or "",\n'
        'signed, query parameter names)}."""\n\n'
        f"ARRAY_ITEMS: dict[str, dict[str, str]] = {_py(_array_items(spec))}\n"
        '"""{schema: {array field: item schema}} for arrays of component objects."""\n'
    )


def _ws_module(spec: dict[str, Any]) -> str:
    return (
        '"""WebSocket payload field tables: {message name: {msg field: (kind, required, nullable)}}."""\n\n'
        "from __future__ import annotations\n\n"
        '__all__ = ["DEPRECATED", "FIELD_ENUMS", "MESSAGES"]\n\n'
        f"MESSAGES: {_FIELD_T} = {_py(_ws_tables(spec))}\n\n"
        f"FIELD_ENUMS: {_ENUM_T} = {_py(_ws_field_enums(spec))}\n\n"
        f"DEPRECATED: dict[str, tuple[str, ...]] = {_py(_ws_deprecated(spec))}\n"
        '"""{message type: `msg` fields the spec marks deprecated}."""\n'
    )


def generate() -> dict[Path, str]:
    """Return {path: text} for every generated file."""

    def load(name: str) -> dict[str, Any]:
        return dict(yaml.safe_load((SPECS / name).read_text()))

    files = {
        OUT / "__init__.py": _render("openapi.yaml", '"""Tables generated from the vendored specs."""\n'),
        OUT / "openapi_shapes.py": _render("openapi.yaml", _rest_module(load("openapi.yaml"))),
        OUT / "asyncapi_shapes.py": _render("asyncapi.yaml", _ws_module(load("asyncapi.yaml"))),
        # Perps (margin) REST + WebSocket and Klear: the simulator's perps and Klear surfaces.
        OUT / "perps_openapi_shapes.py": _render("perps_openapi.yaml", _rest_module(load("perps_openapi.yaml"))),
        OUT / "perps_asyncapi_shapes.py": _render("perps_asyncapi.yaml", _ws_module(load("perps_asyncapi.yaml"))),
        OUT / "klear_openapi_shapes.py": _render(
            "perps_scm_openapi.yaml", _rest_module(load("perps_scm_openapi.yaml"))
        ),
    }
    return {path: _ruff_format(text) for path, text in files.items()}


def _ruff_format(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, dir=ROOT) as tmp:
        tmp.write(text)
    try:
        subprocess.run(["ruff", "format", "--quiet", tmp.name], check=True, cwd=ROOT)
        return Path(tmp.name).read_text()
    finally:
        Path(tmp.name).unlink()


def main(argv: list[str]) -> int:
    """Write (or with `--check`, compare) the generated files."""
    files = generate()
    if "--check" in argv:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
