"""The simulator's FIX market data, post trade, RFQ, margin sessions and wire faults, through kalshi_fix clients."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import httpx
from kalshi_testing_fix_helpers import API, FED, PERP, messages, order, rest, rest_order, wait_for

from kalshi_fix import FixFrame, GapDetected, OrderBook, SettlementReport
from kalshi_fix.messages import (
    AcceptQuote,
    AcceptQuoteStatus,
    AcceptQuoteStatusValue,
    ExecType,
    ExecutionReport,
    OrdStatus,
    Quote,
    QuoteConfirm,
    QuoteRequest,
    QuoteRequestAck,
    QuoteStatus,
    QuoteStatusReport,
    SecurityTradingStatus,
    Side,
)
from kalshi_testing import KalshiExchange, SimulatedUser
from kalshi_testing.simulator import BookSide


async def test_market_data_snapshot_and_incrementals_follow_the_engine_book(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    frames: list[FixFrame] = []
    books: list[OrderBook] = []
    async with ex.fix_client().market_data(on_message=frames.append, on_book=books.append) as md:
        await md.subscribe(FED)
        await wait_for(lambda: md.book(FED).ready)
        engine_bids, engine_offers = ex.simulator.call(
            lambda e: (e.markets[FED].book.levels(BookSide.BID), e.markets[FED].book.levels(BookSide.ASK))
        )
        book = md.book(FED)
        assert sorted(book.bids.items(), reverse=True) == engine_bids
        assert sorted(book.offers.items()) == engine_offers
        assert book.best_bid() == (Decimal("0.22"), Decimal("240"))
        snapshot = next(f for f in frames if f.msg_type == "W")
        assert snapshot.fields["270"].startswith("0.")  # MDEntryPx in dollars on a cents session
        assert snapshot.get(49) == "KalshiMD"
        rest_order(ex, ex.user, "bid", "0.23", "7", "md-1")
        await wait_for(lambda: book.best_bid() == (Decimal("0.23"), Decimal("7")))
        rest_order(ex, ex.user, "ask", "0.23", "7", "md-2")  # self-cross: taker_at_cross cancels the taker
        other = ex.create_user("md-other", balance="1000.00")
        rest_order(ex, other, "ask", "0.23", "7", "md-3")  # trades the 0.23 bid away
        await wait_for(lambda: book.best_bid() == (Decimal("0.22"), Decimal("240")))
        assert any(f.msg_type == "X" for f in frames)
        await md.request_status(FED)
        await wait_for(lambda: FED in md.statuses)
        assert md.statuses[FED] == SecurityTradingStatus.RESUME
        ex.simulator.call(lambda e: e.close_market(FED))
        await wait_for(lambda: md.statuses[FED] == SecurityTradingStatus.TRADING_HALT)
        assert not book.bids and not book.offers  # closing cancelled every resting order


async def test_post_trade_reports_a_settlement_with_every_holder_of_the_market(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    bob = ex.create_user("pt-bob", balance="1000.00")
    rest_order(ex, bob, "ask", "0.23", "4", "pt-ask")
    rest_order(ex, ex.user, "bid", "0.23", "4", "pt-bid")
    reports: list[SettlementReport] = []
    bob_reports: list[SettlementReport] = []
    async with (
        ex.fix_client().post_trade(on_settlement=reports.append),
        ex.fix_client(bob).post_trade(on_settlement=bob_reports.append),
    ):
        ex.simulator.call(lambda e: e.settle_market(FED, "yes"))
        await wait_for(lambda: bool(reports) and bool(bob_reports))
    report = reports[0]
    assert (report.symbol, report.market_result, report.settlement_price) == (FED, "yes", Decimal("1.00"))
    [party] = report.parties
    assert (party.long_qty, party.short_qty) == (Decimal("4"), Decimal("0"))
    assert party.collateral_amount_changes and party.collateral_amount_changes[0].collateral_amount_change == 4
    [bob_party] = bob_reports[0].parties
    assert (bob_party.long_qty, bob_party.short_qty) == (Decimal("0"), Decimal("4"))
    assert bob_party.collateral_amount_changes and bob_party.collateral_amount_changes[0].collateral_amount_change == 0


async def test_nr_opted_in_to_settlements_gets_them_while_logged_on(kalshi_exchange: KalshiExchange) -> None:
    """docs.kalshi.com/fix/market-settlement: KalshiNR with ReceiveSettlementReports=Y gets reports too."""
    ex = kalshi_exchange
    rest_order(ex, ex.create_user("nr-maker"), "ask", "0.23", "3", "nr-ask")
    rest_order(ex, ex.user, "bid", "0.23", "3", "nr-bid")
    reports: list[SettlementReport] = []
    async with ex.fix_client().order_entry(on_settlement=reports.append):
        ex.simulator.call(lambda e: e.settle_market(FED, "yes"))
        await wait_for(lambda: bool(reports))
    assert (reports[0].symbol, reports[0].market_result, reports[0].parties[0].long_qty) == (FED, "yes", 3)


async def test_rt_opted_in_to_settlements_gets_a_report_made_while_away(
    kalshi_exchange: KalshiExchange, tmp_path: Path
) -> None:
    ex = kalshi_exchange
    client = ex.fix_client(store_dir=tmp_path)  # the client keeps its RT sequence numbers, so no reset
    async with client.order_entry(retransmit=True, receive_settlement_reports=True):
        pass  # the acceptor now keeps this key's RT messages, settlement reports included
    rest_order(ex, ex.create_user("pt-maker"), "ask", "0.23", "2", "away-ask")
    rest_order(ex, ex.user, "bid", "0.23", "2", "away-bid")
    ex.simulator.call(lambda e: e.settle_market(FED, "no"))
    reports: list[SettlementReport] = []
    async with client.order_entry(retransmit=True, on_settlement=reports.append) as rt:
        await wait_for(lambda: bool(reports))
        assert any(isinstance(e, GapDetected) for e in rt.events)  # recovered by resend
    assert (reports[0].symbol, reports[0].market_result) == (FED, "no")
    assert reports[0].parties[0].long_qty == 2


async def test_rfq_create_quote_accept_confirm_trades_on_the_engine(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    maker = ex.create_user("rfq-maker", balance="1000.00")
    creator_frames: list[FixFrame] = []
    maker_frames: list[FixFrame] = []
    async with (
        ex.fix_client(maker).rfq(on_message=maker_frames.append) as mm,
        ex.fix_client().order_entry(retransmit=True, on_message=creator_frames.append) as rt,
    ):
        await rt.send(QuoteRequest(quote_req_id="my-rfq", no_related_sym=1, symbol=FED, order_qty=Decimal("6")))
        await wait_for(lambda: bool(messages(maker_frames, QuoteRequest)))
        ack = messages(creator_frames, QuoteRequestAck)[0]
        broadcast = messages(maker_frames, QuoteRequest)[0]
        assert broadcast.quote_req_id == ack.rfq_id
        assert (broadcast.symbol, broadcast.order_qty) == (FED, Decimal("6"))
        await mm.send(
            Quote(
                quote_id="q1",
                quote_req_id=broadcast.quote_req_id,
                symbol=FED,
                bid_px=Decimal("0.20"),
                offer_px=Decimal("0.77"),
            )
        )
        await wait_for(lambda: bool(messages(creator_frames, Quote)))
        quote = messages(creator_frames, Quote)[0]
        assert (quote.quote_req_id, quote.bid_px, quote.offer_px) == ("my-rfq", Decimal("0.20"), Decimal("0.77"))
        # on the wire as docs.kalshi.com/fix/rfq-messages shows it: the maker quoted in cents (RFQ session
        # without UseDollars), the creator's notification is in dollars
        notification = next(f for f in creator_frames if f.msg_type == "S")
        assert (notification.fields["132"], notification.fields["133"]) == ("0.20", "0.77")
        # An RfqId naming another RFQ is refused and leaves the quote open (docs: "the quote must belong to it")
        await rt.send(AcceptQuote(quote_id="q1", rfq_id="other-rfq", side=Side.BUY_YES, cl_ord_id="wrong"))
        await wait_for(lambda: bool(messages(creator_frames, AcceptQuoteStatus)))
        refused = messages(creator_frames, AcceptQuoteStatus)[0]
        assert (refused.cl_ord_id, refused.accept_quote_status) == ("wrong", AcceptQuoteStatusValue.REJECTED)
        # Side 1 (buy YES) takes the maker's NO bid of 0.77: a YES price of 0.23 (inside the 0.22/0.24 book)
        await rt.send(
            AcceptQuote(
                quote_id="q1", rfq_id=ack.rfq_id, side=Side.BUY_YES, order_qty=Decimal("6"), cl_ord_id="take-q1"
            )
        )
        await wait_for(
            lambda: any(r.quote_status == QuoteStatus.ACCEPTED for r in messages(maker_frames, QuoteStatusReport))
        )
        await mm.send(QuoteConfirm(quote_id="q1", rfq_id=broadcast.quote_req_id))
        await wait_for(lambda: any(r.exec_type == ExecType.TRADE for r in messages(creator_frames, ExecutionReport)))
    trade = next(r for r in messages(creator_frames, ExecutionReport) if r.exec_type == ExecType.TRADE)
    assert (trade.cl_ord_id, trade.last_px, trade.last_qty) == ("take-q1", Decimal("0.23"), Decimal("6"))
    path = API + "/portfolio/positions"
    headers = maker.auth.headers("GET", path)
    r = await asyncio.to_thread(httpx.get, ex.simulator.base_url + path, headers=headers, timeout=10)
    held = {p["ticker"]: p["position_fp"] for p in r.json()["market_positions"]}
    assert held[FED] == "-6.00"  # the maker sold YES (bought NO)


def _fund_margin(ex: KalshiExchange, *users: SimulatedUser) -> None:
    from kalshi_testing.simulator.perps import perps_surface

    engine = perps_surface(ex.simulator).engine
    for user in users:
        ex.simulator.call(lambda _, u=user: engine.deposit(u.user_id, Decimal(1_000_000)))


async def test_margin_fix_trades_on_the_perps_engine_in_dollars(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    bob = ex.create_user("perps-bob")
    _fund_margin(ex, ex.user, bob)
    frames: list[FixFrame] = []
    async with ex.fix_client(margin=True).order_entry(on_message=frames.append) as session:
        await session.send(order("m1", price="96999.50", qty="2", symbol=PERP))
        await wait_for(lambda: bool(frames))
        assert frames[0].get(44) == "96999.5000"  # margin prices are dollars, always
        listed = await asyncio.to_thread(rest, ex, "GET", "/margin/orders")
        assert [(o["client_order_id"], o["ticker"]) for o in listed["orders"]] == [("m1", PERP)]
        body = {
            "ticker": PERP,
            "side": "ask",
            "price": "96999.50",
            "count": "2",
            "client_order_id": "bob-perp",
            "time_in_force": "immediate_or_cancel",
            "self_trade_prevention_type": "taker_at_cross",
        }
        await asyncio.to_thread(rest, ex, "POST", "/margin/orders", bob, **body)
        await wait_for(lambda: len(frames) >= 2)
    trade = messages(frames, ExecutionReport)[1]
    assert (trade.exec_type, trade.ord_status, trade.last_px, trade.last_qty) == (
        ExecType.TRADE,
        OrdStatus.FILLED,
        Decimal("96999.5"),
        Decimal("2"),
    )
    assert trade.long_qty == 2
    prediction_dc: list[FixFrame] = []
    async with ex.fix_client().drop_copy(on_message=prediction_dc.append) as dc:
        await dc.request_replay("1;1")
        await wait_for(lambda: any(f.msg_type == "U2" for f in prediction_dc))
    assert messages(prediction_dc, ExecutionReport) == []  # perps orders stay on the margin drop copy
    margin_dc: list[FixFrame] = []
    async with ex.fix_client(margin=True).drop_copy(on_message=margin_dc.append) as dc:
        await dc.request_replay("1;1")
        await wait_for(lambda: any(f.msg_type == "U2" for f in margin_dc))
    assert [(r.cl_ord_id, r.exec_type) for r in messages(margin_dc, ExecutionReport)] == [
        ("m1", ExecType.NEW),
        ("m1", ExecType.TRADE),
    ]


async def test_margin_market_data_is_the_perps_book(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    _fund_margin(ex, ex.user)
    async with ex.fix_client(margin=True).market_data() as md:
        await md.subscribe(PERP)
        await wait_for(lambda: md.book(PERP).ready)
        book = md.book(PERP)
        assert book.best_bid() == (Decimal("96999"), Decimal("5"))  # the perps maker's quotes
        assert book.best_offer() == (Decimal("97001"), Decimal("5"))
        body = {
            "ticker": PERP,
            "side": "bid",
            "price": "97000.00",
            "count": "3",
            "client_order_id": "perp-md",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "taker_at_cross",
        }
        await asyncio.to_thread(rest, ex, "POST", "/margin/orders", **body)
        await wait_for(lambda: book.best_bid() == (Decimal("97000"), Decimal("3")))


async def test_garbled_and_gapped_reports_are_recovered_once_on_rt(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    faults = ex.simulator.fix.faults
    frames: list[FixFrame] = []
    async with ex.fix_client().order_entry(retransmit=True, on_message=frames.append) as session:
        faults.garble("KalshiRT")
        await session.send(order("g1", price="0.20"))
        faults.gap("KalshiRT", skip=2)
        await session.send(order("g2", price="0.19"))
        await wait_for(lambda: len(frames) >= 2)
        await asyncio.sleep(0.3)
        assert any(isinstance(e, GapDetected) for e in session.events)
    assert sorted(r.cl_ord_id for r in messages(frames, ExecutionReport)) == ["g1", "g2"]
    assert sorted(faults.fired) == ["gap:KalshiRT", "garble:KalshiRT"]  # both fired, in either order


async def test_resend_request_after_logon_is_answered_by_the_client(
    kalshi_exchange: KalshiExchange, tmp_path: Path
) -> None:
    ex = kalshi_exchange
    client = ex.fix_client(store_dir=tmp_path)
    async with client.order_entry(retransmit=True) as session:
        await session.send(order("r1", price="0.20"))
    ex.simulator.fix.faults.resend_request("KalshiRT")
    orders_before = ex.simulator.call(lambda e: len(e.orders))
    async with client.order_entry(retransmit=True) as session:
        await wait_for(lambda: "resend_request:KalshiRT" in ex.simulator.fix.faults.fired)
        await asyncio.sleep(0.3)
        assert session.is_logged_on
    assert ex.simulator.call(lambda e: len(e.orders)) == orders_before  # the resent order was not booked again


async def test_silent_market_data_gateway_makes_the_client_reconnect(kalshi_exchange: KalshiExchange) -> None:
    ex = kalshi_exchange
    async with ex.fix_client(margin=True, heartbeat_interval=3).market_data() as md:
        await md.subscribe(PERP)
        await wait_for(lambda: md.book(PERP).ready)
        ex.simulator.fix.faults.silence("KalshiMD")
        await wait_for(lambda: md.connection.connects >= 2 and md.book(PERP).ready, timeout=20)
    assert "silence:KalshiMD" in ex.simulator.fix.faults.fired


async def test_rt_numbering_survives_a_simulator_restart_with_fix_store_dir(tmp_path: Path) -> None:
    from kalshi_fix import FixClient, ReconnectPolicy
    from kalshi_testing import KalshiExchangeSimulator

    fast = ReconnectPolicy(base_delay=0.01, max_delay=0.05, max_attempts=5)
    first = KalshiExchangeSimulator(fix_store_dir=tmp_path / "acceptor")
    await asyncio.to_thread(first.start)
    try:
        alice = await asyncio.to_thread(first.create_user, "alice")
        before: list[FixFrame] = []
        client = FixClient(
            alice.auth, environment=first.fix_environment(), store_dir=tmp_path / "client", reconnect=fast
        )
        async with client.order_entry(retransmit=True, on_message=before.append) as session:
            await session.send(order("before-restart", price="0.20"))
            await wait_for(lambda: bool(before))
    finally:
        await asyncio.to_thread(first.stop)
    second = KalshiExchangeSimulator(fix_store_dir=tmp_path / "acceptor")
    await asyncio.to_thread(second.start)
    try:
        await asyncio.to_thread(second.register_key, "alice", alice.auth.public_key_pem, alice.key_id)
        await asyncio.to_thread(second.call, lambda e: e.add_user("alice", Decimal("1000")))
        after: list[FixFrame] = []
        client = FixClient(
            alice.auth, environment=second.fix_environment(), store_dir=tmp_path / "client", reconnect=fast
        )
        async with client.order_entry(retransmit=True, on_message=after.append) as session:
            await session.send(order("after-restart", price="0.20"))
            await wait_for(lambda: bool(after))
            assert not any(isinstance(e, GapDetected) for e in session.events)
    finally:
        await asyncio.to_thread(second.stop)
    # no reset: the acceptor resumed its numbering from its journal, and so did the client
    assert after[0].msg_seq_num > before[0].msg_seq_num
    assert messages(after, ExecutionReport)[0].cl_ord_id == "after-restart"


async def test_drop_copy_looks_back_three_hours() -> None:
    import time

    from kalshi_fix.messages import EventResendReject, EventResendRejectReason
    from kalshi_testing import KalshiExchangeSimulator

    now = [int(time.time() * 1000)]
    sim = KalshiExchangeSimulator(clock=lambda: now[0])
    await asyncio.to_thread(sim.start)
    try:
        ex = KalshiExchange(sim, await asyncio.to_thread(sim.create_user, "lookback"))
        await asyncio.to_thread(rest_order, ex, ex.user, "bid", "0.21", "1", "old")
        now[0] += 3 * 3600 * 1000 + 1000
        await asyncio.to_thread(rest_order, ex, ex.user, "bid", "0.21", "1", "recent")
        frames: list[FixFrame] = []
        async with ex.fix_client().drop_copy(on_message=frames.append) as dc:
            await dc.request_replay("1;1")
            await wait_for(lambda: bool(frames))
            [reject] = messages(frames, EventResendReject)
            assert reject.event_resend_reject_reason == EventResendRejectReason.BEGIN_EXECID_TOO_SMALL
            frames.clear()
            await dc.request_replay("2;1")
            await wait_for(lambda: any(f.msg_type == "U2" for f in frames))
        assert [r.cl_ord_id for r in messages(frames, ExecutionReport)] == ["recent"]
    finally:
        await asyncio.to_thread(sim.stop)


def test_a_sub_cent_price_is_rounded_for_cents_sessions_only() -> None:
    from kalshi_testing.simulator.fix._acceptor import encode_body

    report = ExecutionReport(
        order_id="o",
        cl_ord_id="c",
        exec_id="1;1",
        exec_type=ExecType.NEW,
        ord_status=OrdStatus.NEW,
        side=Side.BUY_YES,
        symbol=FED,
        leaves_qty=Decimal(2),
        cum_qty=Decimal(0),
        avg_px=Decimal(0),
        order_qty=Decimal(2),
        price=Decimal("0.555"),  # a deci-cent market's tick
    )
    assert b"\x0144=0.555\x01" in encode_body(report, True)  # dollars as they are
    assert b"\x0144=56\x01" in encode_body(report, False)  # integer cents: the nearest, half to even
    assert report.price == Decimal("0.555")  # the report other sessions share is not changed
