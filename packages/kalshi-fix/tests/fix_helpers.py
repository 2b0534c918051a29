"""Helpers shared by the client tests: a FixClient on a loopback acceptor, polling, a new-order ack."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kalshi_auth import KalshiAuth
from kalshi_fix._client import FixClient
from kalshi_fix._connection import ReconnectPolicy
from kalshi_fix.messages import ExecType, ExecutionReport, OrdStatus, Side

if TYPE_CHECKING:
    from kalshi_fix_test_acceptor import FixAcceptor

#: Reconnect at once: tests drop connections on purpose and should not wait for production back-off.
FAST = ReconnectPolicy(base_delay=0.01, max_delay=0.05, max_attempts=20)


def local(auth: KalshiAuth, acceptor: FixAcceptor, **kwargs: Any) -> FixClient:
    """A plain-TCP client of `acceptor` on 127.0.0.1 that reconnects `FAST` unless `reconnect=` says otherwise."""
    return FixClient(auth, host="127.0.0.1", port=acceptor.port, tls=False, **{"reconnect": FAST, **kwargs})


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


def new_ack(n: int, *, symbol: str = "KXTEST-26", text: str | None = None) -> ExecutionReport:
    """The ExecutionReport acking new order `n` (ExecID `n;1`), as the acceptor pushes it."""
    return ExecutionReport(
        order_id=f"ord-{n}",
        cl_ord_id=f"o{n}",
        exec_id=f"{n};1",
        exec_type=ExecType.NEW,
        ord_status=OrdStatus.NEW,
        side=Side.BUY_YES,
        symbol=symbol,
        leaves_qty=Decimal(10),
        cum_qty=Decimal(0),
        avg_px=Decimal(0),
        order_qty=Decimal(10),
        price=Decimal("0.55"),
        text=text,
    )
