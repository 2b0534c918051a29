"""FIX order entry with a drop copy: send an order on KalshiNR, then replay its reports on KalshiDC.

uv run python examples/fix_order_entry.py --simulator                      # the simulator's FIX gateway
uv run python examples/fix_order_entry.py --symbol KXFED-26DEC-T3.50       # Kalshi, from KALSHI_* variables
uv run python examples/fix_order_entry.py --host 127.0.0.1 --port 9878 --drop-copy-port 9879   # a local gateway

Drop copy answers questions, it is not a live stream: after the order is acknowledged, ask for
every ExecutionReport since its ExecID and reconcile by ExecID (replays get new sequence numbers).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Callable
from decimal import Decimal

from _connect import add_arguments, connect

from kalshi_fix import FixClient
from kalshi_fix.messages import EventResendComplete, EventResendReject, ExecutionReport, NewOrderSingle, Side

TIMEOUT = 10.0  # seconds to wait for an answer from the gateway


async def order_with_drop_copy(
    order_entry: FixClient, drop_copy: FixClient, symbol: str, *, out: Callable[[str], object] = print
) -> tuple[ExecutionReport, list[ExecutionReport]]:
    """Send one limit order, wait for its first ExecutionReport, then replay it through drop copy."""
    async with order_entry.order_entry() as session:
        await session.send(
            NewOrderSingle(
                cl_ord_id=str(uuid.uuid4()),
                symbol=symbol,
                side=Side.BUY_YES,
                order_qty=Decimal("3"),
                price=Decimal("0.05"),
            )
        )
        async with asyncio.timeout(TIMEOUT):
            async for message in session.messages():
                if isinstance(message, ExecutionReport):
                    ack = message
                    break
    out(f"order entry: {ack.exec_type!s} {ack.ord_status!s} order {ack.order_id} exec {ack.exec_id}")

    replayed: list[ExecutionReport] = []
    async with drop_copy.drop_copy() as session:
        await session.request_replay(ack.exec_id)
        async with asyncio.timeout(TIMEOUT):
            async for message in session.messages():
                if isinstance(message, ExecutionReport):
                    replayed.append(message)
                    out(f"drop copy:   exec {message.exec_id} order {message.order_id} {message.ord_status!s}")
                elif isinstance(message, (EventResendComplete, EventResendReject)):
                    out(f"drop copy:   {type(message).__name__}")
                    break
    return ack, replayed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbol", default="KXFED-26DEC-T3.50")
    parser.add_argument("--host", help="a local gateway instead of Kalshi's (plain TCP, loopback only)")
    parser.add_argument("--port", type=int, help="its order-entry port")
    parser.add_argument("--drop-copy-port", type=int, help="its drop-copy port")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.simulator:
        with connect(True) as conn:
            assert conn.simulator is not None
            assert conn.auth is not None
            client = FixClient(conn.auth, environment=conn.simulator.fix_environment())  # every session's port
            return _report(*asyncio.run(order_with_drop_copy(client, client, args.symbol)))
    if args.host:
        local = {"host": args.host, "tls": False}
        order_entry = FixClient.from_env(port=args.port, **local)
        drop_copy = FixClient.from_env(port=args.drop_copy_port, **local)
    else:
        order_entry = drop_copy = FixClient.from_env()  # KALSHI_KEY_ID, KALSHI_PRIVATE_KEY_PATH, KALSHI_DEMO
    return _report(*asyncio.run(order_with_drop_copy(order_entry, drop_copy, args.symbol)))


def _report(ack: ExecutionReport, replayed: list[ExecutionReport]) -> int:
    matched = any(r.exec_id == ack.exec_id for r in replayed)
    print("drop copy has the order" if matched else "drop copy does not have the order yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
