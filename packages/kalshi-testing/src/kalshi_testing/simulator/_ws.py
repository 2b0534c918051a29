"""The simulator's WebSocket surface on `/trade-api/ws/v2`: commands, channels and feed fan-out."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from ._auth import KeyRegistry
from ._exchange import ExchangeError, FeedEvent
from ._faults import Faults
from ._format import dollars
from ._realistic import Realism

__all__ = ["WS_PATH", "FeedSource", "WebSocketSurface"]

WS_PATH = "/trade-api/ws/v2"
_log = logging.getLogger("kalshi.testing")
_ONE = Decimal(1)

_CHANNELS = {
    "orderbook_delta",
    "ticker",
    "trade",
    "fill",
    "market_positions",
    "market_lifecycle_v2",
    "multivariate_market_lifecycle",
    "communications",
    "order_group_updates",
    "user_orders",
    "cfbenchmarks_value",
    "cfbenchmarks_value_5hz",
    "pyth_value",
}
_SEQUENCED = {
    "orderbook_delta",
    "trade",
    "market_lifecycle_v2",
    "multivariate_market_lifecycle",
    "communications",
    "order_group_updates",
    "cfbenchmarks_value",
    "cfbenchmarks_value_5hz",
    "pyth_value",
}
_MARKET_FILTERED = {"orderbook_delta", "ticker", "trade", "fill", "market_positions", "user_orders"}
_PRIVATE = {"fill", "market_positions", "user_orders", "order_group_updates", "communications"}
_QUEUE_LIMIT = 10_000


class FeedSource(Protocol):
    """What the WebSocket surface needs from an exchange (prediction `Exchange`, the perps engine)."""

    listeners: list[Callable[[FeedEvent], None]]

    @property
    def markets(self) -> Mapping[str, Any]: ...

    def snapshot_msg(self, market: Any) -> dict[str, Any]: ...

    def ticker_msg(self, market: Any) -> dict[str, Any]: ...


@dataclass(slots=True)
class _Subscription:
    sid: int
    channel: str
    tickers: set[str] | None
    use_yes_price: bool = False
    seq: int = 0


@dataclass(slots=True, eq=False)
class _Connection:
    user_id: str
    ws: web.WebSocketResponse
    request: web.Request
    queue: asyncio.Queue[dict[str, Any] | None] = field(default_factory=lambda: asyncio.Queue(_QUEUE_LIMIT))
    subs: dict[int, _Subscription] = field(default_factory=dict)
    overflowed: list[int] = field(default_factory=list)
    sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    drop_after: int | None = None
    sent: int = 0


class _CommandError(Exception):
    def __init__(self, code: int, msg: str, sid: int | None = None) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.sid = sid


class WebSocketSurface:
    """Serves WebSocket connections and fans the exchange's feed out to their subscriptions.

    The class attributes are the product's channel table; the perps surface overrides them.
    """

    path = WS_PATH
    channels: frozenset[str] | set[str] = _CHANNELS
    sequenced: frozenset[str] | set[str] = _SEQUENCED
    market_filtered: frozenset[str] | set[str] = _MARKET_FILTERED

    def __init__(
        self,
        exchange: FeedSource,
        keys: KeyRegistry,
        faults: Faults,
        clock: Callable[[], int],
        *,
        heartbeat: float = 10.0,
        queue_limit: int = _QUEUE_LIMIT,
        realism: Realism | None = None,
    ) -> None:
        self.exchange = exchange
        self.realism = realism or Realism(enabled=False)
        self.keys = keys
        self.faults = faults
        self.clock = clock
        self.heartbeat = heartbeat
        self.queue_limit = queue_limit
        self.connections: set[_Connection] = set()
        exchange.listeners.append(self._on_event)

    def install(self, app: web.Application) -> None:
        """Add the WebSocket route to `app`."""
        app.router.add_get(self.path, self.handle)
        app.on_shutdown.append(self._shutdown)

    async def _shutdown(self, app: web.Application) -> None:
        for conn in list(self.connections):
            await conn.ws.close(code=1001, message=b"server shutdown")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Verify the signed upgrade, then serve commands and the feed until the socket closes."""
        try:
            user_id = self.keys.verify("GET", request.raw_path, request.headers, self.clock())
        except ExchangeError as exc:
            refused = web.json_response(exc.body(), status=exc.status)
            refused.force_close()  # a refused upgrade ends the connection, so clients see EOF at once
            return refused
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = _Connection(
            user_id, ws, request, queue=asyncio.Queue(self.queue_limit + 1), drop_after=self.faults.take_drop()
        )
        self.connections.add(conn)
        writer = asyncio.create_task(self._writer(conn))
        pinger = asyncio.create_task(self._pinger(conn))
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self._command(conn, message.data)
                elif message.type is WSMsgType.ERROR:
                    break
        finally:
            self.connections.discard(conn)
            pinger.cancel()
            with contextlib.suppress(asyncio.QueueFull):
                conn.queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, TimeoutError):
                await asyncio.wait_for(writer, 1.0)
            writer.cancel()
        return ws

    async def _pinger(self, conn: _Connection) -> None:
        while not conn.ws.closed:
            await asyncio.sleep(self.heartbeat)
            with contextlib.suppress(ConnectionError, RuntimeError):
                await conn.ws.ping(b"heartbeat")

    async def _writer(self, conn: _Connection) -> None:
        while True:
            frame = await conn.queue.get()
            if frame is None or conn.ws.closed:
                return
            data_frame = "sid" in frame and frame.get("type") not in ("subscribed", "unsubscribed", "ok", "error")
            if data_frame:
                for _ in range(self.faults.take_malformed()):
                    await conn.ws.send_str('{"type": "orderbook_delta", "sid": 1, "msg": {')
            try:
                await conn.ws.send_str(json.dumps(frame, separators=(",", ":")))
                while conn.overflowed:
                    sid = conn.overflowed.pop(0)
                    error = {"type": "error", "sid": sid, "msg": {"code": 25, "msg": "Subscription buffer overflow"}}
                    await conn.ws.send_str(json.dumps(error, separators=(",", ":")))
            except (ConnectionError, RuntimeError):
                return
            if data_frame:
                conn.sent += 1
                if conn.drop_after is not None and conn.sent >= conn.drop_after:
                    transport = conn.request.transport
                    if transport is not None:
                        # Cut the TCP stream with no WebSocket close frame. close() (FIN after the
                        # buffered frames) rather than abort(): an RST can make the client's kernel
                        # discard frames it has received but not yet read, which made the drop point racy.
                        transport.close()
                    return

    def _send(self, conn: _Connection, frame: dict[str, Any]) -> None:
        """Queue a frame; a data frame that does not fit ends its subscription with error 25, as Kalshi does."""
        if conn.queue.qsize() < self.queue_limit or frame.get("type") in ("subscribed", "unsubscribed", "ok", "error"):
            with contextlib.suppress(asyncio.QueueFull):
                conn.queue.put_nowait(frame)
                return
        sid = frame.get("sid")
        if isinstance(sid, int) and conn.subs.pop(sid, None) is not None:
            conn.overflowed.append(sid)
            self.faults.fired.append("buffer_overflow")
        _log.warning("simulator: WebSocket client too slow; dropped a frame for sid %s", sid)

    # --- commands ------------------------------------------------------------------------------

    def _command(self, conn: _Connection, text: str) -> None:
        cmd_id: Any = 0
        try:
            try:
                command = json.loads(text)
            except json.JSONDecodeError:
                raise _CommandError(1, "Unable to process message") from None
            if not isinstance(command, dict):
                raise _CommandError(1, "Unable to process message")
            cmd_id = command.get("id", 0)
            params = command.get("params")
            name = command.get("cmd")
            if name == "list_subscriptions":
                subs = [{"channel": s.channel, "sid": s.sid} for s in conn.subs.values()]
                self._send(conn, {"id": cmd_id, "type": "ok", "msg": subs})
                return
            if name not in ("subscribe", "unsubscribe", "update_subscription"):
                raise _CommandError(5, "Unknown command")
            if not isinstance(params, dict):
                raise _CommandError(2, "Params required")
            if name == "subscribe":
                self._subscribe(conn, cmd_id, params)
            elif name == "unsubscribe":
                self._unsubscribe(conn, cmd_id, params)
            else:
                self._update(conn, cmd_id, params)
        except _CommandError as exc:
            frame: dict[str, Any] = {"id": cmd_id, "type": "error", "msg": {"code": exc.code, "msg": exc.msg}}
            if exc.sid is not None:
                frame["sid"] = exc.sid
            self._send(conn, frame)
        except (TypeError, ValueError, AttributeError):  # a command of the wrong shape: code 1, keep the socket
            _log.debug("simulator: unprocessable WebSocket command %r", text, exc_info=True)
            self._send(conn, {"id": cmd_id, "type": "error", "msg": {"code": 1, "msg": "Unable to process message"}})

    @staticmethod
    def _tickers(params: dict[str, Any]) -> set[str] | None:
        one, many = params.get("market_ticker"), params.get("market_tickers")
        if one is not None and many is not None:
            raise _CommandError(11, "Invalid parameter: send market_ticker or market_tickers, not both")
        if one is not None:
            return {str(one)}
        if many is not None:
            if not isinstance(many, list):
                raise _CommandError(11, "Invalid parameter: market_tickers must be an array")
            return {str(t) for t in many}
        return None

    def _subscribe(self, conn: _Connection, cmd_id: Any, params: dict[str, Any]) -> None:
        channels = params.get("channels")
        if not isinstance(channels, list) or not channels:
            raise _CommandError(3, "Channels required")
        tickers = self._tickers(params)
        for channel in channels:
            if channel not in self.channels:
                raise _CommandError(8, f"Unknown channel name {channel}")
            if channel == "orderbook_delta" and not tickers:
                raise _CommandError(14, "Market Ticker required")
        if tickers:
            for t in tickers:
                if t not in self.exchange.markets:
                    raise _CommandError(11, f"Invalid parameter: unknown market {t}")
        for channel in channels:
            sub = _Subscription(
                next(conn.sids),
                channel,
                tickers if channel in self.market_filtered else None,
                bool(params.get("use_yes_price")),
            )
            conn.subs[sub.sid] = sub
            self._send(conn, {"id": cmd_id, "type": "subscribed", "msg": {"channel": channel, "sid": sub.sid}})
            if channel == "orderbook_delta":
                for t in sorted(tickers or ()):
                    self._snapshot(conn, sub, t, None)
            elif channel == "ticker" and params.get("send_initial_snapshot"):
                for t in sorted(sub.tickers or self.exchange.markets):
                    msg = self.exchange.ticker_msg(self.exchange.markets[t])
                    self._emit(conn, sub, "ticker", msg)

    def _snapshot(self, conn: _Connection, sub: _Subscription, ticker: str, cmd_id: Any) -> None:
        msg = self.exchange.snapshot_msg(self.exchange.markets[ticker])
        if sub.use_yes_price and "no_dollars_fp" in msg:
            msg["no_dollars_fp"] = [[dollars(_ONE - Decimal(p)), q] for p, q in msg["no_dollars_fp"]]
        self._emit(conn, sub, "orderbook_snapshot", msg, cmd_id)

    def _unsubscribe(self, conn: _Connection, cmd_id: Any, params: dict[str, Any]) -> None:
        sids = params.get("sids")
        if not isinstance(sids, list) or not sids:
            raise _CommandError(4, "Subscription IDs required")
        for sid in sids:
            if sid not in conn.subs:
                raise _CommandError(7, "Unknown subscription ID", sid if isinstance(sid, int) else None)
        for sid in sids:
            sub = conn.subs.pop(sid)
            sub.seq += 1
            self._send(conn, {"id": cmd_id, "type": "unsubscribed", "sid": sid, "seq": sub.seq})

    def _update(self, conn: _Connection, cmd_id: Any, params: dict[str, Any]) -> None:
        sid, sids = params.get("sid"), params.get("sids")
        if sid is not None and sids is not None:
            raise _CommandError(12, "Exactly one subscription ID is required")
        if sids is not None:
            if not isinstance(sids, list) or len(sids) != 1:
                raise _CommandError(12, "Exactly one subscription ID is required")
            sid = sids[0]
        if sid is None:
            raise _CommandError(4, "Subscription IDs required")
        sub = conn.subs.get(sid)
        if sub is None:
            raise _CommandError(7, "Unknown subscription ID")
        action = params.get("action")
        if not action:
            raise _CommandError(15, "Action required", sid)
        if action not in ("add_markets", "delete_markets", "get_snapshot") or sub.channel not in self.market_filtered:
            raise _CommandError(13, "Unsupported action", sid)
        tickers = self._tickers(params) or set()
        if action == "get_snapshot":
            if sub.channel != "orderbook_delta":
                raise _CommandError(13, "Unsupported action", sid)
            for t in sorted(tickers or sub.tickers or ()):
                self._snapshot(conn, sub, t, cmd_id)
            return
        if not tickers:
            raise _CommandError(14, "Market Ticker required", sid)
        unknown = [t for t in tickers if t not in self.exchange.markets]
        if unknown:
            raise _CommandError(11, f"Invalid parameter: unknown market {unknown[0]}", sid)
        current = set(sub.tickers or ())
        if action == "add_markets":
            added = tickers - current
            sub.tickers = current | tickers
            if sub.channel == "orderbook_delta":
                for t in sorted(added):
                    self._snapshot(conn, sub, t, None)
        else:
            sub.tickers = current - tickers
        sub.seq += 1
        ok_msg = {
            "market_tickers": sorted(sub.tickers or ()),
            "market_ids": sorted(self.exchange.markets[t].market_id for t in sub.tickers or ()),
        }
        self._send(conn, {"id": cmd_id, "type": "ok", "sid": sid, "seq": sub.seq, "msg": ok_msg})

    # --- feed ----------------------------------------------------------------------------------

    def _emit(self, conn: _Connection, sub: _Subscription, type_: str, msg: dict[str, Any], cmd_id: Any = None) -> None:
        frame: dict[str, Any] = {"type": type_, "sid": sub.sid}
        if cmd_id:
            frame["id"] = cmd_id
        if sub.channel in self.sequenced:
            sub.seq += 1 + self.faults.take_gap(sub.channel)
            frame["seq"] = sub.seq
        frame["msg"] = self.realism.ws_msg(type_, msg)
        frame["sending_ts_ms"] = self.clock()
        self._send(conn, frame)

    def _on_event(self, event: FeedEvent) -> None:
        for conn in list(self.connections):
            if event.user_id is not None and event.user_id != conn.user_id:
                continue
            for sub in list(conn.subs.values()):
                if sub.channel != event.channel:
                    continue
                if sub.tickers is not None and event.ticker not in sub.tickers:
                    continue
                msg = event.msg
                if event.owner_extra and event.owner == conn.user_id:
                    msg = msg | event.owner_extra
                if sub.use_yes_price and event.type == "orderbook_delta" and msg.get("side") == "no":
                    msg = msg | {"price_dollars": dollars(_ONE - Decimal(msg["price_dollars"]))}
                self._emit(conn, sub, event.type, msg)
