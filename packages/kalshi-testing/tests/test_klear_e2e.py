"""Klear through the real `KlearClient`: the member's books follow the perps accounts, in centicents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kalshi_testing._perps_harness import KalshiKlear, KalshiPerpsExchange
from kalshi_testing.simulator import KalshiExchangeSimulator

pytest.importorskip("kalshi_klear")

from kalshi_klear import KlearClient, centicents_to_dollars
from kalshi_klear.models import (
    CreateMarginSubtraderGroupRequest,
    EstimatePortfolioMaintenanceMarginRequest,
    WithdrawSettlementBalanceRequest,
)
from kalshi_rest import KalshiAuthError, KalshiValidationError

BTC = "BTC-PERP"


def cross(ex: KalshiPerpsExchange, price: str, count: str) -> None:
    """The default trader buys `count` from bob at `price`."""
    base = {"ticker": BTC, "time_in_force": "good_till_canceled", "self_trade_prevention_type": "maker"}
    bob = "bob" if ("bob", 0) in ex.surface.engine.accounts else ex.create_user("bob").user_id
    ex.call(
        lambda e: e.create_order(
            bob, base | {"client_order_id": f"b{price}", "side": "ask", "price": price, "count": count}
        )
    )
    ex.call(
        lambda e: e.create_order(
            ex.user.user_id, base | {"client_order_id": f"a{price}", "side": "bid", "price": price, "count": count}
        )
    )


def test_obligations_follow_the_perps_accounts(
    kalshi_perps_exchange: KalshiPerpsExchange, kalshi_klear: KalshiKlear
) -> None:
    ex = kalshi_perps_exchange
    ex.call(lambda e: e.cancel_all("sim-perps-mm"))
    cross(ex, "97000.00", "2")  # trader long 2 at 97,000; bob short 2
    cross(ex, "96000.00", "0.5")  # the mark falls to 96,000: the long loses, the short gains
    ex.call(lambda e: setattr(e.markets[BTC], "funding_rate", Decimal("0.001")))
    ex.call(lambda e: e.settle_funding(e.markets[BTC]))
    with kalshi_klear.client() as klear:
        (obligation,) = klear.obligations.active().obligations
        assert obligation.asset_class == "Crypto"
        details = {(d.subtrader_id, d.market_ticker): d for d in obligation.settlement_details}
        long = details[(ex.user.user_id, BTC)]
        assert long.position_quantity_fp == Decimal("2.50")
        # unrealised (96,000 - 96,800) x 2.5 = -2,000; funding -(2.5 x 96,000 x 0.001) = -240
        assert centicents_to_dollars(long.pnl_centicents) == Decimal(-2240)
        assert details[("bob", BTC)].pnl_centicents == -long.pnl_centicents  # zero-sum before fees
        assert obligation.pnl_centicents == sum(d.pnl_centicents for d in obligation.settlement_details)
        assert obligation.amount_centicents == obligation.pnl_centicents - obligation.fees_centicents
        paid = {p.subtrader_id: p.funding_amount_centicents for p in obligation.funding_payments}
        assert paid == {ex.user.user_id: -2_400_000, "bob": 2_400_000}
        assert [r.funding_amount_centicents for r in klear.obligations.funding_payments(obligation.id)] == [
            -2_400_000,
            2_400_000,
        ]
        estimate = klear.margin.estimate_maintenance_margin(
            request=EstimatePortfolioMaintenanceMarginRequest(
                asset_class="Crypto", positions=[{"market_ticker": BTC, "quantity": 2}]
            )
        )
        assert estimate.maintenance_margin_fp == Decimal("9600.0000")  # 5% of 2 x 96,000


def test_withdrawal_locks_then_leaves_the_settlement_balance(kalshi_klear: KalshiKlear) -> None:
    with kalshi_klear.client() as klear:
        before = klear.settlement.balance()
        withdrawal = klear.settlement.withdraw(request=WithdrawSettlementBalanceRequest(amount=Decimal("500.00")))
        status = klear.settlement.withdrawal(id=withdrawal.id)
        assert (status.status, status.amount) == ("pending", Decimal("500.00"))
        locked = klear.settlement.balance()
        assert locked.locked_balance_centicents == 5_000_000
        assert locked.balance_available_centicents == before.balance_available_centicents - 5_000_000
        with pytest.raises(KalshiValidationError):
            klear.settlement.withdraw(request=WithdrawSettlementBalanceRequest(amount=Decimal("99999999.00")))
        history = list(klear.settlement.balance_history_all(max_pages=3))
        assert [e.reason for e in history][:2] == ["withdrawal_requested", "deposit"]


def test_subtrader_groups_round_trip(kalshi_klear: KalshiKlear) -> None:
    with kalshi_klear.client() as klear:
        created = klear.subtrader_groups.create(request=CreateMarginSubtraderGroupRequest(subtrader_ids=["a", "b"]))
        (group,) = klear.subtrader_groups.list().groups
        assert (group.group_id, group.member_subtrader_ids) == (created.group_id, ["a", "b"])
        klear.subtrader_groups.delete(created.group_id)
        assert klear.subtrader_groups.list().groups == []


def test_a_wrong_token_is_refused(kalshi_klear: KalshiKlear) -> None:
    surface = kalshi_klear.surface
    with (
        KlearClient(admin_user_id=surface.admin_user_id, access_token="wrong", config=kalshi_klear.config) as klear,
        pytest.raises(KalshiAuthError),
    ):
        klear.settlement.balance()
    assert surface.access_token not in repr(surface)


def test_daily_settlement_executes_the_obligation_into_the_balance_and_history() -> None:
    now = [1_800_000_000_000]  # 2027-01-15 08:00 UTC; settlement at midnight UTC
    with KalshiExchangeSimulator(clock=lambda: now[0]) as sim:
        ex = KalshiPerpsExchange(sim, sim.create_user("alice"))
        ex.call(lambda e: e.deposit("alice", Decimal(100_000)))
        ex.call(lambda e: e.cancel_all("sim-perps-mm"))
        cross(ex, "97000.00", "2")
        cross(ex, "96500.00", "0.01")  # the mark falls 500: the long is down 1,000, bob up 1,000
        klear = KalshiKlear(sim)
        with klear.client() as client:
            before = client.settlement.balance().balance_available_centicents
            (active,) = client.obligations.active().obligations
            assert list(client.obligations.history()) == []
            now[0] = 1_800_057_600_000 + 60_000  # just past midnight UTC
            assert client.settlement.balance().balance_available_centicents == before + active.amount_centicents
            (executed,) = client.obligations.history()
            assert (executed.id, executed.amount_centicents) == (active.id, active.amount_centicents)
            assert {d.subtrader_id for d in client.obligations.settlement_details(executed.id)} == {"alice", "bob"}
            (fresh,) = client.obligations.active().obligations
            assert fresh.id != executed.id
            assert fresh.pnl_centicents == 0  # nothing moved since the settlement
            reasons = [e.reason for e in client.settlement.balance_history()]
            assert reasons[0] == "obligation_settlement"
