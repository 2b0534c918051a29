"""A small scripted fake Kalshi exchange: a real `websockets` server on 127.0.0.1 speaking the protocol.

It checks the upgrade signature (RSA-PSS over timestamp + GET + path) when a public key is given,
decodes every client command with the generated command models (so a command the spec does not
allow fails the test), assigns sids, counts seq per subscription, answers subscribe / unsubscribe
/ update_subscription / list_subscriptions, sends order-book snapshots, and lets a test publish
frames, skip a seq, inject raw bytes, drop the connection or go silent.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import ipaddress
import json
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from kalshi_ws.messages import CHANNELS, Command, SubscribeCommand, UnsubscribeCommand, UpdateSubscriptionCommand

WS_PATH = "/trade-api/ws/v2"
_COMMANDS = msgspec.json.Decoder(Command)

BOOK_LEVELS = {
    "yes_dollars_fp": [["0.0800", "300.00"], ["0.2200", "333.00"]],
    "no_dollars_fp": [["0.5400", "20.00"], ["0.5600", "146.00"]],
}


def self_signed_tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A (server, client) TLS context pair for 127.0.0.1 with a throwaway self-signed certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "cert.pem").write_bytes(cert_pem)
        (Path(tmp) / "key.pem").write_bytes(key_pem)
        server.load_cert_chain(Path(tmp) / "cert.pem", Path(tmp) / "key.pem")
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


class Clock:
    """A fixed millisecond clock for KalshiAuth."""

    def __init__(self, start: int = 1_700_000_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


@dataclass
class ServerSub:
    sid: int
    channel: str
    params: dict[str, Any]
    seq: int = 0

    def tickers(self) -> list[str]:
        if self.params.get("market_ticker"):
            return [self.params["market_ticker"]]
        return list(self.params.get("market_tickers") or [])


@dataclass
class Conn:
    ws: ServerConnection
    authenticated: bool
    subs: dict[int, ServerSub] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)

    def by_channel(self, channel: str) -> list[ServerSub]:
        return [s for s in self.subs.values() if s.channel == channel]


class FakeExchange:
    """Run with `async with FakeExchange() as ex:`; `ex.url` is the ws:// URL."""

    def __init__(
        self,
        *,
        public_key: rsa.RSAPublicKey | None = None,
        require_auth: bool = False,
        compression: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.ssl_context = ssl_context
        self.compression = compression
        self.public_key = public_key
        self.require_auth = require_auth
        self.conns: list[Conn] = []
        self.handshakes: list[Headers] = []
        self.next_sid = 1
        self.snapshot_levels: dict[str, dict[str, list[list[str]]]] = {}
        self.refuse: dict[str, tuple[int, str]] = {}
        """channel -> (code, message): answer subscribe to it with an error."""
        self.connected = asyncio.Event()
        self._server: Any = None
        self.url = ""
        self.silent = False

    async def __aenter__(self) -> FakeExchange:
        self._server = await serve(
            self._handler,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            compression=self.compression,
            ping_interval=None,
            ssl=self.ssl_context,
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"{'wss' if self.ssl_context else 'ws'}://127.0.0.1:{port}{WS_PATH}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn in self.conns:
            conn.ws.transport.abort()  # a frozen connection would otherwise hold close() for its timeout
        self._server.close()
        await self._server.wait_closed()

    # ---- handshake -------------------------------------------------------------------------
    def _verify(self, headers: Headers) -> bool:
        key_id = headers.get("KALSHI-ACCESS-KEY")
        ts = headers.get("KALSHI-ACCESS-TIMESTAMP")
        sig = headers.get("KALSHI-ACCESS-SIGNATURE")
        if not (key_id and ts and sig) or self.public_key is None:
            return False
        try:
            self.public_key.verify(
                base64.b64decode(sig),
                f"{ts}GET{WS_PATH}".encode(),
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return False
        return True

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.handshakes.append(request.headers)
        if request.path != WS_PATH:
            return connection.respond(404, "not found\n")
        if self.require_auth and not self._verify(request.headers):
            return connection.respond(403, "forbidden\n")
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        conn = Conn(ws, authenticated=self._verify(ws.request.headers) if ws.request else False)
        self.conns.append(conn)
        self.connected.set()
        try:
            async for raw in ws:
                if self.silent:
                    continue
                await self._on_command(conn, raw if isinstance(raw, bytes) else raw.encode())
        except Exception:
            pass

    # ---- commands --------------------------------------------------------------------------
    async def _on_command(self, conn: Conn, raw: bytes) -> None:
        conn.commands.append(json.loads(raw))
        cmd = _COMMANDS.decode(raw)  # fails the server task (and the test) if the spec disallows it
        if isinstance(cmd, SubscribeCommand):
            await self._subscribe(conn, cmd.id, json.loads(raw)["params"])
        elif isinstance(cmd, UnsubscribeCommand):
            for sid in cmd.params.sids:
                sub = conn.subs.pop(sid, None)
                if sub is None:
                    await self.send(
                        conn, {"id": cmd.id, "type": "error", "msg": {"code": 7, "msg": "Unknown subscription ID"}}
                    )
                    continue
                sub.seq += 1
                await self.send(conn, {"id": cmd.id, "type": "unsubscribed", "sid": sid, "seq": sub.seq})
        elif isinstance(cmd, UpdateSubscriptionCommand):
            params = json.loads(raw)["params"]
            sid = params.get("sid") or (params.get("sids") or [None])[0]
            sub = conn.subs.get(sid)
            if sub is None:
                await self.send(
                    conn, {"id": cmd.id, "type": "error", "msg": {"code": 7, "msg": "Unknown subscription ID"}}
                )
                return
            action = params["action"]
            if action == "get_snapshot":
                for ticker in params.get("market_tickers") or []:
                    await self.snapshot(conn, sub, ticker, command_id=cmd.id)
                return
            if action in ("add_markets", "delete_markets"):
                tickers = sub.tickers()
                for t in params.get("market_tickers") or []:
                    if action == "add_markets" and t not in tickers:
                        tickers.append(t)
                        if sub.channel == "orderbook_delta":
                            await self.snapshot(conn, sub, t)
                    elif action == "delete_markets" and t in tickers:
                        tickers.remove(t)
                sub.params.pop("market_ticker", None)
                sub.params["market_tickers"] = tickers
                sub.seq += 1
                await self.send(
                    conn, {"id": cmd.id, "type": "ok", "sid": sid, "seq": sub.seq, "msg": {"market_tickers": tickers}}
                )
                return
            await self.send(
                conn, {"id": cmd.id, "type": "error", "sid": sid, "msg": {"code": 13, "msg": "Unsupported action"}}
            )
        else:  # list_subscriptions
            rows = [{"channel": s.channel, "sid": s.sid} for s in conn.subs.values()]
            await self.send(conn, {"id": cmd.id, "type": "ok", "msg": rows})

    async def _subscribe(self, conn: Conn, cid: int, params: dict[str, Any]) -> None:
        channel = params["channels"][0]
        if channel in self.refuse:
            code, text = self.refuse[channel]
            await self.send(conn, {"id": cid, "type": "error", "msg": {"code": code, "msg": text}})
            return
        info = CHANNELS.get(channel)
        if info is None:
            await self.send(conn, {"id": cid, "type": "error", "msg": {"code": 8, "msg": "Unknown channel name"}})
            return
        if info.private and not conn.authenticated:
            await self.send(conn, {"id": cid, "type": "error", "msg": {"code": 9, "msg": "Authentication required"}})
            return
        rest = {k: v for k, v in params.items() if k != "channels"}
        sub = ServerSub(self.next_sid, channel, rest)
        self.next_sid += 1
        conn.subs[sub.sid] = sub
        await self.send(conn, {"id": cid, "type": "subscribed", "msg": {"channel": channel, "sid": sub.sid}})
        if channel == "orderbook_delta":
            for ticker in sub.tickers():
                await self.snapshot(conn, sub, ticker)

    # ---- scripting -------------------------------------------------------------------------
    @property
    def conn(self) -> Conn:
        """The most recent connection."""
        return self.conns[-1]

    async def send(self, conn: Conn, frame: dict[str, Any] | bytes) -> None:
        data = frame if isinstance(frame, bytes) else json.dumps(frame).encode()
        await conn.ws.send(data.decode())

    async def snapshot(self, conn: Conn, sub: ServerSub, ticker: str, *, command_id: int | None = None) -> None:
        sub.seq += 1
        levels = self.snapshot_levels.get(ticker, BOOK_LEVELS)
        frame: dict[str, Any] = {
            "type": "orderbook_snapshot",
            "sid": sub.sid,
            "seq": sub.seq,
            "msg": {
                "market_ticker": ticker,
                "market_id": "00000000-0000-0000-0000-000000000001",
                "clock": 10,
                **levels,
            },
        }
        if command_id is not None:
            frame["id"] = command_id
        await self.send(conn, frame)

    async def publish(
        self,
        channel: str,
        type_: str,
        msg: dict[str, Any],
        *,
        skip: int = 0,
        seq: bool = True,
        conn: Conn | None = None,
    ) -> None:
        """Send one data message to every subscription on `channel` (seq advanced by 1 + skip)."""
        conn = conn or self.conn
        for sub in conn.by_channel(channel):
            frame: dict[str, Any] = {"type": type_, "sid": sub.sid, "sending_ts_ms": 1_700_000_000_000, "msg": msg}
            if seq:
                sub.seq += 1 + skip
                frame["seq"] = sub.seq
            await self.send(conn, frame)

    async def delta(
        self, ticker: str, price: str, delta: str, side: str = "yes", *, clock: int = 11, skip: int = 0
    ) -> None:
        await self.publish(
            "orderbook_delta",
            "orderbook_delta",
            {
                "market_ticker": ticker,
                "market_id": "00000000-0000-0000-0000-000000000001",
                "clock": clock,
                "price_dollars": price,
                "delta_fp": delta,
                "side": side,
            },
            skip=skip,
        )

    async def drop(self) -> None:
        """Drop the most recent connection without a close handshake."""
        transport = self.conn.ws.transport
        transport.abort()

    def freeze(self) -> None:
        """Stop reading from (and so stop answering pings on) the most recent connection."""
        self.silent = True
        self.conn.ws.transport.pause_reading()

    async def wait_for_conns(self, n: int, within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while len(self.conns) < n:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    async def wait_for_subs(
        self, channel: str, n: int = 1, conn_index: int = -1, within: float = 5.0
    ) -> list[ServerSub]:
        async with asyncio.timeout(within):
            while True:
                if self.conns:
                    subs = self.conns[conn_index].by_channel(channel)
                    if len(subs) >= n:
                        return subs
                await asyncio.sleep(0.005)
