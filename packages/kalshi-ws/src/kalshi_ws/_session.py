"""`BaseSession`: one connected session, product-agnostic; products generate their typed subclass.

The typed `subscribe_<channel>` methods are generated from each product's spec
(tools/codegen/ws_session.py) and call `_subscribe_channel`, which shapes and checks the params.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from kalshi_auth import AuthRequiredError, KalshiConfigError

from ._connection import Connection
from ._errors import KalshiWebSocketError
from ._stream import Stream
from ._subscription import Overflow, Subscription
from .messages import OkResponseMsg, OkResponseMsgItem

if TYPE_CHECKING:
    from ._client import KalshiWebSocket

__all__ = ["BaseSession", "Overflow", "Stream"]


class BaseSession:
    """One connected session, product-agnostic: subscribe, unsubscribe, update and list subscriptions.

    Made by `KalshiWebSocket.connect()`. Every subscription is carried by the one connection.
    Products add their typed `subscribe_<channel>` methods in a subclass (`Session` for prediction).
    """

    def __init__(self, ws: KalshiWebSocket, connection: Connection) -> None:
        self._ws = ws
        self._connection = connection
        self._protocol = connection.protocol

    @property
    def closed(self) -> bool:
        return self._connection.closed

    @property
    def reconnects(self) -> int:
        """How many times the connection was re-established."""
        return self._connection.reconnects

    @property
    def streams(self) -> list[Subscription]:
        """The live subscriptions (engine records)."""
        return self._protocol.subscriptions

    def session_events(self) -> list[Any]:
        """Take the frames and errors that belonged to no subscription (bounded buffer)."""
        events = list(self._protocol.session_events)
        self._protocol.session_events.clear()
        return events

    # ---- generic ---------------------------------------------------------------------------
    async def subscribe(
        self,
        channel: str,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
        keep_state: bool = True,
        **params: Any,
    ) -> Stream[Any]:
        """Subscribe to one channel and wait for the server's `subscribed` ack.

        Args:
            channel: any channel name, including ones newer than this SDK.
            queue_size: the bound of this stream's queue (default: the client's `queue_size`).
            overflow: what to do when the consumer falls behind (default per channel: drop
                oldest on ticker/price feeds, resync on order books, raise elsewhere).
            on_gap: `"resync"` or `"raise"` on a sequence gap.
            keep_state: maintain the product's local state for the channel (order books); False
                skips it (the stream still checks seq and resyncs).
            **params: subscribe params as on the wire (`market_tickers`, `index_ids`, ...).

        Raises:
            AuthRequiredError: a private channel on a client without credentials.
            KalshiSubscriptionError: the server refused (its `code` and message).
        """
        if self.closed:
            raise KalshiWebSocketError("session is closed")
        product = self._ws.product
        info = product.channels.get(channel)
        if info is not None and info.private and not self._ws.is_authenticated:
            raise AuthRequiredError(f"the {channel} channel needs credentials (KalshiAuth)")
        if info is not None and product.subscribe_params is not None:
            try:  # the spec's types for every param (a list where a list is due, ...): nothing odd is sent
                msgspec.convert({"channels": [channel], **params}, product.subscribe_params)
            except msgspec.ValidationError as exc:
                raise KalshiConfigError(f"{channel}: {exc}") from None
        try:
            policy = Overflow(overflow) if overflow is not None else product.overflow.get(channel, Overflow.RAISE)
        except ValueError:
            choices = ", ".join(o.value for o in Overflow)
            raise KalshiConfigError(f"overflow must be one of {choices}, got {overflow!r}") from None
        sub = self._protocol.subscribe(
            channel,
            params,
            time.monotonic(),
            capacity=queue_size or self._ws.queue_size,
            overflow=policy,
            on_gap=on_gap,
            keeper=product.keeper(channel, params) if keep_state else None,
        )
        fut = self._connection.subscribe_future(sub)
        self._connection._pump()
        await fut
        return Stream(self, sub)

    async def _subscribe_channel(
        self,
        channel: str,
        tickers: Sequence[str] | str | None = None,
        *,
        queue_size: int | None = None,
        overflow: Overflow | str | None = None,
        on_gap: str = "resync",
        keep_state: bool = True,
        **params: Any,
    ) -> Stream[Any]:
        """What every generated `subscribe_<channel>` calls: shape the params, then `subscribe`.

        `tickers` becomes `market_ticker` (one string, where the channel takes it) or
        `market_tickers`; None params are left out; other sequences are sent as lists.

        Raises:
            KalshiConfigError: an empty `tickers` or list param (pass None instead).
        """
        info = self._ws.product.channels.get(channel)
        wire: dict[str, Any] = {}
        if isinstance(tickers, str):
            single = info is None or info.params is None or "market_ticker" in info.params
            wire = {"market_ticker": tickers} if single else {"market_tickers": [tickers]}
        elif tickers is not None:
            wire = {"market_tickers": list(tickers)}
        for name, value in params.items():
            if value is not None:
                wire[name] = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else value
        empty = sorted(k for k, v in wire.items() if isinstance(v, list) and not v)
        if empty:
            raise KalshiConfigError(f"{', '.join(empty)} must not be empty (pass None to leave it out)")
        return await self.subscribe(
            channel, queue_size=queue_size, overflow=overflow, on_gap=on_gap, keep_state=keep_state, **wire
        )

    async def unsubscribe(self, stream: Stream[Any]) -> None:
        """Unsubscribe a stream; waits for the server's `unsubscribed`."""
        cid = self._protocol.unsubscribe(stream._sub, time.monotonic())
        fut = self._connection.command_future(cid)
        self._connection._pump()
        await fut

    async def update_subscription(self, stream: Stream[Any], action: str, **params: Any) -> Any:
        """Send `update_subscription` for a stream; returns the server's reply body.

        Raises:
            KalshiSubscriptionError: the server refused (e.g. code 13, unsupported action).
        """
        cid = self._protocol.update_subscription(stream._sub, action, params, time.monotonic())
        fut = self._connection.command_future(cid)
        self._connection._pump()
        return await fut

    async def list_subscriptions(self) -> list[OkResponseMsgItem]:
        """Ask the server for every subscription on this connection ({channel, sid})."""
        cid = self._protocol.list_subscriptions(time.monotonic())
        fut = self._connection.command_future(cid)
        self._connection._pump()
        result = await fut
        if isinstance(result, OkResponseMsg) or result is None:
            return []
        return list(result)

    async def close(self) -> None:
        """Close the connection and end every stream."""
        await self._connection.close()
