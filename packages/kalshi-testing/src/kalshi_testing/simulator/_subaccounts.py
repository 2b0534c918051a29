"""Subaccounts: creation, transfers between them, balances."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import _format as fmt
from ._shapes import rest
from ._state import ExchangeError, ExchangeState

__all__ = ["ExchangeSubaccounts"]


class ExchangeSubaccounts(ExchangeState):
    def create_subaccount(self, user_id: str) -> dict[str, Any]:
        """CreateSubaccount: the next free number, starting at 1."""
        taken = [s for (u, s) in self.accounts if u == user_id]
        number = max(taken, default=0) + 1
        self.account(user_id, number).updated_ms = self.clock()
        return rest("CreateSubaccountResponse", subaccount_number=number)

    def transfer_between_subaccounts(self, user_id: str, body: Any) -> dict[str, Any]:
        """ApplySubaccountTransfer: `amount_cents` from one subaccount to another; `client_transfer_id` is idempotent.

        Reusing a `client_transfer_id` answers 409 and moves nothing (observed on demo).
        """
        body = self._check_body("ApplySubaccountTransferRequest", body)
        history = self.transfers.setdefault(user_id, [])
        if any(t["transfer_id"] == body["client_transfer_id"] for t in history):
            raise ExchangeError(409, "duplicate_client_transfer_id", "client_transfer_id was already used")
        source, target, cents = body["from_subaccount"], body["to_subaccount"], body["amount_cents"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (source, target, cents)) or cents <= 0:
            raise ExchangeError(400, "invalid_parameters", "subaccounts and a positive amount_cents are integers")
        if source == target or (user_id, source) not in self.accounts or (user_id, target) not in self.accounts:
            raise ExchangeError(
                400, "invalid_parameters", "from_subaccount and to_subaccount must be two existing subaccounts"
            )
        amount = Decimal(cents) / 100
        origin = self.accounts[(user_id, source)]
        if origin.balance - origin.reserved < amount:
            raise ExchangeError(400, "insufficient_balance", "insufficient balance in from_subaccount")
        now = self.clock()
        self.accounts[(user_id, source)].balance -= amount
        self.accounts[(user_id, target)].balance += amount
        self.accounts[(user_id, source)].updated_ms = self.accounts[(user_id, target)].updated_ms = now
        history.append(
            rest(
                "SubaccountTransfer",
                transfer_id=body["client_transfer_id"],
                from_subaccount=source,
                to_subaccount=target,
                amount_cents=cents,
                created_ts=now // 1000,
                exchange_index=0,
            )
        )
        return {}

    def subaccount_balances(self, user_id: str) -> dict[str, Any]:
        """GetSubaccountBalances: every subaccount of the user, primary (0) first."""
        items = [
            rest(
                "SubaccountBalance",
                subaccount_number=s,
                exchange_index=0,
                balance=fmt.dollars(a.balance - a.reserved),
                updated_ts=a.updated_ms // 1000,
            )
            for (u, s), a in sorted(self.accounts.items())
            if u == user_id
        ]
        return rest("GetSubaccountBalancesResponse", subaccount_balances=items)
