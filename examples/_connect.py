"""Where the examples connect: Kalshi (credentials from the environment) or a local simulator.

Every example takes `--simulator` to run offline against `KalshiExchangeSimulator`; without it,
it reads `KALSHI_KEY_ID`, `KALSHI_PRIVATE_KEY_PATH` (or `KALSHI_PRIVATE_KEY`), `KALSHI_DEMO`,
`KALSHI_API_BASE_URL` and `KALSHI_WS_URL`, as `python -m kalshi_testing serve` prints them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kalshi_auth import KalshiAuth, KalshiConfig, credentials_from_env
from kalshi_testing import KalshiExchangeSimulator


@dataclass(frozen=True)
class Connection:
    """A signer and a config pointing at one exchange (and the simulator, when it is local)."""

    auth: KalshiAuth | None
    config: KalshiConfig
    simulator: KalshiExchangeSimulator | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--simulator", action="store_true", help="run against a local simulator (offline)")


@contextmanager
def connect(use_simulator: bool, *, balance: str = "1000.00") -> Iterator[Connection]:
    """Yield a Connection; a local simulator (with a funded user) is started and stopped here."""
    if not use_simulator:
        creds = credentials_from_env()
        ws_url = os.environ.get("KALSHI_WS_URL") or None
        yield Connection(
            creds.auth, KalshiConfig(environment=creds.environment, base_url=creds.base_url, ws_url=ws_url)
        )
        return
    with KalshiExchangeSimulator() as sim:
        user = sim.create_user("example", balance=balance)
        yield Connection(user.auth, KalshiConfig(base_url=sim.rest_url, ws_url=sim.ws_url), sim)
