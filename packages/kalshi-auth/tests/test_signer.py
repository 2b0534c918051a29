from __future__ import annotations

import base64
import pickle

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from kalshi_auth import (
    KEY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    KalshiAuth,
    pre_sign_text,
    signing_path,
)

KEY_ID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c"
TS = 1_700_000_000_000


def verify_rsa(key: rsa.RSAPrivateKey, signature_b64: str, message: bytes) -> None:
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    key.public_key().verify(base64.b64decode(signature_b64, validate=True), message, pss, hashes.SHA256())


@pytest.mark.parametrize(
    ("path", "signed"),
    [
        ("/trade-api/v2/markets?limit=5", "/trade-api/v2/markets"),
        ("/trade-api/v2/markets", "/trade-api/v2/markets"),
        ("/trade-api/v2/markets#frag", "/trade-api/v2/markets"),
        ("/trade-api/v2/markets?x=1#frag", "/trade-api/v2/markets"),
        ("https://external-api.kalshi.com/trade-api/v2/markets?limit=5", "/trade-api/v2/markets"),
        ("wss://demo-api.kalshi.co/trade-api/ws/v2", "/trade-api/ws/v2"),
        ("https://host.example", "/"),
    ],
)
def test_signing_path_drops_query_fragment_and_origin(path: str, signed: str) -> None:
    assert signing_path(path) == signed


def test_pre_sign_text_matches_kalshi_docs_example() -> None:
    # docs.kalshi.com: GET .../trade-api/v2/markets?limit=5 at 1700000000000 signs this text.
    assert pre_sign_text(TS, "get", "/trade-api/v2/markets?limit=5") == b"1700000000000GET/trade-api/v2/markets"


def test_rsa_headers_verify_with_public_key(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = KalshiAuth(KEY_ID, rsa_key, clock=lambda: TS)
    headers = auth.headers("post", "/trade-api/v2/portfolio/events/orders?x=1")
    assert headers[KEY_HEADER] == KEY_ID
    assert headers[TIMESTAMP_HEADER] == str(TS)
    assert len(headers[SIGNATURE_HEADER]) == 344  # 256-byte signature, base64 with padding
    verify_rsa(rsa_key, headers[SIGNATURE_HEADER], b"1700000000000POST/trade-api/v2/portfolio/events/orders")
    with pytest.raises(InvalidSignature):
        verify_rsa(rsa_key, headers[SIGNATURE_HEADER], b"1700000000000POST/trade-api/v2/portfolio/events/order")


def test_rsa_pss_is_randomised_but_always_valid(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = KalshiAuth(KEY_ID, rsa_key, clock=lambda: TS)
    first = auth.headers("GET", "/trade-api/v2/markets")[SIGNATURE_HEADER]
    second = auth.headers("GET", "/trade-api/v2/markets")[SIGNATURE_HEADER]
    assert first != second  # PSS salts each signature
    for sig in (first, second):
        verify_rsa(rsa_key, sig, b"1700000000000GET/trade-api/v2/markets")


def test_ed25519_headers_are_deterministic_and_verify(ed_key: ed25519.Ed25519PrivateKey) -> None:
    auth = KalshiAuth(KEY_ID, ed_key, clock=lambda: TS)
    assert auth.key_type == "ed25519"
    sig = auth.headers("GET", "/trade-api/ws/v2")[SIGNATURE_HEADER]
    assert sig == auth.headers("GET", "/trade-api/ws/v2")[SIGNATURE_HEADER]
    ed_key.public_key().verify(base64.b64decode(sig), b"1700000000000GET/trade-api/ws/v2")


def test_fixed_ed25519_vector() -> None:
    # Ed25519 is deterministic: this vector was generated once from the seed below and pins the
    # exact pre-sign text and encoding.
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    auth = KalshiAuth(KEY_ID, key, clock=lambda: TS)
    headers = auth.headers("GET", "/trade-api/v2/portfolio/balance?subaccount=0")
    assert headers[SIGNATURE_HEADER] == ED25519_VECTOR
    # ...and the vector is what the raw library gives for the documented pre-sign text.
    raw = key.sign(b"1700000000000GET/trade-api/v2/portfolio/balance")
    assert base64.b64encode(raw).decode() == ED25519_VECTOR


ED25519_VECTOR = "SgsupgnHWiFyyF54OWuAPWQMJ1dZi4VXB3zW9JRFpE3oDzi4u+S59snvmWUvo/p+uGhS2gRNsbIzetJZZLfxCQ=="


def test_explicit_timestamp_overrides_clock(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = KalshiAuth(KEY_ID, rsa_key, clock=lambda: TS)
    headers = auth.headers("DELETE", "/trade-api/v2/x", timestamp_ms=42)
    assert headers[TIMESTAMP_HEADER] == "42"
    verify_rsa(rsa_key, headers[SIGNATURE_HEADER], b"42DELETE/trade-api/v2/x")


def test_each_call_reads_the_clock(ed_key: ed25519.Ed25519PrivateKey) -> None:
    ticks = iter([1, 2, 3])
    auth = KalshiAuth(KEY_ID, ed_key, clock=lambda: next(ticks))
    assert [auth.headers("GET", "/p")[TIMESTAMP_HEADER] for _ in range(3)] == ["1", "2", "3"]


def test_default_clock_is_milliseconds(ed_key: ed25519.Ed25519PrivateKey) -> None:
    import time

    before = int(time.time() * 1000)
    stamp = int(KalshiAuth(KEY_ID, ed_key).headers("GET", "/p")[TIMESTAMP_HEADER])
    after = int(time.time() * 1000)
    assert before - 1 <= stamp <= after + 1


def test_sign_raw_bytes_for_fix_logon(rsa_key: rsa.RSAPrivateKey) -> None:
    message = b"20260101-00:00:00.000\x01A\x011\x01" + KEY_ID.encode() + b"\x01KalshiNR"
    verify_rsa(rsa_key, KalshiAuth(KEY_ID, rsa_key).sign(message), message)


def test_repr_and_str_hide_key_material(rsa_key: rsa.RSAPrivateKey, rsa_pkcs1_pem: bytes) -> None:
    auth = KalshiAuth(KEY_ID, rsa_key, clock=lambda: TS)
    sig = auth.headers("GET", "/p")[SIGNATURE_HEADER]
    for text in (repr(auth), str(auth), f"{auth}"):
        assert "PRIVATE" not in text
        assert sig not in text
        assert KEY_ID not in text  # only a prefix of the key id is shown
        assert "rsa" in text


def test_cannot_be_pickled(ed_key: ed25519.Ed25519PrivateKey) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(KalshiAuth(KEY_ID, ed_key))


@pytest.mark.parametrize("bad", ["", "   "])
def test_empty_key_id_rejected(ed_key: ed25519.Ed25519PrivateKey, bad: str) -> None:
    with pytest.raises(ValueError, match="key_id"):
        KalshiAuth(bad, ed_key)


def test_unsupported_key_object_rejected() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    with pytest.raises(TypeError, match="unsupported key type"):
        KalshiAuth(KEY_ID, ec.generate_private_key(ec.SECP256R1()))  # type: ignore[arg-type]


def test_public_key_pem_matches(ed_key: ed25519.Ed25519PrivateKey) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    auth = KalshiAuth(KEY_ID, ed_key)
    public = load_pem_public_key(auth.public_key_pem)
    assert isinstance(public, ed25519.Ed25519PublicKey)
    public.verify(base64.b64decode(auth.sign(b"x")), b"x")
