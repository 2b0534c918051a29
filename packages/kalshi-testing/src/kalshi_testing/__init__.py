"""kalshi-testing: record/replay transports and a local Kalshi exchange simulator.

```python
from kalshi_testing import KalshiExchangeSimulator, RecordingTransport, ReplayTransport

with KalshiExchangeSimulator() as sim:
    trader = sim.create_user("alice")
    # KalshiConfig(base_url=sim.rest_url, ws_url=sim.ws_url), signing with trader.auth
```

Names are imported on first use, so loading the pytest plugin (registered for every test run
in an environment where this package is installed) does not pull in aiohttp or httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import FixtureError, KalshiTestingError, ReplayMissError, ScenarioError, SimulatorError
    from ._fixtures import fingerprint, redact_fields
    from ._harness import KalshiExchange
    from ._record import RecordingTransport
    from ._replay import ReplayTransport
    from ._ws_cassette import WebSocketRecorder, WebSocketReplayServer, load_cassette
    from .simulator import KalshiExchangeSimulator, Scenario, SimulatedUser, default_scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "FixtureError",
    "KalshiExchange",
    "KalshiExchangeSimulator",
    "KalshiTestingError",
    "RecordingTransport",
    "ReplayMissError",
    "ReplayTransport",
    "Scenario",
    "ScenarioError",
    "SimulatedUser",
    "SimulatorError",
    "WebSocketRecorder",
    "WebSocketReplayServer",
    "default_scenario",
    "fingerprint",
    "load_cassette",
    "load_scenario",
    "redact_fields",
]

_SOURCES = {
    "FixtureError": "._errors",
    "KalshiTestingError": "._errors",
    "ReplayMissError": "._errors",
    "ScenarioError": "._errors",
    "SimulatorError": "._errors",
    "fingerprint": "._fixtures",
    "redact_fields": "._fixtures",
    "KalshiExchange": "._harness",
    "RecordingTransport": "._record",
    "ReplayTransport": "._replay",
    "WebSocketRecorder": "._ws_cassette",
    "WebSocketReplayServer": "._ws_cassette",
    "load_cassette": "._ws_cassette",
    "KalshiExchangeSimulator": ".simulator",
    "Scenario": ".simulator",
    "SimulatedUser": ".simulator",
    "default_scenario": ".simulator",
    "load_scenario": ".simulator",
}


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(source, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
