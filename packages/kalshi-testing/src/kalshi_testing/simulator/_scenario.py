"""What the simulated exchange holds at start-up: series, events, markets, accounts, resting orders.

A scenario is plain data, loadable from JSON or YAML:

```yaml
series:   [{ticker: KXHIGHNY, title: "Highest temperature in NYC", category: Climate and Weather}]
events:   [{event_ticker: KXHIGHNY-26NOV24, series_ticker: KXHIGHNY, title: "NYC high on Nov 24"}]
markets:  [{ticker: KXHIGHNY-26NOV24-T50, event_ticker: KXHIGHNY-26NOV24, title: "Above 50°F?"}]
accounts: [{user_id: market-maker, balance: "100000.00"}]
orders:   [{user_id: market-maker, ticker: KXHIGHNY-26NOV24-T50, side: bid, price: "0.45", count: "100"}]
```

Markets default to `status: active` with a one-cent tick; extra keys on series, events and
markets are passed through to the REST shapes if the spec defines them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from kalshi_testing._errors import ScenarioError

from ._format import parse_count, parse_price

__all__ = ["Scenario", "default_scenario", "load_scenario"]

_START_MS = 1_795_536_000_000  # 2026-11-24T16:00:00Z
_MARKET_STATUSES = {"initialized", "inactive", "active", "closed", "determined", "disputed", "amended", "finalized"}


@dataclass(slots=True)
class Scenario:
    """The exchange's starting state. Build one with `load_scenario` or `default_scenario`."""

    series: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    markets: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    start_ms: int = _START_MS

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Validate and build a scenario from plain data; raises ScenarioError naming the bad entry."""
        if not isinstance(data, dict):
            raise ScenarioError("a scenario must be a mapping with series/events/markets/accounts/orders lists")
        unknown = set(data) - {"series", "events", "markets", "accounts", "orders", "start_ms"}
        if unknown:
            raise ScenarioError(f"unknown scenario keys {sorted(unknown)}")
        scenario = cls(
            series=_entries(data, "series", ("ticker", "title")),
            events=_entries(data, "events", ("event_ticker", "series_ticker", "title")),
            markets=_entries(data, "markets", ("ticker", "event_ticker")),
            accounts=_entries(data, "accounts", ("user_id",)),
            orders=_entries(data, "orders", ("user_id", "ticker", "side", "price", "count")),
            start_ms=int(data.get("start_ms", _START_MS)),
        )
        scenario._check()
        return scenario

    def _check(self) -> None:
        series = {s["ticker"] for s in self.series}
        events = {e["event_ticker"] for e in self.events}
        markets = {m["ticker"] for m in self.markets}
        users = {a["user_id"] for a in self.accounts}
        for i, e in enumerate(self.events):
            if e["series_ticker"] not in series:
                raise ScenarioError(f"events[{i}]: unknown series_ticker {e['series_ticker']!r}")
        for i, m in enumerate(self.markets):
            if m["event_ticker"] not in events:
                raise ScenarioError(f"markets[{i}]: unknown event_ticker {m['event_ticker']!r}")
            if m.setdefault("status", "active") not in _MARKET_STATUSES:
                raise ScenarioError(f"markets[{i}]: status {m['status']!r} is not one of {sorted(_MARKET_STATUSES)}")
        for i, a in enumerate(self.accounts):
            try:
                Decimal(str(a.get("balance", "0")))
            except ArithmeticError:
                raise ScenarioError(f"accounts[{i}]: balance {a.get('balance')!r} is not a decimal") from None
        for i, o in enumerate(self.orders):
            if o["ticker"] not in markets:
                raise ScenarioError(f"orders[{i}]: unknown ticker {o['ticker']!r}")
            if o["user_id"] not in users:
                raise ScenarioError(f"orders[{i}]: unknown user_id {o['user_id']!r} (add it to accounts)")
            if o["side"] not in ("bid", "ask"):
                raise ScenarioError(f"orders[{i}]: side must be 'bid' or 'ask'")
            try:
                parse_price(str(o["price"]))
                parse_count(str(o["count"]))
            except ValueError as exc:
                raise ScenarioError(f"orders[{i}]: {exc}") from None


def _entries(data: dict[str, Any], key: str, required: tuple[str, ...]) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise ScenarioError(f"{key} must be a list")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ScenarioError(f"{key}[{i}] must be a mapping")
        missing = [k for k in required if k not in item]
        if missing:
            raise ScenarioError(f"{key}[{i}] is missing {missing}")
        out.append(dict(item))
    seen: set[str] = set()
    if required and key != "orders":
        for i, item in enumerate(out):
            ident = str(item[required[0]])
            if ident in seen:
                raise ScenarioError(f"{key}[{i}]: duplicate {required[0]} {ident!r}")
            seen.add(ident)
    return out


def load_scenario(source: str | Path | dict[str, Any]) -> Scenario:
    """Load a scenario from a `.json` / `.yaml` / `.yml` file, or from an already-parsed mapping."""
    if isinstance(source, dict):
        return Scenario.from_dict(source)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    return Scenario.from_dict(data)


_CITIES = (("NY", "New York City"), ("CHI", "Chicago"), ("MIA", "Miami"))


def default_scenario(seed: int = 7) -> Scenario:
    """A small, realistic catalogue: weather, Fed-rate and bitcoin series with books on every open market.

    The same seed always gives the same catalogue and book. A `market-maker` account quotes
    both sides of every active market; `alice` and `bob` start with $1,000 each.
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible catalogue, not a secret
    series: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    markets: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    for code, city in _CITIES:
        s = f"KXHIGH{code}"
        series.append(
            {
                "ticker": s,
                "title": f"Highest temperature in {city}",
                "category": "Climate and Weather",
                "frequency": "daily",
            }
        )
        ev = f"{s}-26NOV24"
        events.append(
            {
                "event_ticker": ev,
                "series_ticker": s,
                "title": f"Highest temperature in {city} on Nov 24, 2026",
                "sub_title": "On Nov 24, 2026",
                "mutually_exclusive": True,
                "category": "Climate and Weather",
            }
        )
        for strike in (40, 45, 50, 55):
            markets.append(
                {
                    "ticker": f"{ev}-T{strike}",
                    "event_ticker": ev,
                    "title": f"Will the high be above {strike}°F?",
                    "yes_sub_title": f"{strike}° or above",
                    "no_sub_title": f"Below {strike}°",
                    "strike_type": "greater",
                    "floor_strike": strike,
                }
            )
    series.append({"ticker": "KXFED", "title": "Fed funds rate", "category": "Economics", "frequency": "custom"})
    events.append(
        {
            "event_ticker": "KXFED-26DEC",
            "series_ticker": "KXFED",
            "title": "Fed rate after December 2026 meeting",
            "sub_title": "Dec 2026",
            "mutually_exclusive": True,
            "category": "Economics",
        }
    )
    for level in ("3.25", "3.50", "3.75"):
        markets.append(
            {
                "ticker": f"KXFED-26DEC-T{level}",
                "event_ticker": "KXFED-26DEC",
                "title": f"Fed rate above {level}%?",
                "strike_type": "greater",
            }
        )
    series.append({"ticker": "KXBTCD", "title": "Bitcoin price today", "category": "Crypto", "frequency": "hourly"})
    events.append(
        {
            "event_ticker": "KXBTCD-26NOV2417",
            "series_ticker": "KXBTCD",
            "title": "Bitcoin price at 5pm EST",
            "sub_title": "Nov 24, 2026 5pm",
            "mutually_exclusive": False,
            "category": "Crypto",
        }
    )
    markets.append(
        {
            "ticker": "KXBTCD-26NOV2417-T95000",
            "event_ticker": "KXBTCD-26NOV2417",
            "title": "Bitcoin above $95,000?",
            "price_level_structure": "deci_cent",
            "tick": "0.001",
        }
    )
    markets.append(
        {
            "ticker": "KXBTCD-26NOV2417-T90000",
            "event_ticker": "KXBTCD-26NOV2417",
            "title": "Bitcoin above $90,000?",
            "status": "closed",
        }
    )
    for m in markets:
        if m.get("status", "active") != "active":
            continue
        mid = rng.randint(20, 80)
        for depth in range(3):
            orders.append(
                {
                    "user_id": "market-maker",
                    "ticker": m["ticker"],
                    "side": "bid",
                    "price": f"0.{mid - 1 - depth:02d}",
                    "count": f"{rng.randint(5, 40) * 10}",
                }
            )
            orders.append(
                {
                    "user_id": "market-maker",
                    "ticker": m["ticker"],
                    "side": "ask",
                    "price": f"0.{mid + 1 + depth:02d}",
                    "count": f"{rng.randint(5, 40) * 10}",
                }
            )
    accounts = [
        {"user_id": "market-maker", "balance": "1000000.00"},
        {"user_id": "alice", "balance": "1000.00"},
        {"user_id": "bob", "balance": "1000.00"},
    ]
    return Scenario.from_dict(
        {"series": series, "events": events, "markets": markets, "accounts": accounts, "orders": orders}
    )
