"""Typed WebSocket messages, generated from Kalshi's AsyncAPI spec (`asyncapi.yaml`).

Every server message is a frozen msgspec Struct tagged on `type`; its body is in `.msg`.
Fixed-point strings are `Decimal`, `*_ms` fields are epoch milliseconds, unknown fields are
ignored. `SERVER_MESSAGES` maps each wire `type` to its class.

```python
from kalshi_ws.messages import OrderbookDelta

if isinstance(message, OrderbookDelta):
    print(message.msg.market_ticker, message.msg.price_dollars, message.msg.delta_fp)
```
"""

from __future__ import annotations

from ._base import WsCommand as WsCommand
from ._base import WsMessage as WsMessage
from ._base import WsPayload as WsPayload
from ._generated import *  # noqa: F403
from ._generated import __all__ as _generated_all

__all__ = sorted(["WsCommand", "WsMessage", "WsPayload", *_generated_all])  # noqa: PLE0605
