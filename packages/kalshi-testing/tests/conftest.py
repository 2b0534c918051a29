from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kalshi_testing import KalshiExchangeSimulator, SimulatedUser


def _load_fix_helpers() -> None:
    name = "kalshi_testing_fix_helpers"
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("fix_helpers.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_fix_helpers()

API = "/trade-api/v2"
WS = "/trade-api/ws/v2"
FED = "KXFED-26DEC-T3.50"


class Rest:
    """A raw signed HTTP caller against one simulator."""

    def __init__(self, sim: KalshiExchangeSimulator) -> None:
        self.sim = sim
        self.http = httpx.Client(base_url=sim.base_url, timeout=10)

    def __call__(
        self, method: str, path: str, user: SimulatedUser | None = None, *, json_body: Any = None, **params: Any
    ) -> httpx.Response:
        headers = {}
        if user is not None:
            headers = user.auth.headers(method, API + path)
        content = None
        if json_body is not None:
            content = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        return self.http.request(method, API + path, headers=headers, content=content, params=params or None)

    def order(self, user: SimulatedUser, side: str, price: str, count: str, ticker: str = FED, **extra: Any) -> Any:
        body = {
            "ticker": ticker,
            "side": side,
            "price": price,
            "count": count,
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "taker_at_cross",
        } | extra
        r = self("POST", "/portfolio/events/orders", user, json_body=body)
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture
def sim() -> Iterator[KalshiExchangeSimulator]:
    # Exchange mechanics in spec-exact shapes; test_realistic.py covers realistic mode.
    with KalshiExchangeSimulator(heartbeat=0.5, realistic=False) as s:
        yield s


@pytest.fixture
def rest(sim: KalshiExchangeSimulator) -> Iterator[Rest]:
    r = Rest(sim)
    yield r
    r.http.close()


@pytest.fixture
def alice(sim: KalshiExchangeSimulator) -> SimulatedUser:
    return sim.create_user("alice-t", balance="1000.00")


@pytest.fixture
def bob(sim: KalshiExchangeSimulator) -> SimulatedUser:
    return sim.create_user("bob-t", balance="1000.00")


@pytest.fixture
def ws_headers() -> Callable[[SimulatedUser], dict[str, str]]:
    return lambda user: user.auth.headers("GET", WS)
