"""Fixture files for record/replay: request fingerprints, the JSON layout, and redaction.

One JSON file per recorded exchange:

```json
{"version": 1, "fingerprint": "GET /trade-api/v2/markets?limit=5&status=open",
 "request": {"method": "GET", "path": "/trade-api/v2/markets", "query": [["limit", "5"], ["status", "open"]],
             "body": null},
 "response": {"status": 200, "headers": {"content-type": "application/json"}, "json": {...}}}
```

The fingerprint is method + path + sorted query + (for a body) a digest of its canonical JSON,
so it never depends on the signature, timestamp or key headers. Those headers, and any other
credential header, are never written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from kalshi_testing._errors import FixtureError

__all__ = [
    "FIXTURE_VERSION",
    "Redactor",
    "fingerprint",
    "fixture_name",
    "read_fixtures",
    "redact_fields",
    "request_record",
    "response_from_record",
    "response_record",
]

FIXTURE_VERSION = 1
Redactor = Callable[[Any], Any]
"""Called with each decoded JSON body (request and response) before it is written; returns the body to store."""

_SECRET_HEADERS = {
    "kalshi-access-key",
    "kalshi-access-signature",
    "kalshi-access-timestamp",
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
}
_KEPT_RESPONSE_HEADERS = {"content-type", "retry-after"}


def _canonical_body(content: bytes) -> tuple[Any, str | None]:
    """Return (stored body, digest source) for request content: parsed JSON if it is JSON, else text."""
    if not content:
        return None, None
    try:
        parsed = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return content.decode("utf-8", "replace"), content.decode("utf-8", "replace")
    return parsed, json.dumps(parsed, sort_keys=True, separators=(",", ":"))


def _fingerprint_parts(method: str, path: str, query: Iterable[tuple[str, str]], body_source: str | None) -> str:
    q = "&".join(f"{k}={v}" for k, v in sorted(query))
    text = f"{method.upper()} {path}" + (f"?{q}" if q else "")
    if body_source is not None:
        text += " body:" + hashlib.sha256(body_source.encode()).hexdigest()[:12]
    return text


def fingerprint(request: httpx.Request) -> str:
    """The replay key of a request: method, path, sorted query, body digest; headers never count."""
    query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    _, source = _canonical_body(request.content)
    return _fingerprint_parts(request.method, request.url.path, query, source)


def fixture_name(fp: str, index: int) -> str:
    """A readable, collision-safe file name for the `index`-th recording of fingerprint `fp`."""
    method, _, rest = fp.partition(" ")
    slug = re.sub(r"[^A-Za-z0-9]+", "_", rest.split("?")[0].split(" ")[0]).strip("_")[-60:]
    digest = hashlib.sha256(fp.encode()).hexdigest()[:10]
    return f"{method.lower()}_{slug}_{digest}_{index:03d}.json"


def redact_fields(*names: str, replacement: str = "REDACTED") -> Redactor:
    """A redactor replacing the value of every key in `names`, at any depth, with `replacement`."""
    wanted = set(names)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: replacement if k in wanted else walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk


def request_record(request: httpx.Request, redact: Redactor | None) -> dict[str, Any]:
    """The stored form of a request (no credential headers, body redacted)."""
    body, _ = _canonical_body(request.content)
    if redact is not None and body is not None:
        body = redact(body)
    return {
        "method": request.method,
        "path": request.url.path,
        "query": [list(kv) for kv in parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)],
        "headers": {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in _SECRET_HEADERS and k.lower() in ("content-type", "accept")
        },
        "body": body,
    }


def response_record(response: httpx.Response, redact: Redactor | None) -> dict[str, Any]:
    """The stored form of a (read) response."""
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() in _KEPT_RESPONSE_HEADERS}
    out: dict[str, Any] = {"status": response.status_code, "headers": headers}
    content = response.content
    if not content:
        return out
    try:
        parsed = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        out["text"] = content.decode("utf-8", "replace")
        return out
    out["json"] = redact(parsed) if redact is not None else parsed
    return out


def response_from_record(record: dict[str, Any], request: httpx.Request) -> httpx.Response:
    """Rebuild an `httpx.Response` from its stored form."""
    headers = dict(record.get("headers", {}))
    if "json" in record:
        content = json.dumps(record["json"], separators=(",", ":")).encode()
        headers.setdefault("content-type", "application/json")
    else:
        content = str(record.get("text", "")).encode()
    return httpx.Response(int(record["status"]), headers=headers, content=content, request=request)


def read_fixtures(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Load every fixture in `directory`, grouped by fingerprint, in recording order."""
    if not directory.is_dir():
        raise FixtureError(f"fixture directory {directory} does not exist")
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise FixtureError(f"cannot read fixture {path.name}: {exc}") from None
        if not isinstance(data, dict) or data.get("version") != FIXTURE_VERSION or "fingerprint" not in data:
            raise FixtureError(f"{path.name} is not a version-{FIXTURE_VERSION} kalshi-testing fixture")
        grouped.setdefault(data["fingerprint"], []).append((int(data.get("sequence", 0)), data))
    return {fp: [d for _, d in sorted(items, key=lambda x: x[0])] for fp, items in grouped.items()}
