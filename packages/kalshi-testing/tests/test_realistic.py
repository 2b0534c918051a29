"""Realistic mode (the default) against spec-exact mode: the same session, two wire shapes."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect as ws_connect

from kalshi_testing import KalshiExchangeSimulator, SimulatedUser

API = "/trade-api/v2"
FED = "KXFED-26DEC-T3.50"


def call(
    sim: KalshiExchangeSimulator, method: str, path: str, user: SimulatedUser | None = None, **kw: Any
) -> httpx.Response:
    headers = user.auth.headers(method, API + path) if user else {}
    body = kw.pop("json", None)
    content = json.dumps(body) if body is not None else None
    return httpx.request(method, sim.base_url + API + path, headers=headers, params=kw or None, content=content)


def order(sim: KalshiExchangeSimulator, user: SimulatedUser, side: str, price: str, count: str) -> dict[str, Any]:
    body = {
        "ticker": FED,
        "side": side,
        "price": price,
        "count": count,
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    r = call(sim, "POST", "/portfolio/events/orders", user, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.mark.parametrize("realistic", [True, False])
def test_null_arrays_missing_rollout_fields_and_empty_cursor(realistic: bool) -> None:
    with KalshiExchangeSimulator(realistic=realistic, consistency_window=0) as sim:
        a, b = sim.create_user("a"), sim.create_user("b")
        sim.call(lambda ex: ex.cancel_all("market-maker"))
        group = call(sim, "POST", "/portfolio/order_groups/create", a, json={"contracts_limit": 5}).json()
        orders = call(sim, "GET", f"/portfolio/order_groups/{group['order_group_id']}", a).json()["orders"]
        assert orders == (None if realistic else [])  # required array, observed as null
        order(sim, a, "ask", "0.40", "2")
        order(sim, b, "bid", "0.40", "2")
        fill = call(sim, "GET", "/portfolio/fills", b).json()["fills"][0]
        trade = call(sim, "GET", "/markets/trades", ticker=FED).json()["trades"][0]
        market = call(sim, "GET", f"/markets/{FED}").json()["market"]
        series = call(sim, "GET", "/series/KXFED").json()["series"]
        assert ("exchange_index" in fill) is not realistic  # required, absent during a rollout
        assert ("is_block_trade" in trade) is not realistic
        assert ("settlement_bounds_type" in market) is not realistic
        assert ("categories" in series) is not realistic
        assert fill["count_fp"] == "2.00"  # everything else is as the spec says
        empty_cursor = call(sim, "GET", "/markets", cursor="")
        assert empty_cursor.status_code == (400 if realistic else 200)


def test_a_new_order_is_invisible_to_get_by_id_for_the_window() -> None:
    with KalshiExchangeSimulator(consistency_window=0.3) as sim:
        a = sim.create_user("a")
        made = order(sim, a, "bid", "0.05", "1")
        first = call(sim, "GET", f"/portfolio/orders/{made['order_id']}", a)
        assert first.status_code == 404
        assert first.json()["code"] == "not_found"
        deadline = time.monotonic() + 3
        while call(sim, "GET", f"/portfolio/orders/{made['order_id']}", a).status_code == 404:
            assert time.monotonic() < deadline, "the order never became visible"
            time.sleep(0.05)
        # writes see it at once: only reads lag
        cancelled = call(sim, "DELETE", f"/portfolio/events/orders/{made['order_id']}", a)
        assert cancelled.status_code == 200


def test_spec_exact_mode_shows_a_new_order_at_once() -> None:
    with KalshiExchangeSimulator(realistic=False) as sim:
        a = sim.create_user("a")
        made = order(sim, a, "bid", "0.05", "1")
        assert call(sim, "GET", f"/portfolio/orders/{made['order_id']}", a).status_code == 200


@pytest.mark.parametrize("realistic", [True, False])
def test_websocket_frames_drop_deprecated_fields(realistic: bool) -> None:
    async def run() -> list[dict[str, Any]]:
        async with KalshiExchangeSimulator(realistic=realistic, consistency_window=0) as sim:
            a, b = sim.create_user("a"), sim.create_user("b")
            url = sim.ws_url
            async with ws_connect(url, additional_headers=a.auth.headers("GET", "/trade-api/ws/v2")) as ws:
                cmd = {
                    "id": 1,
                    "cmd": "subscribe",
                    "params": {"channels": ["ticker", "trade", "fill"], "market_ticker": FED},
                }
                await ws.send(json.dumps(cmd))
                await asyncio.to_thread(order, sim, b, "ask", "0.40", "1")
                await asyncio.to_thread(order, sim, a, "bid", "0.40", "1")
                frames: list[dict[str, Any]] = []
                for _ in range(50):  # bounded: a few control frames, then the three data frames
                    if {"ticker", "trade", "fill"} <= {f["type"] for f in frames}:
                        break
                    frames.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                return frames

    frames = {f["type"]: f["msg"] for f in asyncio.run(run()) if "msg" in f}
    deprecated = {"ticker": {"ts", "time"}, "trade": {"ts", "taker_side"}, "fill": {"ts", "side", "action"}}
    for kind, fields in deprecated.items():
        present = fields & frames[kind].keys()
        assert present == (set() if realistic else fields), kind
    assert isinstance(frames["ticker"]["dollar_volume"], int)  # whole dollars among the decimal strings
    assert ("exchange_index" in frames["fill"]) is not realistic
    assert "ts_ms" in frames["ticker"]


def test_api_key_delete_answers_204_without_a_body() -> None:
    with KalshiExchangeSimulator(consistency_window=0) as sim:
        a = sim.create_user("a")
        key_id = call(sim, "POST", "/api_keys/generate", a, json={"name": "k"}).json()["api_key_id"]
        gone = call(sim, "DELETE", f"/api_keys/{key_id}", a)
        assert (gone.status_code, gone.content) == (204, b"")
