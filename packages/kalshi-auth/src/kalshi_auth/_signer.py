"""Sign Kalshi requests: the three `KALSHI-ACCESS-*` headers over `timestamp_ms + METHOD + path`."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from ._keys import Password, PrivateKey, load_private_key, load_private_key_file

__all__ = ["KEY_HEADER", "SIGNATURE_HEADER", "TIMESTAMP_HEADER", "KalshiAuth", "pre_sign_text", "signing_path"]

KEY_HEADER = "KALSHI-ACCESS-KEY"
TIMESTAMP_HEADER = "KALSHI-ACCESS-TIMESTAMP"
SIGNATURE_HEADER = "KALSHI-ACCESS-SIGNATURE"

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
_SHA256 = hashes.SHA256()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def signing_path(path: str) -> str:
    """Return the part of `path` (or of a full URL) that Kalshi signs: the path, no query or fragment."""
    if "://" in path:
        path = path.split("://", 1)[1]
        slash = path.find("/")
        path = path[slash:] if slash >= 0 else "/"
    cut = len(path)
    for mark in ("?", "#"):
        i = path.find(mark)
        if 0 <= i < cut:
            cut = i
    return path[:cut]


def pre_sign_text(timestamp_ms: int, method: str, path: str) -> bytes:
    """Build the exact bytes Kalshi verifies: timestamp digits, upper-case method, path; no separators."""
    return f"{timestamp_ms}{method.upper()}{signing_path(path)}".encode()


class KalshiAuth:
    """An API key: signs REST requests, WebSocket upgrades and FIX logons.

    ```python
    auth = KalshiAuth.from_key_path("a952bcbe-...", "~/.kalshi/private_key.pem")
    headers = auth.headers("GET", "/trade-api/v2/portfolio/balance")
    ```

    RSA keys sign with RSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt); Ed25519 keys with Ed25519.
    The key type is taken from the key itself. Neither the key nor any signature ever appears in
    `repr`, `str`, logs or exception messages.

    Args:
        key_id: the API key ID (a UUID string) Kalshi issued with the key.
        private_key: a loaded RSA or Ed25519 private key.
        clock: returns the current Unix time in milliseconds; inject a fixed one in tests.
    """

    __slots__ = ("_clock", "_key", "_key_id", "_sign")

    def __init__(self, key_id: str, private_key: PrivateKey, *, clock: Callable[[], int] | None = None) -> None:
        if not isinstance(key_id, str) or not key_id.strip():
            raise ValueError("key_id must be a non-empty string")
        self._key_id = key_id.strip()
        self._key = private_key
        self._clock = clock or _now_ms
        if isinstance(private_key, rsa.RSAPrivateKey):
            rsa_key = private_key
            self._sign: Callable[[bytes], bytes] = lambda data: rsa_key.sign(data, _PSS, _SHA256)
        elif isinstance(private_key, ed25519.Ed25519PrivateKey):
            self._sign = private_key.sign
        else:
            raise TypeError(f"unsupported key type {type(private_key).__name__}; use RSA or Ed25519")

    @classmethod
    def from_key_path(
        cls,
        key_id: str,
        path: str | os.PathLike[str],
        *,
        password: Password = None,
        clock: Callable[[], int] | None = None,
    ) -> KalshiAuth:
        """Load the private key from a PEM file (`~` expanded)."""
        return cls(key_id, load_private_key_file(path, password), clock=clock)

    @classmethod
    def from_pem(
        cls,
        key_id: str,
        pem: str | bytes,
        *,
        password: Password = None,
        clock: Callable[[], int] | None = None,
    ) -> KalshiAuth:
        """Load the private key from PEM text or bytes held in memory."""
        return cls(key_id, load_private_key(pem, password), clock=clock)

    @property
    def key_id(self) -> str:
        """The API key ID sent as `KALSHI-ACCESS-KEY` (and as FIX SenderCompID)."""
        return self._key_id

    @property
    def key_type(self) -> Literal["rsa", "ed25519"]:
        """`"rsa"` or `"ed25519"`, read from the key."""
        return "rsa" if isinstance(self._key, rsa.RSAPrivateKey) else "ed25519"

    @property
    def public_key_pem(self) -> bytes:
        """The matching public key as PEM (SubjectPublicKeyInfo), e.g. to register it with a server."""
        from cryptography.hazmat.primitives import serialization

        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def now_ms(self) -> int:
        """The current time in milliseconds from this signer's clock."""
        return self._clock()

    def sign(self, message: bytes) -> str:
        """Sign raw bytes and return the standard base64 signature (with `=` padding)."""
        return base64.b64encode(self._sign(message)).decode("ascii")

    def headers(self, method: str, path: str, *, timestamp_ms: int | None = None) -> dict[str, str]:
        """Return the three auth headers for one request.

        Args:
            method: the HTTP method; upper-cased before signing.
            path: the URL path including the API prefix (`/trade-api/v2/...`), or a full URL.
                The query string and any fragment are not signed.
            timestamp_ms: the time to sign; defaults to the clock. Each attempt of a request
                should be signed afresh.
        """
        ts = self._clock() if timestamp_ms is None else timestamp_ms
        signature = base64.b64encode(self._sign(pre_sign_text(ts, method, path))).decode("ascii")
        return {KEY_HEADER: self._key_id, TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: signature}

    def __repr__(self) -> str:
        return f"KalshiAuth(key_id={_mask(self._key_id)!r}, key_type={self.key_type!r})"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("KalshiAuth holds a private key and cannot be pickled")


def _mask(key_id: str) -> str:
    return key_id[:8] + "…" if len(key_id) > 8 else key_id
