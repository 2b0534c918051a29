"""Client-side token buckets with a fake clock; shared per config; async waits off the loop."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest
from rest_support import (
    BATCH,
    CREATE_ITEM,
    DELETE_ITEM,
    GET_ITEM,
    AsyncItems,
    BatchRequest,
    CreateItemRequest,
    FakeSleep,
    Server,
    close,
    item_json,
    json_response,
    make_client,
    resolve,
)

from kalshi_auth import KalshiAuth, KalshiConfig
from kalshi_rest import AsyncKalshiClient, BucketLimit, KalshiRequestError, Operation, RateLimiter

BALANCE = Operation("GetBalance", "GET", "/portfolio/balance", None, 200, "required")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_burst_then_asks_to_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(read=BucketLimit(20, 40), write=BucketLimit(10, 10), clock=clock)
    assert [limiter.reserve("read", 10) for _ in range(4)] == [0.0] * 4
    assert limiter.reserve("read", 10) == pytest.approx(0.5)  # 10 tokens short at 20/s
    assert limiter.reserve("read", 10) == pytest.approx(1.0)  # queued behind the first
    clock.now += 1.0
    assert limiter.available("read") == pytest.approx(0.0)
    clock.now += 10.0
    assert limiter.available("read") == pytest.approx(40.0)  # capped at capacity
    assert limiter.reserve("write", 10) == 0.0  # buckets are independent


def test_tier_sizes_and_unknown_tier() -> None:
    basic = RateLimiter.for_tier("basic", clock=FakeClock())
    assert basic.available("read") == 200
    assert basic.available("write") == 100
    assert basic.available("balance") == 1
    with pytest.raises(ValueError, match="unknown tier"):
        RateLimiter.for_tier("platinum")
    with pytest.raises(ValueError, match="> 0"):
        BucketLimit(0, 10)


def test_from_limits_reads_account_limits_output() -> None:
    limits = {
        "usage_tier": "expert",
        "read": {"refill_rate": 600, "bucket_capacity": 600},
        "write": {"refill_rate": 400, "bucket_capacity": 800},
        "grants": [],
    }
    limiter = RateLimiter.from_limits(limits, clock=FakeClock())
    assert limiter.available("read") == 600
    assert limiter.available("write") == 800
    assert limiter.available("balance") == 5


def test_costs_per_endpoint_per_item_and_from_server_table() -> None:
    limiter = RateLimiter(read=BucketLimit(100, 100), write=BucketLimit(100, 100), clock=FakeClock())
    batch = BatchRequest(orders=[CreateItemRequest(ticker="T", price_dollars=Decimal(1))] * 3)
    assert limiter.cost_of(GET_ITEM) == 10
    assert limiter.cost_of(DELETE_ITEM) == 2
    assert limiter.cost_of(BATCH, batch) == 30  # 10 per order
    assert limiter.bucket_for(GET_ITEM) == "read"
    assert limiter.bucket_for(CREATE_ITEM) == "write"
    limiter.update_costs(
        {
            "default_cost": 12,
            "endpoint_costs": [
                {"method": "DELETE", "path": "/trade-api/v2/items/{order_id}", "cost": 3},
                {"method": "POST", "path": "/batch", "cost": 4},
            ],
        }
    )
    assert limiter.cost_of(DELETE_ITEM) == 3  # matched despite a different parameter name
    assert limiter.cost_of(GET_ITEM) == 12  # not listed: the server's default
    assert limiter.cost_of(BATCH, batch) == 12  # 4 per order


def test_balance_has_its_own_bucket() -> None:
    limiter = RateLimiter.for_tier("basic", clock=FakeClock())
    assert limiter.bucket_for(BALANCE) == "balance"
    assert limiter.acquire_for(BALANCE) == 0.0
    assert limiter.acquire_for(BALANCE) == pytest.approx(1.0)
    assert limiter.available("read") == 200


@pytest.mark.parametrize("face", ["sync", "async"])
async def test_clients_from_one_config_share_the_limiter(face: str, server: Server, auth: KalshiAuth) -> None:
    clock = FakeClock()
    limiter = RateLimiter(read=BucketLimit(10, 20), write=BucketLimit(10, 10), clock=clock)
    config = KalshiConfig(rate_limiter=limiter)
    server.default = lambda r: json_response(200, {"item": item_json()})
    sleeper = FakeSleep()
    first = make_client(face, server, auth=auth, config=config, sleeper=sleeper)
    second = make_client(face, server, auth=auth, config=config, sleeper=sleeper)
    await resolve(first.items.get("A"))
    await resolve(second.items.get("B"))
    assert sleeper.calls == []
    await resolve(first.items.get("C"))
    assert sleeper.calls == [pytest.approx(1.0)]  # 10 tokens short at 10/s
    assert len(server.requests) == 3
    await close(first)
    await close(second)


@pytest.mark.parametrize("face", ["sync", "async"])
async def test_every_retry_attempt_is_charged(face: str, server: Server) -> None:
    clock = FakeClock()
    limiter = RateLimiter(read=BucketLimit(10, 10), write=BucketLimit(10, 10), clock=clock)
    server.script = [httpx.Response(503), json_response(200, {"item": item_json()})]
    client = make_client(face, server, config=KalshiConfig(rate_limiter=limiter, retry_base_delay=0.0))
    await resolve(client.items.get("A"))
    assert limiter.available("read") == pytest.approx(-10.0)
    await close(client)


def test_config_rejects_a_foreign_rate_limiter() -> None:
    with pytest.raises(KalshiRequestError, match="RateLimiter"):
        AsyncKalshiClient(config=KalshiConfig(rate_limiter=object()))


async def test_async_rate_limit_wait_does_not_block_the_loop(server: Server) -> None:
    # the real monotonic clock and asyncio.sleep: the second call waits 0.2 s (10 tokens at 50/s)
    limiter = RateLimiter(read=BucketLimit(50, 10), write=BucketLimit(10, 10))
    server.default = lambda r: json_response(200, {"item": item_json()})
    client = AsyncKalshiClient(transport=server.asynchronous(), config=KalshiConfig(rate_limiter=limiter))
    items = AsyncItems(client)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.wait_for(asyncio.gather(items.get("A"), items.get("B")), timeout=5)
    elapsed = loop.time() - start
    task.cancel()
    assert 0.15 <= elapsed < 2.0
    assert ticks >= 5  # the loop kept running while the second call waited
    await client.aclose()


def test_generated_order_operations_cost_what_the_spec_says() -> None:
    from kalshi_rest.models import (
        BatchCancelOrdersV2Request,
        BatchCancelOrdersV2RequestOrder,
        BatchCreateOrdersV2Request,
        CreateOrderV2Request,
    )
    from kalshi_rest.resources._generated.account import OPERATIONS as ACCOUNT
    from kalshi_rest.resources._generated.orders import OPERATIONS as ORDERS
    from kalshi_rest.resources._generated.portfolio import OPERATIONS as PORTFOLIO

    limiter = RateLimiter.for_tier("basic", clock=FakeClock())
    order = CreateOrderV2Request(
        ticker="T",
        client_order_id="c-1",
        side="bid",
        count=Decimal("1"),
        price=Decimal("0.5"),
        time_in_force="good_till_canceled",
        self_trade_prevention_type="taker_at_cross",
    )
    creates = BatchCreateOrdersV2Request(orders=[order] * 4)
    cancels = BatchCancelOrdersV2Request(orders=[BatchCancelOrdersV2RequestOrder(order_id=f"o{i}") for i in range(5)])
    assert limiter.cost_of(ORDERS["BatchCreateOrdersV2"], creates) == 40
    assert limiter.cost_of(ORDERS["BatchCancelOrdersV2"], cancels) == 10
    assert limiter.cost_of(ORDERS["CancelOrderV2"]) == 2
    assert limiter.cost_of(ORDERS["CreateOrderV2"], order) == 10
    assert limiter.bucket_for(ORDERS["CreateOrderV2"]) == "write"
    assert limiter.cost_of(ACCOUNT["UpgradeAccountApiUsageLevel"]) == 30
    assert limiter.bucket_for(PORTFOLIO["GetBalance"]) == "balance"
