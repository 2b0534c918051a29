"""Record and replay WebSocket sessions: frames in both directions with their relative timing.

Both work at the protocol level, so any client (kalshi_ws, websockets, a browser) can use them
by pointing its WebSocket URL at them:

```python
async with WebSocketRecorder(upstream_ws_url, "session.json", auth=auth) as rec:
    ...  # connect your client to rec.url; it is proxied to upstream and recorded
async with WebSocketReplayServer("session.json") as server:
    ...  # connect your client to server.url; it receives the recorded frames
```

A cassette is JSON: `{"version": 1, "frames": [{"t": 0.012, "dir": "out"|"in", "text": "..."}]}`
where `t` is seconds since the connection opened, `out` is client -> server and `in` the
reverse. The recorder signs the upstream upgrade with its own `auth`; no header is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import aiohttp
from aiohttp import WSMsgType, web

from kalshi_auth import KalshiAuth
from kalshi_testing._errors import FixtureError

__all__ = ["WebSocketRecorder", "WebSocketReplayServer", "load_cassette"]

_CASSETTE_VERSION = 1


def load_cassette(path: str | Path) -> list[dict[str, Any]]:
    """Read a cassette's frames; raises FixtureError if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FixtureError(f"cannot read WebSocket cassette {path}: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != _CASSETTE_VERSION
        or not isinstance(data.get("frames"), list)
    ):
        raise FixtureError(f"{path} is not a version-{_CASSETTE_VERSION} WebSocket cassette")
    frames: list[dict[str, Any]] = data["frames"]
    for i, frame in enumerate(frames):
        if frame.get("dir") not in ("in", "out") or not isinstance(frame.get("text"), str):
            raise FixtureError(f"{path}: frame {i} needs dir 'in'/'out' and a text payload")
    return frames


class _LocalServer:
    """An aiohttp server on 127.0.0.1 and an ephemeral port, in the caller's event loop."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _start(self, handler: Any) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", handler)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self._start(self._handle)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stop()


class WebSocketRecorder(_LocalServer):
    """A recording proxy: clients connect to `url`, frames are forwarded upstream and recorded.

    Args:
        upstream: the real WebSocket URL (e.g. a simulator's `ws_url`).
        path: the cassette file to write when the (first) client connection closes.
        auth: signs the upstream upgrade; None forwards the client's own `KALSHI-ACCESS-*` headers.
    """

    def __init__(self, upstream: str, path: str | Path, *, auth: KalshiAuth | None = None) -> None:
        super().__init__()
        self.upstream = upstream
        self.path = Path(path)
        self.auth = auth
        self.frames: list[dict[str, Any]] = []
        self.done = asyncio.Event()

    @property
    def url(self) -> str:
        """Where clients connect: same path as upstream, on the local port."""
        return f"ws://127.0.0.1:{self.port}{urlsplit(self.upstream).path}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = urlsplit(self.upstream).path
        if self.auth is not None:
            headers = self.auth.headers("GET", path)
        else:
            headers = {k: v for k, v in request.headers.items() if k.upper().startswith("KALSHI-ACCESS-")}
        client = web.WebSocketResponse()
        await client.prepare(request)
        start = time.monotonic()
        async with aiohttp.ClientSession() as session:
            try:
                upstream = await session.ws_connect(self.upstream, headers=headers, autoping=True)
            except aiohttp.WSServerHandshakeError as exc:
                await client.close(code=4001, message=f"upstream refused: {exc.status}".encode())
                return client

            async def pump(src: Any, dst: Any, direction: str) -> None:
                async for msg in src:
                    if msg.type is not WSMsgType.TEXT:
                        break
                    self.frames.append({"t": round(time.monotonic() - start, 4), "dir": direction, "text": msg.data})
                    await dst.send_str(msg.data)
                await dst.close()

            tasks = [
                asyncio.create_task(pump(client, upstream, "out")),
                asyncio.create_task(pump(upstream, client, "in")),
            ]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*tasks, return_exceptions=True)
            await upstream.close()
        self.save()
        self.done.set()
        return client

    def save(self) -> None:
        """Write the frames recorded so far."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            body = {"version": _CASSETTE_VERSION, "frames": self.frames}
            self.path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
        except OSError as exc:
            raise FixtureError(f"cannot write WebSocket cassette {self.path}: {exc.strerror}") from None


class WebSocketReplayServer(_LocalServer):
    """Serve a recorded session to any client that connects to `url`.

    Server frames go out at their recorded times (divided by `speed`). At each recorded client
    frame the replay waits (up to `wait_timeout` s) for the client to send something, and
    rewrites the recorded command `id` in later replies to the id the client actually used.
    """

    def __init__(self, path: str | Path, *, speed: float = 1.0, wait_timeout: float = 5.0) -> None:
        super().__init__()
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.frames = load_cassette(path)
        self.speed = speed
        self.wait_timeout = wait_timeout
        self.received: list[str] = []

    @property
    def url(self) -> str:
        """Where clients connect (path `/trade-api/ws/v2`; any path works)."""
        return f"ws://127.0.0.1:{self.port}/trade-api/ws/v2"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        inbox: asyncio.Queue[str | None] = asyncio.Queue()

        async def read() -> None:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    self.received.append(msg.data)
                    await inbox.put(msg.data)
            await inbox.put(None)

        reader = asyncio.create_task(read())
        ids: dict[Any, Any] = {}
        start = time.monotonic()
        offset = 0.0
        try:
            for frame in self.frames:
                if frame["dir"] == "out":
                    waited = time.monotonic()
                    try:
                        sent = await asyncio.wait_for(inbox.get(), self.wait_timeout)
                    except TimeoutError:
                        break
                    if sent is None:
                        break
                    offset += time.monotonic() - waited
                    _map_id(frame["text"], sent, ids)
                    continue
                due = start + offset + float(frame["t"]) / self.speed
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await ws.send_str(_rewrite_id(frame["text"], ids))
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await ws.close()
        return ws


def _map_id(recorded: str, actual: str, ids: dict[Any, Any]) -> None:
    try:
        old, new = json.loads(recorded).get("id"), json.loads(actual).get("id")
    except (json.JSONDecodeError, AttributeError):
        return
    if old is not None and new is not None:
        ids[old] = new


def _rewrite_id(text: str, ids: dict[Any, Any]) -> str:
    if not ids:
        return text
    try:
        frame = json.loads(text)
    except json.JSONDecodeError:
        return text
    if isinstance(frame, dict) and frame.get("id") in ids:
        frame["id"] = ids[frame["id"]]
        return json.dumps(frame, separators=(",", ":"))
    return text
