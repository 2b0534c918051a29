"""Secrets: after everything else in the suite has run (this file sorts last), search every log
line, SDK exception, repr and recorded fixture the suite produced for any private key, signature,
bearer token or auth header value. One hit fails the run."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from kalshi_auth import KalshiConfig
from kalshi_rest import KalshiAuthError, KalshiClient
from kalshi_testing import KalshiExchange, RecordingTransport

from .conftest import Ledger, Sentry

TOKEN = "tok-3f7a9c1e5b2d4f6a8c0e1b3d5f7a9c1e"


def test_recording_against_the_simulator(kalshi_exchange: KalshiExchange, tmp_path: Path, sentry: Sentry) -> None:
    """Record a signed session (reads, an order, an error) so the fixtures can be searched."""
    from decimal import Decimal

    from kalshi_rest.models import CreateOrderV2Request

    sentry.fixture_dirs.append(tmp_path)
    sim = kalshi_exchange.simulator
    with KalshiClient(
        auth=kalshi_exchange.auth,
        config=KalshiConfig(base_url=sim.rest_url),
        transport=RecordingTransport(tmp_path),
    ) as client:
        sentry.watch(client)
        client.portfolio.balance()
        client.orders.create_v2(
            request=CreateOrderV2Request(
                ticker="KXFED-26DEC-T3.50", client_order_id="rec-1", side="bid", count=Decimal(1),
                price=Decimal("0.02"), time_in_force="good_till_canceled", self_trade_prevention_type="taker_at_cross",
            )
        )  # fmt: skip
    assert len(list(tmp_path.glob("*.json"))) >= 2


def test_bearer_token_never_shows(sentry: Sentry) -> None:
    """Klear's token goes out in Authorization only: not in errors, logs or repr."""
    from kalshi_klear import KlearClient

    sentry.secret(TOKEN)

    def deny(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].endswith(TOKEN)
        return httpx.Response(401, json={"code": "unauthorized", "message": "bad token"})

    klear = KlearClient(admin_user_id="admin-1", access_token=TOKEN, transport=httpx.MockTransport(deny))
    sentry.watch(klear)
    with klear, pytest.raises(KalshiAuthError) as err:
        logging.getLogger("kalshi.test").debug("klear client %r", klear)
        klear.obligations.active()
    assert err.value.status_code == 401


def test_the_sentry_catches_a_planted_leak() -> None:
    """The search below is not vacuous: a planted secret in a log line is found."""
    planted = Sentry()
    planted.secret("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END")
    planted.text("log x", "debug: body MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7 sent")
    assert planted.hits()


def test_zz_no_secret_anywhere(sentry: Sentry, ledger: Ledger) -> None:
    assert len(sentry.secrets) > 10, "the suite should have made keys and signatures to look for"
    assert len(sentry.texts) >= 20, "the suite should have produced log lines to search"
    hits = sentry.hits()
    searched = len(sentry.texts) + len(sentry.errors) + len(sentry.objects)
    ledger.row(
        "Secrets",
        "log lines, exceptions, reprs, fixtures searched",
        injected=len(sentry.secrets),
        survived=len(sentry.secrets) if not hits else 0,
        cases=searched,
        lost=len(hits),
        figures={"secrets": len(sentry.secrets), "texts": searched},
    )
    assert hits == [], hits
