"""Perps responses as the server really sends them: a bare market, a last page without a cursor."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from kalshi_perps import PerpsClient

MARKET = {"ticker": "BTC-PERP", "status": "active"}


@pytest.mark.parametrize("body", [{"market": MARKET}, MARKET], ids=["wrapped", "bare"])
def test_single_market_get_accepts_wrapped_or_bare(body: dict[str, Any]) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    with PerpsClient(transport=transport) as perps:
        result = perps.markets.get("BTC-PERP")
    assert result.market is not None and result.market.ticker == "BTC-PERP"


@pytest.mark.parametrize("last", [{}, {"cursor": None}], ids=["no-key", "null"])
def test_orders_list_all_ends_without_a_cursor(last: dict[str, Any]) -> None:
    order = {"order_id": "o-1", "ticker": "BTC-PERP", "side": "bid", "price": "100.00", "remaining_count": "1"}

    def handler(request: httpx.Request) -> httpx.Response:
        if "cursor" not in request.url.params:
            return httpx.Response(200, json={"orders": [order], "cursor": "c2"})
        return httpx.Response(200, json={"orders": [order | {"order_id": "o-2"}], **last})

    from cryptography.hazmat.primitives.asymmetric import rsa

    from kalshi_auth import KalshiAuth

    auth = KalshiAuth("key", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with PerpsClient(auth=auth, transport=httpx.MockTransport(handler)) as perps:
        assert [o.order_id for o in perps.orders.list_all()] == ["o-1", "o-2"]


@pytest.mark.parametrize("count", [Decimal(0), Decimal("-1"), 0])
def test_perps_order_counts_must_be_positive(count: object) -> None:
    from pydantic import ValidationError

    from kalshi_perps.models import CreateMarginOrderRequest, DecreaseMarginOrderRequest

    fields = {
        "ticker": "BTC-PERP",
        "client_order_id": "c-1",
        "side": "bid",
        "price": Decimal("100.00"),
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    }
    with pytest.raises(ValidationError, match="count must be >"):
        CreateMarginOrderRequest(**fields, count=count)
    with pytest.raises(ValidationError, match="count must be >"):
        DecreaseMarginOrderRequest(reduce_by=count)
    with pytest.raises(ValidationError, match="exactly one"):
        DecreaseMarginOrderRequest()
