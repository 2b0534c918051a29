"""`RecordingTransport`: pass requests to a real transport and write each exchange as a JSON fixture."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Any

import httpx

from kalshi_testing._errors import FixtureError

from ._fixtures import (
    FIXTURE_VERSION,
    Redactor,
    fingerprint,
    fixture_name,
    read_fixtures,
    request_record,
    response_record,
)

__all__ = ["RecordingTransport"]


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Record every request and response into `directory`, one JSON file each (sync and async).

    ```python
    client = KalshiClient.from_env(transport=RecordingTransport("fixtures"))
    ```

    Credential headers (`KALSHI-ACCESS-*`, `Authorization`, cookies) are never written. Pass
    `redact=redact_fields("user_id", ...)` (or any function of a JSON body) to scrub bodies.
    A body that is not UTF-8 text is stored as base64 and replays byte for byte. Recording into a
    directory that already holds fixtures adds to them: each new exchange continues the numbering
    of its fingerprint, so nothing recorded before is overwritten.

    Args:
        directory: where fixtures go (created if missing).
        transport: the sync transport to record through (default `httpx.HTTPTransport()`).
        async_transport: the async one (default `httpx.AsyncHTTPTransport()`).
        redact: applied to every JSON request and response body before writing.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        redact: Redactor | None = None,
    ) -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FixtureError(f"cannot create fixture directory {self.directory}: {exc.strerror}") from None
        self._transport = transport
        self._async_transport = async_transport
        self._redact = redact
        existing = read_fixtures(self.directory)
        self._counts: dict[str, int] = {fp: len(records) for fp, records in existing.items()}
        self._sequence = max((int(r.get("sequence", 0)) for records in existing.values() for r in records), default=0)
        self._lock = threading.Lock()

    def _write(self, request: httpx.Request, response: httpx.Response) -> None:
        fp = fingerprint(request)
        with self._lock:
            index = self._counts.get(fp, 0)
            self._counts[fp] = index + 1
            self._sequence += 1
            sequence = self._sequence
        stored = response_record(response, self._redact)
        if "text" in stored and not _is_utf8(response.content):
            del stored["text"]
            stored["base64"] = base64.b64encode(response.content).decode("ascii")
        record: dict[str, Any] = {
            "version": FIXTURE_VERSION,
            "fingerprint": fp,
            "sequence": sequence,
            "request": request_record(request, self._redact),
            "response": stored,
        }
        path = self.directory / fixture_name(fp, index)
        while path.exists():  # a file another recorder wrote meanwhile: never overwrite it
            index += 1
            path = self.directory / fixture_name(fp, index)
        try:
            path.write_text(json.dumps(record, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        except OSError as exc:
            raise FixtureError(f"cannot write fixture {path}: {exc.strerror}") from None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the wrapped sync transport, record, and return a fully read response."""
        if self._transport is None:
            self._transport = httpx.HTTPTransport()
        response = self._transport.handle_request(request)
        try:
            content = response.read()
        finally:
            response.close()
        recorded = _decoded(response, content, request)
        self._write(request, recorded)
        return recorded

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the wrapped async transport, record, and return a fully read response."""
        if self._async_transport is None:
            self._async_transport = httpx.AsyncHTTPTransport()
        response = await self._async_transport.handle_async_request(request)
        try:
            content = await response.aread()
        finally:
            await response.aclose()
        recorded = _decoded(response, content, request)
        self._write(request, recorded)
        return recorded

    def close(self) -> None:
        """Close the wrapped sync transport."""
        if self._transport is not None:
            self._transport.close()

    async def aclose(self) -> None:
        """Close the wrapped async transport."""
        if self._async_transport is not None:
            await self._async_transport.aclose()


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decoded(response: httpx.Response, content: bytes, request: httpx.Request) -> httpx.Response:
    """A copy of a read response whose body is already decoded (so no content-encoding is claimed)."""
    headers = [
        (k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")
    ]
    return httpx.Response(response.status_code, headers=headers, content=content, request=request)
