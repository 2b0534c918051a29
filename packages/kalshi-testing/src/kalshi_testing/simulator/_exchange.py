"""The simulated prediction exchange: catalogue, accounts, orders and the feed, on `OrderBook`.

Pure state: no sockets, no event loop. Time comes from an injected `clock()` (epoch ms). Every
write returns its REST response body and publishes `FeedEvent`s to the registered listeners,
which the WebSocket layer fans out to subscriptions. Errors are `ExchangeError(status, code,
message)`, rendered by the HTTP layer as Kalshi's error body.

Money model: YES position is signed (negative = NO contracts). Opening a YES contract costs the
price, opening a NO contract costs 1 - price; closing pays the other side back. Takers pay the
quadratic fee `ceil(0.07 * count * p * (1 - p))` to the cent; makers pay none.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

from . import _format as fmt
from ._lifecycle import ExchangeLifecycle
from ._orders import ExchangeOrders
from ._scenario import Scenario
from ._state import CENT, NS, Account, ExchangeError, FeedEvent, Market, OrderGroup, Position
from ._subaccounts import ExchangeSubaccounts

__all__ = ["Account", "Exchange", "ExchangeError", "FeedEvent", "Market", "OrderGroup", "Position"]


class Exchange(ExchangeOrders, ExchangeLifecycle, ExchangeSubaccounts):
    """The whole simulated exchange. Thread-unsafe by design: the aiohttp app drives it from one loop.

    Its parts live in `_state` (records), `_views`, `_fills`, `_groups`, `_orders`, `_lifecycle` and
    `_subaccounts`.
    """

    def __init__(self, scenario: Scenario, *, clock: Callable[[], int]) -> None:
        super().__init__(clock=clock)
        self._load(scenario)

    def _load(self, scenario: Scenario) -> None:
        now = fmt.rfc3339(scenario.start_ms)
        self.historical_cutoff_ms = scenario.start_ms
        for s in scenario.series:
            values = {
                "category": "",
                "frequency": "custom",
                "contract_url": "",
                "contract_terms_url": "",
                "fee_type": "quadratic",
                "fee_multiplier": 1,
                "categories": [s.get("category", "")],
                "tags": [],
                "settlement_sources": [],
                "additional_prohibitions": [],
                "last_updated_ts": now,
                "exchange_index": 0,
            } | s
            self.series[s["ticker"]] = values
        for e in scenario.events:
            values = {
                "sub_title": "",
                "collateral_return_type": "",
                "mutually_exclusive": False,
                "settlement_sources": [],
                "last_updated_ts": now,
                "exchange_index": 0,
            } | e
            self.events[e["event_ticker"]] = values
        close = fmt.rfc3339(scenario.start_ms + 7 * 86_400_000)
        for m in scenario.markets:
            info = dict(m)
            tick = Decimal(str(info.pop("tick", "0.01")))
            info.setdefault("price_level_structure", "deci_cent" if tick < CENT else "linear_cent")
            info.setdefault("price_ranges", [{"start": "0.0000", "end": "1.0000", "step": fmt.dollars(tick)}])
            defaults = {
                "market_type": "binary",
                "yes_sub_title": info.get("title", ""),
                "no_sub_title": "",
                "created_time": now,
                "updated_time": now,
                "open_time": now,
                "close_time": close,
                "latest_expiration_time": close,
                "expiration_time": close,
                "settlement_timer_seconds": 3600,
                "can_close_early": True,
                "settlement_bounds_type": "default",
                "result": "",
                "expiration_value": "",
                "rules_primary": f"Resolves Yes if {info.get('title', info['ticker'])}",
                "rules_secondary": "",
                "exchange_index": 0,
            }
            market_id = str(uuid.uuid5(NS, info["ticker"]))
            self.markets[info["ticker"]] = Market(info=defaults | info, market_id=market_id, tick=tick)
        for a in scenario.accounts:
            self.accounts[(a["user_id"], 0)] = Account(a["user_id"], 0, Decimal(str(a.get("balance", "0"))))
            if a.get("fcm"):
                self.fcm_users.add(a["user_id"])
        for o in scenario.orders:
            self.create_order(
                o["user_id"],
                {
                    "ticker": o["ticker"],
                    "side": o["side"],
                    "price": str(o["price"]),
                    "count": str(o["count"]),
                    "time_in_force": "good_till_canceled",
                    "self_trade_prevention_type": "maker",
                },
            )

    def add_user(self, user_id: str, balance: Decimal) -> Account:
        """Create (or top up to `balance`) the primary account of `user_id`."""
        account = self.account(user_id, 0)
        account.balance = balance
        account.updated_ms = self.clock()
        return account
