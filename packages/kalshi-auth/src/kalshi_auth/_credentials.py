"""Read credentials from the environment: none is fine (unauthenticated), half-set is an error."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from ._config import KalshiConfig
from ._environments import Environment, get_environment, host_environment
from ._errors import KalshiConfigError
from ._signer import KalshiAuth

__all__ = ["EnvCredentials", "KlearCredentials", "credentials_from_env", "klear_credentials_from_env", "parse_bool"]

_TRUE = frozenset({"1", "true", "yes", "on", "y"})
_FALSE = frozenset({"", "0", "false", "no", "off", "n"})


def parse_bool(name: str, value: str | None) -> bool:
    """Read a boolean environment variable (`1/true/yes/on` or `0/false/no/off`, any case)."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise KalshiConfigError(f"{name} must be true or false (1/0, yes/no, on/off), got {value!r}")


@dataclass(frozen=True, slots=True)
class EnvCredentials:
    """What the environment says: a signer (or None when no credentials are set) and where to connect."""

    auth: KalshiAuth | None
    """The signer; `None` means unauthenticated (public endpoints only)."""
    demo: bool
    base_url: str | None
    """A REST base URL override, e.g. a local simulator."""

    @property
    def is_authenticated(self) -> bool:
        return self.auth is not None

    @property
    def is_demo(self) -> bool:
        """True when `DEMO` is set or the base URL is a demo host."""
        host = urlsplit(self.base_url).hostname if self.base_url else None
        return self.demo or (host is not None and host_environment(host) == "demo")

    @property
    def environment(self) -> Environment:
        """`DEMO` or `PRODUCTION` (see `is_demo`), with the base URL as its prediction REST URL when set."""
        env = get_environment(self.is_demo)
        return env.with_overrides(rest_url=self.base_url) if self.base_url else env

    def config(self, base: KalshiConfig | None = None) -> KalshiConfig:
        """The `KalshiConfig` these variables describe, on top of `base` (default: production settings).

        A set `DEMO` or base URL replaces `base`'s environment (and base URL); otherwise `base` is kept.

        Raises:
            KalshiConfigError: e.g. `DEMO=1` with a production base URL.
        """
        env = get_environment(self.is_demo)
        if base is None:
            return KalshiConfig(environment=env, base_url=self.base_url)
        if self.demo or self.base_url:
            return base.replace(environment=env, base_url=self.base_url or base.base_url)
        return base


def credentials_from_env(
    product: Literal["prediction", "perps"] = "prediction",
    *,
    environ: Mapping[str, str] | None = None,
) -> EnvCredentials:
    """Read `KALSHI_*` (prediction) or `KALSHI_PERPS_*` (perps) variables.

    Variables (with `KALSHI_PERPS_` in place of `KALSHI_` for perps): `KEY_ID`, and exactly one
    of `PRIVATE_KEY_PATH` or `PRIVATE_KEY` (inline PEM; `\\n` escapes accepted), optionally
    `PRIVATE_KEY_PASSWORD`; `DEMO`; `API_BASE_URL`.

    Returns:
        Credentials with `auth=None` when no key variables are set at all.

    Raises:
        KalshiConfigError: credentials are half set (a key ID without a key, or the reverse),
            both a path and an inline key are set, or `DEMO` is not a boolean.
        KalshiKeyError: the key is set but cannot be loaded.
    """
    env = os.environ if environ is None else environ
    prefix = "KALSHI_PERPS_" if product == "perps" else "KALSHI_"

    def get(name: str) -> str | None:
        value = env.get(prefix + name)
        return value if value and value.strip() else None

    key_id, path, inline = get("KEY_ID"), get("PRIVATE_KEY_PATH"), get("PRIVATE_KEY")
    password = get("PRIVATE_KEY_PASSWORD")
    demo = parse_bool(prefix + "DEMO", env.get(prefix + "DEMO"))
    base_url = get("API_BASE_URL")
    if path and inline:
        raise KalshiConfigError(f"set only one of {prefix}PRIVATE_KEY_PATH and {prefix}PRIVATE_KEY, not both")
    key_source = path or inline
    if key_id is None and key_source is None:
        return EnvCredentials(auth=None, demo=demo, base_url=base_url)
    if key_id is None:
        raise KalshiConfigError(f"a private key is set but {prefix}KEY_ID is missing")
    if key_source is None:
        raise KalshiConfigError(
            f"{prefix}KEY_ID is set but neither {prefix}PRIVATE_KEY_PATH nor {prefix}PRIVATE_KEY is"
        )
    if path:
        auth = KalshiAuth.from_key_path(key_id, path, password=password)
    else:
        assert inline is not None
        auth = KalshiAuth.from_pem(key_id, inline, password=password)
    return EnvCredentials(auth=auth, demo=demo, base_url=base_url)


@dataclass(frozen=True, slots=True)
class KlearCredentials:
    """Klear's bearer credentials: `Authorization: Bearer <admin_user_id>:<access_token>`."""

    admin_user_id: str
    access_token: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.admin_user_id.strip() or not self.access_token.strip():
            raise KalshiConfigError("Klear needs both admin_user_id and access_token")
        if ":" in self.admin_user_id:
            raise KalshiConfigError("admin_user_id must not contain ':'")

    def authorization(self) -> str:
        """The `Authorization` header value. Never log it."""
        return f"Bearer {self.admin_user_id}:{self.access_token}"

    def __repr__(self) -> str:
        return f"KlearCredentials(admin_user_id={self.admin_user_id!r}, access_token='***')"

    __str__ = __repr__


def klear_credentials_from_env(*, environ: Mapping[str, str] | None = None) -> KlearCredentials | None:
    """Read `KALSHI_KLEAR_ADMIN_USER_ID` and `KALSHI_KLEAR_ACCESS_TOKEN`; None when neither is set.

    Raises:
        KalshiConfigError: only one of the two is set.
    """
    env = os.environ if environ is None else environ
    user = (env.get("KALSHI_KLEAR_ADMIN_USER_ID") or "").strip()
    token = (env.get("KALSHI_KLEAR_ACCESS_TOKEN") or "").strip()
    if not user and not token:
        return None
    if not user or not token:
        missing = "KALSHI_KLEAR_ADMIN_USER_ID" if not user else "KALSHI_KLEAR_ACCESS_TOKEN"
        raise KalshiConfigError(f"Klear credentials are half set: {missing} is missing")
    return KlearCredentials(admin_user_id=user, access_token=token)
