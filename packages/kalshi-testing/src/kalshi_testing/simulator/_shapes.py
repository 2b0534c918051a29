"""Build wire objects from the spec's field tables, so the simulator speaks the spec's shapes.

`rest("Market", ticker=...)` returns a dict holding the given fields plus a type-correct default
for every required field left out; an unknown field name is a programming error (`KeyError`).
`ws("ticker", ...)` does the same for a WebSocket message's `msg` object.
"""

from __future__ import annotations

from typing import Any

from ._generated.asyncapi_shapes import FIELD_ENUMS as WS_FIELD_ENUMS
from ._generated.asyncapi_shapes import MESSAGES
from ._generated.openapi_shapes import ENUMS, FIELD_ENUMS, OBJECTS, SCALARS

__all__ = ["missing_required", "rest", "unknown_fields", "ws"]

_SCALAR_DEFAULTS: dict[str, Any] = {
    "FixedPointDollars": "0.0000",
    "FixedPointCount": "0.00",
}
_TYPE_DEFAULTS: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False, "any": None}


def _default(kind: str, nullable: bool) -> Any:
    if nullable:
        return None
    if kind.startswith("$"):
        name = kind[1:]
        if name in OBJECTS:
            return rest(name)
        if name in ENUMS:
            return ENUMS[name][0]
        if name in _SCALAR_DEFAULTS:
            return _SCALAR_DEFAULTS[name]
        return _TYPE_DEFAULTS.get(SCALARS.get(name, "string"), "")
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return _TYPE_DEFAULTS.get(kind)


def _build(
    table: dict[str, tuple[str, bool, bool]], enums: dict[str, tuple[str, ...]], name: str, values: dict[str, Any]
) -> dict[str, Any]:
    unknown = values.keys() - table.keys()
    if unknown:
        raise KeyError(f"{name} has no field(s) {sorted(unknown)} in the spec")
    out: dict[str, Any] = {}
    for field, (kind, required, nullable) in table.items():
        allowed = enums.get(field)
        if field in values:
            value = values[field]
            if value is None and not nullable and not required:
                continue
            if value is None and not nullable:
                value = allowed[0] if allowed else _default(kind, nullable)
            elif allowed and value is not None and str(value) not in allowed:
                raise KeyError(f"{name}.{field} = {value!r} is not one of {allowed}")
            out[field] = value
        elif required:
            out[field] = allowed[0] if allowed and not nullable else _default(kind, nullable)
    return out


def rest(schema: str, **values: Any) -> dict[str, Any]:
    """Return a REST object of component `schema` with `values` and defaults for missing required fields."""
    return _build(OBJECTS[schema], FIELD_ENUMS.get(schema, {}), schema, values)


def ws(message: str, **values: Any) -> dict[str, Any]:
    """Return the `msg` object of WebSocket message type `message`, like `rest`."""
    return _build(MESSAGES[message], WS_FIELD_ENUMS.get(message, {}), message, values)


def unknown_fields(schema: str, body: dict[str, Any]) -> list[str]:
    """Return the keys of a request body that schema `schema` does not define, sorted."""
    return sorted(body.keys() - OBJECTS[schema].keys())


def missing_required(schema: str, body: dict[str, Any]) -> list[str]:
    """Return the required fields of `schema` missing (or null) in a request body, in spec order."""
    return [f for f, (_, required, _) in OBJECTS[schema].items() if required and body.get(f) is None]
