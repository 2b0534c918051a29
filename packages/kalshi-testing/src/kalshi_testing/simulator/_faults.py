"""Scriptable fault injection for the simulator's REST and WebSocket surfaces.

```python
sim.faults.rate_limit(retry_after=1, times=2, path="/markets")   # two 429s, then normal service
sim.faults.server_error(status=503, times=3)                     # a 5xx burst on any request
sim.faults.latency(0.2, path="/portfolio/balance")               # every matching call waits 200 ms
sim.faults.drop_connection(after_frames=3)                       # next WS connection dies mid-stream
sim.faults.seq_gap(channel="orderbook_delta")                    # skip one seq on the next frame
sim.faults.malformed_frame()                                     # next WS data frame is broken JSON
sim.faults.clear()
```

REST faults match on method (optional) and a path prefix relative to `/trade-api/v2`; each
fires `times` times (None: until cleared). Thread-safe, so tests script it while the server runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["Faults", "RestFault"]


@dataclass(slots=True)
class RestFault:
    """One scripted REST fault."""

    kind: str
    path: str = ""
    method: str | None = None
    times: int | None = 1
    status: int = 503
    retry_after: float | None = None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request (path relative to the API prefix)."""
        return path.startswith(self.path) and (self.method is None or self.method == method.upper())


class Faults:
    """The fault script of one simulator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rest: list[RestFault] = []
        self._drop_after: int | None = None
        self._gaps: dict[str, int] = {}
        self._malformed = 0
        self.fired: list[str] = []
        """Names of the faults that fired, in order (for assertions)."""

    # --- scripting -----------------------------------------------------------------------------

    def _add(self, fault: RestFault) -> Faults:
        with self._lock:
            self._rest.append(fault)
        return self

    def latency(self, seconds: float, *, path: str = "", method: str | None = None, times: int | None = None) -> Faults:
        """Delay matching responses by `seconds` (default: every matching request until cleared)."""
        return self._add(RestFault("latency", path, method, times, delay=seconds))

    def slow_response(
        self, seconds: float, *, path: str = "", method: str | None = None, times: int | None = 1
    ) -> Faults:
        """Send the status and headers at once, then stall `seconds` before the body."""
        return self._add(RestFault("slow", path, method, times, delay=seconds))

    def rate_limit(
        self, *, retry_after: float | None = 1, times: int | None = 1, path: str = "", method: str | None = None
    ) -> Faults:
        """Answer 429 (with `Retry-After` unless None) to the next `times` matching requests."""
        return self._add(RestFault("rate_limit", path, method, times, status=429, retry_after=retry_after))

    def server_error(
        self, *, status: int = 503, times: int | None = 1, path: str = "", method: str | None = None
    ) -> Faults:
        """Answer `status` (a 5xx) to the next `times` matching requests."""
        if not 500 <= status <= 599:
            raise ValueError("server_error status must be 5xx")
        return self._add(RestFault("server_error", path, method, times, status=status))

    def drop_connection(self, *, after_frames: int = 0) -> Faults:
        """Abort the next WebSocket connection's TCP stream after it has sent `after_frames` data frames."""
        with self._lock:
            self._drop_after = after_frames
        return self

    def seq_gap(self, *, channel: str = "orderbook_delta", skip: int = 1) -> Faults:
        """Make the next sequenced frame on `channel` jump its seq by `skip` extra."""
        with self._lock:
            self._gaps[channel] = self._gaps.get(channel, 0) + skip
        return self

    def malformed_frame(self, *, count: int = 1) -> Faults:
        """Send `count` truncated JSON text frames before the next data frame."""
        with self._lock:
            self._malformed += count
        return self

    def clear(self) -> None:
        """Remove every scripted fault."""
        with self._lock:
            self._rest.clear()
            self._drop_after = None
            self._gaps.clear()
            self._malformed = 0

    # --- consumption by the server -------------------------------------------------------------

    def take_rest(self, method: str, path: str) -> list[RestFault]:
        """Faults that fire for this request (decrementing their counters)."""
        fired: list[RestFault] = []
        with self._lock:
            for fault in list(self._rest):
                if not fault.matches(method, path):
                    continue
                if fault.kind in ("rate_limit", "server_error") and any(
                    f.kind in ("rate_limit", "server_error") for f in fired
                ):
                    continue
                fired.append(fault)
                self.fired.append(fault.kind)
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._rest.remove(fault)
        return fired

    def take_drop(self) -> int | None:
        """The frame budget of a connection that must drop, consumed by the next connection."""
        with self._lock:
            after, self._drop_after = self._drop_after, None
        if after is not None:
            self.fired.append("drop_connection")
        return after

    def take_gap(self, channel: str) -> int:
        """Extra seq to skip on the next sequenced frame of `channel`."""
        with self._lock:
            skip = self._gaps.pop(channel, 0)
        if skip:
            self.fired.append("seq_gap")
        return skip

    def take_malformed(self) -> int:
        """How many broken frames to send now."""
        with self._lock:
            n, self._malformed = self._malformed, 0
        if n:
            self.fired.append("malformed_frame")
        return n
