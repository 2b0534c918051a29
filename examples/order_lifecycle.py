"""Place an order, amend it, cancel it, then show the portfolio.

uv run python examples/order_lifecycle.py --simulator
uv run python examples/order_lifecycle.py --ticker KXFED-26DEC-T3.50    # Kalshi, from KALSHI_* variables

The order is a YES bid well below the market, so it rests and nothing fills. Every write is sent
once: if one times out, look the order up by its client_order_id before sending again.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from decimal import Decimal

from _connect import Connection, add_arguments, connect

from kalshi_rest import KalshiClient
from kalshi_rest.models import AmendOrderV2Request, CreateOrderV2Request


def lifecycle(conn: Connection, ticker: str, *, out: Callable[[str], object] = print) -> str:
    """Run the place / amend / cancel cycle and print the portfolio; returns the order id."""
    with KalshiClient(auth=conn.auth, config=conn.config) as client:
        intent = str(uuid.uuid4())  # one per trading intent; reuse it if you must resend
        placed = client.orders.create_v2(
            request=CreateOrderV2Request(
                ticker=ticker,
                client_order_id=intent,
                side="bid",
                count=Decimal("5"),
                price=Decimal("0.03"),
                time_in_force="good_till_canceled",
                self_trade_prevention_type="taker_at_cross",
            )
        )
        out(f"placed   {placed.order_id}: bid 5 @ 0.03, resting {placed.remaining_count}")

        amended = client.orders.amend_v2(
            placed.order_id,
            request=AmendOrderV2Request(ticker=ticker, side="bid", price=Decimal("0.04"), count=Decimal("8")),
        )
        out(f"amended  {amended.order_id}: bid 8 @ 0.04, resting {amended.remaining_count}")

        cancelled = client.orders.cancel_v2(placed.order_id)
        out(f"canceled {cancelled.order_id}: reduced by {cancelled.reduced_by}")

        balance = client.portfolio.balance()
        out(f"balance  ${balance.balance_dollars}")
        positions = client.portfolio.positions().items
        out(f"positions {len(positions)}")
        for position in positions:
            out(f"  {position.ticker:<28} {position.position_fp}")
        resting = client.orders.list(status="resting").items
        out(f"resting orders {len(resting)}")
        return placed.order_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticker", default="KXFED-26DEC-T3.50")
    add_arguments(parser)
    args = parser.parse_args(argv)
    with connect(args.simulator) as conn:
        lifecycle(conn, args.ticker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
