from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from kalshi_testing import KalshiExchange, KalshiExchangeSimulator, SimulatorError

SCENARIO = Path(__file__).parent / "data" / "tiny_scenario.yaml"


def test_kalshi_exchange_fixture_gives_a_signed_trader(kalshi_exchange: KalshiExchange) -> None:
    sim = kalshi_exchange.simulator
    assert kalshi_exchange.config.rest_url == sim.rest_url
    assert kalshi_exchange.config.websocket_url == sim.ws_url
    path = "/trade-api/v2/portfolio/balance"
    r = httpx.get(sim.base_url + path, headers=kalshi_exchange.auth.headers("GET", path))
    assert r.json()["balance"] == 100_000
    other = kalshi_exchange.create_user(balance="5")
    r = httpx.get(sim.base_url + path, headers=other.auth.headers("GET", path))
    assert r.json()["balance_dollars"] == "5.0000"


@pytest.mark.kalshi_scenario(str(SCENARIO))
def test_kalshi_scenario_marker(kalshi_simulator: KalshiExchangeSimulator) -> None:
    tickers = [m["ticker"] for m in httpx.get(kalshi_simulator.rest_url + "/markets").json()["markets"]]
    assert tickers == ["TINY-1"]


def test_client_factories_fail_clearly_without_the_client_packages(
    kalshi_exchange: KalshiExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, *a: object) -> object:
        if name in ("kalshi_rest", "kalshi_ws"):
            raise ImportError(name)
        return real(name, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(SimulatorError, match=r"kalshi_rest\.KalshiClient is not available"):
        kalshi_exchange.client()
    with pytest.raises(SimulatorError, match=r"kalshi_ws\.KalshiWebSocket"):
        kalshi_exchange.websocket()


def test_the_fixture_simulator_is_realistic_by_default(kalshi_simulator: KalshiExchangeSimulator) -> None:
    assert kalshi_simulator.realism.enabled


@pytest.mark.kalshi_spec_exact
def test_kalshi_spec_exact_marker(kalshi_simulator: KalshiExchangeSimulator) -> None:
    assert not kalshi_simulator.realism.enabled
