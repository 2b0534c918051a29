"""A simple quoting bot: quote both sides of one market, follow the top of book, cancel on disconnect.

uv run python examples/quoting_bot.py --simulator --seconds 3
uv run python examples/quoting_bot.py --ticker KXFED-26DEC-T3.50    # Kalshi demo, from KALSHI_* variables

It joins the best YES bid and the best YES ask with `--size` contracts each, moves its quotes when
the top of book moves away from them, and cancels every quote it owns as soon as the WebSocket
reports a dropped connection (it quotes again once the fresh snapshot arrives) and when it stops.
A toy: no inventory limits, no fair value. Try it on the simulator or demo, not with real money.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from _connect import Connection, add_arguments, connect

from kalshi_rest import AsyncKalshiClient, KalshiAPIError
from kalshi_rest.models import CreateOrderV2Request
from kalshi_ws import KalshiWebSocket, OrderBook, Reconnected, Resyncing, SequenceGap
from kalshi_ws.messages import OrderbookDelta, OrderbookSnapshot


@dataclass
class Quotes:
    """The bot's resting orders by side ("bid"/"ask") and what it has done."""

    orders: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # side -> (order_id, price)
    placed: int = 0
    cancelled: int = 0
    disconnects: int = 0
    log: list[str] = field(default_factory=list)


class QuotingBot:
    def __init__(
        self, conn: Connection, ticker: str, *, size: Decimal = Decimal("5"), out: Callable[[str], object] = print
    ) -> None:
        self.conn, self.ticker, self.size, self.out = conn, ticker, size, out
        self.quotes = Quotes()

    def _say(self, text: str) -> None:
        self.quotes.log.append(text)
        self.out(text)

    async def _place(self, rest: AsyncKalshiClient, side: str, price: Decimal) -> None:
        order = await rest.orders.create_v2(
            request=CreateOrderV2Request(
                ticker=self.ticker,
                client_order_id=str(uuid.uuid4()),
                side=side,
                count=self.size,
                price=price,
                time_in_force="good_till_canceled",
                self_trade_prevention_type="maker",
                post_only=True,
            )
        )
        self.quotes.orders[side] = (order.order_id, price)
        self.quotes.placed += 1
        self._say(f"quote {side} {self.size} @ {price}")

    async def cancel_all(self, rest: AsyncKalshiClient, reason: str) -> None:
        """Cancel every quote this bot owns (and only those)."""
        owned = list(self.quotes.orders.items())
        for side, (order_id, _) in owned:
            try:
                await rest.orders.cancel_v2(order_id)
                self.quotes.cancelled += 1
            except KalshiAPIError as exc:  # already filled or gone: nothing left to cancel
                self._say(f"cancel {side}: {exc.code}")
            del self.quotes.orders[side]
        self._say(f"cancelled {len(owned)} quotes ({reason})")

    async def _follow(self, rest: AsyncKalshiClient, book: OrderBook) -> None:
        """Join the best bid and the best ask; move a quote only when the top moved away from it."""
        targets = {"bid": book.best_yes_bid, "ask": book.best_yes_ask}
        for side, level in targets.items():
            if level is None:
                continue
            price = level[0]
            current = self.quotes.orders.get(side)
            if current is not None and current[1] == price:
                continue
            if current is not None:
                await rest.orders.cancel_v2(current[0])
                self.quotes.cancelled += 1
                del self.quotes.orders[side]
            await self._place(rest, side, price)

    async def run(
        self, *, max_updates: int | None = None, seconds: float | None = None, stop_after_disconnect: bool = False
    ) -> Quotes:
        """Quote until `max_updates` book messages or `seconds` pass (None: no limit); always cancel on the way out."""
        async with (
            AsyncKalshiClient(auth=self.conn.auth, config=self.conn.config) as rest,
            KalshiWebSocket(auth=self.conn.auth, config=self.conn.config).connect() as session,
        ):
            try:
                async with asyncio.timeout(seconds):
                    await self._quote(rest, session, max_updates, stop_after_disconnect)
            except TimeoutError:
                pass
            finally:
                await self.cancel_all(rest, "stopping")
        return self.quotes

    async def _quote(
        self, rest: AsyncKalshiClient, session: object, max_updates: int | None, stop_after_disconnect: bool
    ) -> None:
        stream = await session.subscribe_orderbook_delta(tickers=[self.ticker])  # type: ignore[attr-defined]
        updates = 0
        async for message in stream:
            if isinstance(message, Reconnected):
                self.quotes.disconnects += 1
                await self.cancel_all(rest, "disconnected")
                if stop_after_disconnect:
                    return
            elif isinstance(message, (SequenceGap, Resyncing)):
                await self.cancel_all(rest, "book resync")
            elif isinstance(message, (OrderbookSnapshot, OrderbookDelta)):
                book = stream.book(self.ticker)
                if book.ready:
                    await self._follow(rest, book)
                updates += 1
                if max_updates is not None and updates >= max_updates:
                    return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticker", default="KXFED-26DEC-T3.50")
    parser.add_argument("--size", type=Decimal, default=Decimal("5"))
    parser.add_argument("--updates", type=int, default=None, help="stop after this many book messages")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    add_arguments(parser)
    args = parser.parse_args(argv)
    with connect(args.simulator) as conn:
        seconds = args.seconds if args.seconds is not None else (3.0 if args.simulator else None)
        bot = QuotingBot(conn, args.ticker, size=args.size)
        quotes = asyncio.run(bot.run(max_updates=args.updates, seconds=seconds))
    print(f"placed {quotes.placed}, cancelled {quotes.cancelled}, disconnects {quotes.disconnects}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
