"""Realistic response bodies for the resource tests (shapes as Kalshi sends them)."""

from __future__ import annotations

import json
from typing import Any

import httpx

TS = "2026-01-02T03:04:05Z"


def ok(payload: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(payload).encode(), headers={"content-type": "application/json"})


def market(ticker: str = "KXHIGHNY-26JAN02-T60", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ticker": ticker,
        "event_ticker": "KXHIGHNY-26JAN02",
        "market_type": "binary",
        "yes_sub_title": "60 or above",
        "no_sub_title": "below 60",
        "created_time": TS,
        "updated_time": TS,
        "open_time": TS,
        "close_time": "2026-01-02T23:00:00Z",
        "latest_expiration_time": "2026-01-09T23:00:00Z",
        "settlement_timer_seconds": 3600,
        "status": "active",
        "notional_value_dollars": "1.0000",
        "yes_bid_dollars": "0.5600",
        "yes_ask_dollars": "0.5800",
        "no_bid_dollars": "0.4200",
        "no_ask_dollars": "0.4400",
        "yes_bid_size_fp": "150.00",
        "yes_ask_size_fp": "2.50",
        "last_price_dollars": "0.575",
        "previous_yes_bid_dollars": "0.5500",
        "previous_yes_ask_dollars": "0.5700",
        "previous_price_dollars": "0.5600",
        "volume_fp": "12345.00",
        "volume_24h_fp": "345.00",
        "open_interest_fp": "999.99",
        "result": "",
        "can_close_early": True,
        "expiration_value": "",
        "rules_primary": "If the high is 60 or above, resolves Yes.",
        "rules_secondary": "",
        "price_level_structure": "deci_cent",
        "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0010"}],
        "settlement_bounds_type": "default",
    }
    body.update(overrides)
    return body


def order(order_id: str = "ord-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": order_id,
        "user_id": "user-1",
        "client_order_id": "cid-1",
        "ticker": "KXHIGHNY-26JAN02-T60",
        "outcome_side": "yes",
        "book_side": "bid",
        "type": "limit",
        "status": "resting",
        "yes_price_dollars": "0.5600",
        "no_price_dollars": "0.4400",
        "fill_count_fp": "0.00",
        "remaining_count_fp": "10.00",
        "initial_count_fp": "10.00",
        "taker_fill_cost_dollars": "0.0000",
        "maker_fill_cost_dollars": "0.0000",
        "taker_fees_dollars": "0.0000",
        "maker_fees_dollars": "0.0000",
    }
    body.update(overrides)
    return body


def market_position(ticker: str = "KXHIGHNY-26JAN02-T60") -> dict[str, Any]:
    return {
        "ticker": ticker,
        "exchange_index": 0,
        "total_traded_dollars": "5.6000",
        "position_fp": "10.00",
        "market_exposure_dollars": "5.6000",
        "realized_pnl_dollars": "0.0000",
        "fees_paid_dollars": "0.0700",
        "last_updated_ts": TS,
    }


def event_position(event_ticker: str = "KXHIGHNY-26JAN02") -> dict[str, Any]:
    return {
        "event_ticker": event_ticker,
        "total_cost_dollars": "5.6000",
        "total_cost_shares_fp": "10.00",
        "event_exposure_dollars": "5.6000",
        "realized_pnl_dollars": "0.0000",
        "fees_paid_dollars": "0.0700",
    }


def transfer(kind: str, ident: str) -> dict[str, Any]:
    return {
        "id": ident,
        "status": "pending",
        "type": kind,
        "amount_cents": 2500,
        "fee_cents": 0,
        "created_ts": 1767322800,
    }
