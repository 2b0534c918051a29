from __future__ import annotations

import pytest

from kalshi_auth import (
    DEMO,
    PRODUCTION,
    FixSessionType,
    KalshiConfigError,
    get_environment,
    host_environment,
    is_loopback,
)


def test_production_and_demo_hosts_match_the_specs() -> None:
    assert PRODUCTION.rest_url == "https://external-api.kalshi.com/trade-api/v2"
    assert PRODUCTION.ws_url == "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
    assert PRODUCTION.perps_ws_url == "wss://external-api-margin-ws.kalshi.com/trade-api/ws/v2/margin"
    assert PRODUCTION.klear_url == "https://api.klear.kalshi.com/klear-api/v1"
    assert DEMO.rest_url == "https://external-api.demo.kalshi.co/trade-api/v2"
    assert DEMO.perps_ws_url == "wss://external-api-margin-ws.demo.kalshi.co/trade-api/ws/v2/margin"
    assert DEMO.klear_url == "https://demo-api.kalshi.co/klear-api/v1"
    assert get_environment(True) is DEMO and get_environment(False) is PRODUCTION


@pytest.mark.parametrize(
    ("session", "target", "port"),
    [
        (FixSessionType.ORDER_ENTRY, "KalshiNR", 8228),
        (FixSessionType.DROP_COPY, "KalshiDC", 8229),
        (FixSessionType.ORDER_ENTRY_RETRANSMIT, "KalshiRT", 8230),
        (FixSessionType.POST_TRADE, "KalshiPT", 8231),
        (FixSessionType.RFQ, "KalshiRFQ", 8232),
        (FixSessionType.MARKET_DATA, "KalshiMD", 8233),
    ],
)
def test_fix_session_table(session: FixSessionType, target: str, port: int) -> None:
    ep = DEMO.fix_endpoint(session)
    assert (ep.target_comp_id, ep.port, ep.tls) == (target, port, True)
    expected_host = "marketdata.fix.demo.kalshi.co" if session is FixSessionType.MARKET_DATA else "fix.demo.kalshi.co"
    assert ep.host == expected_host
    assert session.retransmits == (target == "KalshiRT")  # the one every docs.kalshi.com version agrees on


def test_production_market_data_has_its_own_host() -> None:
    """docs.kalshi.com/fix/connectivity: KalshiMD is "available only on market data host"
    (marketdata.fix.elections.kalshi.com); the other sessions are on mm.fix.elections.kalshi.com."""
    assert PRODUCTION.fix_endpoint(FixSessionType.MARKET_DATA).host == "marketdata.fix.elections.kalshi.com"
    assert PRODUCTION.fix_endpoint(FixSessionType.ORDER_ENTRY).host == "mm.fix.elections.kalshi.com"
    assert host_environment("marketdata.fix.elections.kalshi.com") == "production"


def test_margin_fix_has_no_post_trade_or_rfq() -> None:
    assert DEMO.fix_endpoint(FixSessionType.MARKET_DATA, margin=True).host == "margin-marketdata.fix.demo.kalshi.co"
    assert PRODUCTION.fix_endpoint(FixSessionType.ORDER_ENTRY, margin=True).host == (
        "margin-mm.fix.elections.kalshi.com"  # docs.kalshi.com/margin
    )
    assert PRODUCTION.fix_endpoint(FixSessionType.MARKET_DATA, margin=True).host == (
        "margin-marketdata.fix.elections.kalshi.com"
    )
    for session in (FixSessionType.POST_TRADE, FixSessionType.RFQ):
        with pytest.raises(KalshiConfigError, match="margin"):
            DEMO.fix_endpoint(session, margin=True)


def test_overrides_for_a_local_simulator() -> None:
    local = DEMO.with_overrides(
        name="local",
        rest_url="http://127.0.0.1:8080/trade-api/v2",
        ws_url="ws://127.0.0.1:8080/trade-api/ws/v2",
        fix_host="127.0.0.1",
        fix_market_data_host="127.0.0.1",
        margin_fix_host="127.0.0.1",
        margin_fix_market_data_host="127.0.0.1",
        fix_tls=False,
        fix_ports=((FixSessionType.ORDER_ENTRY, 9001),),
    )
    assert local.fix_endpoint(FixSessionType.ORDER_ENTRY).port == 9001
    assert local.fix_endpoint(FixSessionType.DROP_COPY).port == 8229
    assert DEMO.rest_url.startswith("https://")  # the original is untouched


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rest_url": "http://external-api.kalshi.com/trade-api/v2"}, "plaintext"),
        ({"ws_url": "ws://10.0.0.1/trade-api/ws/v2"}, "plaintext"),
        ({"rest_url": "https://external-api.kalshi.com/v1"}, "path prefix"),
        ({"klear_url": "https://api.klear.kalshi.com/trade-api/v2"}, "klear-api"),
        ({"perps_ws_url": "wss://x.example/trade-api/ws/v2"}, "margin"),
        ({"rest_url": "ftp://x/trade-api/v2"}, "not a https"),
        ({"fix_tls": False}, "loopback"),
    ],
)
def test_bad_overrides_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(KalshiConfigError, match=message):
        PRODUCTION.with_overrides(**changes)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_table_lists_every_surface() -> None:
    rows = dict(PRODUCTION.table())
    assert rows["prediction REST"] == PRODUCTION.rest_url
    assert rows["margin FIX KalshiMD"] == "tls://margin-marketdata.fix.elections.kalshi.com:8233"
    assert "margin FIX KalshiPT" not in rows
    assert len(rows) == 5 + 6 + 4
