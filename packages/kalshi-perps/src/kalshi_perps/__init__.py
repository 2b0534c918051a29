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

from . import messages, models
from ._client import AsyncPerpsClient, PerpsClient
from ._ws import PERPS, PerpsBookKeeper, PerpsSession, PerpsWebSocket

__version__ = "0.1.0"

__all__ = [
    "PERPS",
    "AsyncPerpsClient",
    "PerpsBookKeeper",
    "PerpsClient",
    "PerpsSession",
    "PerpsWebSocket",
    "messages",
    "models",
]
