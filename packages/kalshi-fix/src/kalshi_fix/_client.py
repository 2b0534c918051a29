"""`FixClient` (prediction) and `MarginFixClient` (margin): one factory method per FIX session type.

```python
client = FixClient.from_env(environment=FixEnvironment.DEMO)
async with client.order_entry(on_message=print) as session:
    await session.send(NewOrderSingle(cl_ord_id="o1", symbol="KXBTC-25DEC-T100000", side=Side.BUY_YES,
                                      order_qty=Decimal("10"), ord_type=OrdType.LIMIT, price=Decimal("0.55")))
```
"""

from __future__ import annotations

import enum
import os
import ssl
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Self

from kalshi_auth import (
    DEMO,
    PRODUCTION,
    AuthRequiredError,
    Environment,
    FixSessionType,
    KalshiAuth,
    KalshiConfigError,
    credentials_from_env,
)

from ._book import OrderBook
from ._connection import ReconnectPolicy
from ._fix_session import (
    DEFAULT_MAX_QUEUED,
    FixSession,
    OnEvent,
    OnMessage,
    QueueOverflow,
    _SettlementFeed,
)
from ._session_faces import DropCopySession, MarketDataSession, OrderEntrySession, PostTradeSession, RfqSession
from ._settlement import SettlementReport
from ._store import FileStore, FsyncPolicy, MemoryStore, SequenceStore

__all__ = [
    "DEFAULT_MAX_QUEUED",
    "DropCopySession",
    "FixClient",
    "FixEnvironment",
    "FixSession",
    "MarginFixClient",
    "MarketDataSession",
    "OrderEntrySession",
    "PostTradeSession",
    "QueueOverflow",
    "RfqSession",
]


class FixEnvironment(enum.Enum):
    """Which Kalshi FIX gateways to use (hosts and ports come from `kalshi_auth`)."""

    PRODUCTION = "production"
    DEMO = "demo"

    @property
    def environment(self) -> Environment:
        """The matching `kalshi_auth` environment."""
        return PRODUCTION if self is FixEnvironment.PRODUCTION else DEMO


def _check_ports(ports: Mapping[str, int]) -> dict[str, int]:
    """Validate a session-name -> port map (e.g. {"KalshiNR": 8228})."""
    out: dict[str, int] = {}
    for name, port in ports.items():
        if not isinstance(name, str) or not name:
            raise KalshiConfigError(f"ports keys are session names such as 'KalshiNR', got {name!r}")
        if port.__class__ is not int or not 0 < port < 65536:
            raise KalshiConfigError(f"port for {name} must be an int in 1..65535, got {port!r}")
        out[name] = port
    return out


def _gateway_from_env(prefix: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """`{prefix}FIX_HOST`, `{prefix}FIX_PORTS` ("KalshiNR=8228,KalshiRT=8230") and `{prefix}FIX_TLS` ("0"/"1").

    These point a client at another gateway (a local simulator prints them). A loopback host
    without `FIX_TLS` means plain TCP; ports without a host are refused (ports of which host?).
    """
    host = environ.get(f"{prefix}FIX_HOST", "").strip()
    ports_text = environ.get(f"{prefix}FIX_PORTS", "").strip()
    tls_text = environ.get(f"{prefix}FIX_TLS", "").strip()
    if not host:
        if ports_text or tls_text:
            raise KalshiConfigError(f"{prefix}FIX_PORTS / {prefix}FIX_TLS need {prefix}FIX_HOST")
        return {}
    out: dict[str, Any] = {"host": host}
    if ports_text:
        ports: dict[str, int] = {}
        for item in ports_text.split(","):
            name, sep, number = item.strip().partition("=")
            if not sep or not name.strip() or not number.strip().isdigit() or not number.isascii():
                raise KalshiConfigError(f"{prefix}FIX_PORTS must look like 'KalshiNR=8228,KalshiRT=8230', got {item!r}")
            ports[name.strip()] = int(number)
        out["ports"] = ports
    if tls_text:
        if tls_text not in ("0", "1"):
            raise KalshiConfigError(f"{prefix}FIX_TLS must be 0 or 1, got {tls_text!r}")
        out["tls"] = tls_text == "1"
    elif _loopback(host):
        out["tls"] = False
    return out


def _yn(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


class _BaseFixClient:
    _margin: ClassVar[bool] = False
    _min_heartbeat: ClassVar[int] = 4
    _product: ClassVar[str] = "prediction"

    def __init__(
        self,
        auth: KalshiAuth,
        *,
        environment: FixEnvironment | Environment = FixEnvironment.PRODUCTION,
        host: str | None = None,
        port: int | None = None,
        ports: Mapping[str, int] | None = None,
        tls: bool | None = None,
        ssl_context: ssl.SSLContext | None = None,
        heartbeat_interval: int = 30,
        reconnect: ReconnectPolicy | None = None,
        store_dir: str | os.PathLike[str] | None = None,
        fsync: FsyncPolicy = FsyncPolicy.ALWAYS,
        use_dollars: bool = False,
        max_queued: int = DEFAULT_MAX_QUEUED,
        counterparty_comp_ids: Iterable[str] | None = None,
    ) -> None:
        if not isinstance(auth, KalshiAuth):
            raise AuthRequiredError("FIX needs a KalshiAuth signer (SenderCompID is its key ID)")
        if heartbeat_interval < self._min_heartbeat:
            raise KalshiConfigError(
                f"heartbeat_interval must be at least {self._min_heartbeat} s on this gateway, got {heartbeat_interval}"
            )
        self.auth = auth
        self.environment = environment.environment if isinstance(environment, FixEnvironment) else environment
        self.host = host
        self.port = port
        self.ports = _check_ports(ports or {})
        self.tls = tls
        if tls is False and not _loopback(host or ""):
            raise KalshiConfigError("FIX without TLS is only allowed to a loopback host (pass host='127.0.0.1')")
        self.ssl_context = ssl_context
        self.heartbeat_interval = heartbeat_interval
        self.reconnect = reconnect or ReconnectPolicy()
        self.store_dir = Path(store_dir).expanduser() if store_dir is not None else None
        self.fsync = fsync
        self.use_dollars = True if self._margin else use_dollars
        if max_queued.__class__ is not int or max_queued < 1:
            raise KalshiConfigError(f"max_queued must be a positive int, got {max_queued!r}")
        self.max_queued = max_queued
        self.counterparty_comp_ids = None if counterparty_comp_ids is None else frozenset(counterparty_comp_ids)

    @classmethod
    def from_env(
        cls,
        environment: FixEnvironment | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Self:
        """Build a client from `KALSHI_*` variables (`KALSHI_PERPS_*` for `MarginFixClient`).

        Args:
            environment: DEMO or PRODUCTION; None reads `KALSHI_DEMO` (or `KALSHI_PERPS_DEMO`).
            environ: a mapping to read instead of `os.environ`.
            **kwargs: passed to the constructor (`host`, `port`, `tls`, `store_dir`, ...); they win
                over `KALSHI_FIX_HOST` / `KALSHI_FIX_PORTS` / `KALSHI_FIX_TLS` (`KALSHI_PERPS_FIX_*` for
                margin), which point the client at another gateway such as a local simulator.

        Raises:
            AuthRequiredError: no credentials are set (FIX has no public sessions).
            KalshiConfigError | KalshiKeyError: credentials are half set or unreadable.
        """
        creds = credentials_from_env("perps" if cls._margin else "prediction", environ=environ)
        prefix = "KALSHI_PERPS_" if cls._margin else "KALSHI_"
        if creds.auth is None:
            raise AuthRequiredError(f"FIX needs {prefix}KEY_ID and {prefix}PRIVATE_KEY_PATH (or {prefix}PRIVATE_KEY)")
        if environment is None:
            environment = FixEnvironment.DEMO if creds.demo else FixEnvironment.PRODUCTION
        for name, value in _gateway_from_env(prefix, os.environ if environ is None else environ).items():
            kwargs.setdefault(name, value)
        return cls(creds.auth, environment=environment, **kwargs)

    def __repr__(self) -> str:
        where = f", host={self.host!r}, port={self.port!r}" if self.host or self.port else ""
        return f"{type(self).__name__}(auth={self.auth!r}, environment={self.environment.name!r}{where})"

    def endpoint(self, session_type: FixSessionType) -> _Endpoint:
        """Host, port, TargetCompID and TLS for a session, with this client's overrides applied.

        Raises:
            KalshiConfigError: the gateway has no such session (post trade and RFQ on margin).
        """
        ep = self.environment.fix_endpoint(session_type, margin=self._margin)
        host = self.host or ep.host
        tls = ep.tls if self.tls is None else self.tls
        return _Endpoint(host, self.port or self.ports.get(ep.target_comp_id) or ep.port, ep.target_comp_id, tls)

    def _store_for(self, session_type: FixSessionType) -> SequenceStore:
        if not session_type.retransmits:
            return MemoryStore(keep_messages=False)
        if self.store_dir is None:
            return MemoryStore(keep_messages=True)
        product = "margin" if self._margin else "prediction"
        name = f"{product}-{self.auth.key_id}-{session_type.target_comp_id}.fixlog"
        return FileStore(self.store_dir / name, fsync=self.fsync)

    def _logon_options(self, **options: bool | int | None) -> tuple[tuple[int, str], ...]:
        tags = {
            "cancel_orders_on_disconnect": 8013,
            "skip_pending_exec_reports": 21011,
            "cancel_order_on_pause": 21006,
            "enable_ioc_cancel_report": 21007,
            "listener": 20126,
            "receive_settlement_reports": 20127,
            "message_retention_period": 20200,
            "preserve_original_order_qty": 21008,
            "use_expired_ord_status": 21012,
            "always_emit_new_before_trade": 21026,
        }
        fields: list[tuple[int, str]] = []
        if self.use_dollars and not self._margin:
            fields.append((21005, "Y"))
        for name, value in options.items():
            if value is None:
                continue
            text = _yn(value) if isinstance(value, bool) else str(value)
            assert text is not None
            fields.append((tags[name], text))
        return tuple(sorted(fields))

    def order_entry(
        self,
        *,
        retransmit: bool = False,
        on_message: OnMessage | None = None,
        on_event: OnEvent | None = None,
        cancel_orders_on_disconnect: bool | None = None,
        skip_pending_exec_reports: bool | None = None,
        cancel_order_on_pause: bool | None = None,
        enable_ioc_cancel_report: bool | None = None,
        listener: bool | None = None,
        receive_settlement_reports: bool | None = None,
        preserve_original_order_qty: bool | None = None,
        use_expired_ord_status: bool | None = None,
        always_emit_new_before_trade: bool | None = None,
        on_settlement: Callable[[SettlementReport], Any] | None = None,
        fresh: bool = False,
        store: SequenceStore | None = None,
    ) -> OrderEntrySession:
        """An order-entry session: KalshiNR, or KalshiRT with `retransmit=True` (resends survive restarts
        when the client has a `store_dir`).

        Args:
            listener: a read-only stream of execution reports (sets SkipPendingExecReports=Y, as required;
                CancelOrdersOnDisconnect is refused, and so are orders, cancels and RFQs on it).
            receive_settlement_reports: opt RT in to settlement reports (35=UMS); whole reports go to
                `on_settlement`, or to `session.settlements()`.
            fresh: RT only: start over at MsgSeqNum 1 (ResetSeqNumFlag=Y), forgetting the stored messages.
            cancel_orders_on_disconnect, skip_pending_exec_reports, ...: Kalshi's logon options.
        """
        if listener:
            if skip_pending_exec_reports is False:
                raise KalshiConfigError("a listener session requires skip_pending_exec_reports=True")
            if cancel_orders_on_disconnect:  # docs.kalshi.com/fix/listener-sessions, "Restrictions"
                raise KalshiConfigError("a listener session cannot set cancel_orders_on_disconnect")
            skip_pending_exec_reports = True
        if on_settlement is not None and receive_settlement_reports is None:
            receive_settlement_reports = True
        kind = FixSessionType.ORDER_ENTRY_RETRANSMIT if retransmit else FixSessionType.ORDER_ENTRY
        fields = self._logon_options(
            cancel_orders_on_disconnect=cancel_orders_on_disconnect,
            skip_pending_exec_reports=skip_pending_exec_reports,
            cancel_order_on_pause=cancel_order_on_pause,
            enable_ioc_cancel_report=enable_ioc_cancel_report,
            listener=listener,
            receive_settlement_reports=receive_settlement_reports,
            preserve_original_order_qty=preserve_original_order_qty,
            use_expired_ord_status=use_expired_ord_status,
            always_emit_new_before_trade=always_emit_new_before_trade,
        )
        session = OrderEntrySession(
            self, kind, on_message=on_message, on_event=on_event, logon_fields=fields, store=store, fresh=fresh
        )
        if receive_settlement_reports or on_settlement is not None:
            session._settlements = _SettlementFeed(session, on_settlement)
        return session

    def drop_copy(self, *, on_message: OnMessage | None = None, on_event: OnEvent | None = None) -> DropCopySession:
        """A drop-copy session (KalshiDC): execution-report replays on request."""
        return DropCopySession(
            self, FixSessionType.DROP_COPY, on_message=on_message, on_event=on_event, logon_fields=self._logon_options()
        )

    def market_data(
        self,
        *,
        on_message: OnMessage | None = None,
        on_event: OnEvent | None = None,
        on_book: Callable[[OrderBook], Any] | None = None,
    ) -> MarketDataSession:
        """A market-data session (KalshiMD) that keeps an order book per subscribed symbol."""
        return MarketDataSession(
            self,
            FixSessionType.MARKET_DATA,
            on_message=on_message,
            on_event=on_event,
            on_book=on_book,
            logon_fields=self._logon_options(),
        )


class _Endpoint:
    __slots__ = ("host", "port", "target_comp_id", "tls")

    def __init__(self, host: str, port: int, target_comp_id: str, tls: bool) -> None:
        self.host = host
        self.port = port
        self.target_comp_id = target_comp_id
        self.tls = tls

    def __repr__(self) -> str:
        return f"{'tls' if self.tls else 'tcp'}://{self.host}:{self.port} ({self.target_comp_id})"


def _loopback(host: str) -> bool:
    from kalshi_auth import is_loopback

    return is_loopback(host)


class FixClient(_BaseFixClient):
    """FIX for Kalshi prediction markets: order entry (NR/RT), drop copy, market data, post trade, RFQ.

    ```python
    client = FixClient.from_env(environment=FixEnvironment.DEMO)
    async with client.order_entry() as session:
        await session.send(order)
        async for frame in session:
            print(decode_app_message(frame))
    ```

    Args:
        auth: the prediction API key (SenderCompID is its key ID; it signs every Logon).
        environment: `FixEnvironment.PRODUCTION` / `DEMO`, or a `kalshi_auth.Environment`.
        host: send every session to this host instead (a local acceptor or simulator).
        port: ... and this port (every session).
        ports: a port per session name (`{"KalshiNR": 8228, ...}`) for a gateway on other ports;
            `from_env` reads `KALSHI_FIX_HOST`, `KALSHI_FIX_PORTS` and `KALSHI_FIX_TLS`.
        tls: False for plain TCP, only to a loopback host.
        ssl_context: custom TLS settings (default: verification on, TLS >= 1.2).
        heartbeat_interval: HeartBtInt in seconds (> 3 on prediction).
        reconnect: backoff policy for dropped connections.
        store_dir: keep RT/PT sequence numbers and sent messages on disk here, so a restarted
            process resumes and resends; in memory when None.
        fsync: when the on-disk store forces writes to disk.
        use_dollars: log on with UseDollars=Y (wire prices in dollars); the typed API is dollars either way.
        max_queued: received messages a session holds for a slow reader before its `QueueOverflow` policy
            acts (pause reading the socket; market data drops the oldest).
        counterparty_comp_ids: SenderCompID (49) values accepted from the gateway. None: Kalshi's documented
            identities (`KALSHI_COMP_IDS`: `Kalshi`, `KalshiMD`) and the session name. Anything else ends the
            session with `FixCompIdError` (no reconnect).
    """

    def post_trade(
        self,
        *,
        on_settlement: Callable[[SettlementReport], Any] | None = None,
        on_message: OnMessage | None = None,
        on_event: OnEvent | None = None,
        fresh: bool = False,
        store: SequenceStore | None = None,
    ) -> PostTradeSession:
        """A post-trade session (KalshiPT): settlement reports, reassembled across fragments.

        Args:
            fresh: start over at MsgSeqNum 1 (ResetSeqNumFlag=Y) instead of resuming.
        """
        return PostTradeSession(
            self,
            FixSessionType.POST_TRADE,
            on_settlement=on_settlement,
            on_message=on_message,
            on_event=on_event,
            logon_fields=self._logon_options(),
            store=store,
            fresh=fresh,
        )

    def rfq(self, *, on_message: OnMessage | None = None, on_event: OnEvent | None = None) -> RfqSession:
        """An RFQ session (KalshiRFQ) for market makers: QuoteRequests in, Quotes out."""
        return RfqSession(
            self, FixSessionType.RFQ, on_message=on_message, on_event=on_event, logon_fields=self._logon_options()
        )


class MarginFixClient(_BaseFixClient):
    """FIX for Kalshi margin (perps): order entry (NR/RT), drop copy and market data; prices in dollars.

    Uses the perps API key (`KALSHI_PERPS_*` in `from_env`). The margin gateway has no post-trade or
    RFQ session. HeartBtInt must be at least 3.
    """

    _margin: ClassVar[bool] = True
    _min_heartbeat: ClassVar[int] = 3
    _product: ClassVar[str] = "perps"
