"""Request guards: what a call may send, checked before a byte leaves (strict about what is sent).

Each failure is a `KalshiRequestError` naming the parameter:
- path ids: empty, whitespace, `.`, `..` or containing `/` are refused (a `.` id would be normalised
  away and `DELETE .../orders/.` would reach the cancel-all route); the rest are percent-encoded;
- query values against the spec's rule (`ParamRule`): booleans are not integers, ranges and item
  limits hold, enums are closed, comma-joined lists have no empty or comma-holding elements;
- a mapping given as the body is validated by the operation's request model, like a typed request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from ._errors import KalshiRequestError
from ._operation import Operation, ParamRule

__all__ = ["check_body", "check_path_id", "check_query"]

_LISTS = (list, tuple, set, frozenset)


def check_path_id(name: str, value: object) -> str:
    """The text of one path parameter, refused when it could change which route is reached."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise KalshiRequestError(
            f"path parameter {name!r} must be a string, got {type(value).__name__}", parameter=name
        )
    text = str(value)
    if not text or text in (".", "..") or "/" in text or any(ch.isspace() or not ch.isprintable() for ch in text):
        raise KalshiRequestError(
            f"path parameter {name!r} must be a non-empty id without '/', whitespace or control characters, "
            f"and not '.' or '..'; got {text!r}",
            parameter=name,
        )
    return text


def _fail(name: str, why: str) -> KalshiRequestError:
    return KalshiRequestError(f"query parameter {name!r} {why}", parameter=name)


def _check_scalar(name: str, rule: ParamRule, value: object) -> None:
    if isinstance(value, Enum):
        value = value.value
    kind = rule.kind
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(name, f"must be an int, got {type(value).__name__} {value!r}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise _fail(name, f"must be a number, got {type(value).__name__} {value!r}")
        if not math.isfinite(value):
            raise _fail(name, f"must be finite, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(name, f"must be a bool, got {type(value).__name__} {value!r}")
    elif kind == "string" and not isinstance(value, str | datetime | date):
        raise _fail(name, f"must be a string, got {type(value).__name__} {value!r}")
    if rule.enum is not None and value not in rule.enum:
        raise _fail(name, f"must be one of {', '.join(map(repr, rule.enum))}; got {value!r}")
    if kind in ("integer", "number"):
        assert isinstance(value, int | float | Decimal)
        if rule.minimum is not None and value < rule.minimum:
            raise _fail(name, f"must be >= {rule.minimum:g}, got {value!r}")
        if rule.maximum is not None and value > rule.maximum:
            raise _fail(name, f"must be <= {rule.maximum:g}, got {value!r}")


def _check_list(name: str, rule: ParamRule, items: list[Any]) -> None:
    if rule.max_items is not None and len(items) > rule.max_items:
        raise _fail(name, f"takes at most {rule.max_items} items, got {len(items)}")
    if rule.min_items is not None and len(items) < rule.min_items:
        raise _fail(name, f"takes at least {rule.min_items} items, got {len(items)}")


def _check_joined(name: str, items: list[Any]) -> None:
    for item in items:
        if not isinstance(item, str):
            raise _fail(name, f"is a comma-joined list of strings; got {type(item).__name__} {item!r}")
        if not item.strip() or "," in item:
            raise _fail(name, f"elements must be non-empty and hold no comma; got {item!r}")


def check_query(op: Operation[Any], query: Mapping[str, object]) -> dict[str, object]:
    """Check the query against the operation's rules; returns it without None values and empty lists."""
    out: dict[str, object] = {}
    explode = op.explode
    for name, value in query.items():
        if value is None:
            continue
        rule = op.params.get(name)
        if isinstance(value, _LISTS):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
            if not items:
                continue  # an empty list leaves the parameter out
            if name not in explode:
                _check_joined(name, items)
            elif any(item is None or (isinstance(item, str) and not item.strip()) for item in items):
                raise _fail(name, f"items must not be empty or None; got {items!r}")
            if rule is not None:
                _check_list(name, rule, items)
                for item in items:
                    if rule.items is not None:
                        _check_scalar(name, rule.items, item)
            out[name] = items
            continue
        if rule is not None:
            if rule.kind == "csv" and isinstance(value, str):
                parts = value.split(",")
                _check_joined(name, parts)
                _check_list(name, rule, parts)
            elif rule.kind in ("array", "csv"):
                _check_list(name, rule, [value])
                if rule.items is not None:
                    _check_scalar(name, rule.items, value)
            else:
                _check_scalar(name, rule, value)
        out[name] = value
    if out.get("exchange_index") == -1 and not (out.get("market_ticker") or out.get("ticker")):
        raise _fail("exchange_index", "-1 (auto-route) needs the market ticker as well")
    return out


def check_body(op: Operation[Any], body: object) -> object:
    """A mapping body validated by the operation's request model (so it gets the same checks)."""
    model = op.request
    if model is None or not isinstance(body, Mapping):
        return body
    try:
        return model.model_validate(body)
    except (TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        errors = getattr(exc, "errors", None)
        where = None
        if errors is not None:
            first = errors(include_url=False)
            where = ".".join(str(p) for p in first[0].get("loc", ())) if first else None
        raise KalshiRequestError(
            f"request body for {op.operation_id} is not a valid {model.__name__}: {exc}", parameter=where
        ) from exc
