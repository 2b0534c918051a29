"""kalshi-sdk demo: a short scripted session against the local exchange simulator (no network).

Run: uv run python examples/demo.py

Starts `KalshiExchangeSimulator` in-process on 127.0.0.1, then, through the SDK's own clients:
lists open markets, reads a book, places and cancels an order over REST, and streams a few
order-book updates over the WebSocket while a second trader's orders move the book.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from decimal import Decimal

from kalshi_auth import KalshiConfig
from kalshi_rest import AsyncKalshiClient, KalshiClient
from kalshi_rest.models import CreateOrderV2Request
from kalshi_testing import KalshiExchangeSimulator
from kalshi_ws import KalshiWebSocket

TICKER = "KXFED-26DEC-T3.50"


def order(side: str, price: str, count: str, tif: str = "good_till_canceled") -> CreateOrderV2Request:
    return CreateOrderV2Request(
        ticker=TICKER,
        client_order_id=str(uuid.uuid4()),
        side=side,
        count=Decimal(count),
        price=Decimal(price),
        time_in_force=tif,
        self_trade_prevention_type="taker_at_cross",
    )


def rest_part(sim: KalshiExchangeSimulator, config: KalshiConfig) -> None:
    trader = sim.create_user("demo-trader", balance="1000.00")
    with KalshiClient(auth=trader.auth, config=config) as client:
        print("1. Open markets")
        for market in client.markets.list(status="open", limit=5):
            print(f"   {market.ticker:<26} yes bid {market.yes_bid}  yes ask {market.yes_ask}")
        book = client.markets.orderbook(TICKER).orderbook_fp
        print(f"2. Book for {TICKER}: best YES bid {book.yes_dollars[0][0]}, best NO bid {book.no_dollars[0][0]}")
        placed = client.orders.create_v2(request=order("bid", "0.10", "25"))
        print(f"3. Placed bid 25 @ $0.10: order {placed.order_id[:8]}…, resting {placed.remaining_count}")
        cancelled = client.orders.cancel_v2(placed.order_id)
        print(f"4. Cancelled it: reduced by {cancelled.reduced_by}")
        balance = client.portfolio.balance()
        print(f"   Balance: ${balance.balance_dollars}")


async def stream_part(sim: KalshiExchangeSimulator, config: KalshiConfig) -> int:
    watcher = await asyncio.to_thread(sim.create_user, "demo-watcher")
    mover = await asyncio.to_thread(sim.create_user, "demo-mover", balance="1000.00")
    print("5. Streaming order-book updates over the WebSocket")
    updates = 0
    async with (
        KalshiWebSocket(auth=watcher.auth, config=config).connect() as session,
        AsyncKalshiClient(auth=mover.auth, config=config) as client,
    ):
        stream = await session.subscribe_orderbook_delta(tickers=[TICKER])
        script = [
            order("bid", "0.12", "10"),
            order("ask", "0.88", "7"),
            order("bid", "0.90", "3", "immediate_or_cancel"),  # crosses the best ask: a trade
            order("bid", "0.13", "2"),
        ]
        wanted = len(script)
        async for message in stream:
            kind = type(message).__name__
            if kind == "OrderbookSnapshot":
                print(
                    f"   snapshot seq={message.seq}: {len(message.msg.yes_dollars_fp or [])} YES levels, "
                    f"{len(message.msg.no_dollars_fp or [])} NO levels"
                )
            elif kind == "OrderbookDelta":
                updates += 1
                m = message.msg
                print(f"   delta seq={message.seq}: {m.side} {m.price_dollars} {m.delta_fp:+}")
            if script and kind in ("OrderbookSnapshot", "OrderbookDelta"):
                await client.orders.create_v2(request=script.pop(0))
            if updates >= wanted:
                break
        best = stream.book(TICKER).best_yes_bid
        print(f"   local book after {updates} updates: best YES bid {best}")
    return updates


def main() -> int:
    with KalshiExchangeSimulator() as sim:
        print(f"Simulator: REST {sim.rest_url}  WebSocket {sim.ws_url}\n")
        config = KalshiConfig(base_url=sim.rest_url, ws_url=sim.ws_url)
        rest_part(sim, config)
        updates = asyncio.run(asyncio.wait_for(stream_part(sim, config), timeout=30))
    print("\nDone: the whole session ran against the local simulator.")
    return 0 if updates >= 4 else 1  # 4 scripted orders, 4 deltas


if __name__ == "__main__":
    sys.exit(main())
