"""End to end: kalshi_ws's KalshiWebSocket against the simulator, driven by REST orders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from kalshi_auth import KalshiConnectionError
from kalshi_testing import KalshiExchange

FED = "KXFED-26DEC-T3.50"
TIMEOUT = 5.0


async def next_of(stream: AsyncIterator[Any], kind: str, limit: int = 50) -> Any:
    """The next item of class `kind` from a stream (bounded in count and time)."""
    for _ in range(limit):
        item = await asyncio.wait_for(stream.__anext__(), TIMEOUT)
        if type(item).__name__ == kind:
            return item
    raise AssertionError(f"no {kind} within {limit} items")


async def place(client: Any, side: str, price: str, count: str, coid: str, tif: str = "good_till_canceled") -> Any:
    from kalshi_rest.models import CreateOrderV2Request

    return await client.orders.create_v2(
        request=CreateOrderV2Request(
            ticker=FED,
            client_order_id=coid,
            side=side,
            count=Decimal(count),
            price=Decimal(price),
            time_in_force=tif,
            self_trade_prevention_type="taker_at_cross",
        )
    )


async def test_order_rests_on_the_socket_and_fills_reach_both_sides(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    await asyncio.to_thread(sim.call, lambda ex: ex.cancel_all("market-maker"))
    other = await asyncio.to_thread(kalshi_exchange.create_user, "ws-counterparty")
    async with (
        kalshi_exchange.websocket().connect() as a,
        kalshi_exchange.websocket(other).connect() as b,
        kalshi_exchange.async_client() as maker,
        kalshi_exchange.async_client(other) as taker,
    ):
        book = await a.subscribe_orderbook_delta(tickers=[FED])
        await next_of(book, "OrderbookSnapshot")
        a_fills = await a.subscribe_fill()
        b_fills = await b.subscribe_fill()
        made = await place(maker, "ask", "0.70", "5", "ws-maker")
        delta = await next_of(book, "OrderbookDelta")
        assert delta.msg.side == "no"
        assert delta.msg.price_dollars == Decimal("0.30")
        assert delta.msg.delta_fp == Decimal("5")
        assert delta.msg.client_order_id == "ws-maker"
        await place(taker, "bid", "0.70", "2", "ws-taker", tif="immediate_or_cancel")
        fa = await next_of(a_fills, "Fill")
        fb = await next_of(b_fills, "Fill")
        assert fa.msg.trade_id == fb.msg.trade_id
        assert fa.msg.order_id == made.order_id
        assert (fa.msg.is_taker, fb.msg.is_taker) == (False, True)
        assert fb.msg.post_position_fp == Decimal("2")
        fill_delta = await next_of(book, "OrderbookDelta")
        assert fill_delta.msg.delta_fp == Decimal("-2")


async def test_reconnect_and_resubscribe_after_a_dropped_connection(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    sim.faults.drop_connection(after_frames=2)
    async with kalshi_exchange.websocket().connect() as session, kalshi_exchange.async_client() as client:
        stream = await session.subscribe_orderbook_delta(tickers=[FED])
        await next_of(stream, "OrderbookSnapshot")
        await place(client, "bid", "0.02", "1", "drop-1")  # the 2nd data frame, then the TCP stream dies
        await next_of(stream, "OrderbookDelta")
        await next_of(stream, "Reconnected")
        snapshot = await next_of(stream, "OrderbookSnapshot")  # resubscribed on the new connection
        assert snapshot.seq == 1
        assert session.reconnects == 1
        await place(client, "bid", "0.03", "1", "drop-2")
        after = await next_of(stream, "OrderbookDelta")
        assert after.msg.price_dollars == Decimal("0.03")
    assert "drop_connection" in sim.faults.fired


async def test_resync_on_sequence_gap(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    async with kalshi_exchange.websocket().connect() as session, kalshi_exchange.async_client() as client:
        stream = await session.subscribe_orderbook_delta(tickers=[FED])
        await next_of(stream, "OrderbookSnapshot")
        sim.faults.seq_gap(channel="orderbook_delta", skip=1)
        await place(client, "bid", "0.04", "3", "gap-1")
        gap = await next_of(stream, "SequenceGap")
        assert gap.received == gap.expected + 1
        fresh = await next_of(stream, "OrderbookSnapshot")
        assert [Decimal("0.04"), Decimal("3")] in [list(level) for level in fresh.msg.yes_dollars_fp]


async def test_malformed_frame_is_reported_and_session_continues(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    async with kalshi_exchange.websocket().connect() as session, kalshi_exchange.async_client() as client:
        stream = await session.subscribe_orderbook_delta(tickers=[FED])
        await next_of(stream, "OrderbookSnapshot")
        sim.faults.malformed_frame()
        await place(client, "bid", "0.06", "1", "bad-1")
        delta = await next_of(stream, "OrderbookDelta")
        assert delta.msg.price_dollars == Decimal("0.06")
        assert "malformed_frame" in sim.faults.fired
        assert not session.closed


async def test_streamed_book_matches_rest_book_after_order_flow(kalshi_exchange: KalshiExchange) -> None:
    other = await asyncio.to_thread(kalshi_exchange.create_user, "flow")
    async with (
        kalshi_exchange.websocket().connect() as session,
        kalshi_exchange.async_client() as a,
        kalshi_exchange.async_client(other) as b,
    ):
        stream = await session.subscribe_orderbook_delta(tickers=[FED])
        await next_of(stream, "OrderbookSnapshot")
        flow = [
            (a, "bid", "0.15", "4"),
            (b, "ask", "0.85", "3"),
            (a, "bid", "0.90", "2"),
            (b, "ask", "0.10", "6"),
            (a, "bid", "0.16", "5"),
            (b, "ask", "0.84", "1"),
        ]
        for i, (client, side, price, count) in enumerate(flow):
            await place(client, side, price, count, f"flow-{i}", tif="good_till_canceled")
        rest_book = (await a.markets.orderbook(FED)).orderbook_fp
        local = stream.book(FED)
        for _ in range(100):  # bounded wait for the deltas to land
            if local.yes_bids() == [tuple(x) for x in rest_book.yes_dollars]:
                break
            await asyncio.wait_for(stream.__anext__(), TIMEOUT)
        assert local.yes_bids() == [tuple(x) for x in rest_book.yes_dollars]
        assert local.no_bids() == [tuple(x) for x in rest_book.no_dollars]


async def test_handshake_with_an_unregistered_key_fails_clearly(kalshi_exchange: KalshiExchange) -> None:
    from kalshi_testing import KalshiExchangeSimulator
    from kalshi_ws import KalshiWebSocket, ReconnectPolicy

    stranger = KalshiExchangeSimulator().create_user("stranger")  # never registered with this simulator
    ws = KalshiWebSocket(auth=stranger.auth, config=kalshi_exchange.config, reconnect=ReconnectPolicy(enabled=False))
    with pytest.raises(KalshiConnectionError):
        async with ws.connect():
            pass


async def test_private_channels_through_the_sdk(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    await asyncio.to_thread(sim.call, lambda ex: ex.cancel_all("market-maker"))
    other = await asyncio.to_thread(kalshi_exchange.create_user, "private-other")
    async with (
        kalshi_exchange.websocket().connect() as session,
        kalshi_exchange.async_client() as me,
        kalshi_exchange.async_client(other) as them,
    ):
        orders = await session.subscribe_user_orders()
        positions = await session.subscribe_market_positions()
        groups = await session.subscribe_order_group_updates()
        mine = await place(me, "ask", "0.45", "4", "priv-1")
        resting = await next_of(orders, "UserOrder")
        assert resting.msg.order_id == mine.order_id
        assert resting.msg.status == "resting"
        await place(them, "bid", "0.45", "4", "priv-2", tif="immediate_or_cancel")
        executed = await next_of(orders, "UserOrder")
        assert executed.msg.status == "executed"
        assert executed.msg.fill_count_fp == Decimal("4")
        pos = await next_of(positions, "MarketPosition")
        assert pos.msg.position_fp == Decimal("-4")
        from kalshi_rest.models import CreateOrderGroupRequest

        created = (await me.order_groups.create(request=CreateOrderGroupRequest(contracts_limit=2))).order_group_id
        update = await next_of(groups, "OrderGroupUpdates")
        assert update.msg.order_group_id == created
        assert update.msg.event_type == "created"


async def test_server_buffer_overflow_makes_the_sdk_resubscribe() -> None:
    from kalshi_testing import KalshiExchangeSimulator

    with KalshiExchangeSimulator(ws_queue_limit=4) as sim:
        user = await asyncio.to_thread(sim.create_user, "overflow", balance="100000")
        exchange = KalshiExchange(sim, user)
        async with exchange.websocket().connect() as session:
            stream = await session.subscribe_orderbook_delta(tickers=[FED])
            await next_of(stream, "OrderbookSnapshot")
            base = {
                "ticker": FED,
                "count": "1",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
            }

            def burst(ex: Any) -> None:
                for i in range(10):
                    ex.create_order("overflow", base | {"side": "bid", "price": f"0.0{i % 9 + 1}"})

            await asyncio.to_thread(sim.call, burst)
            resync = await next_of(stream, "Resyncing")
            assert "25" in resync.reason
            fresh = await next_of(stream, "OrderbookSnapshot")
            assert fresh.msg.market_ticker == FED
            rest_levels = await asyncio.to_thread(sim.call, lambda ex: ex.orderbook_view(ex.markets[FED]))
            assert stream.book(FED).yes_bids() == [(Decimal(p), Decimal(q)) for p, q in rest_levels["yes_dollars"]]


async def test_record_an_sdk_session_and_replay_it_to_the_sdk(kalshi_exchange: KalshiExchange, tmp_path: Any) -> None:
    from kalshi_testing import WebSocketRecorder, WebSocketReplayServer
    from kalshi_ws import KalshiWebSocket, ReconnectPolicy

    cassette = tmp_path / "book.json"
    no_reconnect = ReconnectPolicy(enabled=False)
    # auth=None: the recorder forwards the client's own signed headers (same WS path) and stores none of them
    async with WebSocketRecorder(kalshi_exchange.simulator.ws_url, cassette) as rec:
        ws = KalshiWebSocket(kalshi_exchange.auth, kalshi_exchange.config, url=rec.url, reconnect=no_reconnect)
        async with ws.connect() as session, kalshi_exchange.async_client() as client:
            stream = await session.subscribe_orderbook_delta(tickers=[FED])
            live_snapshot = await next_of(stream, "OrderbookSnapshot")
            await place(client, "bid", "0.07", "2", "cassette-1")
            live_delta = await next_of(stream, "OrderbookDelta")
        await asyncio.wait_for(rec.done.wait(), TIMEOUT)
    async with WebSocketReplayServer(cassette, speed=5) as server:
        ws = KalshiWebSocket(kalshi_exchange.auth, kalshi_exchange.config, url=server.url, reconnect=no_reconnect)
        async with ws.connect() as session:
            stream = await session.subscribe_orderbook_delta(tickers=[FED])
            snapshot = await next_of(stream, "OrderbookSnapshot")
            delta = await next_of(stream, "OrderbookDelta")
    assert snapshot.msg == live_snapshot.msg
    assert delta.msg == live_delta.msg
    assert kalshi_exchange.user.key_id not in cassette.read_text()
