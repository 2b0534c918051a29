"""One accepted FIX connection: kalshi_fix's `SessionProtocol` (acceptor role) on an asyncio transport.

The gateway's documented wire behaviour (docs.kalshi.com/fix, "Standard Header"; docs.kalshi.com/fix/
session-management): messages from the server carry `49=Kalshi` (`KalshiMD` on market data) and
`56=<the client's API key>`, while clients address the session by name (`56=KalshiRT`); a Logon is
answered with a Logon, or with a Logout whose Text says why.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kalshi_auth import FixSessionType
from kalshi_fix import (
    ApplicationMessage,
    CloseConnection,
    FixDecodeError,
    FixEncodeError,
    FixFrame,
    FrameSplitter,
    LoggedOn,
    MemoryStore,
    SequenceStore,
    SessionConfig,
    SessionEvent,
    SessionProtocol,
    format_sending_time,
    parse_frame,
    peek_header,
)

if TYPE_CHECKING:
    from kalshi_fix.messages import FixMessage
    from kalshi_testing.simulator._auth import RegisteredKey

    from ._gateway import FixGateway

__all__ = ["SERVER_COMP_ID", "SERVER_MD_COMP_ID", "AcceptorConnection", "SessionKey"]

SERVER_COMP_ID = "Kalshi"
"""SenderCompID (49) on messages from the gateway (docs.kalshi.com/fix, Standard Header)."""
SERVER_MD_COMP_ID = "KalshiMD"
"""SenderCompID (49) on market-data messages (docs.kalshi.com/fix/market-data examples)."""

SessionKey = tuple[bool, FixSessionType, str]
"""(margin, session type, API key ID): one logged-on session per key and session type."""

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
_ADMIN = frozenset("012345A")
_MAX_SKEW_S = 30.0
_TICK_S = 0.1
_CENT = Decimal("0.01")


class AcceptorConnection(asyncio.Protocol):
    """One TCP connection to one session type of one product."""

    def __init__(self, gateway: FixGateway, kind: FixSessionType, margin: bool) -> None:
        self.gateway = gateway
        self.kind = kind
        self.margin = margin
        self.name = kind.target_comp_id
        self.comp_id = SERVER_MD_COMP_ID if kind is FixSessionType.MARKET_DATA else SERVER_COMP_ID
        self.transport: asyncio.Transport | None = None
        self.session: SessionProtocol | None = None
        self.registered: RegisteredKey | None = None
        self.options: dict[int, str] = {}
        """Logon body fields (Kalshi's options such as 20126 ListenerSession), tag -> text."""
        self.use_dollars = margin
        self.silent = False
        self._splitter = FrameSplitter()
        self._pending = bytearray()
        self._timer: asyncio.TimerHandle | None = None
        self._garble: set[int] = set()
        self._abort_requested = False
        self._flush_scheduled = False

    # ------------------------------------------------------------------ identity

    @property
    def key(self) -> SessionKey:
        return (self.margin, self.kind, self.registered.key_id if self.registered else "")

    @property
    def user_id(self) -> str:
        assert self.registered is not None
        return self.registered.user_id

    @property
    def logged_on(self) -> bool:
        return self.session is not None and self.session.is_active and self.transport is not None

    def option(self, tag: int) -> bool:
        """A Y/N logon option."""
        return self.options.get(tag) == "Y"

    # ------------------------------------------------------------------ asyncio

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.gateway.connections.append(self)
        self._timer = asyncio.get_running_loop().call_later(_TICK_S, self._tick)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.transport = None
        if self.session is not None:
            self.session.connection_lost(time.time())
        if self in self.gateway.connections:
            self.gateway.connections.remove(self)
        self.gateway.unregister(self)

    def data_received(self, data: bytes) -> None:
        if self.silent or self.transport is None:
            return
        frames = self._splitter.feed(data)
        self._splitter.take_errors()
        for frame in frames:
            if self.transport is None or self._abort_requested:
                return
            if self.session is None and not self._open(frame):
                return
            self._receive(frame)
        self.flush()  # everything this read produced, in one write

    def _tick(self) -> None:
        if self.transport is None:
            return
        if self.gateway.faults.take("silence", self.name) is not None:
            for conn in self.gateway.connections:
                if conn.name == self.name:
                    conn.silent = True
        if self.session is not None and not self.silent:
            self._events(self.session.handle_timeout(time.time()))
            self.flush()
        self._timer = asyncio.get_running_loop().call_later(_TICK_S, self._tick)

    # ------------------------------------------------------------------ logon

    def _open(self, raw: bytes) -> bool:
        """Build the session for the first frame (the Logon): its key picks the persistent store."""
        try:
            frame = parse_frame(raw)
        except FixDecodeError:
            self.abort()
            return False
        key_id = frame.get(49) or ""
        self.registered = self.gateway.keys.get(key_id)
        self.options = {int(tag): value for tag, _, value in (p.partition("=") for p in frame.body) if tag.isdigit()}
        self.use_dollars = self.margin or self.options.get(21005) == "Y"
        retransmits = self.kind.retransmits
        store: SequenceStore
        if retransmits and self.registered is not None:
            store = self.gateway.store_for((self.margin, self.kind, key_id))
        else:
            store = MemoryStore(keep_messages=False)
        config = SessionConfig(
            sender_comp_id=self.comp_id,
            local_comp_ids=frozenset({self.name}),
            target_comp_id=key_id or "UNKNOWN",
            retransmits=retransmits,
            initiator=False,
            verify_logon=self._verify,
            use_dollars=self.use_dollars,
        )
        self.session = SessionProtocol(config, store)
        self.session.accept(time.time())
        return True

    def _verify(self, frame: FixFrame) -> str | None:
        """The Logon checks; returns the Logout text for a refused Logon."""
        text = self.gateway.faults.take("reject_logon", self.name)
        if text is not None:
            return str(text)
        registered = self.registered
        if registered is None:
            return "unknown API key"
        payload = "\x01".join((frame.get(52) or "", "A", frame.get(34) or "", frame.get(49) or "", frame.get(56) or ""))
        raw = frame.get(96) or ""
        try:
            signature = base64.b64decode(raw, validate=True)
            if not isinstance(registered.public_key, rsa.RSAPublicKey):
                return "FIX logons need an RSA key"
            registered.public_key.verify(signature, payload.encode(), _PSS, hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError):
            return "invalid signature"
        if (frame.get(95) or "") != str(len(raw.encode())):
            return "RawDataLength (95) does not match RawData (96)"
        if frame.get(1137) != "9" or frame.get(98) != "0":
            return "DefaultApplVerID (1137) must be 9 and EncryptMethod (98) 0"
        heartbeat = frame.get(108) or ""
        floor = 3 if self.margin else 4  # prediction: HeartBtInt > 3; margin: >= 3
        if not heartbeat.isdigit() or int(heartbeat) < floor:
            return f"HeartBtInt (108) must be at least {floor}"
        try:
            skew = abs(frame.sending_time.timestamp() - time.time())
        except FixDecodeError:
            return "SendingTime (52) is not a UTC timestamp"
        if skew > _MAX_SKEW_S:
            return "SendingTime (52) is more than 30 s from the server clock"
        if self.gateway.active.get(self.key) not in (None, self):
            return f"a {self.name} session is already logged on for this API key"
        return None

    # ------------------------------------------------------------------ receiving

    def _receive(self, frame: bytes) -> None:
        session = self.session
        assert session is not None
        if session.is_active:
            try:
                msg_type, _ = peek_header(frame)
            except FixDecodeError:
                msg_type = "0"
            if msg_type not in _ADMIN and self.gateway.faults.take("drop_before", self.name) is not None:
                self.abort()
                return
        self._events(session.receive(frame, time.time()))
        if self._abort_requested:
            self.abort()

    def _events(self, events: list[SessionEvent]) -> None:
        for event in events:
            if isinstance(event, ApplicationMessage):
                if self.gateway.faults.take("drop_after", self.name) is not None:
                    self._abort_requested = True
                self.gateway.on_message(self, event)
            elif isinstance(event, LoggedOn):
                self.gateway.register(self)
                begin = self.gateway.faults.take("resend_request", self.name)
                if begin is not None and self.session is not None:
                    self.session.request_resend(int(begin), time.time())
            elif isinstance(event, CloseConnection):
                self.flush()
                if self.transport is not None:
                    self.transport.close()

    # ------------------------------------------------------------------ sending

    def send(self, message: FixMessage, *, use_dollars: bool | None = None) -> None:
        """Queue an application message in this session's price units (or `use_dollars`).

        What is queued is written by the next `flush()`: after the read being processed, or at the end of the
        current loop iteration, so a burst of messages (one order's reports, a book change's updates) goes out
        in one write.
        """
        units = self.use_dollars if use_dollars is None else use_dollars
        self.send_body(message.MSG_TYPE, encode_body(message, units))

    def send_body(self, msg_type: str, body: bytes) -> None:
        session = self.session
        if session is None:
            return
        store = session.store
        skip = self.gateway.faults.take("gap", self.name)
        if skip is not None:
            store.set_next_sender_seq(store.next_sender_seq + int(skip))
        if session.is_active:
            seq = session.send(msg_type, body, time.time())
            if not self._flush_scheduled:
                self._flush_scheduled = True
                asyncio.get_running_loop().call_soon(self.flush)
        elif self.kind.retransmits:
            seq = store.store(msg_type, format_sending_time(), body)
        else:
            return
        if self.gateway.faults.take("garble", self.name) is not None:
            self._garble.add(seq)

    def flush(self) -> None:
        """Write what the session queued (garbling a frame when the script says so)."""
        self._flush_scheduled = False
        if self.session is None:
            return
        out = self.session.data_to_send()
        if not out or self.transport is None or self._abort_requested:
            return
        if self._garble:
            out = [self._garbled(frame) for frame in out]
        self.transport.write(b"".join(out))

    def _garbled(self, frame: bytes) -> bytes:
        _, seq = peek_header(frame)
        if seq not in self._garble or b"\x0143=Y\x01" in frame:
            return frame
        self._garble.discard(seq)
        digit = frame[-2] - ord("0")
        return frame[:-2] + bytes([ord("0") + (digit + 1) % 10]) + b"\x01"  # a wrong CheckSum

    def abort(self) -> None:
        """Drop the TCP connection at once (no Logout)."""
        self._abort_requested = True
        if self.transport is not None:
            self.transport.abort()


def encode_body(message: FixMessage, use_dollars: bool) -> bytes:
    """Encode `message`, as Kalshi sends it, in a session's price units; on a cents session, prices off the
    cent grid (an average price, a deci-cent tick) are rounded to the nearest cent rather than refused.
    A Quote notification's prices are dollars on every session (docs.kalshi.com/fix/rfq-messages)."""
    use_dollars = use_dollars or message.DOLLARS_FROM_KALSHI
    try:
        return message.encode_body(use_dollars)
    except FixEncodeError:
        if use_dollars:
            raise
    rounded: Any = copy.copy(message)
    for attr in ("price", "avg_px", "last_px", "bid_px", "offer_px"):
        value = getattr(rounded, attr, None)
        if isinstance(value, Decimal):
            setattr(rounded, attr, value.quantize(_CENT))
    body: bytes = rounded.encode_body(use_dollars)
    return body
