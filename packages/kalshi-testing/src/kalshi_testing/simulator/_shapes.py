"""Build wire objects from the spec's field tables, so the simulator speaks the spec's shapes.

`rest("Market", ticker=...)` returns a dict holding the given fields plus a type-correct default
for every required field left out; an unknown field name is a programming error (`KeyError`).
`ws("ticker", ...)` does the same for a WebSocket message's `msg` object. `Shapes` holds one
product's tables (prediction, perps, Klear); the module functions use the prediction tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from ._generated import asyncapi_shapes, openapi_shapes

__all__ = ["PREDICTION", "Shapes", "missing_required", "rest", "unknown_fields", "ws"]

_SCALAR_DEFAULTS: dict[str, Any] = {
    "FixedPointDollars": "0.0000",
    "FixedPointCount": "0.00",
}
_TYPE_DEFAULTS: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False, "any": None}

Table = Mapping[str, Mapping[str, tuple[str, bool, bool]]]
EnumTable = Mapping[str, Mapping[str, tuple[str, ...]]]


class Shapes:
    """One product's generated tables: REST objects, enums and scalars, and WebSocket messages."""

    def __init__(
        self,
        objects: Table,
        enums: Mapping[str, tuple[str, ...]],
        scalars: Mapping[str, str],
        field_enums: EnumTable,
        *,
        messages: Table | None = None,
        ws_field_enums: EnumTable | None = None,
    ) -> None:
        self.objects = objects
        self.enums = enums
        self.scalars = scalars
        self.field_enums = field_enums
        self.messages: Table = messages or {}
        self.ws_field_enums: EnumTable = ws_field_enums or {}

    @classmethod
    def from_modules(cls, openapi: ModuleType, asyncapi: ModuleType | None = None) -> Shapes:
        """The tables of one product from its generated `*_openapi_shapes` (and `*_asyncapi_shapes`) module."""
        return cls(
            openapi.OBJECTS,
            openapi.ENUMS,
            openapi.SCALARS,
            openapi.FIELD_ENUMS,
            messages=asyncapi.MESSAGES if asyncapi else None,
            ws_field_enums=asyncapi.FIELD_ENUMS if asyncapi else None,
        )

    def _default(self, kind: str, nullable: bool) -> Any:
        if nullable:
            return None
        if kind.startswith("$"):
            name = kind[1:]
            if name in self.objects:
                return self.rest(name)
            if name in self.enums:
                return self.enums[name][0]
            if name in _SCALAR_DEFAULTS:
                return _SCALAR_DEFAULTS[name]
            return _TYPE_DEFAULTS.get(self.scalars.get(name, "string"), "")
        if kind == "array":
            return []
        if kind == "object":
            return {}
        return _TYPE_DEFAULTS.get(kind)

    def _build(
        self, table: Mapping[str, tuple[str, bool, bool]], enums: Mapping[str, tuple[str, ...]], name: str, values: Any
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
                    value = allowed[0] if allowed else self._default(kind, nullable)
                elif allowed and value is not None and str(value) not in allowed:
                    raise KeyError(f"{name}.{field} = {value!r} is not one of {allowed}")
                out[field] = value
            elif required:
                out[field] = allowed[0] if allowed and not nullable else self._default(kind, nullable)
        return out

    def rest(self, schema: str, **values: Any) -> dict[str, Any]:
        """Return a REST object of component `schema` with `values` and defaults for missing required fields."""
        return self._build(self.objects[schema], self.field_enums.get(schema, {}), schema, values)

    def ws(self, message: str, **values: Any) -> dict[str, Any]:
        """Return the `msg` object of WebSocket message type `message`, like `rest`."""
        return self._build(self.messages[message], self.ws_field_enums.get(message, {}), message, values)

    def unknown_fields(self, schema: str, body: dict[str, Any]) -> list[str]:
        """Return the keys of a request body that schema `schema` does not define, sorted."""
        return sorted(body.keys() - self.objects[schema].keys())

    def missing_required(self, schema: str, body: dict[str, Any]) -> list[str]:
        """Return the required fields of `schema` missing (or null) in a request body, in spec order."""
        return [f for f, (_, required, _) in self.objects[schema].items() if required and body.get(f) is None]


PREDICTION = Shapes.from_modules(openapi_shapes, asyncapi_shapes)
"""The prediction tables (openapi.yaml, asyncapi.yaml)."""

rest = PREDICTION.rest
ws = PREDICTION.ws
unknown_fields = PREDICTION.unknown_fields
missing_required = PREDICTION.missing_required
