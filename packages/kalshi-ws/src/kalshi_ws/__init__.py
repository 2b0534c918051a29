"""kalshi-ws: Kalshi's WebSocket API with typed channels, sequence checking, reconnect and a local order book.

```python
from kalshi_auth import KalshiAuth, KalshiConfig
from kalshi_ws import KalshiWebSocket

ws = KalshiWebSocket(auth=KalshiAuth.from_key_path(key_id, "~/.kalshi/key.pem"), config=KalshiConfig.demo())
async with ws.connect() as session:
    stream = await session.subscribe_orderbook_delta(tickers=["FED-23DEC-T3.00"])
    async for msg in stream:
        book = stream.books.get("FED-23DEC-T3.00")
```
"""

from __future__ import annotations

from ._book import BookKeeper, Level, OrderBook
from ._channel import ChannelInfo
from ._client import KalshiWebSocket, Session
from ._decode import MessageDecoder
from ._errors import (
    AuthRequiredError,
    KalshiBackpressureError,
    KalshiConnectionError,
    KalshiDecodeError,
    KalshiNoBookError,
    KalshiOrderBookError,
    KalshiSequenceGapError,
    KalshiSubscriptionError,
    KalshiWebSocketError,
)
from ._events import ErrorReceived, MalformedMessage, RawMessage, Reconnected, Resyncing, SequenceGap, StreamEvent
from ._product import PREDICTION, Product
from ._protocol import KalshiProtocol, Keeper, Overflow, Subscription
from ._reconnect import ReconnectPolicy
from ._session import BaseSession
from ._stream import Stream

__version__ = "0.1.0"

__all__ = [
    "PREDICTION",
    "AuthRequiredError",
    "BaseSession",
    "BookKeeper",
    "ChannelInfo",
    "ErrorReceived",
    "KalshiBackpressureError",
    "KalshiConnectionError",
    "KalshiDecodeError",
    "KalshiNoBookError",
    "KalshiOrderBookError",
    "KalshiProtocol",
    "KalshiSequenceGapError",
    "KalshiSubscriptionError",
    "KalshiWebSocket",
    "KalshiWebSocketError",
    "Keeper",
    "Level",
    "MalformedMessage",
    "MessageDecoder",
    "OrderBook",
    "Overflow",
    "Product",
    "RawMessage",
    "ReconnectPolicy",
    "Reconnected",
    "Resyncing",
    "SequenceGap",
    "Session",
    "Stream",
    "StreamEvent",
    "Subscription",
]


def _product_repr(self: Product) -> str:
    return f"Product({self.name!r})"


# help(KalshiWebSocket) shows `product=Product('prediction')`, not the whole channel table.
setattr(Product, "__repr__", _product_repr)  # noqa: B010 - after the dataclass made its own
