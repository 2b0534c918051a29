"""`ReplayTransport`: answer requests from recorded JSON fixtures, with no network."""

from __future__ import annotations

import base64
import difflib
import threading
from pathlib import Path
from typing import Any

import httpx

from kalshi_testing._errors import ReplayMissError

from ._fixtures import fingerprint, read_fixtures, response_from_record

__all__ = ["ReplayTransport"]


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serve responses recorded by `RecordingTransport` (sync and async clients alike).

    ```python
    client = KalshiClient(transport=ReplayTransport("fixtures"))
    ```

    Requests match on method, path, sorted query and body, never on the signature, timestamp or
    key headers, so a replay signs with any key (or none). Repeated requests get their recorded
    responses in order; past the last one, the last repeats. A request with no fixture raises
    `ReplayMissError` naming its fingerprint and the closest recorded ones.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._fixtures = read_fixtures(self.directory)
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def fingerprints(self) -> list[str]:
        """Every recorded fingerprint, sorted."""
        return sorted(self._fixtures)

    def _lookup(self, request: httpx.Request) -> dict[str, Any]:
        fp = fingerprint(request)
        records = self._fixtures.get(fp)
        if not records:
            closest = difflib.get_close_matches(fp, list(self._fixtures), n=3, cutoff=0.0)
            raise ReplayMissError(fp, closest)
        with self._lock:
            index = self._served.get(fp, 0)
            self._served[fp] = index + 1
        record: dict[str, Any] = records[min(index, len(records) - 1)]["response"]
        return record

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Return the recorded response for `request`."""
        request.read()
        return _response(self._lookup(request), request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Return the recorded response for `request`."""
        await request.aread()
        return _response(self._lookup(request), request)


def _response(record: dict[str, Any], request: httpx.Request) -> httpx.Response:
    """The recorded response; a base64 body (binary, as `RecordingTransport` stores it) byte for byte."""
    if "base64" in record:
        content = base64.b64decode(record["base64"])
        return httpx.Response(
            int(record["status"]), headers=record.get("headers", {}), content=content, request=request
        )
    return response_from_record(record, request)
