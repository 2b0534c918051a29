from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from kalshi_auth import KalshiAuth, KalshiError, KalshiKeyError, load_private_key, load_private_key_file


def test_loads_pkcs1_rsa(rsa_pkcs1_pem: bytes) -> None:
    assert rsa_pkcs1_pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert isinstance(load_private_key(rsa_pkcs1_pem), rsa.RSAPrivateKey)


def test_loads_pkcs8_rsa_as_str(rsa_pkcs8_pem: bytes) -> None:
    assert isinstance(load_private_key(rsa_pkcs8_pem.decode()), rsa.RSAPrivateKey)


def test_loads_ed25519(ed_pem: bytes) -> None:
    assert isinstance(load_private_key(ed_pem), ed25519.Ed25519PrivateKey)


def test_inline_pem_with_escaped_newlines(rsa_pkcs1_pem: bytes) -> None:
    one_line = rsa_pkcs1_pem.decode().strip().replace("\n", "\\n")
    assert isinstance(load_private_key(one_line), rsa.RSAPrivateKey)


@pytest.mark.parametrize("password", ["s3cret", b"s3cret", lambda: "s3cret", lambda: b"s3cret"])
def test_encrypted_pem_with_password_forms(rsa_key: rsa.RSAPrivateKey, password: object) -> None:
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"s3cret")
    )
    key = load_private_key(pem, password)  # type: ignore[arg-type]
    assert key.public_key().public_numbers() == rsa_key.public_key().public_numbers()  # type: ignore[union-attr]


def test_key_file_with_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ed_pem: bytes) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".kalshi").mkdir()
    (tmp_path / ".kalshi" / "key.pem").write_bytes(ed_pem)
    assert isinstance(load_private_key_file("~/.kalshi/key.pem"), ed25519.Ed25519PrivateKey)
    auth = KalshiAuth.from_key_path("kid", "~/.kalshi/key.pem")
    assert auth.key_type == "ed25519"


def _encrypted(rsa_key: rsa.RSAPrivateKey) -> bytes:
    return rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"right")
    )


def _bad_inputs(rsa_key: rsa.RSAPrivateKey, rsa_pkcs8_pem: bytes) -> list[tuple[str, bytes, object, str]]:
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    garbage_body = b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n"
    return [
        ("empty", b"", None, "empty"),
        ("garbage", b"hello world", None, "not PEM"),
        ("key id instead of pem", b"a952bcbe-ec3b-4b5b-b8f9-11dae589608c", None, "API key ID"),
        ("public key", public_pem, None, "public key"),
        ("openssh", b"-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----", None, "OpenSSH"),
        ("non-rsa key", ec_pem, None, "unsupported key type"),
        ("corrupt body", garbage_body, None, "not a valid private key"),
        ("encrypted without password", _encrypted(rsa_key), None, "encrypted"),
        ("wrong password", _encrypted(rsa_key), "wrong", "wrong password"),
        ("password for plain key", rsa_pkcs8_pem, "pw", "not encrypted"),
    ]


def test_bad_keys_raise_typed_errors_without_key_material(
    rsa_key: rsa.RSAPrivateKey, rsa_pkcs8_pem: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for label, data, password, expected in _bad_inputs(rsa_key, rsa_pkcs8_pem):
        with pytest.raises(KalshiKeyError) as info:
            load_private_key(data, password)  # type: ignore[arg-type]
        message = str(info.value)
        assert expected in message, (label, message)
        assert isinstance(info.value, KalshiError)
        assert info.value.__cause__ is None, label  # the library error (which may quote input) is dropped
        assert "MII" not in message, label
        if len(data) > 40:
            assert data[40:80].decode(errors="ignore") not in message, label
    assert "MII" not in caplog.text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KalshiKeyError, match="not found"):
        load_private_key_file(tmp_path / "nope.pem")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(KalshiKeyError, match="directory"):
        load_private_key_file(tmp_path)


def test_unreadable_file(tmp_path: Path) -> None:
    import os

    target = tmp_path / "key.pem"
    target.write_text("x")
    target.chmod(0)
    if os.access(target, os.R_OK):  # running as root: permissions do not bind
        pytest.skip("permissions are not enforced for this user")
    with pytest.raises(KalshiKeyError, match="cannot read"):
        load_private_key_file(target)


def test_pkcs8_body_under_pkcs1_header(rsa_key: rsa.RSAPrivateKey, rsa_pkcs8_pem: bytes) -> None:
    # Older `cryptography` loads this mislabelled PEM; newer releases refuse it with an unclear
    # message. Either the right key loads, or the error says what is wrong.
    body = rsa_pkcs8_pem.split(b"\n", 1)[1].rsplit(b"-----END", 1)[0]
    mislabelled = b"-----BEGIN RSA PRIVATE KEY-----\n" + body + b"-----END RSA PRIVATE KEY-----\n"
    try:
        key = load_private_key(mislabelled)
    except KalshiKeyError as exc:
        message = str(exc)
    else:
        assert isinstance(key, rsa.RSAPrivateKey)
        assert key.private_numbers() == rsa_key.private_numbers()
        return
    assert "does not match" in message
    assert "MII" not in message
