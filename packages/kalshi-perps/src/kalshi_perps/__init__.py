"""kalshi-perps: typed clients for the Kalshi perps (margin) REST and WebSocket APIs.

```python
from kalshi_perps import PerpsClient

with PerpsClient.from_env(demo=True) as perps:
    print(perps.exchange.status())
    for market in perps.markets.list(status="active"):
        print(market.ticker, market.bid, market.ask)
```

```python
from kalshi_perps import PerpsWebSocket

async with PerpsWebSocket.from_env(demo=True).connect() as session:
    async for message in await session.subscribe_ticker(["BTC-PERP"]):
        print(message.msg.price, message.msg.funding_rate)
```
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import models
from ._client import PERPS_REST, AsyncPerpsClient, PerpsClient

if TYPE_CHECKING:
    from . import messages
    from ._ws import PERPS, PerpsBookKeeper, PerpsOrderBook, PerpsSession, PerpsWebSocket

__version__ = "0.1.0"

__all__ = [
    "PERPS",
    "PERPS_REST",
    "AsyncPerpsClient",
    "PerpsBookKeeper",
    "PerpsClient",
    "PerpsOrderBook",
    "PerpsSession",
    "PerpsWebSocket",
    "messages",
    "models",
]

# The WebSocket side (kalshi-ws, websockets, msgspec) loads on first use, so REST-only programs
# do not pay for importing it.
_LAZY = {
    "PERPS": "._ws",
    "PerpsBookKeeper": "._ws",
    "PerpsOrderBook": "._ws",
    "PerpsSession": "._ws",
    "PerpsWebSocket": "._ws",
    "messages": ".messages",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    loaded = importlib.import_module(module, __name__)
    value = loaded if name == "messages" else getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
