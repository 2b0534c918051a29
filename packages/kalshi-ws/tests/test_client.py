"""KalshiWebSocket end to end against the fake exchange: a real websockets server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from ws_support import WS_PATH, FakeExchange

from kalshi_auth import AuthRequiredError, KalshiAuth, KalshiConfigError, KalshiConnectionError
from kalshi_ws import (
    KalshiBackpressureError,
    KalshiNoBookError,
    KalshiSubscriptionError,
    KalshiWebSocket,
    MalformedMessage,
    RawMessage,
    Reconnected,
    ReconnectPolicy,
    Resyncing,
    SequenceGap,
    Session,
    Stream,
)
from kalshi_ws.messages import CHANNELS, EXAMPLES, SERVER_MESSAGES, OrderbookDelta, OrderbookSnapshot

FAST_RECONNECT = ReconnectPolicy(base_delay=0.01, max_delay=0.05, max_attempts=20)


def client(url: str, auth: KalshiAuth | None, **kw: Any) -> KalshiWebSocket:
    kw.setdefault("reconnect", FAST_RECONNECT)
    kw.setdefault("compression", False)
    return KalshiWebSocket(auth=auth, url=url, **kw)


@asynccontextmanager
async def session_for(exchange: FakeExchange, auth: KalshiAuth | None, **kw: Any) -> AsyncIterator[Session]:
    async with asyncio.timeout(15), client(exchange.url, auth, **kw).connect() as session:
        yield session


async def take(stream: Stream[Any], n: int, within: float = 3.0) -> list[Any]:
    out = []
    async with asyncio.timeout(within):
        for _ in range(n):
            out.append(await anext(stream))
    return out


# ---- connecting --------------------------------------------------------------------------------
async def test_upgrade_is_signed_over_get_and_ws_path(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth):
        pass
    headers = exchange.handshakes[-1]
    assert headers["KALSHI-ACCESS-KEY"] == "test-key-id-0001"
    assert exchange.conns[-1].authenticated  # the server verified the RSA-PSS signature over ts+GET+path
    assert headers["KALSHI-ACCESS-TIMESTAMP"].isdigit()


async def test_wrong_key_is_refused_with_connection_error(exchange: FakeExchange) -> None:
    other = KalshiAuth("test-key-id-0001", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with pytest.raises(KalshiConnectionError, match="HTTP 403"):
        async with client(exchange.url, other).connect():
            pass


async def test_connect_refused_and_handshake_timeout() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(asyncio.Protocol, "127.0.0.1", 0)  # accepts, never answers
    port = server.sockets[0].getsockname()[1]
    with pytest.raises(KalshiConnectionError, match="timed out"):
        async with client(f"ws://127.0.0.1:{port}{WS_PATH}", None, open_timeout=0.3).connect():
            pass
    server.close()
    await server.wait_closed()
    with pytest.raises(KalshiConnectionError, match="failed"):
        async with client(f"ws://127.0.0.1:{port}{WS_PATH}", None, open_timeout=2).connect():
            pass


async def test_unauthenticated_connect_where_allowed_and_private_channels_refused() -> None:
    async with FakeExchange(require_auth=False) as ex, session_for(ex, None) as session:
        with pytest.raises(AuthRequiredError):
            await session.subscribe_fill()
        assert all(c["params"]["channels"] != ["fill"] for c in ex.conns[-1].commands if c["cmd"] == "subscribe")
        stream = await session.subscribe_trade(["M"])
        assert stream.active
        assert "KALSHI-ACCESS-KEY" not in ex.handshakes[-1]


# ---- commands ----------------------------------------------------------------------------------
async def test_server_error_becomes_subscription_error(exchange: FakeExchange, auth: KalshiAuth) -> None:
    exchange.refuse["ticker"] = (26, "Subscription market limit exceeded")
    async with session_for(exchange, auth) as session:
        with pytest.raises(KalshiSubscriptionError) as info:
            await session.subscribe_ticker(["A"])
        assert info.value.code == 26
        assert info.value.server_message == "Subscription market limit exceeded"
        with pytest.raises(KalshiSubscriptionError) as info:
            await session.subscribe("ticker_v2")  # removed channel: the server says unknown
        assert info.value.code == 8
        stream = await session.subscribe_trade()  # the session is still usable
        assert stream.sid is not None
        with pytest.raises(KalshiConfigError):
            await session.subscribe_trade([])
        with pytest.raises(KalshiConfigError, match="overflow"):
            await session.subscribe_trade(overflow="sometimes")


async def test_list_update_snapshot_and_unsubscribe(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth) as session:
        book_stream = await session.subscribe_orderbook_delta(tickers=["A"])
        trades = await session.subscribe_trade()
        rows = await session.list_subscriptions()
        assert {(r.channel, r.sid) for r in rows} == {("orderbook_delta", book_stream.sid), ("trade", trades.sid)}
        ack = await book_stream.add_markets(["B"])
        assert ack.market_tickers == ["A", "B"]
        assert book_stream.params["market_tickers"] == ["A", "B"]
        reply = await book_stream.get_snapshot(["B"])
        assert isinstance(reply, OrderbookSnapshot)
        assert reply.msg.market_ticker == "B"
        items = await take(book_stream, 3)
        assert [type(i) for i in items] == [OrderbookSnapshot, OrderbookSnapshot, OrderbookSnapshot]
        assert set(book_stream.books) == {"A", "B"}
        with pytest.raises(KalshiSubscriptionError) as info:
            await book_stream.update("frobnicate")
        assert info.value.code == 13
        await book_stream.delete_markets(["A"])
        assert set(book_stream.books) == {"B"}
        assert book_stream.params["market_tickers"] == ["B"]
        await trades.unsubscribe()
        with pytest.raises(StopAsyncIteration):
            await take(trades, 1)
        rows = await session.list_subscriptions()
        assert [r.channel for r in rows] == ["orderbook_delta"]


# ---- every channel -----------------------------------------------------------------------------
SUBSCRIBE = {
    "orderbook_delta": lambda s: s.subscribe_orderbook_delta(tickers=["FED-23DEC-T3.00"]),
    "ticker": lambda s: s.subscribe_ticker(),
    "trade": lambda s: s.subscribe_trade(),
    "fill": lambda s: s.subscribe_fill(),
    "market_positions": lambda s: s.subscribe_market_positions(),
    "market_lifecycle_v2": lambda s: s.subscribe_market_lifecycle(),
    "multivariate_market_lifecycle": lambda s: s.subscribe_multivariate(),
    "communications": lambda s: s.subscribe_communications(),
    "order_group_updates": lambda s: s.subscribe_order_group(),
    "user_orders": lambda s: s.subscribe_user_orders(),
    "cfbenchmarks_value": lambda s: s.subscribe_cfbenchmarks_value(["BRTI"]),
    "cfbenchmarks_value_5hz": lambda s: s.subscribe_cfbenchmarks_value_5hz(["BRTI"]),
    "pyth_value": lambda s: s.subscribe_pyth_value(["Metal.XAU/USD"]),
}


def test_every_channel_has_a_scripted_subscribe() -> None:
    assert set(SUBSCRIBE) == set(CHANNELS)


async def test_every_channel_delivers_its_spec_examples_typed(exchange: FakeExchange, auth: KalshiAuth) -> None:
    # the spec's delta takes 54 off the YES 0.96 level, so the snapshot must have it
    exchange.snapshot_levels["FED-23DEC-T3.00"] = {"yes_dollars_fp": [["0.9600", "100.00"]]}
    async with session_for(exchange, auth) as session:
        for channel, subscribe in SUBSCRIBE.items():
            stream = await subscribe(session)
            if channel == "orderbook_delta":
                await take(stream, 1)  # the fake exchange's own snapshot
            info = CHANNELS[channel]
            expected = []
            # deltas first: the spec's delta applies to our snapshot, then the spec's snapshot replaces it
            examples = sorted(EXAMPLES, key=lambda e: e[0] != "orderbookDelta")
            for _, _, raw in examples:
                obj = json.loads(raw)
                if obj.get("type") not in info.message_types:
                    continue
                if obj["type"] == "orderbook_delta":
                    obj["msg"]["clock"] = 20  # newer than the snapshot
                await exchange.publish(channel, obj["type"], obj["msg"], seq="seq" in obj)
                expected.append(SERVER_MESSAGES[obj["type"]])
            assert expected, channel
            got = await take(stream, len(expected))
            assert [type(m) for m in got] == expected, channel
            assert all(m.received_ms is not None for m in got)
            if channel == "orderbook_delta":
                assert got[0].msg.delta_fp == Decimal("-54.00")
                assert stream.book("FED-23DEC-T3.00").best_yes_bid == (Decimal("0.22"), Decimal("333"))
            await stream.unsubscribe()


# ---- resilience --------------------------------------------------------------------------------
async def test_seq_gap_resyncs_from_fresh_snapshot(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth) as session:
        stream = await session.subscribe_orderbook_delta(tickers=["A"])
        await take(stream, 1)
        old_sid = stream.sid
        await exchange.delta("A", "0.2200", "-33.00")
        await exchange.delta("A", "0.2200", "-100.00", clock=12, skip=1)  # seq jumps by 2
        delta, gap, snapshot = await take(stream, 3)
        assert isinstance(delta, OrderbookDelta)
        assert isinstance(gap, SequenceGap)
        assert gap.resyncing
        assert gap.expected == gap.received - 1
        assert isinstance(snapshot, OrderbookSnapshot)  # fresh snapshot on the new subscription
        assert stream.sid != old_sid
        assert stream.gaps == 1
        # the lost-then-skipped delta is not applied; the book is the fresh snapshot
        assert stream.book("A").best_yes_bid == (Decimal("0.2200"), Decimal("333.00"))
        await exchange.delta("A", "0.0800", "5.00")
        (after,) = await take(stream, 1)
        assert isinstance(after, OrderbookDelta)
        assert stream.book("A").size_at("yes", Decimal("0.08")) == Decimal("305.00")


async def test_server_drop_reconnects_and_resubscribes(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth) as session:
        books = await session.subscribe_orderbook_delta(tickers=["A"])
        ticks = await session.subscribe_ticker(["A"])
        await take(books, 1)
        await exchange.drop()
        event, snapshot = await take(books, 2)
        assert isinstance(event, Reconnected)
        assert event.attempt >= 1
        assert isinstance(snapshot, OrderbookSnapshot)
        (tick_event,) = await take(ticks, 1)
        assert isinstance(tick_event, Reconnected)
        assert session.reconnects == 1
        assert len(exchange.conns) == 2
        resent = [c["params"]["channels"][0] for c in exchange.conns[-1].commands if c["cmd"] == "subscribe"]
        assert sorted(resent) == ["orderbook_delta", "ticker"]
        assert exchange.conns[-1].authenticated  # signed again
        assert exchange.handshakes[0]["KALSHI-ACCESS-TIMESTAMP"] != exchange.handshakes[-1]["KALSHI-ACCESS-TIMESTAMP"]
        assert books.book("A").ready


async def test_drop_without_reconnect_fails_streams(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, reconnect=ReconnectPolicy(enabled=False)) as session:
        stream = await session.subscribe_trade()
        await exchange.drop()
        with pytest.raises(KalshiConnectionError):
            await take(stream, 1)


async def test_dead_peer_is_detected_and_replaced(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, ping_interval=0.1, dead_peer_timeout=0.5) as session:
        stream = await session.subscribe_trade()
        exchange.freeze()
        exchange.silent = False
        (event,) = await take(stream, 1, within=5)
        assert isinstance(event, Reconnected)
        assert len(exchange.conns) == 2


async def test_server_pings_are_answered(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, ping_interval=0):
        await exchange.wait_for_conns(1)
        pong = await exchange.conn.ws.ping(b"heartbeat")
        async with asyncio.timeout(2):
            await pong


async def test_slow_consumer_policies(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, queue_size=5) as session:
        ticks = await session.subscribe_ticker(["A"])
        books = await session.subscribe_orderbook_delta(tickers=["A"])
        fills = await session.subscribe_fill()
        (_, _, raw) = next(e for e in EXAMPLES if e[0] == "ticker")
        tick_msg = json.loads(raw)["msg"]
        (_, _, raw) = next(e for e in EXAMPLES if e[0] == "fill")
        fill_msg = json.loads(raw)["msg"]
        for i in range(20):
            await exchange.publish("ticker", "ticker", {**tick_msg, "volume_fp": f"{i}.00"}, seq=False)
            await exchange.delta("A", "0.0800", "1.00", clock=11 + i)
            await exchange.publish("fill", "fill", fill_msg, seq=False)
        await asyncio.sleep(0.3)
        # ticker: latest value wins, oldest dropped and counted
        got = await take(ticks, 5)
        assert [m.msg.volume_fp for m in got] == [Decimal(i) for i in range(15, 20)]
        assert ticks.dropped == 15
        # order book: queue dropped, resubscribed, fresh snapshot
        items = await take(books, 2)
        assert any(isinstance(i, Resyncing) and i.reason == "backpressure" for i in items)
        # fills may not be dropped: the stream fails loudly after the queued ones
        with pytest.raises(KalshiBackpressureError):
            await take(fills, 10)
        assert fills.dropped >= 1


async def test_malformed_and_unknown_frames_do_not_kill_the_session(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth) as session:
        stream = await session.subscribe_orderbook_delta(tickers=["A"])
        await take(stream, 1)
        sid = stream.sid
        await exchange.send(exchange.conn, b"{this is not json")
        await exchange.send(exchange.conn, {"type": "shiny_new_type", "sid": sid, "seq": 2, "msg": {"a": 1}})
        await exchange.send(exchange.conn, {"type": "orderbook_delta", "sid": sid, "seq": 3, "msg": {"oops": True}})
        raw, malformed, resyncing = await take(stream, 3)
        assert isinstance(raw, RawMessage)
        assert raw.type == "shiny_new_type"
        assert isinstance(malformed, MalformedMessage)
        assert malformed.error.sid == sid
        # a lost frame of a book channel: the book cannot be trusted, so it is rebuilt
        assert isinstance(resyncing, Resyncing)
        assert resyncing.reason == "malformed frame"
        events = session.session_events()
        assert any(isinstance(e, MalformedMessage) and e.error.data == b"{this is not json" for e in events)
        ticks = await session.subscribe_ticker(["A"])  # still alive
        assert ticks.active


async def test_clean_shutdown_cancels_every_task_and_ends_streams(exchange: FakeExchange, auth: KalshiAuth) -> None:
    before = {t for t in asyncio.all_tasks() if t.get_name().startswith("kalshi-ws")}
    async with session_for(exchange, auth) as session:
        stream = await session.subscribe_trade()
        during = {t for t in asyncio.all_tasks() if t.get_name().startswith("kalshi-ws")}
        assert len(during - before) == 2
    after = {t for t in asyncio.all_tasks() if t.get_name().startswith("kalshi-ws") and not t.done()}
    assert after == set()
    assert session.closed
    with pytest.raises(StopAsyncIteration):
        await take(stream, 1)


async def test_many_subscriptions_share_one_connection(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth) as session:
        streams = [await session.subscribe_orderbook_delta(tickers=[f"M{i}"]) for i in range(10)]
        for s in streams:
            (snap,) = await take(s, 1)
            assert isinstance(snap, OrderbookSnapshot)
        bare = await session.subscribe_orderbook_delta(tickers=["Z"], books=False)
        (snap,) = await take(bare, 1)
        assert isinstance(snap, OrderbookSnapshot)
        assert bare.books == {}
        ticks = await session.subscribe_ticker()
        assert isinstance(ticks, Stream)
        assert len(exchange.conns) == 1


# ---- framing: the fast path and everything it hands to websockets ---------------------------------
async def test_compressed_fragmented_and_multi_chunk_frames(rsa_key: rsa.RSAPrivateKey, auth: KalshiAuth) -> None:
    async with FakeExchange(public_key=rsa_key.public_key(), require_auth=True, compression="deflate") as ex:
        many = {"yes_dollars_fp": [[f"0.{i:04d}", "1.00"] for i in range(1, 6000)]}  # ~100 KB: several reads
        ex.snapshot_levels["BIG"] = many
        async with session_for(ex, auth, compression=True) as session:
            stream = await session.subscribe_orderbook_delta(tickers=["BIG"])
            (snap,) = await take(stream, 1)
            assert len(snap.msg.yes_dollars_fp) == 5999
            assert ex.conn.ws.protocol.extensions  # deflate was negotiated
            await ex.delta("BIG", "0.0001", "2.00")
            frame = json.dumps(
                {
                    "type": "orderbook_delta",
                    "sid": stream.sid,
                    "seq": 3,
                    "msg": {
                        "market_ticker": "BIG",
                        "market_id": "u",
                        "clock": 12,
                        "price_dollars": "0.0002",
                        "delta_fp": "1.00",
                        "side": "yes",
                    },
                }
            )
            await ex.conn.ws.send([frame[:40], frame[40:90], frame[90:]])  # a fragmented message
            ex.conn.by_channel("orderbook_delta")[0].seq = 3
            await ex.delta("BIG", "0.0003", "1.00", clock=13)
            items = await take(stream, 3)
            assert [type(i) for i in items] == [OrderbookDelta] * 3
            book = stream.book("BIG")
            assert book.size_at("yes", Decimal("0.0001")) == Decimal("3.00")
            assert book.size_at("yes", Decimal("0.0002")) == Decimal("2.00")


async def test_uncompressed_fragments_interleaved_with_pings(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, ping_interval=0) as session:
        stream = await session.subscribe_trade()
        (_, _, raw) = next(e for e in EXAMPLES if e[0] == "trade")
        obj = json.loads(raw)
        obj["sid"], obj["seq"] = stream.sid, 1
        text = json.dumps(obj)
        pong = await exchange.conn.ws.ping(b"heartbeat")
        await exchange.conn.ws.send(iter([text[:10], text[10:]]))
        async with asyncio.timeout(2):
            await pong
        (trade,) = await take(stream, 1)
        assert trade.msg.count_fp == Decimal("136.00")


async def test_oversized_message_closes_without_reconnect(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, max_size=2048) as session:
        stream = await session.subscribe_trade()
        await exchange.publish("trade", "trade", {"padding": "x" * 5000})
        with pytest.raises(KalshiConnectionError, match="1009"):
            await take(stream, 1)
        assert len(exchange.conns) == 1


async def test_auth_close_code_is_not_retried(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth) as session:
        stream = await session.subscribe_trade()
        await exchange.conn.ws.close(4001, "auth expired")
        with pytest.raises(KalshiConnectionError, match="4001"):
            await take(stream, 1)
        assert len(exchange.conns) == 1


# ---- the engine is product-agnostic --------------------------------------------------------------
async def test_a_product_injects_channels_messages_url_and_session(exchange: FakeExchange, auth: KalshiAuth) -> None:
    from kalshi_auth import KalshiConfig
    from kalshi_ws import BaseSession, Overflow, Product
    from kalshi_ws.messages import Trade

    class TradeSession(BaseSession):
        async def subscribe_trade(self) -> Stream[Trade]:
            return await self.subscribe("trade")

    class TradeOnlyWebSocket(KalshiWebSocket):
        session_class = TradeSession

    product = Product(
        name="trades-only",
        channels={"trade": CHANNELS["trade"]},
        messages={t: SERVER_MESSAGES[t] for t in ("subscribed", "unsubscribed", "ok", "error", "trade")},
        url=lambda config: config.websocket_url,
        overflow={"trade": Overflow.DROP_OLDEST},
    )
    ws = TradeOnlyWebSocket(auth=auth, config=KalshiConfig(ws_url=exchange.url), product=product)
    assert ws.url == exchange.url
    async with asyncio.timeout(10), ws.open_session() as session:
        assert isinstance(session, TradeSession)
        stream = await session.subscribe_trade()
        (_, _, raw) = next(e for e in EXAMPLES if e[0] == "trade")
        await exchange.publish("trade", "trade", json.loads(raw)["msg"])
        await exchange.publish("trade", "ticker", {"not": "in this product"})
        trade, unknown = await take(stream, 2)
        assert isinstance(trade, Trade)
        assert isinstance(unknown, RawMessage)  # a type outside the product's table is raw, not lost
        assert unknown.type == "ticker"
        assert stream._sub.overflow is Overflow.DROP_OLDEST


async def test_tls_with_verification(rsa_key: rsa.RSAPrivateKey, auth: KalshiAuth) -> None:
    from ws_support import self_signed_tls

    server_tls, client_tls = self_signed_tls()
    async with FakeExchange(public_key=rsa_key.public_key(), require_auth=True, ssl_context=server_tls) as ex:
        assert ex.url.startswith("wss://")
        async with session_for(ex, auth, ssl_context=client_tls) as session:
            stream = await session.subscribe_orderbook_delta(tickers=["A"])
            (snap,) = await take(stream, 1)
            assert isinstance(snap, OrderbookSnapshot)
        # the default context verifies certificates: a self-signed one is refused
        with pytest.raises(KalshiConnectionError):
            async with client(ex.url, auth, open_timeout=3).connect():
                pass


async def test_reconnect_gives_up_after_max_attempts(rsa_key: rsa.RSAPrivateKey, auth: KalshiAuth) -> None:
    policy = ReconnectPolicy(base_delay=0.01, max_delay=0.02, max_attempts=3)
    async with FakeExchange(public_key=rsa_key.public_key(), require_auth=True) as ex:
        async with session_for(ex, auth, reconnect=policy) as session:
            stream = await session.subscribe_trade()
            ex._server.close()  # stop listening: every reconnect attempt is refused
            await ex.drop()
            with pytest.raises(KalshiConnectionError, match="after 3 attempts"):
                await take(stream, 2)


async def test_an_engine_task_failure_fails_streams_instead_of_hanging(
    exchange: FakeExchange, auth: KalshiAuth, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kalshi_ws import KalshiWebSocketError

    async with session_for(exchange, auth, ping_interval=0.05) as session:
        stream = await session.subscribe_trade()

        def broken(now: float) -> None:
            raise RuntimeError("bug")

        monkeypatch.setattr(session._protocol, "check_timeouts", broken)
        with pytest.raises(KalshiWebSocketError, match="kalshi-ws-timer failed"):
            await take(stream, 1, within=3)


async def test_burst_of_frames_of_every_size_arrives_intact(exchange: FakeExchange, auth: KalshiAuth) -> None:
    """Thousands of frames with sizes that straddle 7-bit/16-bit length encodings and TCP reads."""
    import random

    rng = random.Random(3)
    async with session_for(exchange, auth, queue_size=10_000) as session:
        stream = await session.subscribe_orderbook_delta(tickers=["A"])
        await take(stream, 1)
        (sub,) = exchange.conn.by_channel("orderbook_delta")
        expected = Decimal("300.00")  # the snapshot's YES 0.08 level
        frames = []
        for i in range(3000):
            size = rng.choice([1, 2, 5])
            expected += size
            sub.seq += 1
            pad = "x" * rng.choice([0, 1, 10, 100, 300, 70_000 if i % 500 == 0 else 5])
            msg = {
                "market_ticker": "A",
                "market_id": "u",
                "clock": 11 + i,
                "price_dollars": "0.0800",
                "delta_fp": f"{size}.00",
                "side": "yes",
                "pad": pad,
            }
            frames.append(json.dumps({"type": "orderbook_delta", "sid": sub.sid, "seq": sub.seq, "msg": msg}))
        for f in frames:
            await exchange.conn.ws.send(f)
        got = await take(stream, 3000, within=20)
        assert all(isinstance(m, OrderbookDelta) for m in got)
        assert [m.seq for m in got] == list(range(got[0].seq, got[0].seq + 3000))
        assert stream.gaps == 0
        assert stream.book("A").size_at("yes", Decimal("0.08")) == expected


# ---- subscribe never hangs -----------------------------------------------------------------------
@pytest.mark.parametrize("code", [1008, 4001])
async def test_close_for_good_during_subscribe_fails_it_with_channel_operation_and_id(
    exchange: FakeExchange, auth: KalshiAuth, code: int
) -> None:
    async with session_for(exchange, auth, command_timeout=30.0) as session:
        exchange.silent = True  # the subscribe is never answered
        pending = asyncio.ensure_future(session.subscribe_trade(["A"]))
        await asyncio.sleep(0.05)
        (sub,) = session.streams
        cid = sub.command_id
        await exchange.conn.ws.close(code)
        with pytest.raises(KalshiSubscriptionError) as failed:
            async with asyncio.timeout(3):
                await pending
        assert (failed.value.channel, failed.value.operation, failed.value.command_id) == ("trade", "subscribe", cid)
        assert str(code) in str(failed.value)


async def test_session_close_during_subscribe_fails_it(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, command_timeout=30.0) as session:
        exchange.silent = True
        pending = asyncio.ensure_future(session.subscribe_fill())
        await asyncio.sleep(0.05)
        await session.close()
        with pytest.raises(KalshiSubscriptionError, match=r"subscribe fill \(command \d+\).*session closed"):
            async with asyncio.timeout(3):
                await pending


async def test_subscribe_times_out(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth, command_timeout=0.2) as session:
        exchange.silent = True
        with pytest.raises(KalshiSubscriptionError, match=r"no .*within 0\.2s"):
            async with asyncio.timeout(3):
                await session.subscribe_trade()


async def test_reconnect_logs_one_line_and_never_a_secret(
    exchange: FakeExchange, auth: KalshiAuth, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="kalshi.ws"):
        async with session_for(exchange, auth) as session:
            stream = await session.subscribe_trade(["A"])
            await exchange.drop()
            event = await take(stream, 1)
            assert isinstance(event[0], Reconnected)
    records = [r for r in caplog.records if r.name == "kalshi.ws"]
    assert sum("reconnected" in r.getMessage() for r in records) == 1
    headers = exchange.handshakes[-1]
    for record in records:
        text = record.getMessage()
        for secret in (headers["KALSHI-ACCESS-SIGNATURE"], "KALSHI-ACCESS", "PRIVATE KEY"):
            assert secret not in text


async def test_generic_subscribe_with_a_misspelled_param_sends_nothing(
    exchange: FakeExchange, auth: KalshiAuth
) -> None:
    async with session_for(exchange, auth) as session:
        with pytest.raises(KalshiConfigError, match="market_tikers"):
            await session.subscribe("orderbook_delta", market_tikers=["A"])
        with pytest.raises(KalshiConfigError, match="shard_key"):
            await session.subscribe("trade", shard_factor=2, shard_key=1)
        with pytest.raises(KalshiConfigError, match="index_ids must not be empty"):
            await session.subscribe_cfbenchmarks_value([])
        with pytest.raises(KalshiConfigError, match=r"got `str` - at `\$.market_tickers`"):
            await session.subscribe("trade", market_tickers="A")  # a string where the spec wants a list
        with pytest.raises(KalshiConfigError, match="shard_factor"):
            await session.subscribe("communications", shard_factor="2")
        await asyncio.sleep(0.05)
        assert exchange.conn.commands == []  # not a byte left the client
        stream = await session.subscribe_communications(shard_factor=2, shard_key=1)
        assert stream.params == {"shard_factor": 2, "shard_key": 1}
        orders = await session.subscribe_user_orders("A")  # the channel takes only market_tickers
        assert orders.params == {"market_tickers": ["A"]}


async def test_after_unsubscribe_there_is_no_book(exchange: FakeExchange, auth: KalshiAuth) -> None:
    async with session_for(exchange, auth) as session:
        stream = await session.subscribe_orderbook_delta(["A"])
        await take(stream, 1)
        held = stream.book("A")
        assert held.ready
        await stream.unsubscribe()
        with pytest.raises(KalshiNoBookError, match="ended"):
            stream.book("A")
        with pytest.raises(KeyError):  # what code written against the old behaviour catches
            stream.book("A")
        assert stream.books == {}
        assert not held.ready
