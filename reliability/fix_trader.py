"""A trader process for the FIX restart test: one KalshiRT session with an on-disk store, driven over stdin.

    python reliability/fix_trader.py HOST PORT STORE_DIR REPORTS_FILE

The API key comes from FIX_TRADER_KEY_ID and FIX_TRADER_KEY_PEM. Commands, one a line on stdin:
`send <ClOrdID> <price>` (a 1-lot BUY_YES limit on FED; prints `{"sent": ..., "seq": ...}`) and `quit`
(log out). Every received ExecutionReport is appended to REPORTS_FILE as one JSON line, written and
flushed in the read callback, so what a killed process saw is on disk. With FIX_TRADER_DIE_AFTER=N the
process SIGKILLs itself right after writing its N-th report (a crash in the middle of a read).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from decimal import Decimal
from typing import Any, TextIO

FED = "KXFED-26DEC-T3.50"


def say(**line: Any) -> None:
    print(json.dumps(line), flush=True)


async def main(host: str, port: int, store_dir: str, reports: TextIO) -> None:
    from kalshi_auth import KalshiAuth
    from kalshi_fix import FixClient, FixFrame, ReconnectPolicy, decode_app_message
    from kalshi_fix.messages import ExecutionReport, NewOrderSingle, Side

    auth = KalshiAuth.from_pem(os.environ["FIX_TRADER_KEY_ID"], os.environ["FIX_TRADER_KEY_PEM"].encode())
    client = FixClient(
        auth,
        host=host,
        port=port,
        tls=False,
        store_dir=store_dir,
        reconnect=ReconnectPolicy(base_delay=0.01, max_delay=0.05, max_attempts=3),
    )

    written: list[dict[str, Any]] = []
    die_after = int(os.environ.get("FIX_TRADER_DIE_AFTER", "0"))

    def on_message(frame: FixFrame) -> None:
        message = decode_app_message(frame)
        if isinstance(message, ExecutionReport):
            line = {
                "cl_ord_id": message.cl_ord_id,
                "exec_id": message.exec_id,
                "exec_type": str(message.exec_type),
                "seq": frame.msg_seq_num,
                "poss_dup": frame.poss_dup_flag,
                "pid": os.getpid(),
            }
            reports.write(json.dumps(line) + "\n")
            reports.flush()
            written.append(line)
            if len(written) == die_after:
                os.kill(os.getpid(), signal.SIGKILL)

    loop = asyncio.get_running_loop()
    async with client.order_entry(retransmit=True, on_message=on_message) as session:
        say(ready=True, next_sender=session.store.next_sender_seq, next_target=session.store.next_target_seq)
        while line := (await loop.run_in_executor(None, sys.stdin.readline)).split():
            if line[0] == "quit":
                break
            cl_ord_id, price = line[1], Decimal(line[2])
            order = NewOrderSingle(
                cl_ord_id=cl_ord_id, symbol=FED, side=Side.BUY_YES, order_qty=Decimal(1), price=price
            )
            say(sent=cl_ord_id, seq=await session.send(order, timeout=5))
    say(closed=True)


if __name__ == "__main__":
    with open(sys.argv[4], "a", encoding="utf-8") as out:
        asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], out))
