"""Settlement reports are delivered whole or not at all: a batch cut by a reconnect is dropped with a warning."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from kalshi_fix_test_acceptor import FixAcceptor

from kalshi_auth import KalshiAuth
from kalshi_fix import FixClient, ReconnectPolicy, SettlementAssembler, SettlementBatchDropped, SettlementReport
from kalshi_fix.messages import MarketSettlementParty, MarketSettlementReport

FAST = ReconnectPolicy(base_delay=0.01, max_delay=0.05, max_attempts=20)


def fragment(symbol: str, n: int, party: str, *, last: bool) -> MarketSettlementReport:
    return MarketSettlementReport(
        market_settlement_report_id=f"msr-{symbol}-{n}",
        symbol=symbol,
        clearing_business_date=date(2026, 11, 24),
        market_result="yes",
        settlement_price=Decimal("1.00"),
        last_fragment=None if last else False,
        market_settlement_party_ids=[
            MarketSettlementParty(market_settlement_party_id=party, market_settlement_party_role=24)
        ],
    )


def test_clearing_pending_fragments_returns_and_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    assembler = SettlementAssembler()
    assert assembler.add(fragment("KXA", 0, "a", last=False)) is None
    assert assembler.add(fragment("KXA", 1, "b", last=False)) is None
    (dropped,) = assembler.clear("a reconnect cut the batch")
    assert dropped == SettlementBatchDropped("KXA", 2, ("msr-KXA-0", "msr-KXA-1"), "a reconnect cut the batch")
    assert assembler.pending_symbols == []
    assert any("KXA" in r.getMessage() for r in caplog.records)
    assert assembler.clear() == []
    # the next batch starts clean: no party from the cut one leaks in
    report = assembler.add(fragment("KXA", 0, "z", last=True))
    assert report is not None
    assert [p.market_settlement_party_id for p in report.parties] == ["z"]


async def test_a_batch_cut_by_a_reconnect_is_never_delivered_partial(
    auth: KalshiAuth, rsa_key: rsa.RSAPrivateKey
) -> None:
    pt = FixAcceptor({auth.key_id: rsa_key.public_key()}, target_comp_id="KalshiPT", retransmits=True)
    await pt.start()
    got: list[SettlementReport] = []
    events: list[object] = []
    client = FixClient(auth, host="127.0.0.1", port=pt.port, tls=False, reconnect=FAST)
    try:
        async with client.post_trade(on_settlement=got.append, on_event=events.append, fresh=True) as session:
            conn = pt._active()
            conn.send(fragment("KXA", 0, "a", last=False))
            conn.flush()
            async with asyncio.timeout(5):
                while not session.protocol.store.next_target_seq > 2:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
            pt.drop()
            async with asyncio.timeout(5):
                while not any(isinstance(e, SettlementBatchDropped) for e in events):  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
                while not session.is_logged_on:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
            conn = pt._active()
            conn.send(fragment("KXA", 5, "b", last=True))
            conn.flush()
            async with asyncio.timeout(5):
                while not got:  # noqa: ASYNC110
                    await asyncio.sleep(0.005)
        (dropped,) = [e for e in events if isinstance(e, SettlementBatchDropped)]
        assert dropped.symbol == "KXA"
        assert dropped.fragments == 1
        assert [p.market_settlement_party_id for p in got[0].parties] == ["b"]
        assert got[0].report_ids == ("msr-KXA-5",)
    finally:
        await pt.stop()
