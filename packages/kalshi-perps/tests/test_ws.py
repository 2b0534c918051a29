"""PerpsWebSocket against a scripted perps exchange on 127.0.0.1: every channel, books, gaps, auth."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from perps_ws_support import WS_PATH, PerpsExchange

from kalshi_auth import AuthRequiredError, KalshiAuth, KalshiConfig, KalshiConfigError
from kalshi_perps import PERPS, PerpsBookKeeper, PerpsOrderBook, PerpsSession, PerpsWebSocket
from kalshi_perps.messages import (
    SERVER_MESSAGES,
    CorporateActionsDelta,
    Fill,
    OrderbookDelta,
    OrderbookSnapshot,
    OrderGroupUpdates,
    ServerMessage,
    Ticker,
    Trade,
    UserOrder,
)
from kalshi_ws import KalshiOrderBookError, Reconnected, ReconnectPolicy, SequenceGap, Stream

TICKER = (
    '{"market_ticker":"BTC-PERP","price":"97012.5500","bid":"97012.5000","ask":"97013.0000",'
    '"bid_size_fp":"1.50","ask_size_fp":"2.00","last_trade_size_fp":"0.25","volume":"1500.25",'
    '"open_interest":"820.00","funding_rate":{"rate":0.30000000000000004,"next_funding_time_ms":1764000000000,'
    '"ts_ms":1763990000000},"settlement_mark_price":{"price":"97010.0000","ts_ms":1763990000000},'
    '"ts_ms":1763990000123}'
)


async def _next(stream: Stream[Any], *, skip_events: bool = True) -> Any:
    async def take() -> Any:
        async for item in stream:
            if skip_events and not isinstance(item, msgspec.Struct):
                continue
            return item
        raise AssertionError("stream ended")

    return await asyncio.wait_for(take(), 5)


@pytest.fixture
async def exchange(rsa_key: rsa.RSAPrivateKey) -> AsyncIterator[PerpsExchange]:
    async with PerpsExchange(public_key=rsa_key.public_key()) as ex:
        yield ex


def _ws(exchange: PerpsExchange, auth: KalshiAuth | None, **kw: Any) -> PerpsWebSocket:
    return PerpsWebSocket(
        auth, url=exchange.url, ping_interval=0, reconnect=ReconnectPolicy(enabled=False), command_timeout=5, **kw
    )


# -- where it connects ------------------------------------------------------------------------------


def test_url_is_the_environments_perps_ws_url() -> None:
    assert PerpsWebSocket(config=KalshiConfig.demo()).url == (
        "wss://external-api-margin-ws.demo.kalshi.co/trade-api/ws/v2/margin"
    )
    assert PerpsWebSocket().url == "wss://external-api-margin-ws.kalshi.com/trade-api/ws/v2/margin"
    assert PerpsWebSocket().product is PERPS
    assert "margin" in repr(PerpsWebSocket())


def test_from_env_reads_the_perps_variables(rsa_key: rsa.RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    ws = PerpsWebSocket.from_env(demo=True, environ={"KALSHI_PERPS_KEY_ID": "k", "KALSHI_PERPS_PRIVATE_KEY": pem})
    assert ws.is_authenticated
    assert ws.url.startswith("wss://external-api-margin-ws.demo.kalshi.co")
    assert not PerpsWebSocket.from_env(environ={}).is_authenticated
    with pytest.raises(KalshiConfigError):
        PerpsWebSocket.from_env(environ={"KALSHI_PERPS_KEY_ID": "k"})


async def test_handshake_is_signed_over_the_margin_path(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        assert isinstance(session, PerpsSession)
    (headers,) = exchange.handshakes
    assert headers["KALSHI-ACCESS-KEY"] == "perps-test-key-0001"
    assert WS_PATH == "/trade-api/ws/v2/margin"


# -- channels ----------------------------------------------------------------------------------------


async def test_ticker_carries_the_funding_rate_as_exact_decimal(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        stream = await session.subscribe_ticker(["BTC-PERP"], send_initial_snapshot=True)
        await exchange.publish("ticker", "ticker", TICKER)
        message = await _next(stream)
    assert isinstance(message, Ticker)
    m = message.msg
    assert (m.price, m.bid, m.ask, m.volume) == (
        Decimal("97012.5500"),
        Decimal("97012.5000"),
        Decimal("97013.0000"),
        Decimal("1500.25"),
    )
    assert m.funding_rate is not None
    assert m.funding_rate.rate == Decimal("0.30000000000000004")
    assert m.funding_rate.next_funding_time_ms == 1764000000000
    assert m.settlement_mark_price is not None and m.settlement_mark_price.price == Decimal("97010.0000")
    # may be absent during a rollout (docs/protocol/server-behaviours.md#values)
    assert m.volume_notional_value_dollars is None
    assert exchange.commands[0]["params"] == {
        "channels": ["ticker"],
        "market_tickers": ["BTC-PERP"],
        "send_initial_snapshot": True,
    }


async def test_orderbook_keeps_a_bid_ask_book(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        stream = await session.subscribe_orderbook_delta(["BTC-PERP"])
        snapshot = await _next(stream)
        assert isinstance(snapshot, OrderbookSnapshot)
        book = stream.book("BTC-PERP")
        assert book.best_bid == (Decimal("97000.0000"), Decimal("3.00"))
        assert book.best_ask == (Decimal("97001.0000"), Decimal("2.50"))
        delta = {"market_ticker": "BTC-PERP", "price": "97000.5000", "delta": "4.00", "side": "bid", "ts_ms": 1}
        await exchange.publish("orderbook_delta", "orderbook_delta", delta)
        assert isinstance(await _next(stream), OrderbookDelta)
        assert book.best_bid == (Decimal("97000.5000"), Decimal("4.00"))
        remove = {"market_ticker": "BTC-PERP", "price": "97001.0000", "delta": "-2.50", "side": "ask"}
        await exchange.publish("orderbook_delta", "orderbook_delta", remove)
        await _next(stream)
        assert book.best_ask is None
        assert book.spread is None


async def test_a_sequence_gap_resyncs_the_book(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        stream = await session.subscribe_orderbook_delta("BTC-PERP")
        await _next(stream)
        exchange.book = {"bid": [["96000.0000", "1.00"]]}  # the fresh snapshot has no asks
        delta = {"market_ticker": "BTC-PERP", "price": "1.0000", "delta": "1.00", "side": "bid"}
        await exchange.publish("orderbook_delta", "orderbook_delta", delta, skip=1)
        events: list[Any] = []
        async for item in stream:
            events.append(item)
            if isinstance(item, OrderbookSnapshot):
                break
        assert any(isinstance(e, SequenceGap) for e in events)
        book = stream.book("BTC-PERP")
        assert book.best_bid == (Decimal("96000.0000"), Decimal("1.00"))
        assert book.best_ask is None
        assert [c["cmd"] for c in exchange.commands] == ["subscribe", "unsubscribe", "subscribe"]


async def test_trade_fill_and_user_orders(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        trades = await session.subscribe_trade()
        fills = await session.subscribe_fill("BTC-PERP")
        orders = await session.subscribe_user_orders(["BTC-PERP"])
        await exchange.publish(
            "trade",
            "trade",
            {"trade_id": "t1", "market_ticker": "BTC-PERP", "price": "97000.1", "count": "0.5", "taker_side": "ask"}
            | {"ts_ms": 5},
        )
        await exchange.publish(
            "fill",
            "fill",
            {
                "trade_id": "t1",
                "order_id": "o1",
                "market_ticker": "BTC-PERP",
                "is_taker": True,
                "side": "bid",
                "ts_ms": 6,
                "price": "97000.1000",
                "count": "0.50",
                "fee_cost": "0.012345",
                "post_position": "-1.50",
                "order_source": "system",
            },
        )
        await exchange.publish(
            "user_orders",
            "user_order",
            {
                "order_id": "o1",
                "user_id": "u",
                "client_order_id": "c",
                "ticker": "BTC-PERP",
                "side": "bid",
                "price": "97000.1000",
                "fill_count": "0.50",
                "remaining_count": "0.00",
                "created_ts_ms": None,
                "last_update_reason": "Trade",
            },
        )
        trade, fill, order = await _next(trades), await _next(fills), await _next(orders)
    assert isinstance(trade, Trade) and trade.msg.price == Decimal("97000.1") and trade.msg.count == Decimal("0.5")
    assert isinstance(fill, Fill)
    assert (fill.msg.fee_cost, fill.msg.post_position, fill.msg.order_source) == (
        Decimal("0.012345"),
        Decimal("-1.50"),
        "system",
    )
    assert isinstance(order, UserOrder)
    assert order.msg.remaining_count == Decimal("0.00")
    assert order.msg.created_ts_ms is None
    assert exchange.commands[2]["params"] == {"channels": ["user_orders"], "market_tickers": ["BTC-PERP"]}


async def test_order_groups_and_corporate_actions(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        groups = await session.subscribe_order_group()
        actions = await session.subscribe_corporate_actions(["AAPL-PERP"])
        await exchange.publish(
            "order_group_updates",
            "order_group_updates",
            {"event_type": "limit_updated", "order_group_id": "og", "contracts_limit_fp": "150.00", "ts_ms": 1},
        )
        split = {"ratio_old": "1", "ratio_new": "4", "pre_split_mark_price": "200.00", "post_split_mark_price": "50.00"}
        action = {"id": "ca1", "market_id": "m", "market_ticker": "AAPL-PERP", "type": "stock_split", "ts_ms": 2}
        await exchange.publish(
            "corporate_actions", "corporate_actions_delta", {"corporate_action": action | {"split": split}}
        )
        group, corporate = await _next(groups), await _next(actions)
        listed = await session.list_subscriptions()
    assert isinstance(group, OrderGroupUpdates) and group.msg.contracts_limit_fp == Decimal("150.00")
    assert isinstance(corporate, CorporateActionsDelta)
    terms = corporate.msg.corporate_action.split
    assert terms is not None and (terms.ratio_old, terms.ratio_new) == (Decimal("1"), Decimal("4"))
    assert corporate.msg.corporate_action.type_ == "stock_split"
    assert {s.channel for s in listed} == {"order_group_updates", "corporate_actions"}


async def test_add_markets_updates_the_subscription(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        fills = await session.subscribe_fill(["BTC-PERP"])
        reply = await fills.add_markets(["ETH-PERP"])
    assert reply.market_tickers == ["BTC-PERP", "ETH-PERP"]
    assert exchange.commands[-1]["params"]["action"] == "add_markets"


async def test_unsigned_handshake_is_refused_by_a_checking_server(exchange: PerpsExchange) -> None:
    from kalshi_ws import KalshiConnectionError

    with pytest.raises(KalshiConnectionError, match="403"):
        async with _ws(exchange, None).connect():
            pass


async def test_private_channels_need_credentials() -> None:
    async with PerpsExchange() as exchange, _ws(exchange, None).connect() as session:  # a server that allows it
        for subscribe in (session.subscribe_fill, session.subscribe_user_orders, session.subscribe_order_group):
            with pytest.raises(AuthRequiredError):
                await subscribe()
        await session.subscribe_trade()
    assert [c["params"]["channels"] for c in exchange.commands] == [["trade"]]


async def test_empty_ticker_list_is_a_config_error(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    async with _ws(exchange, auth).connect() as session:
        with pytest.raises(KalshiConfigError):
            await session.subscribe_trade([])
    assert exchange.commands == []


async def test_reconnect_resubscribes_with_a_fresh_signed_handshake(exchange: PerpsExchange, auth: KalshiAuth) -> None:
    ws = PerpsWebSocket(
        auth, url=exchange.url, ping_interval=0, command_timeout=5, reconnect=ReconnectPolicy(base_delay=0.01)
    )
    async with ws.connect() as session:
        book = await session.subscribe_orderbook_delta(["BTC-PERP"])
        ticker = await session.subscribe_ticker("BTC-PERP")
        await _next(book)
        await exchange.drop()
        reconnected = await _next(book, skip_events=False)
        assert isinstance(reconnected, Reconnected)
        snapshot = await _next(book)
        assert isinstance(snapshot, OrderbookSnapshot)
        assert book.book("BTC-PERP").best_bid == (Decimal("97000.0000"), Decimal("3.00"))
        await exchange.publish("ticker", "ticker", TICKER)
        assert isinstance(await _next(ticker), Ticker)
        assert session.reconnects == 1
    assert len(exchange.handshakes) == 2  # the server verified both signatures over the margin path
    subscribes = [c["params"]["channels"] for c in exchange.commands if c["cmd"] == "subscribe"]
    assert sorted(map(tuple, subscribes)) == [("orderbook_delta",), ("orderbook_delta",), ("ticker",), ("ticker",)]


# -- the book keeper alone ----------------------------------------------------------------------------


def _decode(frame: str) -> Any:
    return msgspec.json.decode(frame.encode(), type=ServerMessage)


def test_book_keeper_needs_a_snapshot_first() -> None:
    keeper = PerpsBookKeeper()
    delta = _decode(
        '{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"X","price":"1.0","delta":"1","side":"bid"}}'
    )
    with pytest.raises(KalshiOrderBookError):
        keeper(delta)
    keeper(_decode('{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"X"}}'))
    book = keeper.books["X"]
    assert book.ready and book.best_bid is None and book.best_ask is None  # both sides left out: empty
    keeper(delta)
    assert book.best_bid == (Decimal("1.0"), Decimal("1"))
    bad = _decode(
        '{"type":"orderbook_delta","sid":1,"seq":3,"msg":{"market_ticker":"X","price":"2.0","delta":"-1","side":"ask"}}'
    )
    with pytest.raises(KalshiOrderBookError):
        keeper(bad)


def test_book_keeper_asks_are_best_lowest_first() -> None:
    keeper = PerpsBookKeeper()
    keeper(
        _decode(
            '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"X",'
            '"bid":[["9.0","1"],["9.5","2"]],"ask":[["11.0","1"],["10.5","3"]]}}'
        )
    )
    book = keeper.books["X"]
    assert book.best_bid == (Decimal("9.5"), Decimal("2"))
    assert book.best_ask == (Decimal("10.5"), Decimal("3"))
    assert book.spread == Decimal("1.0")
    assert book.mid == Decimal("10.0")


def test_perps_book_reads_bids_and_asks_by_name() -> None:
    keeper = PerpsBookKeeper()
    keeper(
        _decode(
            '{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"X",'
            '"bid":[["9.0","1"],["9.5","2"]],"ask":[["11.0","1"],["10.5","3"]]}}'
        )
    )
    book = keeper.books["X"]
    assert isinstance(book, PerpsOrderBook)
    assert book.bids() == [(Decimal("9.5"), Decimal("2")), (Decimal("9.0"), Decimal("1"))]
    assert book.asks(1) == [(Decimal("10.5"), Decimal("3"))]
    assert book.size_at("bid", Decimal("9.0")) == Decimal("1")
    assert book.size_at("ask", Decimal("11.0")) == Decimal("1")
    assert book.size_at("ask", Decimal("9.0")) == Decimal("0")
    assert "best_bid=(Decimal('9.5')" in repr(book)


def test_every_message_type_is_routed() -> None:
    assert set(SERVER_MESSAGES) >= {
        "orderbook_snapshot",
        "orderbook_delta",
        "ticker",
        "trade",
        "fill",
        "user_order",
        "order_group_updates",
        "corporate_actions_delta",
    }
