"""End to end: kalshi_rest's KalshiClient / AsyncKalshiClient against the simulator (kalshi_exchange fixture)."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from kalshi_testing import KalshiExchange

FED = "KXFED-26DEC-T3.50"
T = TypeVar("T")


def create(client: Any, side: str, price: str, count: str, coid: str, **extra: Any) -> Any:
    from kalshi_rest.models import CreateOrderV2Request

    fields = {"time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross"} | extra
    request = CreateOrderV2Request(
        ticker=FED, client_order_id=coid, side=side, count=Decimal(count), price=Decimal(price), **fields
    )
    return client.orders.create_v2(request=request)


def test_place_rest_cross_fill_both_sides_balance_change(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    sim.call(lambda ex: ex.cancel_all("market-maker"))
    other = kalshi_exchange.create_user("counterparty")
    with kalshi_exchange.client() as maker, kalshi_exchange.client(other) as taker:
        before = maker.portfolio.balance().balance
        made = create(maker, "ask", "0.60", "10", "maker-1")
        assert made.remaining_count == Decimal("10.00")
        assert made.fill_count == Decimal("0")
        book = maker.markets.orderbook(FED).orderbook_fp
        assert [Decimal("0.40"), Decimal("10")] in [[p, q] for p, q in book.no_dollars]
        taken = create(taker, "bid", "0.65", "4", "taker-1", time_in_force="immediate_or_cancel")
        assert taken.fill_count == Decimal("4")
        assert taken.average_fill_price == Decimal("0.60")
        maker_fills = list(maker.portfolio.fills())
        taker_fills = list(taker.portfolio.fills())
        assert maker_fills[0].trade_id == taker_fills[0].trade_id
        assert maker_fills[0].is_taker is False
        assert taker_fills[0].is_taker is True
        # 4 NO contracts bought at $0.40, and the 6 still resting hold another 6 x $0.40 (in cents).
        assert maker.portfolio.balance().balance == before - 160 - 240
        fee_cents = int(taker_fills[0].fee_cost * 100)
        assert taker.portfolio.balance().balance == 100_000 - 240 - fee_cents
        assert maker.orders.cancel_v2(made.order_id).reduced_by == Decimal("6")
        assert maker.portfolio.balance().balance == before - 160  # the cancel releases the hold


def test_public_pages_and_not_found(kalshi_exchange: KalshiExchange) -> None:
    from kalshi_rest import KalshiNotFoundError

    with kalshi_exchange.client() as client:
        page = client.markets.list(status="open", limit=5)
        tickers = [m.ticker for m in page]
        assert len(tickers) == 5
        assert page.has_next
        second = client.markets.list(status="open", limit=5, cursor=page.cursor)
        assert not set(tickers) & {m.ticker for m in second}
        everything = list(client.markets.list_all(status="open", limit=5))
        assert len(everything) == 16  # 17 listed, one closed
        with pytest.raises(KalshiNotFoundError) as err:
            client.markets.get("NOPE")
        assert err.value.status_code == 404


def test_get_is_retried_through_429_and_5xx(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    sim.faults.rate_limit(retry_after=0.01, times=2, path="/portfolio/balance")
    sim.faults.server_error(status=503, times=1, path="/exchange/status")
    with kalshi_exchange.client() as client:
        assert client.portfolio.balance().balance == 100_000
        assert client.exchange.status().exchange_active is True
    assert sim.count_requests("GET", "/portfolio/balance") == 3
    assert sim.count_requests("GET", "/exchange/status") == 2


def test_post_and_delete_are_never_retried(kalshi_exchange: KalshiExchange) -> None:
    from kalshi_rest import KalshiRateLimitError, KalshiServerError

    sim = kalshi_exchange.simulator
    with kalshi_exchange.client() as client:
        sim.faults.server_error(status=503, times=1, method="POST")
        with pytest.raises(KalshiServerError):
            create(client, "bid", "0.05", "1", "once")
        assert sim.count_requests("POST", "/portfolio/events/orders") == 1
        order = create(client, "bid", "0.05", "1", "once")  # same client_order_id: the retry the caller chose
        assert sim.count_requests("POST", "/portfolio/events/orders") == 2
        sim.faults.clear()
        sim.faults.rate_limit(retry_after=0.01, times=2, method="DELETE")
        with pytest.raises(KalshiRateLimitError) as err:
            client.orders.cancel_v2(order.order_id)
        assert err.value.retry_after == pytest.approx(0.01)
        assert sim.count_requests("DELETE", f"/portfolio/events/orders/{order.order_id}") == 1


def test_bad_signature_maps_to_auth_error(kalshi_exchange: KalshiExchange) -> None:
    from kalshi_rest import KalshiAuthError

    sim = kalshi_exchange.simulator
    sim.keys.revoke(kalshi_exchange.user.key_id)
    with kalshi_exchange.client() as client, pytest.raises(KalshiAuthError) as err:
        client.portfolio.balance()
    assert err.value.status_code == 401


async def test_async_client_against_the_simulator(kalshi_exchange: KalshiExchange) -> None:
    async with kalshi_exchange.async_client() as client:
        page = await client.markets.list(status="open", limit=3)
        assert len(list(page)) == 3
        seen = [m.ticker async for m in client.markets.list_all(status="closed")]
        assert seen == ["KXBTCD-26NOV2417-T90000"]
        balance = await client.portfolio.balance()
        assert balance.balance_dollars == Decimal("1000")


def test_record_with_the_client_and_replay_offline(kalshi_exchange: KalshiExchange, tmp_path: Any) -> None:
    from kalshi_rest import KalshiClient
    from kalshi_testing import RecordingTransport, ReplayTransport

    with kalshi_exchange.client(transport=RecordingTransport(tmp_path)) as client:
        live_markets = [m.ticker for m in client.markets.list(status="open", limit=4)]
        live_balance = client.portfolio.balance().balance
    kalshi_exchange.simulator.stop()  # nothing is listening any more
    replay = ReplayTransport(tmp_path)
    with KalshiClient(auth=kalshi_exchange.auth, config=kalshi_exchange.config, transport=replay) as client:
        assert [m.ticker for m in client.markets.list(status="open", limit=4)] == live_markets
        assert client.portfolio.balance().balance == live_balance
    for fixture in tmp_path.glob("*.json"):
        assert kalshi_exchange.user.key_id not in fixture.read_text()


def test_slow_get_times_out_then_succeeds_but_slow_post_surfaces(kalshi_exchange: KalshiExchange) -> None:
    from kalshi_rest import KalshiTimeoutError

    sim = kalshi_exchange.simulator
    config = kalshi_exchange.config.replace(timeout=0.3)
    with kalshi_exchange.client(config=config) as client:
        sim.faults.latency(1.0, path="/exchange/status", times=1)
        assert client.exchange.status().trading_active is True  # first attempt timed out, the retry answered
        assert sim.count_requests("GET", "/exchange/status") == 2
        sim.faults.slow_response(1.0, path="/portfolio/events/orders", method="POST", times=1)
        with pytest.raises(KalshiTimeoutError):
            create(client, "bid", "0.05", "1", "slow-1")  # the write may have happened: never retried
        assert sim.count_requests("POST", "/portfolio/events/orders") == 1
        orders = list(client.orders.list(ticker=FED))
        assert [o.client_order_id for o in orders] == ["slow-1"]  # it did happen: reconcile by client_order_id


def eventually(call: Callable[[], T], timeout: float = 3.0) -> T:
    """`call()` once the exchange shows a just-created object: retry 404s for at most `timeout` s."""
    from kalshi_rest import KalshiNotFoundError

    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except KalshiNotFoundError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_the_seed_api_order_family_and_portfolio_calls(kalshi_exchange: KalshiExchange) -> None:
    from kalshi_rest.models import (
        AmendOrderV2Request,
        BatchCancelOrdersV2Request,
        BatchCancelOrdersV2RequestOrder,
        BatchCreateOrdersV2Request,
        CreateOrderV2Request,
        DecreaseOrderV2Request,
    )

    with kalshi_exchange.client() as client:
        order = create(client, "bid", "0.10", "10", "seed-1")
        # Realistic mode: a new order is invisible to GET by id for a moment (eventual consistency).
        ahead = eventually(lambda: client.orders.queue_position(order.order_id)).queue_position_fp
        assert ahead == Decimal("0")
        amended = client.orders.amend_v2(
            order.order_id,
            request=AmendOrderV2Request(ticker=FED, side="bid", price=Decimal("0.11"), count=Decimal("12")),
        )
        assert amended.remaining_count == Decimal("12")
        decreased = client.orders.decrease_v2(order.order_id, request=DecreaseOrderV2Request(reduce_by=Decimal("2")))
        assert decreased.remaining_count == Decimal("10")
        batch = client.orders.batch_create_v2(
            request=BatchCreateOrdersV2Request(
                orders=[
                    CreateOrderV2Request(
                        ticker=FED,
                        client_order_id=f"seed-b{i}",
                        side="bid",
                        count=Decimal("1"),
                        price=Decimal("0.0" + str(i + 1)),
                        time_in_force="good_till_canceled",
                        self_trade_prevention_type="maker",
                    )
                    for i in range(3)
                ]
            )
        )
        ids = [o.order_id for o in batch.orders]
        assert len(ids) == 3
        cancelled = client.orders.batch_cancel_v2(
            request=BatchCancelOrdersV2Request(orders=[BatchCancelOrdersV2RequestOrder(order_id=i) for i in ids])
        )
        assert [o.reduced_by for o in cancelled.orders] == [Decimal("1")] * 3
        assert client.orders.cancel_v2(order.order_id).reduced_by == Decimal("10")
        assert list(client.portfolio.deposits()) == []
        assert list(client.portfolio.withdrawals()) == []
        assert client.account.endpoint_costs().default_cost == 10
