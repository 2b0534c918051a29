"""End to end: kalshi_fix's FixClient / MarginFixClient against the simulator's FIX acceptor.

Every session type logs on with a signed Logon; orders cross between FIX and REST on one engine; the
drop copy replays REST orders; an injected drop on RT loses and duplicates no ExecutionReport.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from kalshi_testing_fix_helpers import FED, TIMEOUT, messages, order, rest, rest_order, wait_for

from kalshi_auth import FixSessionType, KalshiAuth
from kalshi_fix import (
    FixFrame,
    FixLogonError,
    FixSessionError,
    FrameSplitter,
    LoggedOn,
    LogonRejected,
    decode_app_message,
)
from kalshi_fix.messages import (
    BusinessMessageReject,
    BusinessRejectReason,
    CxlRejResponseTo,
    EventResendComplete,
    EventResendReject,
    EventResendRejectReason,
    ExecInst,
    ExecType,
    ExecutionReport,
    OrderCancelReject,
    OrderCancelReplaceRequest,
    OrderCancelRequest,
    OrderGroupResponse,
    OrderMassCancelReport,
    OrdRejReason,
    OrdStatus,
    OrdType,
    Side,
    TimeInForce,
)
from kalshi_testing import KalshiExchange, SimulatedUser
from kalshi_testing.simulator.perps._spec import EASTERN


def _reports(frames: list[FixFrame]) -> list[ExecutionReport]:
    return messages(frames, ExecutionReport)


SESSIONS = [
    (False, FixSessionType.ORDER_ENTRY),
    (False, FixSessionType.ORDER_ENTRY_RETRANSMIT),
    (False, FixSessionType.DROP_COPY),
    (False, FixSessionType.MARKET_DATA),
    (False, FixSessionType.POST_TRADE),
    (False, FixSessionType.RFQ),
    (True, FixSessionType.ORDER_ENTRY),
    (True, FixSessionType.ORDER_ENTRY_RETRANSMIT),
    (True, FixSessionType.DROP_COPY),
    (True, FixSessionType.MARKET_DATA),
]


def open_session(client: Any, kind: FixSessionType, **kw: Any) -> Any:
    if kind is FixSessionType.ORDER_ENTRY:
        return client.order_entry(**kw)
    if kind is FixSessionType.ORDER_ENTRY_RETRANSMIT:
        return client.order_entry(retransmit=True, **kw)
    if kind is FixSessionType.DROP_COPY:
        return client.drop_copy(**kw)
    if kind is FixSessionType.MARKET_DATA:
        return client.market_data(**kw)
    if kind is FixSessionType.POST_TRADE:
        return client.post_trade(**kw)
    return client.rfq(**kw)


@pytest.mark.parametrize(
    ("margin", "kind"), SESSIONS, ids=[f"{'margin' if m else 'prediction'}-{k.name}" for m, k in SESSIONS]
)
async def test_every_session_logs_on_and_answers_as_kalshi(
    kalshi_exchange: KalshiExchange, margin: bool, kind: FixSessionType
) -> None:
    client = kalshi_exchange.fix_client(margin=margin)
    async with open_session(client, kind) as session:
        assert session.is_logged_on
        logon = next(e for e in session.events if isinstance(e, LoggedOn)).logon
        # docs.kalshi.com/fix: SenderCompID is "Kalshi when receiving"; market data examples show KalshiMD
        assert logon.get(49) == ("KalshiMD" if kind is FixSessionType.MARKET_DATA else "Kalshi")
        assert logon.get(56) == kalshi_exchange.user.key_id
    conn_key = (margin, kind, kalshi_exchange.user.key_id)
    await wait_for(lambda: conn_key not in kalshi_exchange.simulator.fix.active)


async def test_fix_order_rests_on_the_rest_order_list_and_on_the_websocket(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    received: list[FixFrame] = []
    async with ex.websocket().connect() as ws:
        orders = await ws.subscribe_user_orders()
        async with ex.fix_client().order_entry(on_message=received.append) as session:
            await session.send(order("fix-1"))
            await wait_for(lambda: len(received) >= 1)
            new = _reports(received)[0]
            assert (new.exec_type, new.ord_status, new.cl_ord_id) == (ExecType.NEW, OrdStatus.NEW, "fix-1")
            assert (new.price, new.order_qty, new.leaves_qty, new.cum_qty) == (Decimal("0.23"), 5, 5, 0)
            assert received[0].get(44) == "23"  # integer cents on a session without UseDollars
            listed = rest(ex, "GET", "/portfolio/orders")["orders"]
            mine = [o for o in listed if o["client_order_id"] == "fix-1"]
            assert len(mine) == 1
            assert mine[0]["order_id"] == new.order_id
            assert (mine[0]["status"], mine[0]["yes_price_dollars"], mine[0]["remaining_count_fp"]) == (
                "resting",
                "0.2300",
                "5.00",
            )
            update = await asyncio.wait_for(orders.__anext__(), TIMEOUT)
            assert update.msg.order_id == new.order_id
            assert update.msg.client_order_id == "fix-1"
            # a cancel over FIX takes it off the REST list too
            await session.send(
                OrderCancelRequest(cl_ord_id="fix-1-x", orig_cl_ord_id="fix-1", side=Side.BUY_YES, symbol=FED)
            )
            await wait_for(lambda: len(received) >= 2)
            cancelled = _reports(received)[1]
            assert (cancelled.exec_type, cancelled.cl_ord_id, cancelled.orig_cl_ord_id) == (
                ExecType.CANCELED,
                "fix-1-x",
                "fix-1",
            )
            assert rest(ex, "GET", f"/portfolio/orders/{new.order_id}")["order"]["status"] == "canceled"


async def test_fix_order_crossed_by_a_rest_order_fills_both_sides(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    bob = ex.create_user("bob", balance="1000.00")
    received: list[FixFrame] = []
    async with ex.fix_client(use_dollars=True).order_entry(retransmit=True, on_message=received.append) as session:
        await session.send(order("rests", price="0.23", qty="5"))
        await wait_for(lambda: len(received) >= 1)
        assert received[0].get(44) == "0.2300"  # UseDollars=Y
        rest_order(ex, bob, "ask", "0.23", "3", "bob-takes", time_in_force="immediate_or_cancel")
        await wait_for(lambda: len(received) >= 2)
        trade = _reports(received)[1]
        assert (trade.exec_type, trade.ord_status) == (ExecType.TRADE, OrdStatus.PARTIALLY_FILLED)
        assert (trade.last_px, trade.last_qty, trade.cum_qty, trade.leaves_qty) == (Decimal("0.23"), 3, 3, 2)
        assert trade.aggressor_indicator is False
        assert trade.long_qty == 3
        fills = rest(ex, "GET", "/portfolio/fills", bob)["fills"]
        assert [(f["trade_id"], f["count_fp"], f["is_taker"]) for f in fills] == [(trade.trd_match_id, "3.00", True)]
        positions = rest(ex, "GET", "/portfolio/positions")["market_positions"]
        assert [p["position_fp"] for p in positions if p["ticker"] == FED] == ["3.00"]


@pytest.mark.parametrize("new_before_trade", [None, True])
async def test_two_fix_users_cross_and_both_get_trade__reports(
    kalshi_exchange: KalshiExchange, new_before_trade: bool | None
) -> None:
    """The taker's New ack is folded into its Trade report unless it logged on with AlwaysEmitNewBeforeTrade
    (21026=Y; docs.kalshi.com/fix/changelog 1.0.22): a client that waits for 39=0 must ask for it."""
    ex = kalshi_exchange
    bob = ex.create_user("bob", balance="1000.00")
    a_frames: list[FixFrame] = []
    b_frames: list[FixFrame] = []
    async with (
        ex.fix_client().order_entry(on_message=a_frames.append) as alice,
        ex.fix_client(bob).order_entry(
            retransmit=True, on_message=b_frames.append, always_emit_new_before_trade=new_before_trade
        ) as taker,
    ):
        await alice.send(order("a1", Side.SELL_NO, price="0.23", qty="4"))
        await wait_for(lambda: len(a_frames) >= 1)
        await taker.send(order("b1", Side.BUY_YES, price="0.23", qty="4", time_in_force=TimeInForce.IOC))
        await wait_for(lambda: len(a_frames) >= 2 and any(r.exec_type == ExecType.TRADE for r in _reports(b_frames)))
        expected = [ExecType.NEW, ExecType.TRADE] if new_before_trade else [ExecType.TRADE]
        assert [r.exec_type for r in _reports(b_frames)] == expected
        assert [r.exec_type for r in _reports(a_frames)] == [ExecType.NEW, ExecType.TRADE]  # the maker rested first
        a_trade, b_trade = _reports(a_frames)[-1], _reports(b_frames)[-1]
        assert a_trade.exec_type == b_trade.exec_type == ExecType.TRADE
        assert a_trade.trd_match_id == b_trade.trd_match_id
        assert (a_trade.ord_status, b_trade.ord_status) == (OrdStatus.FILLED, OrdStatus.FILLED)
        assert (a_trade.aggressor_indicator, b_trade.aggressor_indicator) == (False, True)
        assert (a_trade.short_qty, b_trade.long_qty) == (4, 4)
        assert b_trade.misc_fees and b_trade.misc_fees[0].misc_fee_amt > 0  # the taker pays the fee


async def test_fix_ioc_filled_in_part_reports_new_trade_and_cancel(kalshi_exchange: KalshiExchange) -> None:
    """What the trader loses if this breaks: the order is booked and filled, and no report of it ever comes."""
    ex = kalshi_exchange
    bob = ex.create_user("bob", balance="1000.00")
    ex.simulator.call(lambda engine: engine.cancel_all("market-maker"))
    rest_order(ex, bob, "ask", "0.40", "2", "bob-rests")
    received: list[FixFrame] = []
    async with ex.fix_client().order_entry(
        retransmit=True, on_message=received.append, always_emit_new_before_trade=True
    ) as session:
        await session.send(order("ioc-1", Side.BUY_YES, price="0.40", qty="5", time_in_force=TimeInForce.IOC))
        await wait_for(lambda: len(_reports(received)) >= 3)
        reports = _reports(received)
        assert [(r.exec_type, r.ord_status) for r in reports] == [
            (ExecType.NEW, OrdStatus.NEW),
            (ExecType.TRADE, OrdStatus.PARTIALLY_FILLED),
            (ExecType.CANCELED, OrdStatus.CANCELED),
        ]
        assert (reports[1].last_qty, reports[2].cum_qty, reports[2].leaves_qty) == (2, 2, 0)
        assert session.connection.connects == 1  # the acceptor kept the connection


async def test_rest_order_is_replayed_on_drop_copy(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    made = rest_order(ex, ex.user, "bid", "0.23", "2", "rest-1")
    rest(ex, "DELETE", f"/portfolio/events/orders/{made['order_id']}")
    received: list[FixFrame] = []
    async with ex.fix_client().drop_copy(on_message=received.append) as dc:
        await dc.request_replay("1;1")
        await wait_for(lambda: any(f.msg_type == "U2" for f in received))
    messages = [decode_app_message(f) for f in received]
    replayed = [m for m in messages if isinstance(m, ExecutionReport)]
    assert [(r.cl_ord_id, r.exec_type) for r in replayed] == [("rest-1", ExecType.NEW), ("rest-1", ExecType.CANCELED)]
    assert all(r.order_id == made["order_id"] for r in replayed)
    complete = messages[-1]
    assert isinstance(complete, EventResendComplete)
    assert complete.resend_event_count == 2
    # from the second report on only
    received.clear()
    async with ex.fix_client().drop_copy(on_message=received.append) as dc:
        await dc.request_replay(replayed[1].exec_id)
        await wait_for(lambda: any(f.msg_type == "U2" for f in received))
    assert [r.exec_type for r in _reports(received)] == [ExecType.CANCELED]


@pytest.mark.parametrize("before_processing", [False, True], ids=["answer-lost", "order-lost"])
async def test_rt_drop_loses_and_duplicates_no_execution_report(
    kalshi_exchange: KalshiExchange, before_processing: bool
) -> None:
    ex = kalshi_exchange
    received: list[FixFrame] = []
    async with ex.fix_client().order_entry(retransmit=True, on_message=received.append) as session:
        await session.send(order("rt-1", price="0.20"))
        await wait_for(lambda: len(received) >= 1)
        ex.simulator.fix.faults.drop("KalshiRT", before_processing=before_processing)
        await session.send(order("rt-2", price="0.19"))
        await wait_for(lambda: "drop_after:KalshiRT" in ex.simulator.fix.faults.fired or before_processing)
        await session.send(order("rt-3", price="0.18"))
        await wait_for(lambda: len(received) >= 3)
        await asyncio.sleep(0.3)  # a duplicate would arrive by now
        assert session.protocol.store.next_target_seq > 1
    got = _reports(received)
    assert sorted(r.cl_ord_id for r in got) == ["rt-1", "rt-2", "rt-3"]
    assert all(r.exec_type == ExecType.NEW for r in got)
    assert len({r.exec_id for r in got}) == 3
    fired = ex.simulator.fix.faults.fired
    assert fired == [f"{'drop_before' if before_processing else 'drop_after'}:KalshiRT"]
    if not before_processing:
        assert [f.poss_dup_flag for f in received if decode_app_message(f).cl_ord_id == "rt-2"] == [True]  # type: ignore[attr-defined]
    listed = rest(ex, "GET", "/portfolio/orders")["orders"]
    assert sorted(o["client_order_id"] for o in listed if o["client_order_id"].startswith("rt-")) == [
        "rt-1",
        "rt-2",
        "rt-3",
    ]


async def test_logon_with_an_unknown_or_wrong_key_gets_a_logout(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    stranger = KalshiAuth(
        "8e9f1c1e-2222-4c34-9a55-7e6f5a4b3c2d", rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    with pytest.raises(FixLogonError, match="unknown API key"):
        async with ex.fix_client(SimulatedUser("x", stranger.key_id, stranger, b"")).order_entry():
            pass
    forged = KalshiAuth(ex.user.key_id, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with pytest.raises(FixLogonError, match="invalid signature"):
        async with ex.fix_client(SimulatedUser("x", forged.key_id, forged, b"")).drop_copy():
            pass
    ex.simulator.fix.faults.reject_logon("KalshiMD", "market data is down")
    with pytest.raises(FixLogonError, match="market data is down"):
        async with ex.fix_client().market_data():
            pass
    async with ex.fix_client().market_data() as md:  # one-shot: the next logon works
        assert md.is_logged_on


async def test_replace_over_fix_moves_the_order_on_the_rest_list(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    received: list[FixFrame] = []
    async with ex.fix_client().order_entry(on_message=received.append) as session:
        await session.send(order("amend-1", qty="5"))
        await wait_for(lambda: len(received) >= 1)
        await session.send(
            OrderCancelReplaceRequest(
                cl_ord_id="amend-2",
                orig_cl_ord_id="amend-1",
                side=Side.BUY_YES,
                symbol=FED,
                order_qty=Decimal("8"),
                price=Decimal("0.21"),
                ord_type=OrdType.LIMIT,
            )
        )
        await wait_for(lambda: len(received) >= 2)
    replaced = _reports(received)[1]
    assert (replaced.exec_type, replaced.cl_ord_id, replaced.orig_cl_ord_id) == (
        ExecType.REPLACED,
        "amend-2",
        "amend-1",
    )
    assert (replaced.price, replaced.order_qty, replaced.leaves_qty) == (Decimal("0.21"), 8, 8)
    listed = rest(ex, "GET", f"/portfolio/orders/{replaced.order_id}")["order"]
    assert (listed["yes_price_dollars"], listed["remaining_count_fp"], listed["client_order_id"]) == (
        "0.2100",
        "8.00",
        "amend-2",
    )


async def test_replace_amends_expiry_by_kalshis_conventions_and_keeps_the_queue_place(
    kalshi_exchange: KalshiExchange,
) -> None:
    """docs.kalshi.com/fix/order-entry: 59=6 with 126 sets an expiry, 59=1 removes one, neither keeps it,
    126 without GTD is refused; an expiry-only amendment keeps the order's place in the queue."""
    ex = kalshi_exchange
    later = dt.datetime.fromtimestamp(time.time() + 3600, tz=dt.UTC)
    received: list[FixFrame] = []

    def replace(cl: str, orig: str, **kw: Any) -> OrderCancelReplaceRequest:
        return OrderCancelReplaceRequest(
            cl_ord_id=cl, orig_cl_ord_id=orig, side=Side.BUY_YES, symbol=FED, order_qty=Decimal(5), **kw
        )

    async with ex.fix_client().order_entry(on_message=received.append) as session:
        await session.send(order("day", price="0.21", time_in_force=TimeInForce.DAY))
        await session.send(order("gtc", price="0.21"))
        await session.send(order("gtd", price="0.21", time_in_force=TimeInForce.GTD, expire_time=later))
        await wait_for(lambda: len(_reports(received)) >= 3)
        day = rest(ex, "GET", f"/portfolio/orders/{_reports(received)[0].order_id}")["order"]["expiration_time"]
        ends = dt.datetime.fromisoformat(day).astimezone(EASTERN)  # 11:59:59pm of today in New York
        assert (ends.date(), ends.time()) == (dt.datetime.now(EASTERN).date(), dt.time(23, 59, 59))
        await session.send(replace("bad", "gtc", expire_time=later))  # 126 alone
        soon = dt.datetime.fromtimestamp(int(time.time()) + 2, tz=dt.UTC)  # whole seconds: the engine's unit
        await session.send(replace("gtc-2", "gtc", time_in_force=TimeInForce.GTD, expire_time=soon))
        await session.send(replace("gtd-2", "gtd", time_in_force=TimeInForce.GTC))
        await session.send(replace("gtd-3", "gtd-2"))  # neither: keeps "no expiry"
        await wait_for(lambda: len(_reports(received)) >= 6 and bool(messages(received, OrderCancelReject)))
        refused = messages(received, OrderCancelReject)[0]
        assert (refused.cl_ord_id, refused.cxl_rej_response_to) == (
            "bad",
            CxlRejResponseTo.ORDER_CANCEL_REPLACE_REQUEST,
        )
        replaced = {r.cl_ord_id: r for r in _reports(received) if r.exec_type == ExecType.REPLACED}
        assert (replaced["gtc-2"].time_in_force, replaced["gtc-2"].expire_time) == (
            TimeInForce.GTD,
            soon.replace(microsecond=0),
        )
        assert (replaced["gtd-2"].time_in_force, replaced["gtd-2"].expire_time) == (TimeInForce.GTC, None)
        assert (replaced["gtd-3"].time_in_force, replaced["gtd-3"].expire_time) == (TimeInForce.GTC, None)
        # the first order is still first at 0.21: an expiry-only amendment keeps FIFO position
        first, second = replaced["gtc-2"].order_id, replaced["gtd-3"].order_id
        ahead = ex.simulator.call(lambda e: [e.markets[FED].book.queue_ahead(o) for o in (first, second)])
        assert ahead[1] == ahead[0] + 5
        await asyncio.sleep(max(0.0, soon.timestamp() + 1.1 - time.time()))  # past it, by the engine's clock
        assert ex.simulator.call(lambda e: e.expire_orders()) == 1  # the amended GTC order; not the ex-GTD one
        await wait_for(lambda: any(r.ord_status in (OrdStatus.CANCELED, OrdStatus.EXPIRED) for r in _reports(received)))
    gone = [r for r in _reports(received) if r.ord_status in (OrdStatus.CANCELED, OrdStatus.EXPIRED)]
    assert [r.cl_ord_id for r in gone] == ["gtc-2"]


async def test_reduce_only_and_a_quote_acceptance_by_new_order_single(kalshi_exchange: KalshiExchange) -> None:
    """18=E (reduce only) reaches the engine: flat, an IOC buy through the offer fills nothing. A NewOrderSingle
    naming a QuoteId (117) is refused by the simulator, never placed as a plain order."""
    ex = kalshi_exchange
    received: list[FixFrame] = []
    async with ex.fix_client().order_entry(on_message=received.append) as session:
        await session.send(order("reduce", price="0.30", time_in_force=TimeInForce.IOC, exec_inst=ExecInst.REDUCE_ONLY))
        await session.send(order("by-quote", quote_id="quote-789", rfq_id="server-rfq-456"))
        await wait_for(
            lambda: {r.cl_ord_id for r in _reports(received) if r.exec_type != ExecType.NEW} >= {"reduce", "by-quote"}
        )
    final = {r.cl_ord_id: r for r in _reports(received) if r.exec_type != ExecType.NEW}
    assert (final["reduce"].ord_status, final["reduce"].cum_qty) == (OrdStatus.CANCELED, 0)
    assert (final["by-quote"].ord_status, final["by-quote"].ord_rej_reason) == (
        OrdStatus.REJECTED,
        OrdRejReason.UNSUPPORTED_ORDER_CHARACTERISTIC,
    )
    listed = rest(ex, "GET", "/portfolio/orders")["orders"]
    assert "by-quote" not in {o.get("client_order_id") for o in listed}


async def test_listener_session_sees_rest_orders_and_cancel_on_disconnect_cancels(
    kalshi_exchange: KalshiExchange,
) -> None:
    ex = kalshi_exchange
    heard: list[FixFrame] = []
    async with ex.fix_client().order_entry(retransmit=True, listener=True, on_message=heard.append):
        async with ex.fix_client().order_entry(cancel_orders_on_disconnect=True) as session:
            await session.send(order("cod-1"))
            await wait_for(lambda: len(heard) >= 1)  # the listener hears the FIX order too
        rest_order(ex, ex.user, "bid", "0.21", "1", "rest-heard")
        await wait_for(lambda: len(heard) >= 3)
    got = [(r.cl_ord_id, r.exec_type) for r in _reports(heard)]
    assert got == [("cod-1", ExecType.NEW), ("cod-1", ExecType.CANCELED), ("rest-heard", ExecType.NEW)]
    statuses = {o["client_order_id"]: o["status"] for o in rest(ex, "GET", "/portfolio/orders")["orders"]}
    assert statuses["cod-1"] == "canceled"
    assert statuses["rest-heard"] == "resting"


async def raw_logon(ex: KalshiExchange, kind: FixSessionType, **config: Any) -> tuple[list[Any], list[FixFrame]]:
    """Log on with a bare initiator `SessionProtocol` (any HeartBtInt, any reset flag); return events and frames."""
    from kalshi_fix import MemoryStore, SessionConfig, SessionProtocol, parse_frame

    ep = ex.simulator.fix_endpoint(kind)
    config = {"heartbeat_interval": 30, "sign": ex.user.auth.sign} | config
    session = SessionProtocol(
        SessionConfig(sender_comp_id=ex.user.key_id, target_comp_id=ep.target_comp_id, **config), MemoryStore()
    )
    reader, writer = await asyncio.open_connection(ep.host, ep.port)
    events: list[Any] = []
    frames: list[FixFrame] = []
    try:
        session.connect(time.time())
        writer.write(b"".join(session.data_to_send()))
        data = await asyncio.wait_for(reader.read(65536), TIMEOUT)
        frames = [parse_frame(raw) for raw in FrameSplitter().feed(data)]
        events = session.receive(data, time.time())
    finally:
        writer.close()
    return events, frames


@pytest.mark.parametrize(
    ("kind", "config", "text"),
    [
        (FixSessionType.ORDER_ENTRY, {"heartbeat_interval": 3}, "HeartBtInt (108) must be at least 4"),
        (FixSessionType.ORDER_ENTRY, {"reset_on_logon": False}, "requires ResetSeqNumFlag=Y"),
        (FixSessionType.POST_TRADE, {"reset_on_logon": False}, "requires ResetSeqNumFlag=Y"),
        (FixSessionType.MARKET_DATA, {"sign": None}, "invalid signature"),
    ],
    ids=["heartbeat", "no-reset-on-NR", "no-reset-on-PT", "unsigned"],
)
async def test_a_refused_logon_is_answered_with_a_logout_from_kalshi(
    kalshi_exchange: KalshiExchange, kind: FixSessionType, config: dict[str, Any], text: str
) -> None:
    events, frames = await raw_logon(kalshi_exchange, kind, **config)
    [logout] = frames
    assert logout.msg_type == "5"
    assert text in (logout.get(58) or "")
    assert logout.get(49) == ("KalshiMD" if kind is FixSessionType.MARKET_DATA else "Kalshi")
    assert logout.get(56) == kalshi_exchange.user.key_id
    assert any(isinstance(e, LogonRejected) for e in events)


async def test_drop_copy_rejects_a_range_past_the_latest_report(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    rest_order(ex, ex.user, "bid", "0.21", "1", "dc-range")
    received: list[FixFrame] = []
    async with ex.fix_client().drop_copy(on_message=received.append) as dc:
        await dc.request_replay("1;1", "999999;1")
        await wait_for(lambda: bool(received))
    [reject] = messages(received, EventResendReject)
    assert reject.event_resend_reject_reason == EventResendRejectReason.END_EXECID_TOO_LARGE


async def test_order_groups_and_mass_cancel_over_fix_act_on_the_engine(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    received: list[FixFrame] = []
    async with ex.fix_client().order_entry(on_message=received.append) as session:
        await session.create_order_group(5)
        await wait_for(lambda: bool(messages(received, OrderGroupResponse)))
        group = messages(received, OrderGroupResponse)[0]
        listed = rest(ex, "GET", "/portfolio/order_groups")["order_groups"]
        assert [(g["id"], g["contracts_limit_fp"]) for g in listed] == [(group.order_group_id, "5.00")]
        await session.send(order("grouped", order_group_id=group.order_group_id))
        await session.send(order("plain", price="0.21"))
        await wait_for(lambda: len(_reports(received)) >= 2)
        assert rest(ex, "GET", f"/portfolio/order_groups/{group.order_group_id}")["orders"] == [
            _reports(received)[0].order_id
        ]
        await session.cancel_all("mass-1")
        await wait_for(lambda: bool(messages(received, OrderMassCancelReport)))
        await wait_for(lambda: len(_reports(received)) >= 4)
    cancelled = {r.cl_ord_id for r in _reports(received) if r.exec_type == ExecType.CANCELED}
    assert cancelled == {"grouped", "plain"}
    statuses = {o["client_order_id"]: o["status"] for o in rest(ex, "GET", "/portfolio/orders")["orders"]}
    assert (statuses["grouped"], statuses["plain"]) == ("canceled", "canceled")


async def test_a_session_refuses_messages_it_does_not_take(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    dc_frames: list[FixFrame] = []
    async with ex.fix_client().drop_copy(on_message=dc_frames.append) as dc:
        await dc.send(order("wrong-session"))
        await wait_for(lambda: bool(dc_frames))
    [reject] = messages(dc_frames, BusinessMessageReject)
    assert (reject.ref_msg_type, reject.business_reject_reason) == ("D", BusinessRejectReason.UNSUPPORTED_MESSAGE_TYPE)
    heard: list[FixFrame] = []
    async with ex.fix_client().order_entry(listener=True, on_message=heard.append) as listener:
        with pytest.raises(FixSessionError):  # our client refuses it before it leaves ...
            await listener.send(order("from-a-listener"))
        # ... and the gateway rejects it from a client that does not
        await listener.connection.send("D", order("from-a-listener").encode_body(), timeout=TIMEOUT)
        await wait_for(lambda: bool(heard))
    [reject] = messages(heard, BusinessMessageReject)
    assert reject.business_reject_reason == BusinessRejectReason.NOT_AUTHORIZED
    listed = rest(ex, "GET", "/portfolio/orders")["orders"]
    assert not [o for o in listed if o["client_order_id"] in ("wrong-session", "from-a-listener")]
