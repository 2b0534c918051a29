"""A FIX acceptor on 127.0.0.1 for tests and the round-trip benchmark, built on kalshi_fix's own session layer.

It checks the logon signature against the registered public key, answers orders with execution
reports, serves market data and settlement fragments, and injects faults (sequence gaps, resend
requests, dropped connections, garbled frames, logon rejects). It imports only kalshi_fix,
kalshi_auth's dependencies (cryptography) and the standard library.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kalshi_fix._codec import FixFrame, FrameSplitter, peek_header
from kalshi_fix._session import (
    ApplicationMessage,
    CloseConnection,
    LoggedOn,
    SessionConfig,
    SessionEvent,
    SessionProtocol,
)
from kalshi_fix._store import MemoryStore
from kalshi_fix.messages import (
    CollateralAmountChangeEntry,
    EventResendComplete,
    ExecType,
    ExecutionReport,
    FixMessage,
    MarketDataIncrementalRefresh,
    MarketDataSnapshotFullRefresh,
    MarketSettlementParty,
    MarketSettlementReport,
    MDIncrementalEntry,
    MDSnapshotEntry,
    OrderGroupResponse,
    OrdStatus,
    SecurityStatus,
    decode_app_message,
)

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


@dataclass
class Faults:
    """Faults to inject; each one-shot fault resets itself once used."""

    reject_logon: str | None = None
    """Answer every Logon with a Logout carrying this text."""
    lose_inbound: set[int] = field(default_factory=set)
    """Client MsgSeqNums to drop on arrival, once each (as if lost on the wire)."""
    drop_after_orders: int | None = None
    """Abort the socket right after receiving this many orders, without answering the last one."""
    skip_outbound: int = 0
    """Skip this many MsgSeqNums before the next execution report (a gap the client must recover)."""
    garble_next_report: bool = False
    """Corrupt the CheckSum of the next execution report (it is kept in the store for resends)."""
    resend_request_on_logon: bool = False
    """Ask the client to resend everything right after logon."""


@dataclass
class Order:
    cl_ord_id: str
    symbol: str
    side: str
    qty: Decimal
    price: Decimal
    poss_dup: bool


class _Conn(asyncio.Protocol):
    def __init__(self, acceptor: FixAcceptor) -> None:
        self.acceptor = acceptor
        self.transport: asyncio.Transport | None = None
        self.session: SessionProtocol | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.splitter: FrameSplitter | None = None
        self.aborted = False
        self.silent = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.session = self.acceptor._new_session()
        self.session.accept(time.time())
        self.acceptor.connections.append(self)
        self._tick()

    def _tick(self) -> None:
        if self.session is None or self.transport is None:
            return
        if not self.silent:
            self._events(self.session.handle_timeout(time.time()))
            self.flush()
        self.timer = asyncio.get_running_loop().call_later(0.05, self._tick)

    def data_received(self, data: bytes) -> None:
        session = self.session
        if session is None or self.silent:
            return
        faults = self.acceptor.faults
        if not self.acceptor.fast_reports:
            for chunk in data.split(b"\x0135=")[1:]:
                msg_type = chunk[: chunk.find(b"\x01")].decode()
                if msg_type in ("0", "1", "2", "3", "4", "5"):
                    self.acceptor.admin_received.append(msg_type)
        if self.splitter is None and (faults.lose_inbound or faults.drop_after_orders is not None):
            self.splitter = FrameSplitter()
        if self.splitter is None:
            events = session.receive(data, time.time())
            self._events(events)
            self.flush()
            return
        # frame by frame, so a fault can cut the stream between two messages
        for frame in self.acceptor._filter_lost(self.splitter.feed(data)):
            if self.transport is None or self.aborted:
                return
            events = session.receive(frame, time.time())
            self._events(events)
            self.flush()

    def _events(self, events: list[SessionEvent]) -> None:
        for event in events:
            if isinstance(event, ApplicationMessage):
                self.acceptor._on_app(self, event)
                continue
            self.acceptor.events.append(event)
            if isinstance(event, LoggedOn) and self.acceptor.faults.resend_request_on_logon:
                self.acceptor.faults.resend_request_on_logon = False
                assert self.session is not None
                self.session.request_resend(1, time.time())
            if isinstance(event, CloseConnection):
                self.flush()
                if self.transport is not None:
                    self.transport.close()

    def flush(self) -> None:
        if self.session is None or self.transport is None:
            return
        out = self.session.data_to_send()
        if out:
            self.transport.write(b"".join(out))

    def send(self, message: FixMessage) -> None:
        """Queue a message; it is written with everything else this read produced (or at once by `push`)."""
        assert self.session is not None
        self.session.send(message.MSG_TYPE, message.encode_body(self.acceptor.use_dollars), time.time())

    def send_body(self, msg_type: str, body: bytes) -> None:
        assert self.session is not None
        self.session.send(msg_type, body, time.time())

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.session is not None:
            self.session.connection_lost(time.time())
        self.transport = None
        if self in self.acceptor.connections:
            self.acceptor.connections.remove(self)

    def abort(self) -> None:
        self.aborted = True
        if self.transport is not None:
            self.transport.abort()


class FixAcceptor:
    """A Kalshi-like FIX gateway for one session type, on 127.0.0.1 and an ephemeral port.

    ```python
    acceptor = FixAcceptor({key_id: public_key}, target_comp_id="KalshiRT", retransmits=True)
    port = await acceptor.start()
    ...
    await acceptor.stop()
    ```
    """

    def __init__(
        self,
        public_keys: dict[str, rsa.RSAPublicKey],
        *,
        target_comp_id: str = "KalshiNR",
        retransmits: bool = False,
        use_dollars: bool = False,
        answer_orders: bool = True,
        fast_reports: bool = False,
    ) -> None:
        self.public_keys = public_keys
        self.target_comp_id = target_comp_id
        self.retransmits = retransmits
        self.use_dollars = use_dollars
        self.answer_orders = answer_orders
        self.fast_reports = fast_reports
        """Benchmark mode: answer each order from a pre-encoded report template (ClOrdID, IDs filled in),
        without typed decoding or order bookkeeping, so the acceptor is not the bottleneck."""
        self.faults = Faults()
        self.store = MemoryStore(keep_messages=retransmits)
        """The acceptor's side of the sequence numbers, kept across connections (as RT/PT do)."""
        self.orders: dict[str, Order] = {}
        self.order_arrivals: list[tuple[str, bool]] = []
        """Every order message that reached the application: (ClOrdID, PossDupFlag)."""
        self.duplicates_rejected = 0
        self.logons: list[FixFrame] = []
        self.connections: list[_Conn] = []
        self.events: list[SessionEvent] = []
        """Session events other than application messages (those are in `received`)."""
        self.received: list[FixFrame] = []
        self.books: dict[str, list[MDSnapshotEntry]] = {}
        self.reports: list[ExecutionReport] = []
        self.statuses: dict[str, int] = {}
        self.admin_received: list[str] = []
        """Execution reports sent (for drop-copy replays)."""
        self.subscriptions: list[tuple[str, list[str]]] = []
        self._server: asyncio.Server | None = None
        self._exec_seq = 0
        self.port = 0

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> int:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Conn(self), "127.0.0.1", 0, ssl=ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        for conn in list(self.connections):
            conn.abort()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # ------------------------------------------------------------------ sessions

    def _new_session(self) -> SessionProtocol:
        config = SessionConfig(
            sender_comp_id=self.target_comp_id,
            target_comp_id="",  # any registered key: learnt from each Logon, checked in _verify
            retransmits=self.retransmits,
            initiator=False,
            verify_logon=self._verify,
            use_dollars=self.use_dollars,
        )
        return SessionProtocol(config, self.store)

    def _verify(self, frame: FixFrame) -> str | None:
        self.logons.append(frame)
        if self.faults.reject_logon is not None:
            return self.faults.reject_logon
        key = self.public_keys.get(frame.get(49) or "")
        if key is None:
            return "unknown API key"
        sending_time, seq = frame.get(52) or "", frame.get(34) or ""
        payload = "\x01".join((sending_time, "A", seq, frame.get(49) or "", frame.get(56) or ""))
        try:
            signature = base64.b64decode(frame.get(96) or "", validate=True)
            key.verify(signature, payload.encode(), _PSS, hashes.SHA256())
        except (InvalidSignature, ValueError):
            return "invalid signature"
        if int(frame.get(95) or -1) != len(frame.get(96) or ""):
            return "RawDataLength does not match RawData"
        if frame.get(1137) != "9" or frame.get(98) != "0":
            return "DefaultApplVerID must be 9 and EncryptMethod 0"
        return None

    def _filter_lost(self, frames: list[bytes]) -> list[bytes]:
        kept = []
        for raw in frames:
            _, seq = peek_header(raw)
            if seq in self.faults.lose_inbound:
                self.faults.lose_inbound.discard(seq)
                continue
            kept.append(raw)
        return kept

    # ------------------------------------------------------------------ application

    def heartbeats_seen(self) -> list[str]:
        """MsgTypes of the admin messages received so far (heartbeats, test requests...)."""
        return list(self.admin_received)

    def _on_app(self, conn: _Conn, event: ApplicationMessage) -> None:
        frame = event.frame
        msg_type = event.msg_type
        if not self.fast_reports:
            self.received.append(frame)
        if msg_type == "D" and self.fast_reports:
            self._exec_seq += 1
            n = self._exec_seq
            body = (
                f"37=ord-{n}\x0111={frame.get(11)}\x0117={n};1\x01150=0\x0139=0\x0154=1\x01"
                f"55={frame.get(55)}\x01151=10\x0114=0\x016=0\x0138=10\x0144=55\x01"
            )
            conn.send_body("8", body.encode())
        elif msg_type == "D":
            self._on_order(conn, frame, event.poss_dup)
        elif msg_type == "U1":
            self._replay(conn, event)
        elif msg_type == "UOG":
            request = decode_app_message(frame)
            group_id = getattr(request, "order_group_id", None) or str(uuid.uuid4())  # Kalshi assigns a UUID
            conn.send(
                OrderGroupResponse(
                    order_group_id=group_id,
                    order_group_contracts_limit=getattr(request, "order_group_contracts_limit", None),
                    alloc_account=getattr(request, "alloc_account", None),
                )
            )
        elif msg_type == "e":
            request = decode_app_message(frame)
            symbol = getattr(request, "symbol", None) or ""
            conn.send(SecurityStatus(symbol=symbol, security_trading_status=self.statuses.get(symbol, 3)))
        elif msg_type == "V":
            request = decode_app_message(frame)
            symbols = [r.symbol for r in (getattr(request, "related_sym", None) or [])]
            kind = str(getattr(request, "subscription_request_type", ""))
            self.subscriptions.append((kind, symbols))
            if kind in ("0", "1"):
                for symbol in symbols:
                    conn.send(MarketDataSnapshotFullRefresh(symbol=symbol, md_entries=self.books.get(symbol, [])))

    def _on_order(self, conn: _Conn, frame: FixFrame, poss_dup: bool) -> None:
        order = decode_app_message(frame, use_dollars=self.use_dollars)
        assert isinstance(order.__class__.__name__, str)
        cl_ord_id: str = order.cl_ord_id  # type: ignore[attr-defined]
        self.order_arrivals.append((cl_ord_id, poss_dup))
        faults = self.faults
        if cl_ord_id in self.orders:
            self.duplicates_rejected += 1  # a real exchange rejects a reused ClOrdID; never book it twice
            return
        self.orders[cl_ord_id] = Order(
            cl_ord_id,
            order.symbol,  # type: ignore[attr-defined]
            str(order.side),  # type: ignore[attr-defined]
            order.order_qty,  # type: ignore[attr-defined]
            order.price,  # type: ignore[attr-defined]
            poss_dup,
        )
        if faults.drop_after_orders is not None and len(self.orders) >= faults.drop_after_orders:
            faults.drop_after_orders = None
            conn.abort()
            return
        if not self.answer_orders:
            return
        assert conn.session is not None
        if faults.skip_outbound:
            self.store.set_next_sender_seq(self.store.next_sender_seq + faults.skip_outbound)
            faults.skip_outbound = 0
        self._exec_seq += 1
        report = ExecutionReport(
            order_id=f"ord-{self._exec_seq}",
            cl_ord_id=cl_ord_id,
            exec_id=f"{self._exec_seq};1",
            exec_type=ExecType.NEW,
            ord_status=OrdStatus.NEW,
            side=order.side,  # type: ignore[attr-defined]
            symbol=order.symbol,  # type: ignore[attr-defined]
            leaves_qty=order.order_qty,  # type: ignore[attr-defined]
            cum_qty=Decimal(0),
            avg_px=Decimal(0),
            order_qty=order.order_qty,  # type: ignore[attr-defined]
            price=order.price,  # type: ignore[attr-defined]
        )
        self.reports.append(report)
        if faults.garble_next_report:
            faults.garble_next_report = False
            conn.session.send(report.MSG_TYPE, report.encode_body(self.use_dollars), time.time())
            out = conn.session.data_to_send()
            wire = bytearray(b"".join(out))
            wire[-2] = ord("0") + (wire[-2] - ord("0") + 1) % 10  # break the CheckSum
            assert conn.transport is not None
            conn.transport.write(bytes(wire))
            return
        conn.send(report)

    def _replay(self, conn: _Conn, event: ApplicationMessage) -> None:
        """Drop copy: replay the reports from BeginExecID on (new MsgSeqNums), then EventResendComplete."""
        begin = int((event.frame.get(21001) or "0;0").split(";")[0])
        replayed = [r for r in self.reports if int(r.exec_id.split(";")[0]) >= begin]
        for report in replayed:
            conn.send(report)
        conn.send(EventResendComplete(ref_seq_num=event.seq, resend_event_count=len(replayed)))

    # ------------------------------------------------------------------ pushes

    def push(self, message: FixMessage) -> None:
        """Send any application message to the logged-on client now."""
        conn = self._active()
        conn.send(message)
        conn.flush()

    def push_many(self, messages: list[FixMessage]) -> None:
        """Send many application messages to the logged-on client in one write (a flood)."""
        conn = self._active()
        for message in messages:
            conn.send(message)
        conn.flush()

    def write_buffer_size(self) -> int:
        """Bytes the acceptor has written that the client's socket has not taken yet (TCP pushing back)."""
        conn = self._active()
        return 0 if conn.transport is None else conn.transport.get_write_buffer_size()

    def _active(self) -> _Conn:
        for conn in self.connections:
            if conn.session is not None and conn.session.is_active:
                return conn
        raise AssertionError("no logged-on connection")

    def publish(self, update: MarketDataIncrementalRefresh) -> None:
        conn = self._active()
        conn.send(update)
        conn.flush()

    def send_settlement(
        self, symbol: str, parties: list[MarketSettlementParty], *, page_size: int, price: Decimal
    ) -> None:
        """Send one settlement report for `symbol` in fragments of `page_size` parties."""
        conn = self._active()
        pages = [parties[i : i + page_size] for i in range(0, len(parties), page_size)] or [[]]
        for n, page in enumerate(pages):
            last = n == len(pages) - 1
            conn.send(
                MarketSettlementReport(
                    market_settlement_report_id=f"msr-{symbol}-{n}",
                    symbol=symbol,
                    clearing_business_date=date(2026, 11, 24),
                    tot_num_market_settlement_reports=len(pages),
                    market_result="yes",
                    settlement_price=price,
                    last_fragment=None if last else False,
                    market_settlement_party_ids=page,
                )
            )
        conn.flush()

    def request_resend(self, begin: int = 1) -> None:
        """Send the client a ResendRequest from `begin` to the latest."""
        conn = self._active()
        assert conn.session is not None
        conn.session.request_resend(begin, time.time())
        conn.flush()

    def go_silent(self) -> None:
        """The current connections stop answering anything (not even TestRequests); new ones behave."""
        for conn in self.connections:
            conn.silent = True

    def drop(self) -> None:
        for conn in list(self.connections):
            conn.abort()


__all__ = [
    "CollateralAmountChangeEntry",
    "FixAcceptor",
    "MDIncrementalEntry",
    "MDSnapshotEntry",
    "MarketDataIncrementalRefresh",
    "MarketSettlementParty",
]
