"""Errors raised by kalshi-testing.

```
KalshiError (kalshi_auth)
└── KalshiTestingError
    ├── ReplayMissError        a replayed request has no recorded fixture
    ├── FixtureError           a fixture file or directory cannot be read or written
    └── SimulatorError         the simulator was set up wrongly (bad scenario, unknown key, ...)
        └── ScenarioError      a scenario file does not describe a valid exchange
```
"""

from __future__ import annotations

from kalshi_auth import KalshiError

__all__ = ["FixtureError", "KalshiTestingError", "ReplayMissError", "ScenarioError", "SimulatorError"]


class KalshiTestingError(KalshiError):
    """Base class of the errors this package raises."""


class ReplayMissError(KalshiTestingError, LookupError):
    """A request reached `ReplayTransport` with no recorded response.

    Attributes:
        fingerprint: the request's fingerprint (method, path, sorted query, body digest).
        closest: fingerprints of the recorded requests that resemble it most, best first.
    """

    def __init__(self, fingerprint: str, closest: list[str]) -> None:
        self.fingerprint = fingerprint
        self.closest = closest
        hint = "\n  ".join(closest) if closest else "(no fixtures recorded)"
        super().__init__(f"no recorded response for {fingerprint}\nclosest recorded:\n  {hint}")


class FixtureError(KalshiTestingError):
    """A fixture could not be read or written (corrupt JSON, wrong version, unwritable directory)."""


class SimulatorError(KalshiTestingError):
    """The exchange simulator was configured or used incorrectly."""


class ScenarioError(SimulatorError, ValueError):
    """A scenario (JSON/YAML) does not describe a valid exchange; the message names the bad entry."""
