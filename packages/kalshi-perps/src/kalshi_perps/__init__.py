"""kalshi-perps: typed clients for the Kalshi perps (margin) REST and WebSocket APIs.

```python
from kalshi_perps import PerpsClient

with PerpsClient.from_env(demo=True) as perps:
    print(perps.exchange.status())
    for market in perps.markets.list(status="active"):
        print(market.ticker, market.bid, market.ask)
```
"""

from __future__ import annotations

from . import models
from ._client import AsyncPerpsClient, PerpsClient

__version__ = "0.1.0"

__all__ = ["AsyncPerpsClient", "PerpsClient", "models"]
