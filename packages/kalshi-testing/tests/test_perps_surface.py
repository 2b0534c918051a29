"""The perps surface on the wire: the WebSocket channels frame by frame, realistic mode, perps rate limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect as ws_connect

from kalshi_testing import KalshiExchangeSimulator, SimulatedUser
from kalshi_testing.simulator import BucketSpec, RateLimits
from kalshi_testing.simulator.perps import PERPS_WS_PATH, PerpsExchange, perps_surface

BTC = "BTC-PERP"
API = "/trade-api/v2"
TIMEOUT = 5.0


def _order(coid: str, side: str, price: str, count: str, tif: str = "good_till_canceled") -> dict[str, Any]:
    return {
        "ticker": BTC,
        "client_order_id": coid,
        "side": side,
        "price": price,
        "count": count,
        "time_in_force": tif,
        "self_trade_prevention_type": "maker",
    }


@pytest.fixture
def sim() -> Iterator[KalshiExchangeSimulator]:
    simulator = KalshiExchangeSimulator()
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


def funded(sim: KalshiExchangeSimulator, name: str) -> SimulatedUser:
    user = sim.create_user(name)
    engine = perps_surface(sim).engine
    sim.call(lambda _: engine.deposit(name, Decimal(100_000)))
    return user


def on_engine(sim: KalshiExchangeSimulator, fn: Callable[[PerpsExchange], Any]) -> Any:
    engine = perps_surface(sim).engine
    return sim.call(lambda _: fn(engine))


class Frames:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = 0
        self.seen: list[dict[str, Any]] = []

    async def send(self, cmd: str, params: dict[str, Any] | None = None) -> int:
        self.ids += 1
        await self.ws.send(json.dumps({"id": self.ids, "cmd": cmd, **({"params": params} if params else {})}))
        return self.ids

    async def until(self, pred: Callable[[dict[str, Any]], bool], limit: int = 100) -> dict[str, Any]:
        for i, frame in enumerate(self.seen):
            if pred(frame):
                return self.seen.pop(i)
        for _ in range(limit):
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            if pred(frame):
                return frame
            self.seen.append(frame)
        raise AssertionError("frame not seen")

    async def subscribe(self, channel: str, **params: Any) -> dict[str, Any]:
        cmd_id = await self.send("subscribe", {"channels": [channel], **params})
        return await self.until(lambda f: f.get("id") == cmd_id and f["type"] in ("subscribed", "error"))


def connect(sim: KalshiExchangeSimulator, user: SimulatedUser) -> Any:
    url = sim.base_url.replace("http://", "ws://") + PERPS_WS_PATH
    return ws_connect(url, additional_headers=user.auth.headers("GET", PERPS_WS_PATH))


async def test_every_perps_channel_streams_in_the_spec_shapes(sim: KalshiExchangeSimulator) -> None:
    alice, bob = funded(sim, "alice"), funded(sim, "bob")
    async with connect(sim, alice) as ws:
        frames = Frames(ws)
        sids = {}
        for channel, params in [
            ("orderbook_delta", {"market_tickers": [BTC]}),
            ("ticker", {"market_tickers": [BTC]}),
            ("trade", {}),
            ("fill", {}),
            ("user_orders", {}),
            ("order_group_updates", {}),
            ("corporate_actions", {}),
        ]:
            ack = await frames.subscribe(channel, **params)
            assert ack["type"] == "subscribed", ack
            sids[channel] = ack["msg"]["sid"]
        cmd = await frames.send("list_subscriptions")
        listed = await frames.until(lambda f: f.get("id") == cmd)
        assert sorted(s["channel"] for s in listed["msg"]) == sorted(sids)

        snapshot = await frames.until(lambda f: f["type"] == "orderbook_snapshot")
        assert snapshot["msg"] == {
            "market_ticker": BTC,
            "bid": [["96999.0000", "5.00"]],
            "ask": [["97001.0000", "5.00"]],
        }
        assert snapshot["seq"] == 1

        on_engine(sim, lambda e: e.create_order("alice", _order("a1", "ask", "97000.00", "2")))
        on_engine(sim, lambda e: e.create_order("bob", _order("b1", "bid", "97000.00", "1", "immediate_or_cancel")))
        on_engine(sim, lambda e: e.create_group("alice", {"contracts_limit": 3}))

        added = await frames.until(lambda f: f["type"] == "orderbook_delta" and f["msg"]["delta"] == "2.00")
        assert added["seq"] == 2
        assert added["msg"]["client_order_id"] == "a1"  # alice's own order: she sees her client_order_id
        taken = await frames.until(lambda f: f["type"] == "orderbook_delta" and f["msg"]["delta"] == "-1.00")
        assert (taken["seq"], taken["msg"]["side"], taken["msg"]["price"]) == (3, "ask", "97000.0000")
        trade = await frames.until(lambda f: f["type"] == "trade")
        assert (trade["seq"], trade["msg"]["taker_side"], trade["msg"]["count"]) == (1, "bid", "1.00")
        fill = await frames.until(lambda f: f["type"] == "fill")
        assert "seq" not in fill
        assert (fill["msg"]["side"], fill["msg"]["post_position"], fill["msg"]["is_taker"]) == ("ask", "-1.00", False)
        order = await frames.until(lambda f: f["type"] == "user_order" and f["msg"]["fill_count"] == "1.00")
        assert "status" not in order["msg"]  # perps user_order has no status field
        assert order["msg"]["remaining_count"] == "1.00"
        ticker = await frames.until(lambda f: f["type"] == "ticker")
        assert "seq" not in ticker
        assert set(ticker["msg"]["funding_rate"]) == {"rate", "next_funding_time_ms", "ts_ms"}
        group = await frames.until(lambda f: f["type"] == "order_group_updates")
        assert (group["seq"], group["msg"]["event_type"]) == (1, "created")
        assert not [f for f in frames.seen if f["type"] == "fill" and f["msg"]["order_id"] != fill["msg"]["order_id"]]

    async with connect(sim, bob) as ws:  # bob's fills are his own; alice's never reach him
        frames = Frames(ws)
        assert (await frames.subscribe("fill"))["type"] == "subscribed"
        on_engine(sim, lambda e: e.create_order("bob", _order("b2", "bid", "97000.00", "1", "immediate_or_cancel")))
        fill = await frames.until(lambda f: f["type"] == "fill")
        assert (fill["msg"]["client_order_id"], fill["msg"]["is_taker"]) == ("b2", True)


async def test_perps_socket_refuses_what_perps_does_not_have(sim: KalshiExchangeSimulator) -> None:
    alice = funded(sim, "alice")
    async with connect(sim, alice) as ws:
        frames = Frames(ws)
        no_positions = await frames.subscribe("market_positions")  # perps has no positions channel
        assert (no_positions["type"], no_positions["msg"]["code"]) == ("error", 8)
        no_tickers = await frames.subscribe("orderbook_delta")
        assert (no_tickers["type"], no_tickers["msg"]["code"]) == ("error", 14)


def _get(sim: KalshiExchangeSimulator, user: SimulatedUser, path: str, **params: Any) -> httpx.Response:
    headers = user.auth.headers("GET", API + path)
    return httpx.get(sim.base_url + API + path, headers=headers, params=params or None, timeout=10)


def test_realistic_mode_omits_the_last_cursor_and_rolling_out_fields(sim: KalshiExchangeSimulator) -> None:
    alice = funded(sim, "alice")
    on_engine(sim, lambda e: e.create_order("alice", _order("r1", "bid", "90000.00", "1")))
    on_engine(sim, lambda e: e.create_order("alice", _order("r2", "bid", "90000.10", "1")))
    first = _get(sim, alice, "/margin/orders", limit=1).json()
    assert first["cursor"]
    last = _get(sim, alice, "/margin/orders", limit=1, cursor=first["cursor"]).json()
    assert "cursor" not in last  # the live API leaves it out on the last page
    assert "order_source" not in last["orders"][0]
    assert "halt_sources" not in _get(sim, alice, f"/margin/markets/{BTC}").json()["market"]
    assert _get(sim, alice, "/margin/positions").json() == {"positions": None}  # an empty list arrives as null

    sim.realism.enabled = False  # the simulator's switch: exactly the spec's shapes
    last = _get(sim, alice, "/margin/orders", limit=1, cursor=first["cursor"]).json()
    assert last["cursor"] == ""
    assert last["orders"][0]["order_source"] == "user"
    assert _get(sim, alice, f"/margin/markets/{BTC}").json()["market"]["halt_sources"] == []
    assert _get(sim, alice, "/margin/positions").json() == {"positions": []}


def test_perps_has_its_own_rate_limit_buckets() -> None:
    limits = RateLimits(perps_read=BucketSpec(1, 60), read=BucketSpec(200, 200))
    with KalshiExchangeSimulator(rate_limits=limits) as sim:
        alice = funded(sim, "alice")
        assert _get(sim, alice, "/margin/balance", compute_available_balance="true").status_code == 200  # 50
        assert _get(sim, alice, "/margin/balance").status_code == 200  # 5 more: 55 of 60
        spent = _get(sim, alice, "/margin/balance", compute_available_balance="true")
        assert spent.status_code == 429
        assert int(spent.headers["Retry-After"]) >= 1
        assert _get(sim, alice, "/markets").status_code == 200  # the prediction read bucket is untouched
        limits_view = _get(sim, alice, "/account/limits/perps")
        assert limits_view.status_code == 429  # a 10-token read no longer fits either
    with KalshiExchangeSimulator(rate_limits=RateLimits(perps_read=BucketSpec(7, 70))) as sim:
        alice = funded(sim, "alice")
        body = _get(sim, alice, "/account/limits/perps").json()
        assert (body["read"]["refill_rate"], body["read"]["bucket_capacity"]) == (7, 70)


async def test_root_commands_and_control_frames_on_the_perps_socket(sim: KalshiExchangeSimulator) -> None:
    alice = funded(sim, "alice")
    async with connect(sim, alice) as ws:
        pong = await ws.ping()  # control_frames: the server answers a ping with a pong
        await asyncio.wait_for(pong, TIMEOUT)
        frames = Frames(ws)
        fill_sid = (await frames.subscribe("fill", market_tickers=[BTC]))["msg"]["sid"]
        cmd = await frames.send(
            "update_subscription", {"sid": fill_sid, "action": "add_markets", "market_tickers": ["ETH-PERP"]}
        )
        ok = await frames.until(lambda f: f.get("id") == cmd)
        assert (ok["type"], ok["msg"]["market_tickers"]) == ("ok", ["BTC-PERP", "ETH-PERP"])
        cmd = await frames.send("unsubscribe", {"sids": [fill_sid]})
        gone = await frames.until(lambda f: f.get("id") == cmd)
        assert (gone["type"], gone["sid"]) == ("unsubscribed", fill_sid)
        cmd = await frames.send("list_subscriptions")
        assert (await frames.until(lambda f: f.get("id") == cmd))["msg"] == []


async def test_ticker_is_coalesced_to_one_message_per_market_per_second(sim: KalshiExchangeSimulator) -> None:
    alice = funded(sim, "alice")
    async with connect(sim, alice) as ws:
        frames = Frames(ws)
        assert (await frames.subscribe("ticker", market_tickers=[BTC]))["type"] == "subscribed"
        for i, price in enumerate(("96999.50", "96999.60", "96999.70")):  # three book changes at once
            on_engine(sim, lambda e, i=i, price=price: e.create_order("alice", _order(f"t{i}", "bid", price, "1")))
        loop = asyncio.get_running_loop()
        first = await frames.until(lambda f: f["type"] == "ticker")
        started = loop.time()
        assert first["msg"]["bid"] == "96999.5000"
        latest = await frames.until(lambda f: f["type"] == "ticker")
        assert latest["msg"]["bid"] == "96999.7000"  # the latest value wins; the middle one is dropped
        assert loop.time() - started >= 0.9
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(frames.until(lambda f: f["type"] == "ticker"), 1.5)
