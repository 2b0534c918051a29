"""`Product`: everything product-specific the WebSocket engine needs; `PREDICTION` is Kalshi's prediction markets.

A product names its channel table and message classes (generated from its AsyncAPI spec), how
its state is kept (order books) and its overflow policies. Its URL comes from the shared resolver
in kalshi-auth (`KalshiConfig.endpoints(product.name)`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kalshi_auth import KalshiConfig, KalshiConfigError

from ._book import BookKeeper
from ._channel import ChannelInfo
from ._subscription import Keeper, Overflow
from .messages import CHANNELS, SERVER_MESSAGES, SubscribeCommandParams, WsMessage

__all__ = ["PREDICTION", "Product"]


def _prediction_keeper(channel: str, params: Mapping[str, Any]) -> Keeper | None:
    if channel == "orderbook_delta":
        return BookKeeper(use_yes_price=bool(params.get("use_yes_price")))
    return None


@dataclass(frozen=True, slots=True)
class Product:
    """Everything product-specific the engine needs; the rest of the engine is shared.

    Attributes:
        name: the product as the kalshi-auth resolver knows it (`prediction`, `perps`).
        channels: the channel table (generated).
        messages: message class by wire `type` (generated).
        url: overrides where the WebSocket URL comes from; None (the default) asks the shared
            resolver, `config.endpoints(name).ws_url`.
        keeper: builds a state keeper for a channel's subscription (or None).
        overflow: the default overflow policy per channel; others get `Overflow.RAISE`.
        subscribe_params: the generated model of the `subscribe` command's params; when set,
            `subscribe()` checks every param's type against it before sending.
    """

    name: str
    channels: Mapping[str, ChannelInfo]
    messages: Mapping[str, type[WsMessage]]
    url: Callable[[KalshiConfig], str] | None = None
    keeper: Callable[[str, Mapping[str, Any]], Keeper | None] = lambda channel, params: None
    overflow: Mapping[str, Overflow] = field(default_factory=dict)
    subscribe_params: type | None = None

    def ws_url(self, config: KalshiConfig) -> str:
        """The WebSocket URL for this product in `config` (the shared resolver unless `url` is set).

        Raises:
            KalshiConfigError: the resolver knows no WebSocket for this product.
        """
        if self.url is not None:
            return self.url(config)
        url = config.endpoints(self.name).ws_url  # type: ignore[arg-type]
        if url is None:
            raise KalshiConfigError(f"{self.name} has no WebSocket")
        return url


PREDICTION = Product(
    name="prediction",
    channels=CHANNELS,
    messages=SERVER_MESSAGES,
    keeper=_prediction_keeper,
    overflow={
        "ticker": Overflow.DROP_OLDEST,
        "cfbenchmarks_value": Overflow.DROP_OLDEST,
        "cfbenchmarks_value_5hz": Overflow.DROP_OLDEST,
        "pyth_value": Overflow.DROP_OLDEST,
        "orderbook_delta": Overflow.RESYNC,
    },
    subscribe_params=SubscribeCommandParams,
)
"""The prediction-markets product (asyncapi.yaml)."""
