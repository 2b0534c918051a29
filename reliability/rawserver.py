"""A misbehaving HTTP server on 127.0.0.1, for faults the simulator cannot produce on purpose:
a connection reset in the middle of a body, a proxy that answers HTML. It counts what it receives."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable

Answer = Callable[[str, str], bytes | None]  # (method, path) -> raw bytes to write, then close


class RawServer:
    """Answers every request with `answer(method, path)` and closes; counts (method, path)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.seen: Counter[tuple[str, str]] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/trade-api/v2"

    def __enter__(self) -> RawServer:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("raw server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.run_until_complete(server.wait_closed())
            self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            if length:
                await reader.readexactly(length)
            path = target.split("?", 1)[0]
            self.seen[(method, path)] += 1
            raw = self.answer(method, path)
            if raw:
                writer.write(raw)
                await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()


def truncated_json(method: str, path: str) -> bytes:
    """Headers promise 4,000 bytes; 20 arrive, then the connection closes."""
    return b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"markets": [{"tick'


def html_proxy(status: int) -> Answer:
    """A proxy page instead of the API's JSON."""

    def answer(method: str, path: str) -> bytes:
        body = b"<html><head><title>Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return (
            f"HTTP/1.1 {status} Proxy\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode() + body

    return answer
