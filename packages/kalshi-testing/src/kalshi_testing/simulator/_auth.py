"""Verify Kalshi request signatures against registered public keys, as the real API does."""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from kalshi_auth import KEY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, pre_sign_text
from kalshi_testing._errors import SimulatorError

from ._exchange import ExchangeError

__all__ = ["KeyRegistry", "RegisteredKey"]

_PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


@dataclass(frozen=True, slots=True)
class RegisteredKey:
    """A public key the simulator accepts, and the user it acts for."""

    key_id: str
    user_id: str
    public_key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey


class KeyRegistry:
    """API keys known to the simulator. Thread-safe: tests register keys while the server runs."""

    def __init__(self, *, max_skew_ms: int = 30_000) -> None:
        self.max_skew_ms = max_skew_ms
        self._keys: dict[str, RegisteredKey] = {}
        self._lock = threading.Lock()

    def register(self, key_id: str, user_id: str, public_key_pem: str | bytes) -> RegisteredKey:
        """Accept signatures from `key_id` made with the private half of `public_key_pem`."""
        pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        try:
            key = serialization.load_pem_public_key(pem)
        except ValueError as exc:
            raise SimulatorError(f"cannot load the public key for {key_id}: {exc}") from None
        if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
            raise SimulatorError(f"key {key_id}: only RSA and Ed25519 public keys are supported")
        registered = RegisteredKey(key_id, user_id, key)
        with self._lock:
            self._keys[key_id] = registered
        return registered

    def get(self, key_id: str) -> RegisteredKey | None:
        """The registered key `key_id`, or None (FIX verifies its Logon signature with it)."""
        with self._lock:
            return self._keys.get(key_id)

    def revoke(self, key_id: str) -> None:
        """Stop accepting `key_id`."""
        with self._lock:
            self._keys.pop(key_id, None)

    def verify(self, method: str, path: str, headers: Mapping[str, str], now_ms: int) -> str:
        """Return the user a signed request acts for; raise a 401 `ExchangeError` if it does not verify."""
        key_id = headers.get(KEY_HEADER)
        ts = headers.get(TIMESTAMP_HEADER)
        sig = headers.get(SIGNATURE_HEADER)
        if not key_id or not ts or not sig:
            raise _unauthorized("missing KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP or KALSHI-ACCESS-SIGNATURE")
        with self._lock:
            registered = self._keys.get(key_id)
        if registered is None:
            raise _unauthorized("unknown API key")
        if not ts.isdigit():
            raise _unauthorized("KALSHI-ACCESS-TIMESTAMP must be Unix milliseconds")
        if abs(now_ms - int(ts)) > self.max_skew_ms:
            raise _unauthorized("request timestamp is outside the allowed window")
        try:
            signature = base64.b64decode(sig, validate=True)
        except (binascii.Error, ValueError):
            raise _unauthorized("signature is not valid base64") from None
        message = pre_sign_text(int(ts), method, path)
        try:
            if isinstance(registered.public_key, rsa.RSAPublicKey):
                registered.public_key.verify(signature, message, _PSS, hashes.SHA256())
            else:
                registered.public_key.verify(signature, message)
        except InvalidSignature:
            raise _unauthorized("signature does not verify") from None
        return registered.user_id


def _unauthorized(details: str) -> ExchangeError:
    return ExchangeError(401, "authentication_error", "authentication failed", details)
