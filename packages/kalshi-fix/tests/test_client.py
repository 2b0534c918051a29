"""FixClient sessions against the loopback acceptor: round trips, faults, market data, post trade."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from kalshi_fix_test_acceptor import FixAcceptor
from kalshi_fix_test_helpers import FAST, local, wait_for

from kalshi_auth import AuthRequiredError, KalshiAuth, KalshiConfigError
from kalshi_fix._client import FixClient, FixEnvironment, MarginFixClient
from kalshi_fix._codec import FixFrame
from kalshi_fix._connection import (
    ConnectionState,
    ConnectionStateChanged,
    FixConnection,
    FixConnectionError,
    ReconnectPolicy,
)
from kalshi_fix._errors import FixEncodeError
from kalshi_fix._session import FixLogonError, FixSessionError, GapDetected, SessionConfig, SessionProtocol
from kalshi_fix.messages import (
    EventResendComplete,
    ExecType,
    ExecutionReport,
    MarketDataIncrementalRefresh,
    MarketSettlementParty,
    MDIncrementalEntry,
    MDSnapshotEntry,
    NewOrderSingle,
    OrderGroupResponse,
    OrdType,
    Quote,
    QuoteRequest,
    SecurityTradingStatus,
    Side,
    decode_app_message,
)


def order(n: int, price: str = "0.55") -> NewOrderSingle:
    return NewOrderSingle(
        cl_ord_id=f"o{n}",
        symbol="KXTEST-26",
        side=Side.BUY_YES,
        order_qty=Decimal("10"),
        ord_type=OrdType.LIMIT,
        price=Decimal(price),
    )


@pytest.fixture
async def nr(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> AsyncIterator[FixAcceptor]:
    acceptor = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiNR")
    await acceptor.start()
    yield acceptor
    await acceptor.stop()


async def test_a_listener_session_refuses_orders_before_they_leave(auth: KalshiAuth, nr: FixAcceptor) -> None:
    """docs.kalshi.com/fix/listener-sessions: read-only; Kalshi rejects orders, cancels, replaces, mass cancels,
    RFQs and quote acceptances on it, and CancelOrdersOnDisconnect must be N."""
    with pytest.raises(KalshiConfigError, match="cancel_orders_on_disconnect"):
        local(auth, nr).order_entry(listener=True, cancel_orders_on_disconnect=True)
    async with local(auth, nr).order_entry(listener=True) as session:
        assert session.listener
        with pytest.raises(FixSessionError, match="read-only"):
            await session.send(order(1))
        with pytest.raises(FixSessionError, match="read-only"):
            await session.send_raw("F", b"11=c1\x0141=o1\x0154=1\x0155=KXTEST-26\x01")
        await session.send_raw("0", b"")  # a Heartbeat is still the session's to send
    assert not [f for f in nr.received if f.msg_type in ("D", "F")]
    plain = local(auth, nr).order_entry()
    assert not plain.listener


@pytest.mark.parametrize("target", ["KalshiRFQ", "KalshiPT"])
async def test_rfq_and_post_trade_reset_on_every_logon_reconnects_included(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey, target: str
) -> None:
    """Every version of docs.kalshi.com/fix/authentication accepts ResetSeqNumFlag=Y on these sessions, and
    the later one rejects a Logon without it on a session that does not retransmit: never log on without."""
    acceptor = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id=target)
    await acceptor.start()
    try:
        client = local(auth, acceptor)
        async with client.rfq() if target == "KalshiRFQ" else client.post_trade() as session:
            acceptor.drop()
            await wait_for(lambda: len(acceptor.logons) == 2 and session.is_logged_on)
    finally:
        await acceptor.stop()
    assert [logon.fields.get("141") for logon in acceptor.logons] == ["Y", "Y"]


async def test_order_round_trip_with_callback(auth: KalshiAuth, nr: FixAcceptor) -> None:
    received: list[FixFrame] = []
    async with local(auth, nr).order_entry(on_message=received.append) as session:
        assert session.is_logged_on
        seq = await session.send(order(1))
        assert seq == 2
        await wait_for(lambda: len(received) == 1)
    report = decode_app_message(received[0])
    assert isinstance(report, ExecutionReport)
    assert report.cl_ord_id == "o1"
    assert report.exec_type == ExecType.NEW
    assert report.price == Decimal("0.55")
    assert nr.orders["o1"].price == Decimal("0.55")
    assert b"\x0144=55\x01" in nr.received[0].raw  # cents on the wire by default
    assert session.state is ConnectionState.CLOSED


async def test_use_dollars_writes_dollars_and_logs_on_with_21005(auth: KalshiAuth, nr: FixAcceptor) -> None:
    nr.use_dollars = True
    async with local(auth, nr, use_dollars=True).order_entry() as session:
        await session.send(order(1, "0.5600"))
        frame = await session.receive(timeout=5)
    assert nr.logons[0].get(21005) == "Y"
    assert b"\x0144=0.5600\x01" in nr.received[0].raw
    report = decode_app_message(frame)
    assert isinstance(report, ExecutionReport)
    assert report.price == Decimal("0.56")


async def test_async_iterator_and_async_callback(auth: KalshiAuth, nr: FixAcceptor) -> None:
    async with local(auth, nr).order_entry() as session:
        for n in range(3):
            await session.send(order(n))
        got = []
        async for frame in session:
            got.append(decode_app_message(frame).cl_ord_id)  # type: ignore[attr-defined]
            if len(got) == 3:
                break
    assert got == ["o0", "o1", "o2"]

    seen: list[str] = []

    async def on_message(frame: FixFrame) -> None:
        await asyncio.sleep(0)
        seen.append(decode_app_message(frame).cl_ord_id)  # type: ignore[attr-defined]

    async with local(auth, nr).order_entry(on_message=on_message) as session:
        await session.send(order(7))
        await wait_for(lambda: seen == ["o7"])


async def test_bad_signature_is_refused(rsa_key: rsa.RSAPrivateKey, nr: FixAcceptor) -> None:
    other = KalshiAuth(
        "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d", rsa.generate_private_key(public_exponent=65537, key_size=1024)
    )
    with pytest.raises(FixLogonError, match="invalid signature"):
        async with local(other, nr).order_entry():
            pass
    assert len(nr.logons) == 1  # refused, not retried


async def test_logon_reject_fault(auth: KalshiAuth, nr: FixAcceptor) -> None:
    nr.faults.reject_logon = "trading halted for maintenance"
    with pytest.raises(FixLogonError, match="maintenance"):
        await local(auth, nr).order_entry().open()


async def test_rt_lost_order_is_resent_with_possdup_and_booked_once(auth: KalshiAuth, rt: FixAcceptor) -> None:
    received: list[FixFrame] = []
    async with local(auth, rt).order_entry(retransmit=True, on_message=received.append) as session:
        rt.faults.lose_inbound.add(3)  # the second order vanishes on the wire
        for n in range(1, 5):
            await session.send(order(n))
        await wait_for(lambda: len(received) == 4)
    assert sorted(rt.orders) == ["o1", "o2", "o3", "o4"]
    assert ("o2", True) in rt.order_arrivals
    assert rt.duplicates_rejected == 0
    assert len(rt.order_arrivals) == 4
    reports = [decode_app_message(f) for f in received]
    assert sorted(r.cl_ord_id for r in reports) == ["o1", "o2", "o3", "o4"]  # type: ignore[attr-defined]


async def test_rt_dropped_connection_loses_nothing_and_duplicates_nothing(auth: KalshiAuth, rt: FixAcceptor) -> None:
    states: list[ConnectionState] = []

    def on_event(event: object) -> None:
        if isinstance(event, ConnectionStateChanged):
            states.append(event.state)

    async with local(auth, rt).order_entry(retransmit=True, on_event=on_event) as session:
        rt.faults.drop_after_orders = 3
        for n in range(1, 11):
            await session.send(order(n))  # some go into a socket that is about to die
        await wait_for(lambda: len(rt.orders) == 10)
        await wait_for(lambda: session.is_logged_on)
    assert sorted(rt.orders, key=lambda c: int(c[1:])) == [f"o{n}" for n in range(1, 11)]
    assert rt.duplicates_rejected == 0
    assert states.count(ConnectionState.LOGGED_ON) >= 2
    assert ConnectionState.DISCONNECTED in states
    assert any(poss_dup for _, poss_dup in rt.order_arrivals)


async def test_nr_dropped_connection_reconnects_with_reset(auth: KalshiAuth, nr: FixAcceptor) -> None:
    async with local(auth, nr).order_entry() as session:
        await session.send(order(1))
        await session.receive(timeout=5)
        nr.drop()
        await wait_for(lambda: session.connection.connects == 2 and session.is_logged_on)
        seq = await session.send(order(2))
        assert seq == 2  # NR starts over at 1 on every logon
        await session.receive(timeout=5)
    assert all(logon.get(141) == "Y" for logon in nr.logons)
    assert len(nr.logons) == 2


async def test_rt_inbound_gap_is_recovered_by_resend_request(auth: KalshiAuth, rt: FixAcceptor) -> None:
    received: list[FixFrame] = []
    async with local(auth, rt).order_entry(retransmit=True, on_message=received.append) as session:
        rt.faults.skip_outbound = 2
        await session.send(order(1))
        await wait_for(lambda: len(received) == 1)
        await session.send(order(2))
        await wait_for(lambda: len(received) == 2)
        gaps = [e for e in session.events if isinstance(e, GapDetected)]
        assert gaps
        assert gaps[0].recoverable
        assert session.connection.connects == 1  # recovered in place, no reconnect


async def test_nr_inbound_gap_means_reconnect(auth: KalshiAuth, nr: FixAcceptor) -> None:
    async with local(auth, nr).order_entry() as session:
        nr.faults.skip_outbound = 1
        await session.send(order(1))
        await wait_for(lambda: session.connection.connects == 2 and session.is_logged_on)
        assert any(isinstance(e, GapDetected) and not e.recoverable for e in session.events)
        await session.send(order(2))
        frame = await session.receive(timeout=5)
        assert decode_app_message(frame).cl_ord_id == "o2"  # type: ignore[attr-defined]


async def test_rt_garbled_report_is_dropped_then_recovered(auth: KalshiAuth, rt: FixAcceptor) -> None:
    received: list[FixFrame] = []
    async with local(auth, rt).order_entry(retransmit=True, on_message=received.append) as session:
        rt.faults.garble_next_report = True
        await session.send(order(1))
        await session.send(order(2))  # its report reveals the gap the garbled one left
        await wait_for(lambda: len(received) == 2)
    ids = [decode_app_message(f).cl_ord_id for f in received]  # type: ignore[attr-defined]
    assert ids == ["o1", "o2"]
    assert received[0].get(43) == "Y"  # the resent report


async def test_resend_request_from_gateway_does_not_duplicate_orders(auth: KalshiAuth, rt: FixAcceptor) -> None:
    async with local(auth, rt).order_entry(retransmit=True) as session:
        for n in range(1, 4):
            await session.send(order(n))
        for _ in range(3):
            await session.receive(timeout=5)
        rt.request_resend(1)
        await session.send(order(4))
        await session.receive(timeout=5)
    assert len(rt.orders) == 4
    assert rt.duplicates_rejected == 0
    assert [c for c, _ in rt.order_arrivals] == ["o1", "o2", "o3", "o4"]


async def test_rt_resend_on_reconnect_with_file_store(auth: KalshiAuth, rt: FixAcceptor, tmp_path: Any) -> None:
    client = local(auth, rt, store_dir=tmp_path)
    session = client.order_entry(retransmit=True)
    await session.open()
    rt.faults.lose_inbound.update({2, 3})
    await session.send(order(1))
    await session.send(order(2))
    await session.connection.close(timeout=0.2)  # the process "dies" with two orders unacknowledged
    session.store.close()
    assert rt.orders == {}
    restarted = local(auth, rt, store_dir=tmp_path).order_entry(retransmit=True)
    async with restarted:
        await wait_for(lambda: len(rt.orders) == 2)
    assert all(poss_dup for _, poss_dup in rt.order_arrivals)


async def test_order_groups(auth: KalshiAuth, nr: FixAcceptor) -> None:
    async with local(auth, nr).order_entry() as session:
        await session.create_order_group(50, subaccount=2)
        response = decode_app_message(await session.receive(timeout=5))
        assert isinstance(response, OrderGroupResponse)
        assert response.order_group_contracts_limit == 50
        assert response.alloc_account == 2
        await session.trigger_order_group(response.order_group_id, subaccount=2)
        await session.receive(timeout=5)
    sent = [decode_app_message(f) for f in nr.received]
    assert [int(m.order_group_action) for m in sent] == [1, 4]  # type: ignore[attr-defined]
    assert sent[0].order_group_id is None  # type: ignore[attr-defined]


async def test_a_malformed_order_group_id_or_limit_never_leaves(auth: KalshiAuth, nr: FixAcceptor) -> None:
    """docs.kalshi.com/fix/order-groups: the ID is Kalshi's UUID, the limit 1 to 1,000,000; anything else would
    get a Reject, so it is refused before sending."""
    async with local(auth, nr).order_entry() as session:
        for call in (
            session.trigger_order_group("grp-1"),
            session.reset_order_group("770e8400-e29b-41d4-a716-44665544000"),  # one digit short
            session.create_order_group(0),
            session.create_order_group(1_000_001),
            session.update_order_group("770e8400-e29b-41d4-a716-446655440002", True),  # type: ignore[arg-type]
        ):
            with pytest.raises(FixEncodeError):
                await call
        await session.update_order_group("770e8400-e29b-41d4-a716-446655440002", 1_000_000)
        await session.receive(timeout=5)
    assert [f.msg_type for f in nr.received] == ["UOG"]


async def test_market_data_book_snapshot_incremental_and_reconnect(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey
) -> None:
    md = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiMD")
    await md.start()
    md.books["KXA"] = [
        MDSnapshotEntry(md_entry_type="0", md_entry_px=Decimal("0.40"), md_entry_size=Decimal("100")),
        MDSnapshotEntry(md_entry_type="0", md_entry_px=Decimal("0.39"), md_entry_size=Decimal("5")),
        MDSnapshotEntry(md_entry_type="1", md_entry_px=Decimal("0.45"), md_entry_size=Decimal("7")),
    ]
    try:
        async with local(auth, md).market_data() as session:
            await session.subscribe("KXA")
            book = session.book("KXA")
            await wait_for(lambda: book.ready)
            assert book.best_bid() == (Decimal("0.40"), Decimal("100"))
            md.publish(
                MarketDataIncrementalRefresh(
                    md_entries=[
                        MDIncrementalEntry(
                            md_update_action="1",
                            symbol="KXA",
                            md_entry_type="0",
                            md_entry_px=Decimal("0.40"),
                            md_entry_size=Decimal("30"),
                        ),
                        MDIncrementalEntry(
                            md_update_action="2", symbol="KXA", md_entry_type="1", md_entry_px=Decimal("0.45")
                        ),
                        MDIncrementalEntry(
                            md_update_action="1",
                            symbol="KXB",
                            md_entry_type="0",
                            md_entry_px=Decimal("0.10"),
                            md_entry_size=Decimal("1"),
                        ),
                    ]
                )
            )
            await wait_for(lambda: book.bids.get(Decimal("0.40")) == Decimal("30"))
            assert book.offers == {}
            assert "KXB" not in session.books  # no snapshot: dropped
            md.books["KXA"] = md.books["KXA"][1:]
            md.drop()
            await wait_for(lambda: session.connection.connects == 2 and len(md.subscriptions) == 2)
            await wait_for(lambda: book.ready)
            assert book.bid_levels() == [(Decimal("0.39"), Decimal("5"))]  # no stale level survived
            md.statuses["KXA"] = 2
            await session.request_status("KXA")
            await wait_for(lambda: session.statuses.get("KXA") == 2)
            assert session.statuses["KXA"] is SecurityTradingStatus.TRADING_HALT
    finally:
        await md.stop()


async def test_post_trade_reassembles_fragments(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey) -> None:
    pt = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiPT", retransmits=True)
    await pt.start()
    parties = [
        MarketSettlementParty(
            market_settlement_party_id=f"acct-{n}", market_settlement_party_role=24, long_qty=Decimal(n)
        )
        for n in range(7)
    ]
    try:
        async with local(auth, pt).post_trade() as session:
            pt.send_settlement("KXA", parties, page_size=3, price=Decimal("1.00"))
            pt.send_settlement("KXB", parties[:2], page_size=3, price=Decimal("0.306"))
            reports = []
            async for report in session.settlements():
                reports.append(report)
                if len(reports) == 2:
                    break
        assert [r.symbol for r in reports] == ["KXA", "KXB"]
        assert [p.market_settlement_party_id for p in reports[0].parties] == [f"acct-{n}" for n in range(7)]
        assert len(reports[0].report_ids) == 3
        assert reports[0].settlement_price == Decimal("1.00")
        assert reports[1].settlement_price == Decimal("0.306")
    finally:
        await pt.stop()


async def test_connection_refused_gives_up_with_typed_error(auth: KalshiAuth, nr: FixAcceptor) -> None:
    port = nr.port
    await nr.stop()
    client = FixClient(
        auth,
        host="127.0.0.1",
        port=port,
        tls=False,
        reconnect=ReconnectPolicy(base_delay=0.001, max_delay=0.01, max_attempts=2),
    )
    with pytest.raises(FixConnectionError, match="gave up"):
        await client.order_entry().open(timeout=5)


def test_plain_tcp_only_to_loopback(auth: KalshiAuth) -> None:
    with pytest.raises(KalshiConfigError):
        FixClient(auth, host="fix.demo.kalshi.co", tls=False)


def test_endpoints_and_margin_sessions(auth: KalshiAuth) -> None:
    demo = FixClient(auth, environment=FixEnvironment.DEMO)
    assert repr(demo.endpoint(demo.order_entry().session_type)) == "tls://fix.demo.kalshi.co:8228 (KalshiNR)"
    md = demo.market_data()
    assert repr(demo.endpoint(md.session_type)) == "tls://marketdata.fix.demo.kalshi.co:8233 (KalshiMD)"
    margin = MarginFixClient(auth, environment=FixEnvironment.PRODUCTION, heartbeat_interval=3)
    rt = margin.order_entry(retransmit=True)
    assert repr(margin.endpoint(rt.session_type)) == "tls://margin-mm.fix.elections.kalshi.com:8230 (KalshiRT)"
    assert rt.use_dollars
    assert not hasattr(margin, "post_trade")
    assert not hasattr(margin, "rfq")
    with pytest.raises(KalshiConfigError):
        FixClient(auth, heartbeat_interval=3)


def test_from_env(auth: KalshiAuth, tmp_path: Any) -> None:
    with pytest.raises(AuthRequiredError):
        FixClient.from_env(environ={})
    from cryptography.hazmat.primitives import serialization

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = tmp_path / "k.pem"
    path.write_bytes(pem)
    env = {"KALSHI_KEY_ID": "kid-1", "KALSHI_PRIVATE_KEY_PATH": str(path)}
    client = FixClient.from_env(environment=FixEnvironment.DEMO, environ=env)
    assert client.auth.key_id == "kid-1"
    assert client.environment.name == "demo"
    prod = FixClient.from_env(environ=env)
    assert prod.environment.name == "production"
    with pytest.raises(AuthRequiredError):
        MarginFixClient.from_env(environ=env)  # margin reads KALSHI_PERPS_*


async def test_drop_copy_replays_reports(auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey, nr: FixAcceptor) -> None:
    async with local(auth, nr).order_entry() as session:
        for n in range(1, 4):
            await session.send(order(n))
            await session.receive(timeout=5)
    dc = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiDC")
    dc.reports = nr.reports
    await dc.start()
    try:
        async with local(auth, dc).drop_copy() as session:
            await session.request_replay("2;0")
            got = []
            async for message in session.messages():
                got.append(message)
                if isinstance(message, EventResendComplete):
                    break
        assert [m.cl_ord_id for m in got[:-1]] == ["o2", "o3"]  # type: ignore[attr-defined]
        assert isinstance(got[-1], EventResendComplete)
        assert got[-1].resend_event_count == 2
        assert dc.logons[0].get(141) == "Y"  # DC does not retransmit: reset on logon
    finally:
        await dc.stop()


async def test_rfq_session_receives_quote_requests_and_sends_quotes(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey
) -> None:
    rfq = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiRFQ")
    await rfq.start()
    try:
        async with local(auth, rfq).rfq() as session:
            rfq.push(QuoteRequest(quote_req_id="rfq-1", no_related_sym=1, symbol="KXA", order_qty=Decimal("100")))
            request = decode_app_message(await session.receive(timeout=5))
            assert isinstance(request, QuoteRequest)
            assert request.order_qty == Decimal("100")
            await session.send(
                Quote(
                    quote_id="q-1",
                    quote_req_id=request.quote_req_id,
                    symbol="KXA",
                    bid_px=Decimal("0.42"),
                    offer_px=Decimal("0.47"),
                )
            )
            await wait_for(lambda: len(rfq.received) == 1)
        quote = decode_app_message(rfq.received[0])
        assert isinstance(quote, Quote)
        assert quote.bid_px == Decimal("0.42")
        assert b"\x01132=42\x01" in rfq.received[0].raw  # cents on the wire
    finally:
        await rfq.stop()


async def test_heartbeat_test_request_and_dead_peer_reconnect_over_tcp(auth: KalshiAuth, nr: FixAcceptor) -> None:
    from kalshi_fix._store import MemoryStore

    session = SessionProtocol(
        SessionConfig(auth.key_id, "KalshiNR", heartbeat_interval=1, sign=auth.sign), MemoryStore(keep_messages=False)
    )
    events: list[object] = []
    conn = FixConnection(session, "127.0.0.1", nr.port, tls=False, reconnect=FAST, on_event=events.append)
    await conn.open(timeout=5)
    try:
        # a Heartbeat goes out after 1 s of silence on our side
        await wait_for(lambda: "0" in nr.heartbeats_seen(), timeout=5)
        nr.go_silent()  # the gateway goes quiet: TestRequest at 1.2 s, dead at 2.2 s
        await wait_for(lambda: conn.connects == 2, timeout=6)
        await conn.wait_logged_on(timeout=5)
        reasons = [e.reason for e in events if isinstance(e, ConnectionStateChanged) and e.reason]
        assert any("TestRequest" in r for r in reasons)
    finally:
        await conn.close()


def _self_signed(tmp_path: Any) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh self-signed cert for 127.0.0.1, and a client context trusting it."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kalshi-fix test acceptor")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


async def test_tls_by_default_and_untrusted_certificates_are_refused(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey, tmp_path: Any
) -> None:
    server_ctx, client_ctx = _self_signed(tmp_path)
    acceptor = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiNR")
    await acceptor.start(ssl_context=server_ctx)
    try:
        trusting = FixClient(auth, host="127.0.0.1", port=acceptor.port, ssl_context=client_ctx, reconnect=FAST)
        async with trusting.order_entry() as session:
            await session.send(order(1))
            report = decode_app_message(await session.receive(timeout=5))
            assert isinstance(report, ExecutionReport)
        default = FixClient(auth, host="127.0.0.1", port=acceptor.port, reconnect=FAST)  # system CAs only
        with pytest.raises(FixConnectionError, match="certificate"):
            await default.order_entry().open(timeout=5)
        assert len(acceptor.logons) == 1  # nothing was sent over the untrusted connection
    finally:
        await acceptor.stop()


async def test_rt_opted_in_to_settlement_reports(auth: KalshiAuth, rt: FixAcceptor) -> None:
    got: list[Any] = []
    async with local(auth, rt).order_entry(retransmit=True, on_settlement=got.append):
        parties = [MarketSettlementParty(market_settlement_party_id="a", market_settlement_party_role=24)]
        rt.send_settlement("KXA", parties * 3, page_size=2, price=Decimal("0.25"))
        await wait_for(lambda: len(got) == 1)
    assert rt.logons[0].get(20127) == "Y"
    assert got[0].symbol == "KXA"
    assert len(got[0].parties) == 3


async def test_settlements_on_a_session_without_them_is_a_typed_error(auth: KalshiAuth, nr: FixAcceptor) -> None:
    async with local(auth, nr).order_entry() as session:
        with pytest.raises(FixSessionError, match="no settlement reports"):
            async for _ in session.settlements():
                pass


async def test_fresh_rt_session_starts_over(auth: KalshiAuth, rt: FixAcceptor, tmp_path: Any) -> None:
    async with local(auth, rt, store_dir=tmp_path).order_entry(retransmit=True) as session:
        await session.send(order(1))
        await session.receive(timeout=5)
    resumed = local(auth, rt, store_dir=tmp_path).order_entry(retransmit=True)
    async with resumed:
        pass
    assert rt.logons[-1].get(141) is None
    assert int(rt.logons[-1].get(34) or 0) > 1
    async with local(auth, rt, store_dir=tmp_path).order_entry(retransmit=True, fresh=True):
        pass
    assert rt.logons[-1].get(141) == "Y"
    assert rt.logons[-1].get(34) == "1"


@pytest.mark.parametrize("retransmit", [False, True])
async def test_send_right_after_a_drop_waits_for_the_relogon(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey, retransmit: bool
) -> None:
    acceptor = FixAcceptor(
        {auth.key_id: rsa_key.public_key()},
        target_comp_id="KalshiRT" if retransmit else "KalshiNR",
        retransmits=retransmit,
    )
    await acceptor.start()
    try:
        async with local(auth, acceptor).order_entry(retransmit=retransmit) as session:
            await session.send(order(1))
            await session.receive(timeout=5)
            session.connection.drop()  # our side of the socket dies
            await asyncio.sleep(0)  # the loss is noticed, the reconnect has not started yet
            assert not session.is_logged_on
            await session.send(order(2))  # waits for the relogon instead of failing
            frame = await session.receive(timeout=5)
            assert decode_app_message(frame).cl_ord_id == "o2"  # type: ignore[attr-defined]
            assert session.connection.connects == 2
        assert sorted(acceptor.orders) == ["o1", "o2"]
        assert acceptor.duplicates_rejected == 0
    finally:
        await acceptor.stop()


def test_every_session_type_has_a_factory_and_margin_only_its_own(auth: KalshiAuth) -> None:
    from kalshi_auth import FixSessionType

    factories = {
        FixSessionType.ORDER_ENTRY: lambda c: c.order_entry(),
        FixSessionType.ORDER_ENTRY_RETRANSMIT: lambda c: c.order_entry(retransmit=True),
        FixSessionType.DROP_COPY: lambda c: c.drop_copy(),
        FixSessionType.MARKET_DATA: lambda c: c.market_data(),
        FixSessionType.POST_TRADE: lambda c: c.post_trade(),
        FixSessionType.RFQ: lambda c: c.rfq(),
    }
    assert set(factories) == set(FixSessionType)
    prediction = FixClient(auth)
    margin = MarginFixClient(auth, heartbeat_interval=3)
    for kind, make in factories.items():
        session = make(prediction)
        assert session.session_type is kind
        assert session.protocol.config.target_comp_id == kind.target_comp_id
        # KalshiRT is the one session every version of docs.kalshi.com says retransmits
        assert session.protocol.config.retransmits == (kind is FixSessionType.ORDER_ENTRY_RETRANSMIT)
        margin_has_it = kind not in (FixSessionType.POST_TRADE, FixSessionType.RFQ)
        if margin_has_it:
            assert make(margin).connection.host.startswith("margin")
        else:
            with pytest.raises(KalshiConfigError):
                margin.endpoint(kind)


async def test_messages_skips_an_undecodable_frame_and_keeps_going(auth: KalshiAuth, nr: FixAcceptor) -> None:
    async with local(auth, nr).order_entry() as session:
        nr._active().send_body("ZZ", b"58=a message type nobody knows\x01")
        await session.send(order(1))
        async for message in session.messages():
            assert isinstance(message, ExecutionReport)
            break


async def test_resend_request_right_after_relogon_duplicates_nothing(auth: KalshiAuth, rt: FixAcceptor) -> None:
    async with local(auth, rt).order_entry(retransmit=True) as session:
        for n in (1, 2):
            await session.send(order(n))
            await session.receive(timeout=5)
        rt.faults.resend_request_on_logon = True
        rt.drop()
        await wait_for(lambda: session.connection.connects == 2 and session.is_logged_on)
        await session.send(order(3))
        await session.receive(timeout=5)
    assert [c for c, _ in rt.order_arrivals] == ["o1", "o2", "o3"]
    assert rt.duplicates_rejected == 0
    assert not rt.faults.resend_request_on_logon  # the fault fired


async def test_nr_garbled_report_is_dropped_and_the_gap_means_reconnect(auth: KalshiAuth, nr: FixAcceptor) -> None:
    from kalshi_fix._session import FrameDropped

    async with local(auth, nr).order_entry() as session:
        nr.faults.garble_next_report = True
        await session.send(order(1))
        await wait_for(lambda: any(isinstance(e, FrameDropped) for e in session.events))
        await session.send(order(2))  # its report shows the gap: NR cannot recover it in place
        await wait_for(lambda: session.connection.connects == 2 and session.is_logged_on)
        assert any(isinstance(e, GapDetected) and not e.recoverable for e in session.events)
        await session.send(order(3))
        frame = await session.receive(timeout=5)
        assert decode_app_message(frame).cl_ord_id == "o3"  # type: ignore[attr-defined]


def test_client_repr_names_no_secret(auth: KalshiAuth) -> None:
    text = repr(FixClient(auth, environment=FixEnvironment.DEMO, host="127.0.0.1", port=9878, tls=False))
    assert text.startswith("FixClient(auth=KalshiAuth(")
    assert "'demo'" in text
    assert "9878" in text
    assert auth.key_id not in text  # the key ID is masked by KalshiAuth
    assert "PRIVATE" not in text
