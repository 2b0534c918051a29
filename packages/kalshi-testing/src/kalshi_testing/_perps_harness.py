"""`KalshiPerpsExchange` and `KalshiKlear`: a started simulator with perps and Klear clients pointing at it."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kalshi_auth import DEMO, Environment, KalshiConfig
from kalshi_testing._harness import KalshiExchange
from kalshi_testing.simulator import KalshiExchangeSimulator, SimulatedUser
from kalshi_testing.simulator.klear import KlearSurface, klear_surface
from kalshi_testing.simulator.perps import PerpsExchange, PerpsSurface, perps_surface

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["KalshiKlear", "KalshiPerpsExchange"]


def _environment(simulator: KalshiExchangeSimulator) -> Environment:
    perps = perps_surface(simulator)
    klear = klear_surface(simulator)
    return DEMO.with_overrides(
        rest_url=simulator.rest_url,
        ws_url=simulator.ws_url,
        perps_rest_url=simulator.rest_url,
        perps_ws_url=perps.ws_url,
        klear_url=klear.env()["KALSHI_KLEAR_API_BASE_URL"],
    )


class KalshiPerpsExchange(KalshiExchange):
    """A running simulator, a trader with a funded margin account, and perps client factories.

    ```python
    def test_order_rests(kalshi_perps_exchange):
        with kalshi_perps_exchange.client() as perps:
            assert perps.margin.balance().settled_funds == Decimal("100000.0000")
    ```

    Attributes:
        simulator: the running simulator; `surface.engine` is the perps state.
        user: the default trader, with $100,000 of margin (and $1,000 on the prediction exchange).
        config: a `KalshiConfig` whose environment points every perps URL at the simulator.
    """

    def __init__(self, simulator: KalshiExchangeSimulator, user: SimulatedUser) -> None:
        super().__init__(simulator, user)
        self.config = KalshiConfig(environment=_environment(simulator), retry_base_delay=0.01, retry_max_delay=0.05)

    @property
    def surface(self) -> PerpsSurface:
        """The perps surface (REST routes, WebSocket, `engine`)."""
        return perps_surface(self.simulator)

    def call(self, fn: Callable[[PerpsExchange], Any]) -> Any:
        """Run `fn(engine)` on the simulator's loop (thread-safe) and return its result."""
        engine = self.surface.engine
        return self.simulator.call(lambda _: fn(engine))

    def create_user(
        self, user_id: str | None = None, *, balance: Decimal | str = "1000.00", margin: Decimal | str = "100000"
    ) -> SimulatedUser:
        """Another trader with `margin` dollars on the margin exchange (e.g. the other side of a cross)."""
        user = self.simulator.create_user(user_id, balance=balance)
        amount = Decimal(str(margin))
        self.call(lambda engine: engine.deposit(user.user_id, amount))
        return user

    def env(self, user: SimulatedUser | None = None) -> dict[str, str]:
        """Environment variables that point `PerpsClient.from_env` (and the rest) at the simulator as `user`."""
        user = user or self.user
        return self.simulator.env() | {
            "KALSHI_PERPS_KEY_ID": user.key_id,
            "KALSHI_PERPS_PRIVATE_KEY": user.private_key_pem.decode(),
        }

    def client(self, user: SimulatedUser | None = None, **kwargs: Any) -> Any:
        """A `kalshi_perps.PerpsClient` signed as `user` (default: the default trader)."""
        cls = self._import("kalshi_perps", "PerpsClient")
        return cls(auth=(user or self.user).auth, config=kwargs.pop("config", self.config), **kwargs)

    def async_client(self, user: SimulatedUser | None = None, **kwargs: Any) -> Any:
        """A `kalshi_perps.AsyncPerpsClient` signed as `user`."""
        cls = self._import("kalshi_perps", "AsyncPerpsClient")
        return cls(auth=(user or self.user).auth, config=kwargs.pop("config", self.config), **kwargs)

    def websocket(self, user: SimulatedUser | None = None, **kwargs: Any) -> Any:
        """A `kalshi_perps.PerpsWebSocket` signed as `user`, on `/trade-api/ws/v2/margin`."""
        cls = self._import("kalshi_perps", "PerpsWebSocket")
        return cls((user or self.user).auth, kwargs.pop("config", self.config), **kwargs)


class KalshiKlear:
    """A running simulator's Klear surface, with its credentials and client factories.

    ```python
    def test_settlement_balance(kalshi_klear):
        with kalshi_klear.client() as klear:
            assert klear.settlement.balance().balance_available_centicents > 0
    ```
    """

    def __init__(self, simulator: KalshiExchangeSimulator) -> None:
        self.simulator = simulator
        self.config = KalshiConfig(environment=_environment(simulator), retry_base_delay=0.01, retry_max_delay=0.05)

    @property
    def surface(self) -> KlearSurface:
        """The Klear surface (`ledger`, `admin_user_id`, `access_token`)."""
        return klear_surface(self.simulator)

    def env(self) -> dict[str, str]:
        """`KALSHI_KLEAR_API_BASE_URL`, `KALSHI_KLEAR_ADMIN_USER_ID` and `KALSHI_KLEAR_ACCESS_TOKEN`."""
        return self.surface.env()

    def client(self, **kwargs: Any) -> Any:
        """A `kalshi_klear.KlearClient` with the simulator's admin credentials."""
        cls = KalshiExchange._import("kalshi_klear", "KlearClient")
        s = self.surface
        return cls(admin_user_id=s.admin_user_id, access_token=s.access_token, config=self.config, **kwargs)

    def async_client(self, **kwargs: Any) -> Any:
        """A `kalshi_klear.AsyncKlearClient` with the simulator's admin credentials."""
        cls = KalshiExchange._import("kalshi_klear", "AsyncKlearClient")
        s = self.surface
        return cls(admin_user_id=s.admin_user_id, access_token=s.access_token, config=self.config, **kwargs)
