"""Klear's bearer auth as a kalshi_rest request signer: the same header on every attempt, never shown."""

from __future__ import annotations

from kalshi_auth import KlearCredentials

__all__ = ["BearerAuth"]


class BearerAuth:
    """Adds `Authorization: Bearer <admin_user_id>:<access_token>` to each request attempt.

    Satisfies `kalshi_rest`'s `RequestSigner` protocol, so the shared core calls it exactly where
    it would sign a prediction request. Klear requests are not RSA-signed (docs/klear.md).

    Args:
        credentials: the admin user ID and access token.
    """

    __slots__ = ("_credentials",)

    def __init__(self, credentials: KlearCredentials) -> None:
        self._credentials = credentials

    @property
    def admin_user_id(self) -> str:
        """The admin user ID (not a secret; the access token is)."""
        return self._credentials.admin_user_id

    @property
    def credentials(self) -> KlearCredentials:
        """The credentials this signer sends (their repr redacts the token)."""
        return self._credentials

    def headers(self, method: str, path: str) -> dict[str, str]:
        """The `Authorization` header for one attempt; method and path do not enter a bearer token."""
        return {"Authorization": self._credentials.authorization()}

    def __repr__(self) -> str:
        return f"BearerAuth(admin_user_id={self.admin_user_id!r}, access_token='***')"

    __str__ = __repr__
