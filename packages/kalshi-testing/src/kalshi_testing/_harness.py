"""`KalshiExchange`: a started simulator plus ready-made config and clients, as the pytest fixture gives it."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

from kalshi_auth import KalshiAuth, KalshiConfig
from kalshi_testing._errors import SimulatorError
from kalshi_testing.simulator import Faults, KalshiExchangeSimulator, SimulatedUser

__all__ = ["KalshiExchange"]


class KalshiExchange:
    """A running simulator with one registered trader, and factories for clients pointing at it.

    ```python
    def test_balance(kalshi_exchange):
        with kalshi_exchange.client() as client:
            assert client.portfolio.balance().balance == 100_000
    ```

    Attributes:
        simulator: the running `KalshiExchangeSimulator` (faults via `simulator.faults`).
        user: the default trader, with $1,000.
        config: a `KalshiConfig` whose REST and WebSocket URLs point at the simulator.
    """

    def __init__(self, simulator: KalshiExchangeSimulator, user: SimulatedUser) -> None:
        self.simulator = simulator
        self.user = user
        self.config = KalshiConfig(
            base_url=simulator.rest_url, ws_url=simulator.ws_url, retry_base_delay=0.01, retry_max_delay=0.05
        )

    @property
    def auth(self) -> KalshiAuth:
        """The default trader's `KalshiAuth`."""
        return self.user.auth

    @property
    def faults(self) -> Faults:
        """The simulator's fault script."""
        return self.simulator.faults

    def create_user(self, user_id: str | None = None, *, balance: Decimal | str = "1000.00") -> SimulatedUser:
        """Another trader with its own key (e.g. the other side of a cross)."""
        return self.simulator.create_user(user_id, balance=balance)

    @staticmethod
    def _import(module: str, name: str) -> Any:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            raise SimulatorError(f"{module}.{name} is not available; install {module.replace('_', '-')}") from None

    def client(self, user: SimulatedUser | None = None, **kwargs: Any) -> Any:
        """A `kalshi_rest.KalshiClient` signed as `user` (default: the default trader)."""
        cls = self._import("kalshi_rest", "KalshiClient")
        return cls(auth=(user or self.user).auth, config=kwargs.pop("config", self.config), **kwargs)

    def async_client(self, user: SimulatedUser | None = None, **kwargs: Any) -> Any:
        """A `kalshi_rest.AsyncKalshiClient` signed as `user`."""
        cls = self._import("kalshi_rest", "AsyncKalshiClient")
        return cls(auth=(user or self.user).auth, config=kwargs.pop("config", self.config), **kwargs)

    def fix_client(self, user: SimulatedUser | None = None, *, margin: bool = False, **kwargs: Any) -> Any:
        """A `kalshi_fix.FixClient` (or `MarginFixClient` with `margin=True`) for `user`, on the simulator's FIX ports.

        Reconnects are quick (10-50 ms backoff) unless `reconnect=` says otherwise.
        """
        cls = self._import("kalshi_fix", "MarginFixClient" if margin else "FixClient")
        policy = self._import("kalshi_fix", "ReconnectPolicy")
        kwargs.setdefault("reconnect", policy(base_delay=0.01, max_delay=0.05, max_attempts=20))
        environment = self.simulator.fix_environment(margin=margin)
        return cls((user or self.user).auth, environment=environment, **kwargs)

    def websocket(self, user: SimulatedUser | None = None, **kwargs: Any) -> Any:
        """A `kalshi_ws.KalshiWebSocket` signed as `user`."""
        cls = self._import("kalshi_ws", "KalshiWebSocket")
        return cls(auth=(user or self.user).auth, config=kwargs.pop("config", self.config), **kwargs)
