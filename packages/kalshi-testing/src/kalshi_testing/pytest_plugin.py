"""pytest plugin (entry point `kalshi_testing`): `kalshi_exchange`, `kalshi_simulator`, `kalshi_fix_gateway`,
and for perps and Klear `kalshi_perps_exchange` (a trader with $100,000 of margin) and `kalshi_klear`.

```python
def test_order_rests(kalshi_exchange):
    sim = kalshi_exchange.simulator
    with kalshi_exchange.client() as client:
        ...
```

Each test gets a fresh simulator (default seeded catalogue) on 127.0.0.1 and an ephemeral
port (REST, WebSocket and, via `kalshi_fix_gateway`, every FIX session on its own port), and a trader
`kalshi_exchange.user` with $1,000 and a registered RSA key. Mark a test with
`@pytest.mark.kalshi_scenario("path/to/scenario.yaml")` to start from your own scenario.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported lazily so that loading the plugin costs nothing for unrelated test runs
    from kalshi_testing._harness import KalshiExchange
    from kalshi_testing._perps_harness import KalshiKlear, KalshiPerpsExchange
    from kalshi_testing.simulator import KalshiExchangeSimulator
    from kalshi_testing.simulator.fix import FixGateway

__all__ = [
    "kalshi_exchange",
    "kalshi_fix_gateway",
    "kalshi_klear",
    "kalshi_perps_exchange",
    "kalshi_simulator",
    "pytest_configure",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the `kalshi_scenario` marker."""
    config.addinivalue_line("markers", "kalshi_scenario(path): start the kalshi_exchange simulator from a scenario")


@pytest.fixture
def kalshi_simulator(request: pytest.FixtureRequest) -> Iterator[KalshiExchangeSimulator]:
    """A started `KalshiExchangeSimulator` (stopped after the test)."""
    from kalshi_testing.simulator import KalshiExchangeSimulator

    marker = request.node.get_closest_marker("kalshi_scenario")
    scenario = marker.args[0] if marker and marker.args else None
    simulator = KalshiExchangeSimulator(scenario, heartbeat=10.0)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()
    if simulator.internal_errors:  # a simulator bug: the test's answers were a 500 or a dropped connection
        pytest.fail("the simulator failed inside its own code:\n" + "\n".join(simulator.internal_errors), pytrace=False)


@pytest.fixture
def kalshi_exchange(kalshi_simulator: KalshiExchangeSimulator) -> KalshiExchange:
    """The simulator, a registered trader, and client/config factories pointing at it."""
    from kalshi_testing._harness import KalshiExchange

    user = kalshi_simulator.create_user("trader", balance="1000.00")
    return KalshiExchange(kalshi_simulator, user)


@pytest.fixture
def kalshi_fix_gateway(kalshi_exchange: KalshiExchange) -> FixGateway:
    """The FIX acceptor of this test's simulator (`.faults`, `.endpoint(...)`, `.environment()`).

    ```python
    async def test_fix_order(kalshi_exchange, kalshi_fix_gateway):
        kalshi_fix_gateway.faults.drop("KalshiRT")
        async with kalshi_exchange.fix_client().order_entry() as session:
            ...
    ```
    """
    return kalshi_exchange.simulator.fix


@pytest.fixture
def kalshi_perps_exchange(kalshi_simulator: KalshiExchangeSimulator) -> KalshiPerpsExchange:
    """The simulator's perps surface, a trader with $100,000 of margin, and perps client factories."""
    from kalshi_testing._perps_harness import KalshiPerpsExchange

    user = kalshi_simulator.create_user("perps-trader", balance="1000.00")
    exchange = KalshiPerpsExchange(kalshi_simulator, user)
    exchange.call(lambda engine: engine.deposit(user.user_id, Decimal(100_000)))
    return exchange


@pytest.fixture
def kalshi_klear(kalshi_simulator: KalshiExchangeSimulator) -> KalshiKlear:
    """The simulator's Klear surface (over the same perps accounts) with client factories."""
    from kalshi_testing._perps_harness import KalshiKlear

    return KalshiKlear(kalshi_simulator)
