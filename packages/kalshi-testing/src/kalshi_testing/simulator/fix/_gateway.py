"""`FixGateway`: the simulator's FIX acceptor, one listening port per session type and product.

Every session runs on the simulator's event loop against the same `Exchange` as REST and WebSocket, so an
order entered over FIX rests on the REST order list and shows on the WebSocket, a REST order reports on
FIX, and crossing orders fill both sides whatever surface they came from. Ports and session names follow
docs.kalshi.com/fix/connectivity and /fix-margin/connectivity; a simulator binds ephemeral ports unless
told otherwise (`python -m kalshi_testing serve` asks for the documented ones).

The margin gateway (NR, RT, DC, MD) runs on the perps engine (`PerpsExchange`) behind the perps REST and
WebSocket surfaces, with margin's wire behaviour: dollar prices, no post trade or RFQ.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kalshi_auth import DEMO, Environment, FixEndpoint, FixSessionType
from kalshi_fix import ApplicationMessage, FileStore, FsyncPolicy, MemoryStore, SequenceStore, format_sending_time
from kalshi_fix.messages import BusinessRejectReason

from ._acceptor import AcceptorConnection, SessionKey, encode_body
from ._engine import Engine
from ._faults import FixFaults
from ._market_data import MarketData
from ._orders import OrderEntry
from ._orders import business_reject as _reject
from ._post_trade import PostTrade
from ._rfq import Rfq

_log = logging.getLogger("kalshi.testing")

if TYPE_CHECKING:
    from kalshi_fix.messages import ExecutionReport, FixMessage
    from kalshi_testing.simulator._auth import KeyRegistry
    from kalshi_testing.simulator._exchange import Exchange, FeedEvent

__all__ = ["MARGIN_SESSIONS", "PREDICTION_SESSIONS", "FixGateway"]

PREDICTION_SESSIONS = tuple(FixSessionType)
MARGIN_SESSIONS = (
    FixSessionType.ORDER_ENTRY,
    FixSessionType.DROP_COPY,
    FixSessionType.ORDER_ENTRY_RETRANSMIT,
    FixSessionType.MARKET_DATA,
)
_ORDER_ENTRY = frozenset({FixSessionType.ORDER_ENTRY, FixSessionType.ORDER_ENTRY_RETRANSMIT})
_ORDER_MESSAGES = frozenset({"D", "F", "G", "q", "UOG"})
_RFQ_CREATOR = frozenset({"R", "UA", "UE"})
"""What an RFQ creator sends, on KalshiRT (docs.kalshi.com/fix/rfq-messages)."""
_ACCEPTS: dict[FixSessionType, frozenset[str]] = {
    FixSessionType.ORDER_ENTRY: _ORDER_MESSAGES,
    FixSessionType.ORDER_ENTRY_RETRANSMIT: _ORDER_MESSAGES,
    FixSessionType.DROP_COPY: frozenset({"U1"}),
    FixSessionType.MARKET_DATA: frozenset({"V", "e"}),
    FixSessionType.POST_TRADE: frozenset(),  # read-only (docs.kalshi.com/fix/connectivity)
    FixSessionType.RFQ: frozenset({"S", "Z", "U7"}),
}
"""The application MsgTypes each session takes from the client; others get a BusinessMessageReject (380=3)."""


class FixGateway:
    """The FIX acceptor of one simulator (`sim.fix`).

    ```python
    with KalshiExchangeSimulator() as sim:
        client = FixClient(user.auth, environment=sim.fix_environment())
        sim.fix.faults.drop("KalshiRT")
    ```

    Args:
        exchange: the prediction engine.
        margin_exchange: the perps engine behind the margin sessions (None: no margin sessions).
        keys: the registered API keys; a Logon must be signed by one of them.
        host: loopback interface to bind.
        ports: `{(margin, session type): port}`; missing entries (and 0) get an ephemeral port.
        store_dir: keep RT/RFQ sequence numbers and sent messages in `kalshi_fix.FileStore` journals here
            (they then survive a simulator restart); in memory, for the simulator's life, when None.
        settlement_page_size: parties per MarketSettlementReport fragment.
    """

    def __init__(
        self,
        exchange: Exchange,
        keys: KeyRegistry,
        *,
        margin_exchange: Engine | None = None,
        host: str = "127.0.0.1",
        ports: Mapping[tuple[bool, FixSessionType], int] | None = None,
        store_dir: str | Path | None = None,
        settlement_page_size: int = 50,
    ) -> None:
        self.exchange = exchange
        self.margin_exchange = margin_exchange
        self.keys = keys
        self.host = host
        self.faults = FixFaults()
        self.store_dir = Path(store_dir) if store_dir is not None else None
        self.connections: list[AcceptorConnection] = []
        self.active: dict[SessionKey, AcceptorConnection] = {}
        """The logged-on connection of each (margin, session type, key)."""
        self.stores: dict[SessionKey, SequenceStore] = {}
        self.units: dict[SessionKey, bool] = {}
        """Whether each session last logged on with dollar prices (used for messages kept while it is away)."""
        self.new_before_trade: set[SessionKey] = set()
        """Order-entry sessions whose last Logon asked for a standalone New before a Trade (21026=Y)."""
        self.settlement_subscribers: set[SessionKey] = set()
        """RT sessions whose last Logon asked for settlement reports (ReceiveSettlementReports=Y)."""
        engines: dict[bool, Engine] = {False: exchange}
        if margin_exchange is not None:
            engines[True] = margin_exchange
        self.order_entry = {margin: OrderEntry(self, engine, margin=margin) for margin, engine in engines.items()}
        """Order entry and drop copy, per product (False: prediction, True: margin)."""
        self.market_data = {margin: MarketData(self, engine, margin=margin) for margin, engine in engines.items()}
        self.post_trade = PostTrade(self, page_size=settlement_page_size)
        self.rfq = Rfq(self)
        self._wanted = dict(ports or {})
        self.ports: dict[tuple[bool, FixSessionType], int] = {}
        self._servers: list[asyncio.Server] = []

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Listen on every session's port (on the running loop) and follow the engine's feed."""
        loop = asyncio.get_running_loop()
        products = ((False, PREDICTION_SESSIONS), (True, MARGIN_SESSIONS if self.margin_exchange else ()))
        for margin, kinds in products:
            for kind in kinds:
                port = self._wanted.get((margin, kind), 0)
                factory = functools.partial(AcceptorConnection, self, kind, margin)
                server = await loop.create_server(factory, self.host, port)
                self._servers.append(server)
                self.ports[(margin, kind)] = int(server.sockets[0].getsockname()[1])
        self.exchange.listeners.append(self.on_feed)
        if self.margin_exchange is not None:
            self.margin_exchange.listeners.append(self.on_margin_feed)

    async def stop(self) -> None:
        """Close every connection and listener; flush and close the stores."""
        if self.on_feed in self.exchange.listeners:
            self.exchange.listeners.remove(self.on_feed)
        if self.margin_exchange is not None and self.on_margin_feed in self.margin_exchange.listeners:
            self.margin_exchange.listeners.remove(self.on_margin_feed)
        await stop_accepting(self._servers)
        for conn in list(self.connections):
            conn.abort()
        for server in self._servers:
            server.close()
            close_clients(server)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        for store in self.stores.values():
            store.close()
        self.stores.clear()

    # ------------------------------------------------------------------ where to connect

    def endpoint(self, kind: FixSessionType, *, margin: bool = False) -> FixEndpoint:
        """Host, port and TargetCompID of one session (plain TCP on loopback)."""
        port = self.ports.get((margin, kind))
        if port is None:
            raise KeyError(f"no {'margin' if margin else 'prediction'} {kind.target_comp_id} session")
        return FixEndpoint(host=self.host, port=port, target_comp_id=kind.target_comp_id, tls=False)

    def env(self) -> dict[str, str]:
        """`KALSHI_[PERPS_]FIX_HOST` / `_FIX_PORTS` / `_FIX_TLS`, which `FixClient.from_env` reads (after `start`)."""
        out: dict[str, str] = {}
        for margin, prefix in ((False, "KALSHI_"), (True, "KALSHI_PERPS_")):
            ports = [f"{kind.target_comp_id}={port}" for (m, kind), port in self.ports.items() if m == margin]
            if ports:
                out |= {f"{prefix}FIX_HOST": self.host, f"{prefix}FIX_PORTS": ",".join(ports), f"{prefix}FIX_TLS": "0"}
        return out

    def environment(self, *, margin: bool = False, base: Environment = DEMO) -> Environment:
        """A `kalshi_auth.Environment` whose FIX endpoints are this gateway's (for `FixClient(environment=...)`)."""
        ports = tuple((kind, port) for (m, kind), port in self.ports.items() if m == margin)
        return base.with_overrides(
            fix_host=self.host,
            fix_market_data_host=self.host,
            margin_fix_host=self.host,
            margin_fix_market_data_host=self.host,
            fix_tls=False,
            fix_ports=ports,
        )

    # ------------------------------------------------------------------ sessions

    def store_for(self, key: SessionKey) -> SequenceStore:
        """The persistent store of a retransmitting session (RT, RFQ) of one API key."""
        store = self.stores.get(key)
        if store is None:
            if self.store_dir is None:
                store = MemoryStore(keep_messages=True)
            else:
                margin, kind, key_id = key
                self.store_dir.mkdir(parents=True, exist_ok=True)
                name = f"{'margin' if margin else 'prediction'}-{key_id}-{kind.target_comp_id}.acceptor.fixlog"
                store = FileStore(self.store_dir / name, fsync=FsyncPolicy.NEVER)
            self.stores[key] = store
        return store

    def register(self, conn: AcceptorConnection) -> None:
        """A connection logged on."""
        self.active[conn.key] = conn
        self.units[conn.key] = conn.use_dollars
        if conn.option(21026):
            self.new_before_trade.add(conn.key)
        else:
            self.new_before_trade.discard(conn.key)
        # docs.kalshi.com/fix/market-settlement: reports go to PT by default "and on KalshiNR and KalshiRT
        # sessions with ReceiveSettlementReports=Y"; NR gets them only while logged on
        if conn.kind in (FixSessionType.ORDER_ENTRY, FixSessionType.ORDER_ENTRY_RETRANSMIT):
            if conn.option(20127):
                self.settlement_subscribers.add(conn.key)
            else:
                self.settlement_subscribers.discard(conn.key)

    def unregister(self, conn: AcceptorConnection) -> None:
        """A connection went away: forget it, cancel its orders if it asked (CancelOrdersOnDisconnect)."""
        if self.active.get(conn.key) is conn:
            del self.active[conn.key]
            if conn.kind in _ORDER_ENTRY and conn.option(8013):
                self.order_entry[conn.margin].cancel_session_orders(conn.key)
        if conn.margin in self.market_data:
            self.market_data[conn.margin].forget(conn)

    def sessions_of(self, user_id: str, margin: bool, kinds: frozenset[FixSessionType]) -> list[AcceptorConnection]:
        """The logged-on connections of `user_id` on the given session types."""
        return [
            conn
            for (m, kind, _), conn in list(self.active.items())
            if m == margin and kind in kinds and conn.registered is not None and conn.user_id == user_id
        ]

    def deliver(self, key: SessionKey, message: FixMessage) -> None:
        """Send to the session `key`; while it is away, RT and RFQ keep the message for the client's resend."""
        conn = self.active.get(key)
        if conn is not None and conn.logged_on:
            conn.send(message)
            return
        store = self.stores.get(key)
        if store is not None:
            units = self.units.get(key, key[0])
            store.store(message.MSG_TYPE, format_sending_time(), encode_body(message, units))

    def deliver_report(
        self,
        user_id: str,
        margin: bool,
        origin: SessionKey | None,
        report: ExecutionReport,
        *,
        folded_new: bool = False,
    ) -> None:
        """An ExecutionReport: to the session that entered the order and to the user's listener sessions.

        `folded_new`: the New ack of an order that traded as it was placed. Kalshi folds it into the first Trade
        report unless the session logged on with AlwaysEmitNewBeforeTrade (21026=Y) (docs.kalshi.com/fix/changelog,
        1.0.22), so only those sessions get it.
        """
        if origin is not None and (not folded_new or origin in self.new_before_trade):
            self.deliver(origin, report)
        for conn in self.sessions_of(user_id, margin, _ORDER_ENTRY):
            if conn.key != origin and conn.option(20126) and (not folded_new or conn.option(21026)):
                conn.send(report)

    # ------------------------------------------------------------------ dispatch

    def on_message(self, conn: AcceptorConnection, event: ApplicationMessage) -> None:
        """An application message from a logged-on client, if its session takes that MsgType.

        A failure in the simulator's own code is answered with a BusinessMessageReject and logged (it shows in
        `KalshiExchangeSimulator.internal_errors`); the session stays up, like REST's 500."""
        try:
            self._dispatch(conn, event)
        except Exception:
            _log.exception(
                "simulator: unhandled error handling FIX %s seq %d on %s", event.msg_type, event.seq, conn.name
            )
            conn.send(_reject(event, BusinessRejectReason.OTHER, "internal error"))

    def _dispatch(self, conn: AcceptorConnection, event: ApplicationMessage) -> None:
        kind, msg_type = conn.kind, event.msg_type
        accepted = _ACCEPTS[kind] | (
            _RFQ_CREATOR if kind is FixSessionType.ORDER_ENTRY_RETRANSMIT and not conn.margin else set()
        )
        if msg_type not in accepted:
            text = f"MsgType {msg_type} is not accepted on {conn.name}"
            conn.send(_reject(event, BusinessRejectReason.UNSUPPORTED_MESSAGE_TYPE, text))
        elif conn.option(20126):  # a listener session only listens
            conn.send(_reject(event, BusinessRejectReason.NOT_AUTHORIZED, "this is a listener session (20126=Y)"))
        elif kind is FixSessionType.MARKET_DATA:
            self.market_data[conn.margin].handle(conn, event)
        elif kind is FixSessionType.RFQ or msg_type in _RFQ_CREATOR:
            self.rfq.handle(conn, event)
        else:
            self.order_entry[conn.margin].handle(conn, event)

    def on_feed(self, event: FeedEvent) -> None:
        """Every prediction engine event, in order."""
        self.order_entry[False].on_feed(event)
        self.market_data[False].on_feed(event)
        self.post_trade.on_feed(event)

    def on_margin_feed(self, event: FeedEvent) -> None:
        """Every perps engine event, in order."""
        self.order_entry[True].on_feed(event)
        self.market_data[True].on_feed(event)


async def stop_accepting(servers: Sequence[asyncio.AbstractServer]) -> None:
    """Take no new connections, and let the ones already accepted (an accept task in flight) attach before the
    servers close: Python 3.13.0 half-builds a transport accepted after `Server.close()` and leaves it for the
    garbage collector, which then raises inside asyncio on whatever test is running."""
    loop = asyncio.get_running_loop()
    for server in servers:
        for sock in getattr(server, "sockets", None) or ():
            with contextlib.suppress(NotImplementedError, ValueError):
                loop.remove_reader(sock.fileno())
    for _ in range(3):  # the accept task runs, then the protocol's connection_made
        await asyncio.sleep(0)


def close_clients(server: asyncio.AbstractServer) -> None:
    """Close whatever transport is still attached to a closed server (Python 3.13+ tracks them)."""
    close = getattr(server, "close_clients", None)
    if close is not None:
        close()
