"""REST under faults: idempotent reads retry within their caps and then fail typed; writes are
sent exactly once whatever happens (counted on the server side)."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from kalshi_auth import KalshiAuth, KalshiConfig
from kalshi_rest import (
    KalshiAuthError,
    KalshiClient,
    KalshiConnectionError,
    KalshiError,
    KalshiRateLimitError,
    KalshiResponseError,
    KalshiServerError,
    KalshiTimeoutError,
)
from kalshi_testing import KalshiExchange

from .conftest import Ledger
from .rawserver import RawServer, html_proxy, truncated_json

FED = "KXFED-26DEC-T3.50"
ORDERS = "/portfolio/events/orders"
RETRIES = 3


def config_for(base_url: str, **overrides: Any) -> KalshiConfig:
    settings: dict[str, Any] = {
        "base_url": base_url,
        "max_retries": RETRIES,
        "retry_base_delay": 0.01,
        "retry_max_delay": 0.2,
        "timeout": 2.0,
    } | overrides
    return KalshiConfig(**settings)


def order(client: Any, coid: str) -> Any:
    from kalshi_rest.models import CreateOrderV2Request

    return client.orders.create_v2(
        request=CreateOrderV2Request(
            ticker=FED,
            client_order_id=coid,
            side="bid",
            count=Decimal("1"),
            price=Decimal("0.01"),
            time_in_force="good_till_canceled",
            self_trade_prevention_type="taker_at_cross",
        )
    )


def test_get_survives_bursts_within_caps_then_fails_typed(kalshi_exchange: KalshiExchange, ledger: Ledger) -> None:
    sim = kalshi_exchange.simulator
    with KalshiClient(auth=kalshi_exchange.auth, config=config_for(sim.rest_url)) as client:
        sim.faults.server_error(status=503, times=RETRIES, path="/exchange/status")
        assert client.exchange.status().exchange_active is True
        assert sim.count_requests("GET", "/exchange/status") == RETRIES + 1

        sim.faults.rate_limit(retry_after=0.05, times=2, path="/portfolio/balance")
        started = time.monotonic()
        assert client.portfolio.balance().balance == 100_000
        assert time.monotonic() - started >= 0.1  # Retry-After is a floor
        assert sim.count_requests("GET", "/portfolio/balance") == 3

        sim.faults.server_error(status=502, times=None, path="/markets")
        with pytest.raises(KalshiServerError) as five:
            client.markets.get(FED)
        assert five.value.status_code == 502
        sim.faults.clear()
        sim.faults.rate_limit(retry_after=30, times=None, path="/series")
        started = time.monotonic()
        with pytest.raises(KalshiRateLimitError) as limited:
            client.series.list()
        assert limited.value.retry_after == 30
        assert time.monotonic() - started < 2.0, "a 30 s Retry-After is capped by retry_max_delay"
        sim.faults.clear()
    assert sim.count_requests("GET", f"/markets/{FED}") == RETRIES + 1
    assert sim.count_requests("GET", "/series") == RETRIES + 1
    ledger.row(
        "REST",
        "5xx bursts and 429 + Retry-After on GETs",
        injected=len(sim.faults.fired),
        survived=len(sim.faults.fired),
    )


@pytest.mark.parametrize("fault", ["server_error", "rate_limit", "timeout"])
def test_writes_are_sent_exactly_once(kalshi_exchange: KalshiExchange, ledger: Ledger, fault: str) -> None:
    sim = kalshi_exchange.simulator
    cfg = config_for(sim.rest_url, timeout=0.3)
    expected: type[KalshiError] = {
        "server_error": KalshiServerError,
        "rate_limit": KalshiRateLimitError,
        "timeout": KalshiTimeoutError,
    }[fault]
    with KalshiClient(auth=kalshi_exchange.auth, config=cfg) as client:
        made = order(client, "keep-me")
        for method, path in (("POST", ORDERS), ("DELETE", f"{ORDERS}/{made.order_id}")):
            if fault == "server_error":
                sim.faults.server_error(status=503, times=None, path=path, method=method)
            elif fault == "rate_limit":
                sim.faults.rate_limit(retry_after=0, times=None, path=path, method=method)
            else:
                sim.faults.latency(1.0, path=path, method=method)
            with pytest.raises(expected):
                if method == "POST":
                    order(client, f"once-{fault}")
                else:
                    client.orders.cancel_v2(made.order_id)
            sim.faults.clear()
    time.sleep(1.1 if fault == "timeout" else 0)  # let a delayed write land before counting
    posts = sim.count_requests("POST", ORDERS)
    deletes = sim.count_requests("DELETE", f"{ORDERS}/{made.order_id}")
    assert posts == 2  # the order kept for the DELETE, and the faulted one: once
    assert deletes == 1
    ledger.row("REST", f"POST/DELETE under {fault}", injected=2, survived=2, sent_twice=(posts - 2) + (deletes - 1))


def test_reset_mid_body(ledger: Ledger) -> None:
    with RawServer(truncated_json) as raw, KalshiClient(config=config_for(raw.base_url)) as client:
        with pytest.raises((KalshiConnectionError, KalshiResponseError)):
            client.markets.list()
        assert raw.seen[("GET", "/trade-api/v2/markets")] == RETRIES + 1
    ledger.row("REST", "connection reset mid-body", injected=RETRIES + 1, survived=RETRIES + 1)


def test_write_reset_mid_body_is_not_retried(kalshi_exchange: KalshiExchange, ledger: Ledger) -> None:
    with RawServer(truncated_json) as raw:
        cfg = config_for(raw.base_url)
        with KalshiClient(auth=kalshi_exchange.auth, config=cfg) as client, pytest.raises(KalshiError):
            order(client, "reset-write")
        assert raw.seen[("POST", f"/trade-api/v2{ORDERS}")] == 1
    ledger.row("REST", "POST reset mid-body", injected=1, survived=1, sent_twice=0)


@pytest.mark.parametrize("status", [200, 502])
def test_html_from_a_proxy_is_a_typed_error(ledger: Ledger, status: int) -> None:
    with RawServer(html_proxy(status)) as raw, KalshiClient(config=config_for(raw.base_url)) as client:
        with pytest.raises((KalshiResponseError, KalshiServerError)) as err:
            client.exchange.status()
        assert "<html" not in str(err.value).lower() or len(str(err.value)) <= 1200
        expected = 1 if status == 200 else RETRIES + 1
        assert raw.seen[("GET", "/trade-api/v2/exchange/status")] == expected
    ledger.row("REST", f"HTML proxy page ({status})", injected=expected, survived=expected)


def test_clock_skew_says_the_clock_may_be_off(kalshi_exchange: KalshiExchange, ledger: Ledger) -> None:
    skewed = KalshiAuth.from_pem(
        kalshi_exchange.user.key_id,
        kalshi_exchange.user.private_key_pem,
        clock=lambda: int(time.time() * 1000) - 10 * 60 * 1000,
    )
    with KalshiClient(auth=skewed, config=config_for(kalshi_exchange.simulator.rest_url)) as client:
        with pytest.raises(KalshiAuthError) as err:
            client.portfolio.balance()
    assert err.value.status_code == 401
    assert "clock" in str(err.value).lower()
    ledger.row("REST", "clock skew (signature rejected)", injected=1, survived=1)
