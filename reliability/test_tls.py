"""TLS: certificate verification is on by default on every transport (REST, WebSocket, FIX).

Each client is pointed at a TLS server on 127.0.0.1 whose certificate nobody trusts; each must
refuse it with a typed error before a request, an upgrade or a Logon leaves the process."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kalshi_auth import KalshiConfig, KalshiConnectionError

from .conftest import Ledger


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class UntrustedServer:
    """Accepts TLS on 127.0.0.1 with a self-signed certificate; counts completed handshakes."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.handshakes = 0
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.handshakes += 1
        writer.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.context))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    def __enter__(self) -> UntrustedServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture
def untrusted(tmp_path: Path) -> Iterator[UntrustedServer]:
    with UntrustedServer(*self_signed(tmp_path)) as server:
        yield server


def test_rest_verifies_certificates_by_default(untrusted: UntrustedServer, ledger: Ledger) -> None:
    from kalshi_rest import KalshiClient

    config = KalshiConfig(base_url=f"https://127.0.0.1:{untrusted.port}/trade-api/v2", max_retries=0)
    with KalshiClient(config=config) as client, pytest.raises(KalshiConnectionError) as err:
        client.exchange.status()
    assert "certificate" in str(err.value).lower() or "ssl" in str(err.value).lower()
    assert untrusted.handshakes == 0
    ledger.row("TLS", "REST refuses an untrusted certificate by default", injected=1, survived=1)


async def test_websocket_verifies_certificates_by_default(untrusted: UntrustedServer, ledger: Ledger) -> None:
    from kalshi_ws import KalshiWebSocket, ReconnectPolicy

    ws = KalshiWebSocket(
        config=KalshiConfig(ws_url=f"wss://127.0.0.1:{untrusted.port}/trade-api/ws/v2", timeout=5.0),
        reconnect=ReconnectPolicy(enabled=False),
    )
    with pytest.raises(KalshiConnectionError) as err:
        async with ws.connect():
            pass
    assert "certificate" in str(err.value).lower() or "ssl" in str(err.value).lower()
    assert untrusted.handshakes == 0
    ledger.row("TLS", "WebSocket refuses an untrusted certificate by default", injected=1, survived=1)


async def test_fix_verifies_certificates_by_default(untrusted: UntrustedServer, ledger: Ledger, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from kalshi_auth import KalshiAuth
    from kalshi_fix import FixClient, FixError, ReconnectPolicy

    auth = KalshiAuth("0f0e0d0c-0b0a-4909-8807-060504030201", rsa.generate_private_key(65537, 2048))
    client = FixClient(auth, host="127.0.0.1", port=untrusted.port, reconnect=ReconnectPolicy(enabled=False))
    with pytest.raises((KalshiConnectionError, FixError)) as err:
        async with client.order_entry():
            pass
    assert "certificate" in str(err.value).lower() or "tls" in str(err.value).lower()
    assert untrusted.handshakes == 0
    ledger.row("TLS", "FIX refuses an untrusted certificate by default", injected=1, survived=1)


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def tls_warnings() -> Iterator[list[str]]:
    handler = _Warnings()
    logger = logging.getLogger("kalshi.tls")
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


def unverified() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def test_turning_verification_off_is_explicit_and_logged(
    untrusted: UntrustedServer, tls_warnings: list[str], ledger: Ledger
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from kalshi_auth import KalshiAuth
    from kalshi_fix import FixClient
    from kalshi_rest import KalshiClient, KalshiError

    base = f"https://127.0.0.1:{untrusted.port}/trade-api/v2"
    with KalshiClient(config=KalshiConfig(base_url=base, max_retries=0)):
        pass
    assert tls_warnings == [], "the default verifies, and says nothing"
    with KalshiClient(config=KalshiConfig(base_url=base, max_retries=0, ssl_context=unverified())) as client:
        assert any("REST" in line and "OFF" in line for line in tls_warnings), tls_warnings
        with pytest.raises(KalshiError):  # the handshake now completes; the server then hangs up
            client.exchange.status()
    assert untrusted.handshakes == 1  # ... so the opt-out really took effect
    auth = KalshiAuth("0f0e0d0c-0b0a-4909-8807-060504030201", rsa.generate_private_key(65537, 2048))
    FixClient(auth, host="127.0.0.1", port=untrusted.port, ssl_context=unverified()).order_entry()
    assert any("FIX" in line and "OFF" in line for line in tls_warnings), tls_warnings
    from kalshi_ws import KalshiWebSocket

    ws_url = f"wss://127.0.0.1:{untrusted.port}/trade-api/ws/v2"
    KalshiWebSocket(config=KalshiConfig(ws_url=ws_url, ssl_context=unverified()))
    assert any("WebSocket" in line and "OFF" in line for line in tls_warnings), tls_warnings
    ledger.row("TLS", "turning verification off is explicit and logged (REST, WebSocket, FIX)", injected=3, survived=3)
