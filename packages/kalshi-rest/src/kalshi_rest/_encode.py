"""Encoding what is sent: query values, path segments, JSON bodies and header merging (no I/O)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from urllib.parse import quote

from ._errors import KalshiRequestError
from ._guards import check_path_id

__all__ = ["encode_body", "encode_query", "merge_headers", "render_path"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _query_value(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return _iso(value)
    if isinstance(value, str | int | float):
        return str(value)
    raise KalshiRequestError(f"cannot send {type(value).__name__} as a query value")


def _iso(value: date) -> str:
    """RFC 3339 with an explicit offset: a naive datetime is taken as UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def encode_query(query: Mapping[str, object] | None, explode: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Turn query arguments into `(name, text)` pairs.

    None values are left out; booleans become `true`/`false`; sequences are comma-joined, or
    repeated when the parameter is in `explode`; an empty `cursor` is never sent.
    """
    pairs: list[tuple[str, str]] = []
    if not query:
        return pairs
    for name, value in query.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            texts = [_query_value(v) for v in items if v is not None]
            if not texts:
                continue
            if name in explode:
                pairs.extend((name, t) for t in texts)
            else:
                pairs.append((name, ",".join(texts)))
            continue
        text = _query_value(value)
        if name == "cursor" and not text:
            continue
        pairs.append((name, text))
    return pairs


def render_path(template: str, params: Mapping[str, object] | None) -> str:
    """Fill `{name}` segments of `template`, percent-encoding each value (`check_path_id` refuses the unsafe)."""
    if "{" not in template:
        return template
    params = params or {}
    out: list[str] = []
    rest = template
    while True:
        start = rest.find("{")
        if start < 0:
            out.append(rest)
            return "".join(out)
        end = rest.index("}", start)
        name = rest[start + 1 : end]
        if name not in params or params[name] is None:
            raise KalshiRequestError(f"missing path parameter {name!r} for {template}", parameter=name)
        text = check_path_id(name, params[name])
        out.append(rest[:start])
        out.append(quote(text, safe=""))
        rest = rest[end + 1 :]


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return _iso(value)
    if isinstance(value, Enum):
        return value.value
    if _is_model(value):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_body(method: str, body: object) -> bytes | None:
    """Serialise a request body; a POST/PUT without one sends `{}` (the server wants a JSON body)."""
    if body is None:
        return b"{}" if method in _BODY_METHODS else None
    if _is_model(body):
        text: str = body.model_dump_json(by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
        return text.encode()
    if isinstance(body, Mapping):
        return json.dumps(body, default=_json_default, separators=(",", ":")).encode()
    raise KalshiRequestError(f"a request body must be a request model or a mapping, not {type(body).__name__}")


def merge_headers(base: dict[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """`base` with `extra` laid over it case-insensitively: a name is never sent twice."""
    if not extra:
        return base
    lowered = {name.lower() for name in extra}
    merged = {k: v for k, v in base.items() if k.lower() not in lowered}
    merged.update(extra)
    return merged


def _is_model(value: object) -> bool:
    # Duck-typed so that importing kalshi_rest does not import pydantic (import time).
    return hasattr(type(value), "model_dump_json")
