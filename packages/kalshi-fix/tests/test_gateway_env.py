"""FixClient.from_env points at another gateway (a local simulator) from environment variables alone."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import FixSessionType, KalshiConfigError
from kalshi_fix import FixClient, MarginFixClient

KEY_ID = "0f0e0d0c-0b0a-4909-8807-060504030201"


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def env(pem: str, prefix: str = "KALSHI_", **extra: str) -> dict[str, str]:
    return {f"{prefix}KEY_ID": KEY_ID, f"{prefix}PRIVATE_KEY": pem, f"{prefix}DEMO": "1"} | extra


def test_host_and_ports_from_env_route_each_session(pem: str) -> None:
    client = FixClient.from_env(
        environ=env(pem, KALSHI_FIX_HOST="127.0.0.1", KALSHI_FIX_PORTS="KalshiNR=18228, KalshiDC=18229")
    )
    nr = client.endpoint(FixSessionType.ORDER_ENTRY)
    assert (nr.host, nr.port, nr.tls) == ("127.0.0.1", 18228, False)  # loopback: plain TCP
    assert client.endpoint(FixSessionType.DROP_COPY).port == 18229
    documented = FixClient.from_env(environ=env(pem)).endpoint(FixSessionType.ORDER_ENTRY_RETRANSMIT)
    assert client.endpoint(FixSessionType.ORDER_ENTRY_RETRANSMIT).port == documented.port  # not listed: Kalshi's port


def test_margin_reads_its_own_prefix(pem: str) -> None:
    environ = env(pem, "KALSHI_PERPS_", KALSHI_PERPS_FIX_HOST="127.0.0.1", KALSHI_PERPS_FIX_PORTS="KalshiNR=28228")
    environ |= {"KALSHI_FIX_HOST": "10.9.9.9"}  # the prediction gateway's variable is not the margin one
    ep = MarginFixClient.from_env(environ=environ).endpoint(FixSessionType.ORDER_ENTRY)
    assert (ep.host, ep.port) == ("127.0.0.1", 28228)


def test_explicit_arguments_win_over_env(pem: str) -> None:
    client = FixClient.from_env(environ=env(pem, KALSHI_FIX_HOST="127.0.0.1"), host="127.0.0.2", tls=False)
    assert client.endpoint(FixSessionType.ORDER_ENTRY).host == "127.0.0.2"


def test_remote_host_keeps_tls_unless_told(pem: str) -> None:
    client = FixClient.from_env(environ=env(pem, KALSHI_FIX_HOST="fix.example.test"))
    assert client.endpoint(FixSessionType.ORDER_ENTRY).tls is True
    with pytest.raises(KalshiConfigError, match="loopback"):
        FixClient.from_env(environ=env(pem, KALSHI_FIX_HOST="fix.example.test", KALSHI_FIX_TLS="0"))


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"KALSHI_FIX_PORTS": "KalshiNR=1"}, "need KALSHI_FIX_HOST"),
        ({"KALSHI_FIX_HOST": "127.0.0.1", "KALSHI_FIX_PORTS": "KalshiNR"}, "KALSHI_FIX_PORTS"),
        ({"KALSHI_FIX_HOST": "127.0.0.1", "KALSHI_FIX_PORTS": "KalshiNR=99999"}, "1..65535"),
        ({"KALSHI_FIX_HOST": "127.0.0.1", "KALSHI_FIX_PORTS": "KalshiNR=\u0668\u0662\u0662\u0668"}, "KALSHI_FIX_PORTS"),
        ({"KALSHI_FIX_HOST": "127.0.0.1", "KALSHI_FIX_PORTS": "KalshiNR=-1"}, "KALSHI_FIX_PORTS"),
        ({"KALSHI_FIX_HOST": "127.0.0.1", "KALSHI_FIX_TLS": "yes"}, "0 or 1"),
    ],
)
def test_malformed_gateway_variables_are_refused(pem: str, extra: dict[str, str], match: str) -> None:
    with pytest.raises(KalshiConfigError, match=match):
        FixClient.from_env(environ=env(pem, **extra))


def test_ports_argument_is_checked(pem: str) -> None:
    from kalshi_auth import KalshiAuth

    auth = KalshiAuth.from_pem(KEY_ID, pem)
    with pytest.raises(KalshiConfigError):
        FixClient(auth, ports={"KalshiNR": True})  # type: ignore[dict-item]
