"""Perps end to end through the real SDK clients: place, fill against a second account, funding, the socket.

Every test drives `kalshi_perps.PerpsClient` / `AsyncPerpsClient` / `PerpsWebSocket` against the
simulator's perps surface (the `kalshi_perps_exchange` fixture), and asserts what a trader would
lose money over if it were wrong: positions, fees, margin reserved and released, funding paid.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from kalshi_testing._perps_harness import KalshiPerpsExchange
from kalshi_testing.simulator import KalshiExchangeSimulator

pytest.importorskip("kalshi_perps")

from kalshi_perps.models import (
    ApplySubaccountTransferRequest,
    CreateMarginOrderRequest,
    CreateOrderGroupRequest,
    IntraExchangeInstanceTransferRequest,
    SetCrossExitTriggerRequest,
)
from kalshi_rest import KalshiConflictError, KalshiNotFoundError, KalshiValidationError

BTC = "BTC-PERP"
FUNDING_INTERVAL_MS = 8 * 3_600_000  # 00:00, 08:00 and 16:00 US Eastern


def order(side: str, price: str, count: str, coid: str, tif: str = "good_till_canceled", **extra: Any) -> Any:
    return CreateMarginOrderRequest(
        ticker=BTC,
        client_order_id=coid,
        side=side,
        count=Decimal(count),
        price=Decimal(price),
        time_in_force=tif,
        self_trade_prevention_type="maker",
        **extra,
    )


async def next_msg(stream: Any, type_name: str) -> Any:
    """The next message of class `type_name` on a stream (skipping lifecycle events), within 5 s."""
    async with asyncio.timeout(5):
        while True:
            item = await stream.__anext__()
            if type(item).__name__ == type_name:
                return item


async def test_place_fill_against_second_account_and_the_socket_sees_fill_and_book(
    kalshi_perps_exchange: KalshiPerpsExchange,
) -> None:
    ex = kalshi_perps_exchange
    bob = ex.create_user("bob")
    async with ex.websocket().connect() as session:
        book = await session.subscribe_orderbook_delta([BTC])
        fills = await session.subscribe_fill()
        await next_msg(book, "OrderbookSnapshot")
        async with ex.async_client() as alice_rest, ex.async_client(bob) as bob_rest:
            rested = await alice_rest.orders.create(request=order("ask", "97000.00", "2", "alice-1"))
            assert rested.remaining_count == Decimal("2.00")
            delta = await next_msg(book, "OrderbookDelta")
            assert (delta.msg.side, delta.msg.price, delta.msg.delta) == ("ask", Decimal("97000"), Decimal("2"))
            assert delta.msg.client_order_id == "alice-1"  # shown to the owner only
            assert book.book(BTC).size_at("ask", Decimal("97000")) == Decimal("2")

            taken = await bob_rest.orders.create(
                request=order("bid", "97000.00", "1.5", "bob-1", "immediate_or_cancel")
            )
            assert taken.fill_count == Decimal("1.50")
            assert taken.average_fill_price == Decimal("97000")
            fill = await next_msg(fills, "Fill")
            assert fill.msg.order_id == rested.order_id
            assert (fill.msg.is_taker, fill.msg.count, fill.msg.post_position) == (
                False,
                Decimal("1.5"),
                Decimal("-1.5"),
            )
            delta = await next_msg(book, "OrderbookDelta")
            assert delta.msg.delta == Decimal("-1.5")
            assert book.book(BTC).size_at("ask", Decimal("97000")) == Decimal("0.5")

            alice_pos = (await alice_rest.portfolio.positions()).positions
            bob_pos = (await bob_rest.portfolio.positions()).positions
            assert [(p.market_ticker, p.position) for p in alice_pos] == [(BTC, Decimal("-1.50"))]
            assert [(p.market_ticker, p.position, p.entry_price) for p in bob_pos] == [
                (BTC, Decimal("1.50"), Decimal("97000"))
            ]
            fee = Decimal("1.5") * Decimal(97000) * Decimal("0.0005")  # taker pays, maker does not
            assert (await bob_rest.margin.balance()).settled_funds == Decimal(100_000) - fee
            assert (await alice_rest.margin.balance()).settled_funds == Decimal(100_000)
            fills_rest = list(await bob_rest.portfolio.fills())
            assert [(f.side, f.count, f.is_taker, f.fees) for f in fills_rest] == [("bid", Decimal("1.50"), True, fee)]


def test_resting_order_reserves_margin_until_cancel_or_fill(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    ex = kalshi_perps_exchange
    with ex.client() as perps:
        created = perps.orders.create(request=order("bid", "96000.00", "1", "reserve-1"))
        sub = perps.margin.balance(compute_available_balance=True).subaccount_balances[0]
        assert sub.resting_orders_margin == Decimal("9600.0000")  # 10% initial margin of 96,000
        assert sub.available_balance == Decimal(100_000) - Decimal(9600)
        assert perps.margin.balance().subaccount_balances[0].available_balance == 0  # not computed: 0
        perps.orders.cancel(created.order_id)
        sub = perps.margin.balance(compute_available_balance=True).subaccount_balances[0]
        assert sub.resting_orders_margin == 0
        assert sub.available_balance == Decimal(100_000)

        # a fill turns the reservation into position margin
        perps.orders.create(request=order("bid", "97001.00", "1", "reserve-2"))  # crosses the maker's ask
        sub = perps.margin.balance(compute_available_balance=True).subaccount_balances[0]
        assert sub.resting_orders_margin == 0
        assert sub.initial_margin == Decimal("9700.1000")


def test_an_order_beyond_the_available_margin_is_refused_and_moves_nothing(
    kalshi_perps_exchange: KalshiPerpsExchange,
) -> None:
    ex = kalshi_perps_exchange
    with ex.client() as perps:
        perps.orders.create(request=order("bid", "90000.00", "10", "big-1"))  # reserves 90,000
        with pytest.raises(KalshiValidationError) as info:
            perps.orders.create(request=order("bid", "90000.00", "2", "big-2"))
        assert info.value.code == "insufficient_balance"
        assert [o.client_order_id for o in list(perps.orders.list())] == ["big-1"]


def test_order_rules_market_version_reduce_only_and_idempotency(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    with kalshi_perps_exchange.client() as perps:
        with pytest.raises(KalshiConflictError) as conflict:
            perps.orders.create(request=order("bid", "96000.00", "1", "v-1", market_version=7))
        assert conflict.value.code == "market_version_mismatch"
        with pytest.raises(KalshiValidationError):
            perps.orders.create(request=order("ask", "96000.00", "1", "r-1", reduce_only=True))  # GTC + reduce_only
        first = perps.orders.create(request=order("bid", "96000.00", "1", "same"))
        again = perps.orders.create(request=order("bid", "96000.00", "1", "same"))  # a retried POST
        assert again.order_id == first.order_id
        assert len(list(perps.orders.list())) == 1
        with pytest.raises(KalshiConflictError):
            perps.orders.create(request=order("bid", "95000.00", "1", "same"))


def test_order_group_limit_cancels_the_group(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    ex = kalshi_perps_exchange
    ex.simulator.realism.consistency_window = 0  # reads right after creates; not what this test is about
    bob = ex.create_user("bob")
    with ex.client() as perps, ex.client(bob) as other:
        group = perps.order_groups.create(request=CreateOrderGroupRequest(contracts_limit=2))
        perps.orders.create(request=order("ask", "97000.50", "5", "g-1", order_group_id=group.order_group_id))
        perps.orders.create(request=order("ask", "97000.60", "5", "g-2", order_group_id=group.order_group_id))
        other.orders.create(request=order("bid", "97000.50", "2", "hit", "immediate_or_cancel"))
        state = perps.order_groups.get(group.order_group_id)
        assert state.is_auto_cancel_enabled is False
        assert state.orders == []
        assert {o.remaining_count for o in list(perps.orders.list())} == {Decimal(0)}


def test_bracket_exit_trigger_closes_the_position_as_a_system_order(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    ex = kalshi_perps_exchange
    bob = ex.create_user("bob")
    ex.call(lambda engine: engine.cancel_all("sim-perps-mm"))  # an empty book: only these orders trade
    with ex.client() as perps, ex.client(bob) as other:
        other.orders.create(request=order("ask", "97001.00", "1", "bob-ask"))
        perps.orders.create(request=order("bid", "97001.00", "1", "entry", "immediate_or_cancel"))
        trigger = perps.exit_triggers.set_cross(
            BTC, request=SetCrossExitTriggerRequest(kind="bracket", stop_loss_price=Decimal("96000"))
        )
        assert trigger.status == "active"
        with pytest.raises(KalshiValidationError):
            perps.exit_triggers.set_cross(BTC, request=SetCrossExitTriggerRequest(kind="bracket"))
        # the market trades through the stop: bob sells into a bid at 95,900
        other.orders.create(request=order("bid", "95900.00", "3", "bob-bid"))
        with ex.client(ex.create_user("dave")) as dave:
            dave.orders.create(request=order("ask", "95900.00", "1", "dave-ask", "immediate_or_cancel"))
        assert perps.portfolio.positions().positions == []
        (fired,) = perps.exit_triggers.list_cross(BTC).exit_triggers
        assert (fired.status, fired.triggered_leg) == ("filled", "stop_loss")
        system = perps.orders.get(fired.triggered_order_id).order
        assert system.order_reason == "take_profit_stop_loss"


def test_subaccount_and_intra_exchange_transfers_move_money(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    ex = kalshi_perps_exchange
    with ex.client() as perps:
        sub = perps.portfolio.create_subaccount().subaccount_number
        assert sub == 1
        perps.transfers.between_subaccounts(
            request=ApplySubaccountTransferRequest(
                client_transfer_id="t-1", from_subaccount=0, to_subaccount=1, amount_cents=250_000, exchange_index=5
            )
        )  # exchange_index is ignored on perps
        funds = {b.subaccount: b.account_equity for b in perps.margin.balance().subaccount_balances}
        assert funds == {0: Decimal(97_500), 1: Decimal(2_500)}
        with pytest.raises(KalshiConflictError):
            perps.transfers.between_subaccounts(
                request=ApplySubaccountTransferRequest(
                    client_transfer_id="t-1", from_subaccount=0, to_subaccount=1, amount_cents=1
                )
            )
        perps.transfers.between_instances(
            request=IntraExchangeInstanceTransferRequest(
                source="event_contract", destination="margined", amount=5_000_000
            )
        )  # 500 dollars in centicents
        assert perps.margin.balance().subaccount_balances[0].account_equity == Decimal(98_000)
        assert ex.simulator.call(lambda exch: exch.account(ex.user.user_id).balance) == Decimal(500)


@pytest.fixture
def clocked() -> Iterator[tuple[KalshiExchangeSimulator, list[int]]]:
    now = [1_800_000_000_000 + 1_000]  # 2027-01-15 08:00:01 UTC, between two funding times
    sim = KalshiExchangeSimulator(clock=lambda: now[0])
    sim.start()
    try:
        yield sim, now
    finally:
        sim.stop()


async def test_funding_accrues_on_the_clock_and_shows_on_balance_and_ticker(
    clocked: tuple[KalshiExchangeSimulator, list[int]],
) -> None:
    sim, now = clocked
    alice, bob = sim.create_user("alice"), sim.create_user("bob")
    ex = KalshiPerpsExchange(sim, alice)
    for user in ("alice", "bob"):
        ex.call(lambda engine, user=user: engine.deposit(user, Decimal(100_000)))
    async with ex.async_client() as a, ex.async_client(bob) as b:
        await b.orders.create(request=order("ask", "97000.00", "2", "short"))
        await a.orders.create(request=order("bid", "97000.00", "2", "long", "immediate_or_cancel"))
        long_before = (await a.margin.balance()).settled_funds
        short_before = (await b.margin.balance()).settled_funds
        ex.call(lambda engine: setattr(engine.markets[BTC], "funding_rate", Decimal("0.0005")))
        async with ex.websocket().connect() as session:
            ticker = await session.subscribe_ticker([BTC])
            estimate = await a.funding.estimate(ticker=BTC)
            assert estimate.funding_rate == Decimal("0.0005")
            next_time = estimate.next_funding_time
            now[0] = int(next_time.timestamp() * 1000) + 1  # the funding time passes on the scenario clock
            await a.exchange.status()  # any request runs what the clock made due
            tick = await next_msg(ticker, "Ticker")
            assert tick.msg.funding_rate.rate == Decimal("0.0005")
            assert tick.msg.funding_rate.next_funding_time_ms == int(next_time.timestamp() * 1000) + FUNDING_INTERVAL_MS
        payment = Decimal(2) * Decimal(97000) * Decimal("0.0005")  # 97.00
        assert (await a.margin.balance()).settled_funds == long_before - payment
        assert (await b.margin.balance()).settled_funds == short_before + payment
        history = (await a.funding.history(start_date=date(2027, 1, 1), end_date=date(2027, 12, 31))).funding_history
        assert [(h.market_ticker, h.funding_amount, h.quantity) for h in history] == [(BTC, -payment, Decimal(2))]
        rates = (await a.funding.historical_rates(ticker=BTC)).funding_rates
        assert [r.funding_rate for r in rates] == [Decimal("0.0005")]


async def test_a_stock_split_changes_positions_without_a_fill_and_is_streamed(
    kalshi_perps_exchange: KalshiPerpsExchange,
) -> None:
    ex = kalshi_perps_exchange
    bob = ex.create_user("bob")
    with ex.client(bob) as other:
        other.orders.create(request=order("ask", "97000.00", "2", "bob-ask"))
    async with ex.websocket().connect() as session, ex.async_client() as perps:
        actions = await session.subscribe_corporate_actions([BTC])
        await perps.orders.create(request=order("bid", "97000.00", "2", "long", "immediate_or_cancel"))
        ex.call(lambda engine: engine.stock_split(BTC, ratio_old=1, ratio_new=4))
        delta = await next_msg(actions, "CorporateActionsDelta")
        action = delta.msg.corporate_action
        assert (action.type_, action.split.ratio_new, action.split.post_split_mark_price) == (
            "stock_split",
            Decimal(4),
            Decimal("24250"),
        )
        (position,) = (await perps.portfolio.positions()).positions  # refetched over REST, as the docs say
        assert (position.position, position.entry_price) == (Decimal("8.00"), Decimal("24250"))
        (notice,) = (await perps.corporate_actions.list(ticker=BTC)).corporate_actions
        assert (notice.id, notice.status) == (action.id, "applied")
        market = await perps.markets.get(BTC)
        assert market.market.market_version == 2  # trading resumed on new terms


def test_a_trailing_stop_ratchets_up_and_fires_on_the_pullback(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    ex = kalshi_perps_exchange
    ex.call(lambda engine: engine.cancel_all("sim-perps-mm"))
    bob, carol = ex.create_user("bob"), ex.create_user("carol")
    with ex.client() as perps, ex.client(bob) as b, ex.client(carol) as c:
        b.orders.create(request=order("ask", "97000.00", "1", "b-1"))
        perps.orders.create(request=order("bid", "97000.00", "1", "entry", "immediate_or_cancel"))
        perps.exit_triggers.set_cross(
            BTC, request=SetCrossExitTriggerRequest(kind="trailing", trail_amount=Decimal("500"))
        )

        def trade(price: str, coid: str) -> None:  # bob and carol trade with each other at `price`
            b.orders.create(request=order("ask", price, "1", f"b-{coid}"))
            c.orders.create(request=order("bid", price, "1", f"c-{coid}", "immediate_or_cancel"))

        trade("98000.00", "up")  # the watermark rises to 98,000: the stop follows to 97,500
        (trigger,) = perps.exit_triggers.list_cross(BTC).exit_triggers
        assert (trigger.status, trigger.watermark_price, trigger.effective_stop_price) == (
            "active",
            Decimal(98000),
            Decimal(97500),
        )
        b.orders.create(request=order("bid", "97400.00", "5", "b-bid"))  # liquidity for the stop's sell
        trade("97600.00", "dip")  # above the stop: nothing happens
        assert perps.portfolio.positions().positions[0].position == Decimal(1)
        c.orders.create(request=order("ask", "97400.00", "1", "c-down", "immediate_or_cancel"))  # through the stop
        assert perps.portfolio.positions().positions == []
        (trigger,) = perps.exit_triggers.list_cross(BTC).exit_triggers
        assert (trigger.status, trigger.triggered_leg) == ("filled", "stop_loss")


async def test_liquidation_closes_an_underwater_account_with_a_system_order(
    kalshi_perps_exchange: KalshiPerpsExchange,
) -> None:
    ex = kalshi_perps_exchange
    ex.call(lambda engine: engine.cancel_all("sim-perps-mm"))
    ex.call(lambda engine: engine.deposit(ex.user.user_id, Decimal(-90_000)))  # $10,000 of margin left
    bob, carol = ex.create_user("bob"), ex.create_user("carol")
    async with ex.websocket().connect() as session, ex.async_client() as perps:
        fills = await session.subscribe_fill()
        async with ex.async_client(bob) as b, ex.async_client(carol) as c:
            await b.orders.create(request=order("ask", "97000.00", "1", "b-1"))
            await perps.orders.create(request=order("bid", "97000.00", "1", "entry", "immediate_or_cancel"))
            entry = await next_msg(fills, "Fill")
            assert entry.msg.order_source is None or entry.msg.order_source == "user"
            await c.orders.create(request=order("bid", "88000.00", "5", "c-bid"))  # where the liquidation sells
            await b.orders.create(request=order("ask", "88000.00", "1", "b-crash", "immediate_or_cancel"))
            # at a mark of 88,000 equity is about 950, below the 4,400 maintenance margin: liquidated
            closing = await next_msg(fills, "Fill")
            assert (closing.msg.side, closing.msg.post_position) == ("ask", Decimal(0))
        assert (await perps.portfolio.positions()).positions == []
        system = [o for o in await perps.orders.list() if o.client_order_id.startswith("liquidation")]
        assert [(o.order_reason, o.fill_count) for o in system] == [("liquidation", Decimal(1))]


def test_a_new_order_is_invisible_to_get_by_id_for_a_moment(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    ex = kalshi_perps_exchange
    ex.simulator.realism.consistency_window = 0.3
    with ex.client() as perps:
        created = perps.orders.create(request=order("bid", "90000.00", "1", "fresh"))
        with pytest.raises(KalshiNotFoundError):
            # demo is eventually consistent (docs/protocol/server-behaviours.md#http)
            perps.orders.get(created.order_id)
        time.sleep(0.35)
        assert perps.orders.get(created.order_id).order.client_order_id == "fresh"


def test_the_rest_orderbook_depth_and_aggregation(kalshi_perps_exchange: KalshiPerpsExchange) -> None:
    ex = kalshi_perps_exchange
    with ex.client() as perps:
        for i, price in enumerate(("96999.90", "96999.10", "96998.50")):
            perps.orders.create(request=order("bid", price, "1", f"lvl-{i}"))
        perps.orders.create(request=order("ask", "97001.50", "1", "ask-up"))
        book = perps.markets.orderbook(BTC, depth=2).orderbook
        assert [level[0] for level in book.bids] == [Decimal("96999.90"), Decimal("96999.10")]  # best first
        buckets = perps.markets.orderbook(BTC, aggregation_tick_size="1.00").orderbook
        # bids round down into $1 buckets: 96999.90 and 96999.10 and the maker's 96999 share one
        assert [(p, q) for p, q in buckets.bids] == [(Decimal(96999), Decimal(7)), (Decimal(96998), Decimal(1))]
        assert [(p, q) for p, q in buckets.asks] == [(Decimal(97001), Decimal(5)), (Decimal(97002), Decimal(1))]
