"""Helpers shared by the FIX end-to-end tests (loaded by conftest as `kalshi_testing_fix_helpers`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from kalshi_fix import FixFrame, decode_app_message
from kalshi_fix.messages import NewOrderSingle, Side
from kalshi_testing import KalshiExchange, SimulatedUser

FED = "KXFED-26DEC-T3.50"
"""Seeded book: best bid 0.22, best offer 0.24; 0.23 rests without trading."""
API = "/trade-api/v2"
TIMEOUT = 10.0


async def wait_for(predicate: Callable[[], bool], timeout: float = TIMEOUT) -> None:  # noqa: ASYNC109
    """Poll `predicate` until it holds (bounded in time)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def order(cl_ord_id: str, side: Side = Side.BUY_YES, price: str = "0.23", qty: str = "5", **kw: Any) -> NewOrderSingle:
    """A limit order on FED."""
    return NewOrderSingle(
        cl_ord_id=cl_ord_id, symbol=FED, side=side, order_qty=Decimal(qty), price=Decimal(price), **kw
    )


def messages(frames: list[FixFrame], kind: type[Any]) -> list[Any]:
    """The received frames that decode to `kind`, decoded."""
    return [m for m in (decode_app_message(f) for f in frames) if isinstance(m, kind)]


def rest(ex: KalshiExchange, method: str, path: str, user: SimulatedUser | None = None, **body: Any) -> Any:
    """A signed REST call below /trade-api/v2; asserts success and returns the JSON body."""
    auth = (user or ex.user).auth
    url = ex.simulator.base_url + API + path
    r = httpx.request(method, url, headers=auth.headers(method, API + path), json=body or None, timeout=10)
    assert r.status_code < 300, r.text
    return r.json()


def rest_order(ex: KalshiExchange, user: SimulatedUser, side: str, price: str, count: str, coid: str, **kw: Any) -> Any:
    """A V2 order on FED over REST (GTC unless `time_in_force` says otherwise)."""
    return rest(
        ex,
        "POST",
        "/portfolio/events/orders",
        user,
        ticker=FED,
        side=side,
        price=price,
        count=count,
        client_order_id=coid,
        time_in_force=kw.pop("time_in_force", "good_till_canceled"),
        self_trade_prevention_type="taker_at_cross",
        **kw,
    )
