"""Typed perps WebSocket messages, generated from Kalshi's `perps_asyncapi.yaml`.

Every server message is a frozen msgspec Struct tagged on `type`; its body is in `.msg`. Prices,
counts and ratios are `Decimal` (bare names such as `price`, `delta`, `fill_count` included; the
ticker's JSON-number `funding_rate.rate` too), `*_ms` fields are epoch milliseconds, unknown fields
are ignored. `SERVER_MESSAGES` maps each wire `type` to its class.

```python
from kalshi_perps.messages import Ticker

if isinstance(message, Ticker):
    print(message.msg.market_ticker, message.msg.bid, message.msg.ask, message.msg.funding_rate)
```
"""

from __future__ import annotations

from kalshi_ws.messages import WsCommand as WsCommand
from kalshi_ws.messages import WsMessage as WsMessage
from kalshi_ws.messages import WsPayload as WsPayload

from ._generated import *  # noqa: F403
from ._generated import __all__ as _generated_all

__all__ = sorted(["WsCommand", "WsMessage", "WsPayload", *_generated_all])  # noqa: PLE0605
