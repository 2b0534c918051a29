"""A pytest test that records against the simulator, then replays the recording offline.

uv run pytest examples/test_record_replay.py

The same pattern works against Kalshi's demo exchange: record once with your key
(`KalshiClient.from_env(transport=RecordingTransport(path))`), commit the fixtures (no key,
signature or timestamp is ever written; redact account fields you would rather not share), and
let CI replay them with `ReplayTransport`, offline and without credentials.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from kalshi_auth import KalshiAuth
from kalshi_rest import KalshiClient
from kalshi_testing import KalshiExchange, RecordingTransport, ReplayMissError, ReplayTransport, redact_fields


def widest_spreads(client: KalshiClient, n: int = 3) -> list[tuple[str, Decimal]]:
    """The code under test: the `n` open markets with the widest YES spread."""
    spreads = [
        (m.ticker, m.yes_ask_dollars - m.yes_bid_dollars)
        for m in client.markets.list_all(status="open", max_pages=10)
        if m.yes_ask_dollars is not None and m.yes_bid_dollars is not None
    ]
    return sorted(spreads, key=lambda item: (-item[1], item[0]))[:n]


def throwaway_key() -> KalshiAuth:
    """Any key will do for replay: signatures are neither recorded nor matched."""
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return KalshiAuth.from_pem("00000000-0000-0000-0000-000000000000", pem)


def test_record_against_the_simulator_then_replay_offline(kalshi_exchange: KalshiExchange, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    transport = RecordingTransport(fixtures, redact=redact_fields("user_id"))
    with kalshi_exchange.client(transport=transport) as live:
        recorded = widest_spreads(live)
        balance = live.portfolio.balance().balance_dollars
    assert recorded
    assert all(spread > 0 for _, spread in recorded)
    assert list(fixtures.glob("*.json")), "nothing was recorded"

    kalshi_exchange.simulator.stop()  # from here on there is no server at all

    with KalshiClient(transport=ReplayTransport(fixtures)) as public:  # no key: public endpoints
        assert widest_spreads(public) == recorded
    with KalshiClient(auth=throwaway_key(), transport=ReplayTransport(fixtures)) as offline:  # any key
        assert widest_spreads(offline) == recorded
        assert offline.portfolio.balance().balance_dollars == balance
        with pytest.raises(ReplayMissError):
            offline.markets.get("NEVER-RECORDED")
