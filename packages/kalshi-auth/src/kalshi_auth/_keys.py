"""Load private keys from PEM files, text or bytes, with errors that say what is wrong."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from ._errors import KalshiKeyError

__all__ = ["Password", "PrivateKey", "load_private_key", "load_private_key_file"]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
"""The key types Kalshi accepts: RSA (signed with RSA-PSS) and Ed25519."""

Password: TypeAlias = str | bytes | Callable[[], str | bytes] | None
"""A PEM passphrase, or a zero-argument callable that fetches it (from a vault, say)."""

_PUBLIC_MARKERS = (b"-----BEGIN PUBLIC KEY-----", b"-----BEGIN RSA PUBLIC KEY-----", b"ssh-rsa ", b"ssh-ed25519 ")


def _password_bytes(password: Password) -> bytes | None:
    if callable(password):
        password = password()
    if password is None:
        return None
    if isinstance(password, str):
        return password.encode()
    return bytes(password)


def load_private_key(pem: str | bytes, password: Password = None) -> PrivateKey:
    """Load an RSA or Ed25519 private key from PEM text.

    Accepts PKCS#1 (`BEGIN RSA PRIVATE KEY`, as Kalshi issues RSA keys) and PKCS#8
    (`BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`). Literal `\\n` escapes, as found in
    environment variables, are turned into newlines.

    Raises:
        KalshiKeyError: the text is not a usable private key. The message names the cause and
            never contains key material.
    """
    data = pem.encode() if isinstance(pem, str) else bytes(pem)
    data = data.strip()
    if b"\\n" in data and b"\n" not in data:
        data = data.replace(b"\\n", b"\n")
    if not data:
        raise KalshiKeyError("the private key is empty")
    if data.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----"):
        raise KalshiKeyError(
            "OpenSSH private keys are not supported; convert it to PKCS#8 with "
            "`ssh-keygen -p -m PKCS8 -f <file>` (or `openssl pkcs8 -topk8`)"
        )
    if any(data.startswith(marker) for marker in _PUBLIC_MARKERS):
        raise KalshiKeyError("this is a public key; the signer needs the matching private key")
    if b"-----BEGIN" not in data:
        if len(data) == 36 and data.count(b"-") == 4:
            raise KalshiKeyError("this looks like an API key ID (a UUID), not a PEM private key")
        raise KalshiKeyError("the private key is not PEM text (no '-----BEGIN' line)")
    # Imported here: `serialization` costs ~20 ms at import and is needed only to load a key.
    from cryptography.hazmat.primitives import serialization

    secret = _password_bytes(password)
    encrypted = b"ENCRYPTED" in data
    if encrypted and secret is None:
        raise KalshiKeyError("the private key is encrypted; pass its password")
    try:
        key = serialization.load_pem_private_key(data, password=secret)
    except TypeError:  # a password was given for a key that is not encrypted
        raise KalshiKeyError("the private key is not encrypted but a password was given") from None
    except ValueError:
        if encrypted:
            raise KalshiKeyError("could not decrypt the private key: wrong password or corrupt PEM") from None
        if data.startswith(b"-----BEGIN RSA PRIVATE KEY-----"):
            raise KalshiKeyError(
                "the PEM body does not match its 'BEGIN RSA PRIVATE KEY' header (a PKCS#8 body under a "
                "PKCS#1 header?) or is corrupt"
            ) from None
        raise KalshiKeyError("the PEM text is not a valid private key (corrupt or unsupported format)") from None
    except Exception:  # cryptography raises UnsupportedAlgorithm and friends
        raise KalshiKeyError("the PEM text holds an unsupported private key") from None
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise KalshiKeyError(f"unsupported key type {type(key).__name__}: Kalshi accepts RSA and Ed25519 keys")
    return key


def load_private_key_file(path: str | os.PathLike[str], password: Password = None) -> PrivateKey:
    """Load a private key from a PEM file; `~` is expanded.

    Raises:
        KalshiKeyError: the file is missing or unreadable, or holds no usable private key.
    """
    resolved = Path(path).expanduser()
    try:
        data = resolved.read_bytes()
    except FileNotFoundError:
        raise KalshiKeyError(f"private key file not found: {resolved}") from None
    except IsADirectoryError:
        raise KalshiKeyError(f"private key path is a directory: {resolved}") from None
    except OSError as exc:
        raise KalshiKeyError(f"cannot read private key file {resolved}: {exc.strerror}") from None
    return load_private_key(data, password)
