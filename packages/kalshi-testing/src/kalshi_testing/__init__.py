"""kalshi-testing: record/replay transports and a local Kalshi exchange simulator.

```python
from kalshi_testing import KalshiExchangeSimulator, RecordingTransport, ReplayTransport

with KalshiExchangeSimulator() as sim:
    trader = sim.create_user("alice")
    # KalshiConfig(base_url=sim.rest_url, ws_url=sim.ws_url), signing with trader.auth
```
"""

from __future__ import annotations

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
