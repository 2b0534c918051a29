from __future__ import annotations

from pathlib import Path

import pytest

from kalshi_auth import (
    DEMO,
    PRODUCTION,
    KalshiConfigError,
    KalshiKeyError,
    KlearCredentials,
    credentials_from_env,
    klear_credentials_from_env,
)

KEY_ID = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c"


def test_no_credentials_means_unauthenticated() -> None:
    creds = credentials_from_env(environ={})
    assert creds.auth is None and not creds.is_authenticated
    assert creds.environment is PRODUCTION


def test_key_path(tmp_path: Path, ed_pem: bytes) -> None:
    path = tmp_path / "k.pem"
    path.write_bytes(ed_pem)
    creds = credentials_from_env(environ={"KALSHI_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY_PATH": str(path)})
    assert creds.auth is not None and creds.auth.key_id == KEY_ID and creds.auth.key_type == "ed25519"


def test_inline_key_with_escaped_newlines_and_demo(rsa_pkcs1_pem: bytes) -> None:
    inline = rsa_pkcs1_pem.decode().replace("\n", "\\n")
    creds = credentials_from_env(environ={"KALSHI_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY": inline, "KALSHI_DEMO": "true"})
    assert creds.auth is not None and creds.auth.key_type == "rsa"
    assert creds.demo and creds.environment is DEMO


def test_encrypted_inline_key_with_password_variable(rsa_key: object) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = rsa_key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    ).decode()
    env = {"KALSHI_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY": pem, "KALSHI_PRIVATE_KEY_PASSWORD": "pw"}
    assert credentials_from_env(environ=env).auth is not None


def test_base_url_override() -> None:
    creds = credentials_from_env(environ={"KALSHI_API_BASE_URL": "http://127.0.0.1:9999/trade-api/v2"})
    assert creds.base_url == "http://127.0.0.1:9999/trade-api/v2"
    assert creds.environment.rest_url == "http://127.0.0.1:9999/trade-api/v2"


def test_perps_uses_its_own_variables(ed_pem: bytes) -> None:
    env = {"KALSHI_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY": ed_pem.decode()}
    assert credentials_from_env("perps", environ=env).auth is None
    env = {"KALSHI_PERPS_KEY_ID": "perps-key", "KALSHI_PERPS_PRIVATE_KEY": ed_pem.decode(), "KALSHI_PERPS_DEMO": "1"}
    creds = credentials_from_env("perps", environ=env)
    assert creds.auth is not None and creds.auth.key_id == "perps-key" and creds.demo


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KALSHI_KEY_ID": KEY_ID}, "neither"),
        ({"KALSHI_PRIVATE_KEY_PATH": "/x.pem"}, "KEY_ID is missing"),
        ({"KALSHI_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY_PATH": "/x", "KALSHI_PRIVATE_KEY": "y"}, "only one"),
        ({"KALSHI_DEMO": "maybe"}, "true or false"),
        ({"KALSHI_PERPS_KEY_ID": "k"}, "KALSHI_PERPS_"),
    ],
)
def test_half_set_credentials_are_errors(env: dict[str, str], message: str) -> None:
    product = "perps" if any(k.startswith("KALSHI_PERPS") for k in env) else "prediction"
    with pytest.raises(KalshiConfigError, match=message):
        credentials_from_env(product, environ=env)  # type: ignore[arg-type]


def test_missing_key_file_is_a_key_error(tmp_path: Path) -> None:
    env = {"KALSHI_KEY_ID": KEY_ID, "KALSHI_PRIVATE_KEY_PATH": str(tmp_path / "missing.pem")}
    with pytest.raises(KalshiKeyError, match="not found"):
        credentials_from_env(environ=env)


def test_blank_values_count_as_unset() -> None:
    assert credentials_from_env(environ={"KALSHI_KEY_ID": "  ", "KALSHI_PRIVATE_KEY": ""}).auth is None


def test_klear_credentials() -> None:
    assert klear_credentials_from_env(environ={}) is None
    creds = klear_credentials_from_env(
        environ={"KALSHI_KLEAR_ADMIN_USER_ID": "admin-1", "KALSHI_KLEAR_ACCESS_TOKEN": "tok-secret"}
    )
    assert creds is not None
    assert creds.authorization() == "Bearer admin-1:tok-secret"
    assert "tok-secret" not in repr(creds) and "tok-secret" not in str(creds)


@pytest.mark.parametrize("env", [{"KALSHI_KLEAR_ADMIN_USER_ID": "a"}, {"KALSHI_KLEAR_ACCESS_TOKEN": "t"}])
def test_klear_half_set(env: dict[str, str]) -> None:
    with pytest.raises(KalshiConfigError, match="half set"):
        klear_credentials_from_env(environ=env)


def test_klear_rejects_colon_in_user() -> None:
    with pytest.raises(KalshiConfigError):
        KlearCredentials(admin_user_id="a:b", access_token="t")
