"""What fires on its own as prices move: exit triggers (bracket and trailing) and liquidations.

Both close a position with a system order (`order_source` `system`; `order_reason`
`take_profit_stop_loss` or `liquidation`): a reduce-only IOC at a price that crosses the book.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._matching import BookSide

from ._base import EngineBase
from ._state import PerpsMarket

__all__ = ["Risk"]

_BPS = Decimal(10_000)


class Risk(EngineBase):
    """Exit-trigger and liquidation checks, run after each trade and each funding."""

    triggers: dict[tuple[str, int, str, str], list[dict[str, Any]]]
    _liquidating: bool = False

    def close_position(self, user_id: str, subaccount: int, market: PerpsMarket, reason: str) -> dict[str, Any] | None:
        """Send a system reduce-only IOC closing the position; None when flat."""
        held = self.account(user_id, subaccount).positions.get(market.ticker)
        if held is None or held.position == 0:
            return None
        long = held.position > 0
        limit = market.tick if long else max(market.last_price, market.index_price) * 2
        side = BookSide.ASK if long else BookSide.BID
        response = self.create_order(
            user_id,
            {
                "ticker": market.ticker,
                "client_order_id": f"{reason}-{self.next_id()}",
                "side": side.value,
                "count": fmt.count(abs(held.position)),
                "price": fmt.dollars(limit),
                "time_in_force": "immediate_or_cancel",
                "self_trade_prevention_type": "taker_at_cross",
                "reduce_only": True,
                "subaccount": subaccount,
            },
            source="system",
        )
        self.orders[response["order_id"]].meta["order_reason"] = reason
        return response

    def check_exit_triggers(self, market: PerpsMarket) -> None:
        """Fire the triggers the last trade crossed (bracket legs, trailing stops)."""
        price = market.last_price
        for (user_id, subaccount, ticker, _), triggers in list(self.triggers.items()):
            if ticker != market.ticker:
                continue
            for trigger in triggers:
                if trigger["status"] not in ("active", "pending_on_entry"):
                    continue
                held = self.account(user_id, subaccount).positions.get(ticker)
                if held is None or held.position == 0:
                    continue
                trigger["status"] = "active"
                leg = self._crossed_leg(trigger, price, long=held.position > 0)
                if leg is None:
                    continue
                trigger["status"] = "filled"
                trigger["triggered_leg"] = leg
                response = self.close_position(user_id, subaccount, market, "take_profit_stop_loss")
                if response is not None:
                    trigger["triggered_order_id"] = response["order_id"]
                    trigger["filled_count"] = response["fill_count"]

    @staticmethod
    def _crossed_leg(trigger: dict[str, Any], price: Decimal, *, long: bool) -> str | None:
        """`stop_loss` / `take_profit` when `price` crosses that leg; trailing stops ratchet their watermark."""
        if trigger["kind"] == "trailing":
            mark = Decimal(trigger.get("watermark_price") or price)
            mark = max(mark, price) if long else min(mark, price)
            if trigger.get("trail_amount"):
                trail = Decimal(trigger["trail_amount"])
            else:
                trail = mark * Decimal(trigger.get("trail_bps") or 0) / _BPS
            stop = mark - trail if long else mark + trail
            trigger["watermark_price"] = fmt.dollars(mark)
            trigger["effective_stop_price"] = fmt.dollars(stop)
            return "stop_loss" if (price <= stop if long else price >= stop) else None
        loss = Decimal(trigger["stop_loss_price"]) if trigger.get("stop_loss_price") else None
        profit = Decimal(trigger["take_profit_price"]) if trigger.get("take_profit_price") else None
        if loss is not None and (price <= loss if long else price >= loss):
            return "stop_loss"
        if profit is not None and (price >= profit if long else price <= profit):
            return "take_profit"
        return None

    def check_liquidations(self, market: PerpsMarket) -> None:
        """Close the positions of every account whose equity fell below its maintenance margin."""
        if self._liquidating:
            return
        self._liquidating = True
        try:
            for account in list(self.accounts.values()):
                held = account.positions.get(market.ticker)
                if held is None or held.position == 0:
                    continue
                figures = self.margin_figures(account)
                if figures["account_equity"] >= figures["maintenance_margin"]:
                    continue
                for ticker in list(account.positions):
                    self.close_position(account.user_id, account.subaccount, self.markets[ticker], "liquidation")
        finally:
            self._liquidating = False
