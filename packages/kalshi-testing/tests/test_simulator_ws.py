from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import connect as ws_connect

from kalshi_testing import KalshiExchangeSimulator, SimulatedUser

_WEBSOCKETS_MAJOR = int(websockets.__version__.split(".")[0])

FED = "KXFED-26DEC-T3.50"
TIMEOUT = 5.0


class Client:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.backlog: list[dict[str, Any]] = []

    async def send(self, cmd: str, params: dict[str, Any] | None = None) -> int:
        self.next_id += 1
        frame: dict[str, Any] = {"id": self.next_id, "cmd": cmd}
        if params is not None:
            frame["params"] = params
        await self.ws.send(json.dumps(frame))
        return self.next_id

    async def recv(self) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))  # type: ignore[no-any-return]

    async def until(self, pred: Callable[[dict[str, Any]], bool], limit: int = 50) -> dict[str, Any]:
        """The first frame (kept back or new) matching `pred`; frames skipped stay in the backlog."""
        for i, frame in enumerate(self.backlog):
            if pred(frame):
                return self.backlog.pop(i)
        for _ in range(limit):
            frame = await self.recv()
            if pred(frame):
                return frame
            self.backlog.append(frame)
        raise AssertionError("frame not seen")

    async def subscribe(self, channel: str, **params: Any) -> int:
        cmd_id = await self.send("subscribe", {"channels": [channel], **params})
        ack = await self.until(lambda f: f.get("id") == cmd_id and f["type"] in ("subscribed", "error"))
        assert ack["type"] == "subscribed", ack
        return int(ack["msg"]["sid"])


def connect(sim: KalshiExchangeSimulator, user: SimulatedUser) -> Any:
    return ws_connect(sim.ws_url, additional_headers=user.auth.headers("GET", "/trade-api/ws/v2"))


async def test_upgrade_must_be_signed(sim: KalshiExchangeSimulator, alice: SimulatedUser) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus) as err:
        async with ws_connect(sim.ws_url):
            pass
    assert err.value.response.status_code == 401
    bad = alice.auth.headers("GET", "/trade-api/v2/markets")  # signed for the wrong path
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with ws_connect(sim.ws_url, additional_headers=bad):
            pass


async def test_rest_order_shows_on_socket_and_cross_fills_both_sides(
    sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser, bob: SimulatedUser
) -> None:
    async with connect(sim, alice) as wa, connect(sim, bob) as wb:
        a, b = Client(wa), Client(wb)
        book_sid = await a.subscribe("orderbook_delta", market_ticker=FED)
        snap = await a.until(lambda f: f["type"] == "orderbook_snapshot")
        assert snap["sid"] == book_sid
        assert snap["seq"] == 1
        assert snap["msg"]["market_ticker"] == FED
        fill_sid = await a.subscribe("fill")
        await a.subscribe("user_orders")
        await a.subscribe("market_positions")
        await b.subscribe("fill")
        await b.subscribe("trade")
        await b.subscribe("ticker", market_tickers=[FED])

        made = await asyncio.to_thread(rest.order, alice, "ask", "0.99", "5", client_order_id="mine")
        delta = await a.until(lambda f: f["type"] == "orderbook_delta")
        assert delta["seq"] == 2
        assert delta["msg"]["side"] == "no"
        assert delta["msg"]["price_dollars"] == "0.0100"
        assert delta["msg"]["delta_fp"] == "5.00"
        assert delta["msg"]["client_order_id"] == "mine"
        resting = await a.until(lambda f: f["type"] == "user_order")
        assert resting["msg"]["status"] == "resting"
        assert resting["msg"]["order_id"] == made["order_id"]
        assert "seq" not in resting

        await asyncio.to_thread(sim.call, lambda ex: ex.cancel_all("market-maker"))
        await asyncio.to_thread(rest.order, bob, "bid", "0.99", "2", time_in_force="immediate_or_cancel")
        a_fill = await a.until(lambda f: f["type"] == "fill")
        b_fill = await b.until(lambda f: f["type"] == "fill")
        assert a_fill["sid"] == fill_sid
        assert "seq" not in a_fill
        assert a_fill["msg"]["is_taker"] is False
        assert b_fill["msg"]["is_taker"] is True
        assert a_fill["msg"]["trade_id"] == b_fill["msg"]["trade_id"]
        assert a_fill["msg"]["post_position_fp"] == "-2.00"
        assert b_fill["msg"]["post_position_fp"] == "2.00"
        pos = await a.until(lambda f: f["type"] == "market_position")
        assert pos["msg"]["position_fp"] == "-2.00"
        trade = await b.until(lambda f: f["type"] == "trade")
        assert trade["msg"]["yes_price_dollars"] == "0.9900"
        assert trade["msg"]["taker_book_side"] == "bid"
        ticker = await b.until(lambda f: f["type"] == "ticker" and f["msg"]["last_trade_size_fp"] == "2.00")
        assert ticker["msg"]["price_dollars"] == "0.9900"
        fill_delta = await a.until(lambda f: f["type"] == "orderbook_delta" and f["msg"]["delta_fp"] == "-2.00")
        assert fill_delta["msg"]["side"] == "no"


async def test_private_frames_go_only_to_their_owner(
    sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser, bob: SimulatedUser
) -> None:
    async with connect(sim, bob) as wb:
        b = Client(wb)
        await b.subscribe("user_orders")
        await b.subscribe("orderbook_delta", market_ticker=FED)
        await b.until(lambda f: f["type"] == "orderbook_snapshot")
        await asyncio.to_thread(rest.order, alice, "bid", "0.05", "1", client_order_id="secret")
        delta = await b.until(lambda f: f["type"] == "orderbook_delta")
        assert "client_order_id" not in delta["msg"]
        await b.send("list_subscriptions")
        listing = await b.until(lambda f: f["type"] == "ok")
        assert isinstance(listing["msg"], list)
        assert not any(f["type"] == "user_order" for f in b.backlog)  # alice's order never reached bob


async def test_commands_update_unsubscribe_list_and_errors(sim: KalshiExchangeSimulator, alice: SimulatedUser) -> None:
    async with connect(sim, alice) as ws:
        c = Client(ws)
        sid = await c.subscribe("orderbook_delta", market_tickers=[FED])
        await c.until(lambda f: f["type"] == "orderbook_snapshot")
        cmd = await c.send(
            "update_subscription", {"sids": [sid], "action": "add_markets", "market_tickers": ["KXFED-26DEC-T3.25"]}
        )
        snap = await c.until(lambda f: f["type"] == "orderbook_snapshot")
        assert snap["msg"]["market_ticker"] == "KXFED-26DEC-T3.25"
        assert snap["seq"] == 2
        ok = await c.until(lambda f: f.get("id") == cmd)
        assert ok["type"] == "ok"
        assert ok["msg"]["market_tickers"] == ["KXFED-26DEC-T3.25", FED]
        assert ok["seq"] == 3
        cmd = await c.send(
            "update_subscription", {"sid": sid, "action": "delete_markets", "market_tickers": ["KXFED-26DEC-T3.25"]}
        )
        removed = await c.until(lambda f: f.get("id") == cmd)
        assert removed["msg"]["market_tickers"] == [FED]
        cmd = await c.send("update_subscription", {"sid": sid, "action": "get_snapshot", "market_tickers": [FED]})
        again = await c.until(lambda f: f["type"] == "orderbook_snapshot")
        assert again["id"] == cmd
        assert again["seq"] == 5
        await c.send("list_subscriptions")
        listing = await c.until(lambda f: f["type"] == "ok" and isinstance(f["msg"], list))
        assert listing["msg"] == [{"channel": "orderbook_delta", "sid": sid}]
        errors = {
            ("bogus", None): 5,
            ("subscribe", None): 2,
            ("subscribe", ()): 3,
            ("subscribe", ("nope",)): 8,
            ("subscribe", ("orderbook_delta",)): 14,
            ("unsubscribe", "empty"): 4,
            ("unsubscribe", "unknown"): 7,
        }
        for (name, arg), code in errors.items():
            if name == "subscribe" and arg is not None:
                params: dict[str, Any] | None = {"channels": list(arg)}
            elif name == "unsubscribe":
                params = {"sids": []} if arg == "empty" else {"sids": [99]}
            else:
                params = None
            cmd = await c.send(name, params)
            err = await c.until(lambda f, cmd=cmd: f.get("id") == cmd)  # type: ignore[misc]
            assert (err["type"], err["msg"]["code"]) == ("error", code), (name, arg, err)
        cmd = await c.send("update_subscription", {"sids": [sid, sid], "action": "add_markets"})
        assert (await c.until(lambda f: f.get("id") == cmd))["msg"]["code"] == 12
        cmd = await c.send("update_subscription", {"sid": [sid], "action": "add_markets"})
        assert (await c.until(lambda f: f.get("id") == cmd))["msg"]["code"] == 1
        cmd = await c.send("subscribe", {"channels": ["ticker"], "market_tickers": "not-a-list"})
        assert (await c.until(lambda f: f.get("id") == cmd))["msg"]["code"] == 11
        await ws.send("not json")
        assert (await c.until(lambda f: f["type"] == "error"))["msg"]["code"] == 1
        cmd = await c.send("unsubscribe", {"sids": [sid]})
        gone = await c.until(lambda f: f.get("id") == cmd)
        assert gone["type"] == "unsubscribed"
        assert gone["sid"] == sid
        assert gone["seq"] == 6


async def test_use_yes_price_reports_no_side_in_yes_prices(
    sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser
) -> None:
    async with connect(sim, alice) as ws:
        c = Client(ws)
        await c.subscribe("orderbook_delta", market_ticker=FED, use_yes_price=True)
        snap = await c.until(lambda f: f["type"] == "orderbook_snapshot")
        yes_prices = [p for p, _ in snap["msg"]["yes_dollars_fp"]]
        no_as_yes = [p for p, _ in snap["msg"]["no_dollars_fp"]]
        assert max(yes_prices) < min(no_as_yes)  # asks above bids on one scale
        await asyncio.to_thread(rest.order, alice, "ask", "0.97", "1")
        delta = await c.until(lambda f: f["type"] == "orderbook_delta")
        assert delta["msg"]["side"] == "no"
        assert delta["msg"]["price_dollars"] == "0.9700"


async def test_order_group_updates_are_sequenced(sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser) -> None:
    async with connect(sim, alice) as ws:
        c = Client(ws)
        await c.subscribe("order_group_updates")
        gid = (
            await asyncio.to_thread(
                rest, "POST", "/portfolio/order_groups/create", alice, json_body={"contracts_limit": 2}
            )
        ).json()["order_group_id"]
        created = await c.until(lambda f: f["type"] == "order_group_updates")
        assert created["msg"]["event_type"] == "created"
        assert created["msg"]["order_group_id"] == gid
        await asyncio.to_thread(rest, "PUT", f"/portfolio/order_groups/{gid}/trigger", alice, json_body={})
        trig = await c.until(lambda f: f["type"] == "order_group_updates")
        assert trig["msg"]["event_type"] == "triggered"
        assert trig["seq"] == created["seq"] + 1


async def test_fault_seq_gap_and_malformed_frame(sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser) -> None:
    async with connect(sim, alice) as ws:
        c = Client(ws)
        await c.subscribe("orderbook_delta", market_ticker=FED)
        snap = await c.until(lambda f: f["type"] == "orderbook_snapshot")
        sim.faults.seq_gap(channel="orderbook_delta", skip=2)
        sim.faults.malformed_frame()
        await asyncio.to_thread(rest.order, alice, "bid", "0.02", "1")
        raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
        with pytest.raises(json.JSONDecodeError):
            json.loads(raw)
        delta = await c.until(lambda f: f["type"] == "orderbook_delta")
        assert delta["seq"] == snap["seq"] + 3


async def test_fault_drop_connection_mid_stream(sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser) -> None:
    sim.faults.drop_connection(after_frames=2)
    async with connect(sim, alice) as ws:
        c = Client(ws)
        await c.subscribe("orderbook_delta", market_ticker=FED)
        await c.until(lambda f: f["type"] == "orderbook_snapshot")
        await asyncio.to_thread(rest.order, alice, "bid", "0.02", "1")
        received: list[str] = []

        async def read_until_closed() -> None:
            for _ in range(10):
                received.append((await c.recv())["type"])

        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            await read_until_closed()
        assert closed.value.rcvd is None  # no close frame: the TCP stream was cut
        assert "drop_connection" in sim.faults.fired
        if _WEBSOCKETS_MAJOR >= 14:  # 13.x's client drops frames still queued when the TCP stream ends
            assert received == ["orderbook_delta"]  # the delta went out first: a deterministic drop point
    async with connect(sim, alice) as ws:  # the next connection is healthy
        c = Client(ws)
        await c.subscribe("orderbook_delta", market_ticker=FED)
        assert (await c.until(lambda f: f["type"] == "orderbook_snapshot"))["seq"] == 1


async def test_server_heartbeat_ping(sim: KalshiExchangeSimulator, alice: SimulatedUser) -> None:
    import aiohttp

    headers = alice.auth.headers("GET", "/trade-api/ws/v2")
    async with aiohttp.ClientSession() as http, http.ws_connect(sim.ws_url, headers=headers, autoping=False) as ws:
        msg = await asyncio.wait_for(ws.receive(), 2.0)  # heartbeat is 0.5 s in these tests
        assert msg.type is aiohttp.WSMsgType.PING
        assert msg.data == b"heartbeat"


async def test_ticker_initial_snapshot_and_no_frames_after_unsubscribe(
    sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser
) -> None:
    async with connect(sim, alice) as ws:
        c = Client(ws)
        sid = await c.subscribe("ticker", market_tickers=[FED, "KXFED-26DEC-T3.25"], send_initial_snapshot=True)
        first = [await c.until(lambda f: f["type"] == "ticker") for _ in range(2)]
        assert {f["msg"]["market_ticker"] for f in first} == {FED, "KXFED-26DEC-T3.25"}
        assert all("seq" not in f for f in first)
        cmd = await c.send("unsubscribe", {"sids": [sid]})
        await c.until(lambda f: f.get("id") == cmd)
        await asyncio.to_thread(rest.order, alice, "bid", "0.02", "1")
        await c.send("list_subscriptions")
        listing = await c.until(lambda f: f["type"] == "ok")
        assert listing["msg"] == []
        assert not any(f["type"] == "ticker" for f in c.backlog)


async def test_slow_consumer_overflow_ends_the_subscription_with_error_25() -> None:
    with KalshiExchangeSimulator(ws_queue_limit=4) as sim:
        trader = await asyncio.to_thread(sim.create_user, "sweeper", balance="100000")
        async with connect(sim, trader) as ws:
            c = Client(ws)
            sid = await c.subscribe("orderbook_delta", market_ticker=FED)
            await c.until(lambda f: f["type"] == "orderbook_snapshot")
            base = {
                "ticker": FED,
                "count": "1",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "maker",
            }

            def burst(ex: Any) -> None:  # ten book changes in one loop turn: more than the queue holds
                for i in range(10):
                    ex.create_order("sweeper", base | {"side": "bid", "price": f"0.0{i % 9 + 1}"})

            await asyncio.to_thread(sim.call, burst)
            error = await c.until(lambda f: f["type"] == "error")
            assert error["sid"] == sid
            assert error["msg"]["code"] == 25
            await c.send("list_subscriptions")
            assert (await c.until(lambda f: f["type"] == "ok"))["msg"] == []
        assert "buffer_overflow" in sim.faults.fired


async def test_ioc_remainder_is_cancelled_with_a_spec_reason(
    sim: KalshiExchangeSimulator, rest: Any, alice: SimulatedUser, bob: SimulatedUser
) -> None:
    """An IOC that fills in part: 201 over REST, and its `user_order` names no reason outside the spec's enum
    (lastUpdateReason has none for a time-in-force remainder, so the field is left out)."""
    await asyncio.to_thread(sim.call, lambda ex: ex.cancel_all("market-maker"))
    async with connect(sim, bob) as wb:
        b = Client(wb)
        await b.subscribe("user_orders")
        await asyncio.to_thread(rest.order, alice, "ask", "0.40", "2")
        taken = await asyncio.to_thread(rest.order, bob, "bid", "0.40", "5", time_in_force="immediate_or_cancel")
        assert (taken["fill_count"], taken["remaining_count"]) == ("2.00", "0.00")
        done = await b.until(lambda f: f["type"] == "user_order" and f["msg"]["status"] == "canceled")
        assert done["msg"]["order_id"] == taken["order_id"]
        assert done["msg"]["fill_count_fp"] == "2.00"
        assert done["msg"].get("last_update_reason") is None
