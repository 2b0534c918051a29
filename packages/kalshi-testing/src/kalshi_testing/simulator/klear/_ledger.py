"""The clearing member's books, derived from the perps engine's accounts (specs/perps_scm_openapi.yaml shapes).

The simulator has one clearing member clearing every margin account; each (user, subaccount) is a
subtrader (`user` for the primary, `user:N` for subaccount N). Money on Klear is integer
centicents (1 USD = 10,000) except the withdrawal `amount` and `session_avg_price_fp`.

- An active obligation per asset class with open positions or unsettled PnL: realised plus
  unrealised PnL and funding since the last settlement, less fees; negative is payable to Klear.
- Daily at midnight UTC on the clock the active obligations execute: each moves its amount into
  the settlement balance, joins the obligation history, and the next one counts from there.
- The settlement balance starts at `opening_balance`; a withdrawal locks its amount and is
  processed one second later on the clock, when it leaves the balance.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._generated import klear_openapi_shapes
from kalshi_testing.simulator._shapes import Shapes
from kalshi_testing.simulator._state import ExchangeError
from kalshi_testing.simulator.perps._engine import PerpsExchange
from kalshi_testing.simulator.perps._spec import MAINTENANCE_MARGIN, next_funding_ms
from kalshi_testing.simulator.perps._state import MarginAccount, PerpsMarket

__all__ = ["KLEAR", "Ledger", "centicents"]

KLEAR = Shapes.from_modules(klear_openapi_shapes)
_NS = uuid.UUID("6f1c2d3e-0000-4000-8000-00000000c1ea")
_ZERO = Decimal(0)
_SETTLE_DELAY_MS = 1_000
_DAY_MS = 86_400_000


def centicents(dollars: Decimal) -> int:
    """Dollars as integer centicents, rounded half-even."""
    return int((dollars * 10_000).to_integral_value())


def subtrader(account: MarginAccount) -> str:
    """The subtrader id of a margin account."""
    return account.user_id if account.subaccount == 0 else f"{account.user_id}:{account.subaccount}"


@dataclass(slots=True)
class Withdrawal:
    """One settlement-balance withdrawal."""

    withdrawal_id: str
    amount: Decimal
    created_ms: int
    status: str = "pending"


@dataclass(slots=True)
class Ledger:
    """The member's settlement balance, withdrawals, subtrader groups and FCM API keys."""

    engine: PerpsExchange
    clock: Callable[[], int]
    member_id: str = "sim-clearing-member"
    opening_balance: Decimal = Decimal(1_000_000)
    guaranty_fund: Decimal = Decimal(50_000)
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)
    api_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    started_ms: int = 0
    settled: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(subtrader, ticker) -> (PnL, fees) in centicents already settled."""
    funding_seen: dict[str, int] = field(default_factory=dict)
    """subtrader -> how many of its funding payments are already settled."""
    past: list[dict[str, Any]] = field(default_factory=list)
    """Executed obligations (`ObligationEntry`, detail arrays uncapped), oldest first."""
    next_settle_ms: int = 0

    def __post_init__(self) -> None:
        self.started_ms = self.clock()
        self.next_settle_ms = (self.started_ms // _DAY_MS + 1) * _DAY_MS
        self._entry(self.opening_balance, _ZERO, "deposit", "opening-balance", self.started_ms)

    def _entry(self, delta: Decimal, locked: Decimal, reason: str, txn: str, at: int) -> None:
        self.history.append(
            KLEAR.rest(
                "SettlementBalanceHistoryEntry",
                balance_delta_centicents=centicents(delta),
                locked_balance_delta_centicents=centicents(locked),
                reason=reason,
                business_transaction_id=txn,
                created_ts=fmt.rfc3339(at),
            )
        )

    # --- settlement balance and withdrawals ----------------------------------------------------

    def process(self) -> None:
        """Run what the clock has made due: withdrawals to process, daily settlements to execute."""
        now = self.clock()
        for w in self.withdrawals.values():
            if w.status == "pending" and now >= w.created_ms + _SETTLE_DELAY_MS:
                w.status = "processed"
                self._entry(-w.amount, -w.amount, "withdrawal", w.withdrawal_id, w.created_ms + _SETTLE_DELAY_MS)
        while now >= self.next_settle_ms:
            self._settle(self.next_settle_ms)

    def _settle(self, at: int) -> None:
        """Execute the active obligations at `at`: into the balance and the history; start counting afresh."""
        for asset_class in self.asset_classes():
            obligation = self.obligation(asset_class, inline_cap=None)
            obligation["last_updated_ts"] = fmt.rfc3339(at)
            self.past.append(obligation)
            amount = Decimal(obligation["amount_centicents"]) / 10_000
            self._entry(amount, _ZERO, "obligation_settlement", obligation["id"], at)
        for account, pos, _market, pnl, fees in self._totals():
            self.settled[(subtrader(account), pos.ticker)] = (pnl, fees)
        for account in self.engine.accounts.values():
            self.funding_seen[subtrader(account)] = len(account.funding)
        self.next_settle_ms = at + _DAY_MS

    def balances(self) -> tuple[Decimal, Decimal]:
        """(available, locked) dollars of the settlement balance."""
        locked = sum((w.amount for w in self.withdrawals.values() if w.status == "pending"), _ZERO)
        total = sum((Decimal(e["balance_delta_centicents"]) for e in self.history), _ZERO) / 10_000
        return total - locked, locked

    def withdraw(self, body: Any) -> dict[str, Any]:
        """WithdrawSettlementBalance: a positive dollar amount no larger than what is available."""
        if not isinstance(body, dict) or set(body) - {"amount"} or "amount" not in body:
            raise ExchangeError(400, "invalid_parameters", "the body is {amount: dollar string}", "amount")
        try:
            amount = fmt.parse_price(body["amount"])
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc), "amount") from None
        if amount <= 0:
            raise ExchangeError(400, "invalid_parameters", "amount must be positive", "amount")
        available, _ = self.balances()
        if amount > available:
            raise ExchangeError(400, "insufficient_balance", "the withdrawal exceeds the available balance")
        now = self.clock()
        w = Withdrawal(str(uuid.uuid5(_NS, f"withdrawal-{len(self.withdrawals)}")), amount, now)
        self.withdrawals[w.withdrawal_id] = w
        self._entry(_ZERO, amount, "withdrawal_requested", w.withdrawal_id, now)
        return KLEAR.rest("WithdrawSettlementBalanceResponse", id=w.withdrawal_id)

    def withdrawal(self, withdrawal_id: str) -> dict[str, Any]:
        """GetSettlementBalanceWithdrawal."""
        w = self.withdrawals.get(withdrawal_id)
        if w is None:
            raise ExchangeError(404, "not_found", f"withdrawal {withdrawal_id} not found")
        return KLEAR.rest(
            "GetSettlementBalanceWithdrawalResponse",
            id=w.withdrawal_id,
            amount=str(w.amount.quantize(Decimal("0.01"))),
            status=w.status,
            created_ts=fmt.rfc3339(w.created_ms),
        )

    # --- obligations ---------------------------------------------------------------------------

    def _class(self, market: PerpsMarket) -> str:
        return str(market.info.get("asset_class") or "Crypto")

    def obligation_id(self, asset_class: str) -> str:
        """The id of the active obligation of an asset class (one per settlement period)."""
        return str(uuid.uuid5(_NS, f"obligation-{asset_class}-{self.next_settle_ms}"))

    def _totals(self, asset_class: str | None = None) -> list[tuple[MarginAccount, Any, PerpsMarket, int, int]]:
        """(account, position, market, PnL, fees) in centicents, since trading began, per position."""
        out = []
        for account in self.engine.accounts.values():
            for pos in account.positions.values():
                market = self.engine.markets[pos.ticker]
                if asset_class not in (None, self._class(market)):
                    continue
                unrealized = (market.mark_price - pos.entry_price) * pos.position * market.contract_size
                pnl = centicents(pos.realized_pnl + unrealized + pos.funding)
                out.append((account, pos, market, pnl, centicents(pos.fees)))
        return out

    def settlement_details(self, asset_class: str) -> list[dict[str, Any]]:
        """Per market and subtrader: position, PnL (realised, unrealised, funding) and fees since last settled."""
        rows = []
        for account, pos, _market, pnl_total, fees_total in self._totals(asset_class):
            base_pnl, base_fees = self.settled.get((subtrader(account), pos.ticker), (0, 0))
            pnl, fees = pnl_total - base_pnl, fees_total - base_fees
            if pos.position == 0 and not pnl and not fees:
                continue
            rows.append(
                KLEAR.rest(
                    "SettlementDetail",
                    id=str(uuid.uuid5(_NS, f"detail-{subtrader(account)}-{pos.ticker}-{self.next_settle_ms}")),
                    market_ticker=pos.ticker,
                    subtrader_id=subtrader(account),
                    position_quantity_fp=fmt.count(pos.position),
                    pnl_centicents=pnl,
                    total_fees_centicents=fees,
                    total_amount_centicents=pnl - fees,
                )
            )
        return rows

    def funding_payments(self, asset_class: str | None = None, *, unsettled: bool = True) -> list[dict[str, Any]]:
        """Funding payments of every subtrader (of one asset class when given; only those not yet settled
        unless `unsettled` is False), oldest first."""
        rows = []
        for account in self.engine.accounts.values():
            first = self.funding_seen.get(subtrader(account), 0) if unsettled else 0
            for i, entry in enumerate(account.funding):
                if i < first:
                    continue
                market = self.engine.markets[entry["market_ticker"]]
                if asset_class not in (None, self._class(market)):
                    continue
                quantity = Decimal(entry["quantity"])
                rows.append(
                    KLEAR.rest(
                        "FundingPaymentDetail",
                        id=str(uuid.uuid5(_NS, f"funding-{subtrader(account)}-{i}")),
                        market_ticker=entry["market_ticker"],
                        subtrader_id=subtrader(account),
                        funding_time=entry["funding_time"],
                        position_quantity_fp=entry["quantity"],
                        notional_value_centicents=centicents(abs(quantity) * Decimal(entry["mark_price"])),
                        funding_amount_centicents=centicents(Decimal(entry["funding_amount"])),
                    )
                )
        rows.sort(key=lambda r: r["funding_time"])
        return rows

    def maintenance_details(self, asset_class: str) -> list[dict[str, Any]]:
        """The maintenance margin each subtrader's positions in the asset class require."""
        rows = []
        for account in self.engine.accounts.values():
            required = _ZERO
            for pos in account.positions.values():
                market = self.engine.markets[pos.ticker]
                if self._class(market) == asset_class and pos.position:
                    required += abs(pos.position) * market.mark_price * market.contract_size * MAINTENANCE_MARGIN
            if required:
                rows.append(
                    KLEAR.rest(
                        "MaintenanceMarginDetail",
                        id=str(uuid.uuid5(_NS, f"mm-{subtrader(account)}-{asset_class}")),
                        subtrader_id=subtrader(account),
                        maintenance_margin_centicents=centicents(required),
                        maintenance_margin_delta_centicents=centicents(required),
                    )
                )
        return rows

    def asset_classes(self) -> list[str]:
        """Asset classes with anything to settle, in catalogue order."""
        seen: dict[str, None] = {}
        for account in self.engine.accounts.values():
            for pos in account.positions.values():
                seen[self._class(self.engine.markets[pos.ticker])] = None
        return list(seen)

    def obligation(self, asset_class: str, *, inline_cap: int | None = 1000) -> dict[str, Any]:
        """The active `ObligationEntry` of an asset class, with its detail arrays capped inline (None: not)."""
        details = self.settlement_details(asset_class)
        funding = self.funding_payments(asset_class)
        maintenance = self.maintenance_details(asset_class)
        pnl = sum(d["pnl_centicents"] for d in details)
        fees = sum(d["total_fees_centicents"] for d in details)
        now = fmt.rfc3339(self.clock())
        cap = len(details) + len(funding) + len(maintenance) + 1 if inline_cap is None else inline_cap
        return KLEAR.rest(
            "ObligationEntry",
            id=self.obligation_id(asset_class),
            user_id=self.member_id,
            amount_centicents=pnl - fees,
            fees_centicents=fees,
            maintenance_margin_centicents=sum(m["maintenance_margin_centicents"] for m in maintenance),
            pnl_centicents=pnl,
            execution_time=fmt.rfc3339(self.next_settle_ms),
            last_updated_ts=now,
            asset_class=asset_class,
            receives=[],
            settlement_details=details[:cap],
            maintenance_margin_details=maintenance[:cap],
            funding_payments=funding[:cap],
            corporate_action_payments=[],
            settlement_details_truncated=len(details) > cap,
            maintenance_margin_details_truncated=len(maintenance) > cap,
            funding_payments_truncated=len(funding) > cap,
            corporate_action_payments_truncated=False,
        )

    def find_obligation(self, obligation_id: str) -> dict[str, Any]:
        """An active or executed obligation by id, detail arrays uncapped; 404 when unknown."""
        for asset_class in self.asset_classes():
            if self.obligation_id(asset_class) == obligation_id:
                return self.obligation(asset_class, inline_cap=None)
        for obligation in self.past:
            if obligation["id"] == obligation_id:
                return obligation
        raise ExchangeError(404, "not_found", f"obligation {obligation_id} not found")

    def next_funding_ms(self) -> int:
        """The next funding time on the clock."""
        return next_funding_ms(self.clock())
