"""A small scripted perps WebSocket exchange: a real `websockets` server on 127.0.0.1.

It checks the upgrade signature (RSA-PSS over timestamp + GET + `/trade-api/ws/v2/margin`),
decodes every client command with the generated perps command models (a command the perps spec
does not allow fails the test), assigns sids, counts seq per subscription, answers subscribe /
unsubscribe / update_subscription / list_subscriptions, sends bid/ask book snapshots, and lets a
test publish frames or skip a seq.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from kalshi_perps.messages import CHANNELS, Command, SubscribeCommand, UnsubscribeCommand, UpdateSubscriptionCommand

WS_PATH = "/trade-api/ws/v2/margin"
_COMMANDS = msgspec.json.Decoder(Command)

BOOK = {"bid": [["97000.0000", "3.00"], ["96999.5000", "10.00"]], "ask": [["97001.0000", "2.50"]]}


@dataclass
class ServerSub:
    sid: int
    channel: str
    params: dict[str, Any]
    seq: int = 0


@dataclass
class PerpsExchange:
    """Run with `async with PerpsExchange(public_key=...) as ex:`; `ex.url` is the ws:// URL."""

    public_key: rsa.RSAPublicKey | None = None
    handshakes: list[Headers] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    subs: dict[int, ServerSub] = field(default_factory=dict)
    book: dict[str, list[list[str]]] = field(default_factory=lambda: dict(BOOK))
    url: str = ""
    next_sid: int = 1
    _ws: ServerConnection | None = None
    _server: Any = None

    async def __aenter__(self) -> PerpsExchange:
        self._server = await serve(self._handler, "127.0.0.1", 0, process_request=self._check_upgrade)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}{WS_PATH}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await asyncio.wait_for(self._server.wait_closed(), 5)

    def _check_upgrade(self, connection: ServerConnection, request: Request) -> Response | None:
        self.handshakes.append(request.headers)
        if request.path != WS_PATH:
            return connection.respond(404, "wrong path\n")
        if self.public_key is not None:
            ts = request.headers.get("KALSHI-ACCESS-TIMESTAMP", "")
            signature = base64.b64decode(request.headers.get("KALSHI-ACCESS-SIGNATURE", ""))
            try:
                self.public_key.verify(
                    signature,
                    f"{ts}GET{WS_PATH}".encode(),
                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
                    hashes.SHA256(),
                )
            except Exception:
                return connection.respond(403, "bad signature\n")
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        self._ws = ws
        async for raw in ws:
            text = raw if isinstance(raw, str) else raw.decode()
            command = _COMMANDS.decode(text)  # raises (and closes the test) on a command perps does not know
            self.commands.append(json.loads(text))
            if isinstance(command, SubscribeCommand):
                for channel in command.params.channels:
                    params = {k: v for k, v in json.loads(text)["params"].items() if k != "channels"}
                    sub = ServerSub(self.next_sid, channel, params)
                    self.subs[sub.sid] = sub
                    self.next_sid += 1
                    await self._send(
                        {"id": command.id, "type": "subscribed", "msg": {"channel": channel, "sid": sub.sid}}
                    )
                    if channel == "orderbook_delta":
                        await self.snapshot(sub)
            elif isinstance(command, UnsubscribeCommand):
                for sid in command.params.sids:
                    sub = self.subs.pop(sid)
                    await self._send({"id": command.id, "type": "unsubscribed", "sid": sid, "seq": sub.seq + 1})
            elif isinstance(command, UpdateSubscriptionCommand):
                sid = command.params.sid if command.params.sid is not None else (command.params.sids or [0])[0]
                sub = self.subs[sid]
                tickers = list(sub.params.get("market_tickers", []))
                if command.params.action == "add_markets":
                    tickers += command.params.market_tickers or []
                sub.params["market_tickers"] = tickers
                await self._send(
                    {"id": command.id, "type": "ok", "sid": sid, "seq": sub.seq, "msg": {"market_tickers": tickers}}
                )
            else:
                listing = [{"channel": s.channel, "sid": s.sid} for s in self.subs.values()]
                await self._send({"id": command.id, "type": "ok", "msg": listing})

    async def _send(self, frame: dict[str, Any] | str) -> None:
        assert self._ws is not None
        await self._ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def drop(self) -> None:
        """Drop the current connection without a close handshake; server-side subscriptions are forgotten."""
        assert self._ws is not None
        self.subs.clear()
        self._ws.transport.abort()

    def sub_for(self, channel: str) -> ServerSub:
        return next(s for s in self.subs.values() if s.channel == channel)

    async def snapshot(self, sub: ServerSub) -> None:
        for ticker in sub.params.get("market_tickers") or [sub.params.get("market_ticker")]:
            sub.seq += 1
            msg = {"market_ticker": ticker, **self.book}
            await self._send({"type": "orderbook_snapshot", "sid": sub.sid, "seq": sub.seq, "msg": msg})

    async def publish(self, channel: str, type_: str, msg: dict[str, Any] | str, *, skip: int = 0) -> None:
        """Send one data frame on `channel`'s subscription; sequenced channels count seq (`skip` leaves a gap)."""
        sub = self.sub_for(channel)
        head = f'{{"type":"{type_}","sid":{sub.sid}'
        if CHANNELS[channel].sequenced:
            sub.seq += 1 + skip
            head += f',"seq":{sub.seq}'
        body = msg if isinstance(msg, str) else json.dumps(msg)
        await self._send(f'{head},"msg":{body}}}')
