"""Klear money: centicents stay integers; the dollar request fields are positive Decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kalshi_klear import CENTICENTS_PER_DOLLAR, centicents_to_dollars
from kalshi_klear.models import EstimatePortfolioMaintenanceMarginPosition, WithdrawSettlementBalanceRequest


@pytest.mark.parametrize(
    ("centicents", "dollars"),
    [(-1_234_500, "-123.4500"), (1, "0.0001"), (0, "0.0000"), (1_000_000, "100.0000"), (10**13, "1000000000.0000")],
)
def test_centicents_to_dollars_is_exact_and_positional(centicents: int, dollars: str) -> None:
    value = centicents_to_dollars(centicents)
    assert value == Decimal(dollars)
    assert str(value) == dollars
    assert value * CENTICENTS_PER_DOLLAR == centicents


@pytest.mark.parametrize("bad", [1.5, "100", True, Decimal("1")])
def test_centicents_to_dollars_takes_ints_only(bad: object) -> None:
    with pytest.raises(TypeError):
        centicents_to_dollars(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1.00"), Decimal("0.00001"), Decimal("NaN")])
def test_withdrawal_amount_must_be_positive_with_at_most_4_decimals(amount: Decimal) -> None:
    with pytest.raises(ValueError):
        WithdrawSettlementBalanceRequest(amount=amount)


def test_withdrawal_amount_keeps_its_digits_on_the_wire() -> None:
    request = WithdrawSettlementBalanceRequest(amount=Decimal("500.00"))
    assert request.model_dump_json() == '{"amount":"500.00"}'
    assert WithdrawSettlementBalanceRequest(amount=Decimal("1E+3")).model_dump_json() == '{"amount":"1000"}'


def test_position_price_is_optional_but_positive() -> None:
    assert EstimatePortfolioMaintenanceMarginPosition(market_ticker="X", quantity=1).price is None
    with pytest.raises(ValueError):
        EstimatePortfolioMaintenanceMarginPosition(market_ticker="X", quantity=1, price=Decimal("-6.8"))
    with pytest.raises(TypeError):
        EstimatePortfolioMaintenanceMarginPosition(market_ticker="X", quantity=1, price=6.8)  # type: ignore[arg-type]
