"""Benchmark the kalshi_fix codec: build + encode a NewOrderSingle, decode an ExecutionReport.

Run: uv run python bench/bench_fix.py

Each figure is the median of several timed rounds, printed beside the floor `bytes.split(b"\\x01")` of the
same frames (what any tag=value parser must at least do) as a ratio: how many times slower than the floor.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from kalshi_fix._codec import (
    SessionHeader,
    format_sending_time,
    parse_frame,
)
from kalshi_fix.messages import (
    CollateralAmountChangeEntry,
    ExecType,
    ExecutionReport,
    MiscFee,
    MiscFeeBasis,
    MiscFeeType,
    NewOrderSingle,
    OrdStatus,
    Side,
    TimeInForce,
)
from kalshi_fix.messages._decode import decode_app_message

ROUNDS = 7
KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"


def timed(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return n / (time.perf_counter() - start)


def measure(fn: Callable[[], object], floor: Callable[[], object], n: int) -> tuple[float, float, float]:
    """Median ops/s of `fn`, of `floor`, and of their per-round ratio; rounds interleave the two so that
    load from other processes hits both alike."""
    rates, floors, ratios = [], [], []
    for _ in range(ROUNDS):
        r = timed(fn, n)
        f = timed(floor, n)
        rates.append(r)
        floors.append(f)
        ratios.append(f / r)
    return statistics.median(rates), statistics.median(floors), statistics.median(ratios)


def execution_report_frame() -> bytes:
    """A realistic trade ExecutionReport (ExecType=F) with fees and collateral groups, in cents."""
    report = ExecutionReport(
        order_id="c7a3f1de-51b2-4f39-9d6a-0b5b0e3f8a11",
        cl_ord_id="order-000123",
        exec_id="4;7",
        exec_type=ExecType.TRADE,
        ord_status=OrdStatus.PARTIALLY_FILLED,
        side=Side.BUY_YES,
        symbol="KXBTCD-25DEC31-T100000",
        leaves_qty=Decimal("6"),
        cum_qty=Decimal("4"),
        avg_px=Decimal("0.55"),
        order_qty=Decimal("10"),
        last_px=Decimal("0.55"),
        last_qty=Decimal("4"),
        price=Decimal("0.55"),
        transact_time=datetime(2026, 11, 24, 9, 30, 1, 123000, tzinfo=UTC),
        misc_fees=[
            MiscFee(
                misc_fee_amt=Decimal("0.07"),
                misc_fee_curr="USD",
                misc_fee_type=MiscFeeType.EXCHANGE_FEES,
                misc_fee_basis=MiscFeeBasis.ABSOLUTE,
            )
        ],
        long_qty=Decimal("4"),
        short_qty=Decimal("0"),
        collateral_amount_changes=[
            CollateralAmountChangeEntry(collateral_amount_change=Decimal("-2.27"), collateral_amount_type="BALANCE")
        ],
        trd_match_id="5f0c9a7e-2b1d-4d8c-8e1f-6a7b8c9d0e1f",
        aggressor_indicator=True,
        alloc_account=0,
    )
    header = SessionHeader(
        sender_comp_id="KalshiNR", target_comp_id=KEY, msg_seq_num=123456, sending_time=format_sending_time()
    )
    return report.encode(header, use_dollars=False)


def new_ack_frame() -> bytes:
    """The commonest ExecutionReport: the ack of a new order (ExecType=0), no groups."""
    report = ExecutionReport(
        order_id="c7a3f1de-51b2-4f39-9d6a-0b5b0e3f8a11",
        cl_ord_id="order-000123",
        exec_id="4;6",
        exec_type=ExecType.NEW,
        ord_status=OrdStatus.NEW,
        side=Side.BUY_YES,
        symbol="KXBTCD-25DEC31-T100000",
        leaves_qty=Decimal("10"),
        cum_qty=Decimal("0"),
        avg_px=Decimal("0"),
        order_qty=Decimal("10"),
        price=Decimal("0.55"),
        transact_time=datetime(2026, 11, 24, 9, 30, 1, 123000, tzinfo=UTC),
        alloc_account=0,
    )
    header = SessionHeader(
        sender_comp_id="KalshiNR", target_comp_id=KEY, msg_seq_num=123455, sending_time=format_sending_time()
    )
    return report.encode(header, use_dollars=False)


def main() -> None:
    header = SessionHeader(
        sender_comp_id=KEY, target_comp_id="KalshiNR", msg_seq_num=1, sending_time=format_sending_time()
    )

    def build_and_encode() -> bytes:
        header.msg_seq_num += 1
        return NewOrderSingle(
            cl_ord_id="order-000123",
            symbol="KXBTCD-25DEC31-T100000",
            side=Side.BUY_YES,
            order_qty=Decimal("10"),
            price=Decimal("0.55"),
            time_in_force=TimeInForce.GTC,
        ).encode(header, use_dollars=False)

    nos_frame = build_and_encode()
    er_frame = execution_report_frame()
    decoded = decode_app_message(er_frame)
    assert isinstance(decoded, ExecutionReport)
    assert decoded.exec_type is ExecType.TRADE
    assert parse_frame(nos_frame).msg_type == "D"

    ack_frame = new_ack_frame()
    ack_parsed = parse_frame(ack_frame)  # a session parses every frame for sequencing anyway
    n = 5_000
    rows = [
        (
            "build + encode NewOrderSingle -> wire bytes",
            len(nos_frame),
            measure(build_and_encode, lambda: nos_frame.split(b"\x01"), n),
        ),
        (
            "decode ExecutionReport (new ack) -> typed class",
            len(ack_frame),
            measure(lambda: decode_app_message(ack_frame), lambda: ack_frame.split(b"\x01"), n),
        ),
        (
            "  of which typed decode of the session's parsed FixFrame",
            len(ack_frame),
            measure(lambda: decode_app_message(ack_parsed), lambda: ack_frame.split(b"\x01"), n),
        ),
        (
            "  of which parse_frame (verify 9/10, split fields)",
            len(ack_frame),
            measure(lambda: parse_frame(ack_frame), lambda: ack_frame.split(b"\x01"), n),
        ),
        (
            "decode ExecutionReport (trade, fee + collateral groups)",
            len(er_frame),
            measure(lambda: decode_app_message(er_frame), lambda: er_frame.split(b"\x01"), n),
        ),
    ]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"python {sys.version.split()[0]}; medians of {ROUNDS} interleaved rounds of {n:,} calls; load {load}")
    print(f"{'figure':<58}{'bytes':>6}{'ops/s':>11}{'floor ops/s':>13}{'floor/figure':>14}")
    for name, size, (rate, floor, ratio) in rows:
        print(f"{name:<58}{size:>6}{rate:>11,.0f}{floor:>13,.0f}{ratio:>13.1f}x")
    print("floor: bytes.split(b'\\x01') of the same frame. targets: encode >= 170,000/s, decode >= 150,000/s")
    print("the 'of which' rows split the new-ack decode: a session calls parse_frame on every inbound frame")
    print("for sequencing, then decode_app_message(frame) adds only the typed decode.")


if __name__ == "__main__":
    main()
