"""A recording TCP proxy between a FIX client and the simulator's acceptor, on 127.0.0.1.

It keeps every frame that crossed it in each direction (parsed, per connection), and can cut a link
in the middle of a stream: `hold("down")` swallows what the acceptor sends (reports the client never
reads), `hold("up")` swallows what the client sends (orders the acceptor never receives), `cut()` drops
every live connection at once. `hold(..., keep=True)` keeps what arrives instead, and `release()` writes it
on in one piece (a burst the receiver reads in one go). Runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from kalshi_fix import FixFrame, FrameSplitter, parse_frame


@dataclass
class Link:
    """One proxied connection: the frames each way, and the ones swallowed while held."""

    up: list[FixFrame] = field(default_factory=list)
    down: list[FixFrame] = field(default_factory=list)
    swallowed_up: list[FixFrame] = field(default_factory=list)
    swallowed_down: list[FixFrame] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    kept: dict[str, bytearray] = field(default_factory=lambda: {"up": bytearray(), "down": bytearray()})


class FixProxy:
    """Forwards 127.0.0.1:`port` to `target_port`; `links` holds one `Link` per accepted connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.links: list[Link] = []
        self.held: set[str] = set()
        self.keep = False
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> FixProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def hold(self, direction: str, *, keep: bool = False) -> None:
        """Stop forwarding `"up"` (client to acceptor) or `"down"`; what arrives is recorded, then dropped
        (or, with `keep`, kept for `release()`)."""
        self.held.add(direction)
        self.keep = keep

    def release(self) -> None:
        """Forward again; what was kept goes on in one write per direction."""
        self.held.clear()
        for link in self.links:
            for way, writer in (("up", link.writers[1]), ("down", link.writers[0])):
                if link.kept[way] and not writer.is_closing():
                    writer.write(bytes(link.kept[way]))
                link.kept[way].clear()

    def cut(self) -> None:
        """Abort every live connection on both sides (no FIN, no Logout)."""
        for link in self.links:
            for writer in link.writers:
                writer.transport.abort()

    def frames(self, direction: str) -> list[FixFrame]:
        """Every forwarded frame in one direction, over all connections, in order."""
        return [f for link in self.links for f in getattr(link, direction)]

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_w.transport.abort()
            return
        link = Link(writers=[client_w, server_w])
        self.links.append(link)
        for task in (
            asyncio.create_task(self._pump(client_r, server_w, link, "up")),
            asyncio.create_task(self._pump(server_r, client_w, link, "down")),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link, way: str) -> None:
        splitter = FrameSplitter()
        try:
            while data := await reader.read(65536):
                frames = [parse_frame(raw) for raw in splitter.feed(data)]
                if way in self.held:
                    if self.keep:
                        getattr(link, way).extend(frames)
                        link.kept[way] += data
                    else:
                        getattr(link, f"swallowed_{way}").extend(frames)
                    continue
                getattr(link, way).extend(frames)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()
