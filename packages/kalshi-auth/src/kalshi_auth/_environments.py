"""Every Kalshi endpoint in one typed table: REST, WebSocket, Klear and FIX, production and demo.

Hosts: docs.kalshi.com/getting_started/api_environments (prediction REST and WebSocket, the
recommended `external-api*` hosts and the "also supported" shared ones) and docs.kalshi.com/margin
(perps WebSocket and FIX). An environment never mixes production and demo hosts.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ._errors import KalshiConfigError

__all__ = [
    "DEMO",
    "DEMO_HOSTS",
    "PRODUCTION_HOSTS",
    "PRODUCTION",
    "Environment",
    "FixEndpoint",
    "FixSessionType",
    "check_environments",
    "get_environment",
    "host_environment",
    "is_loopback",
]


class FixSessionType(enum.Enum):
    """A FIX session kind: its TargetCompID (tag 56) and port, the same on both products."""

    ORDER_ENTRY = ("KalshiNR", 8228)
    """Order entry without retransmission; logs on with ResetSeqNumFlag=Y."""
    DROP_COPY = ("KalshiDC", 8229)
    ORDER_ENTRY_RETRANSMIT = ("KalshiRT", 8230)
    """Order entry with retransmission (needs a persistent outbound store)."""
    POST_TRADE = ("KalshiPT", 8231)
    """Settlement reports; prediction only; logs on with ResetSeqNumFlag=Y."""
    RFQ = ("KalshiRFQ", 8232)
    """Request for quote (market makers); prediction only; logs on with ResetSeqNumFlag=Y."""
    MARKET_DATA = ("KalshiMD", 8233)

    @property
    def target_comp_id(self) -> str:
        return self.value[0]

    @property
    def port(self) -> int:
        return self.value[1]

    @property
    def retransmits(self) -> bool:
        """True for KalshiRT only, which every version of docs.kalshi.com/fix/authentication and
        /fix/connectivity says resends stored messages; the rest log on with ResetSeqNumFlag=Y.

        The pages disagree across versions on the others (RFQ retransmits in one, PT in a later one, which
        also rejects a Logon without 141=Y on any session that does not). A reset is accepted on every session
        in every version, so PT and RFQ reset: they never fail to log on, and lose only the replay of what
        was sent while disconnected (see docs/fix.md)."""
        return self is FixSessionType.ORDER_ENTRY_RETRANSMIT


_MARGIN_FIX_SESSIONS = frozenset(
    {
        FixSessionType.ORDER_ENTRY,
        FixSessionType.ORDER_ENTRY_RETRANSMIT,
        FixSessionType.DROP_COPY,
        FixSessionType.MARKET_DATA,
    }
)


@dataclass(frozen=True, slots=True)
class FixEndpoint:
    """Where one FIX session connects."""

    host: str
    port: int
    target_comp_id: str
    tls: bool = True


def is_loopback(host: str) -> bool:
    """True for localhost and any loopback address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


PRODUCTION_HOSTS = frozenset(
    {
        "external-api.kalshi.com",
        "api.elections.kalshi.com",
        "external-api-ws.kalshi.com",
        "external-api-margin-ws.kalshi.com",
        "api.klear.kalshi.com",
        "mm.fix.elections.kalshi.com",
        "marketdata.fix.elections.kalshi.com",
        "margin-fix-api.fix.elections.kalshi.com",
        "margin-mm.fix.elections.kalshi.com",
        "margin-marketdata.fix.elections.kalshi.com",
    }
)
"""Kalshi's production hosts: the recommended and the "also supported" ones."""

DEMO_HOSTS = frozenset(
    {
        "external-api.demo.kalshi.co",
        "demo-api.kalshi.co",
        "external-api-ws.demo.kalshi.co",
        "external-api-margin-ws.demo.kalshi.co",
        "fix.demo.kalshi.co",
        "marketdata.fix.demo.kalshi.co",
        "margin-fix.demo.kalshi.co",
        "margin-marketdata.fix.demo.kalshi.co",
    }
)
"""Kalshi's demo hosts."""


def host_environment(host: str) -> Literal["production", "demo", "loopback"] | None:
    """Which Kalshi environment a host belongs to: `loopback` for a local server, None for any other host."""
    name = host.lower().rstrip(".")
    if name in PRODUCTION_HOSTS:
        return "production"
    if name in DEMO_HOSTS:
        return "demo"
    if is_loopback(name):
        return "loopback"
    return None


def check_environments(urls: Mapping[str, str]) -> None:
    """Refuse a set of URLs (or bare hosts) that mixes production and demo hosts; loopback pairs with either.

    Args:
        urls: label -> URL or host, e.g. `{"rest_url": ..., "ws_url": ...}`.

    Raises:
        KalshiConfigError: one is a production host and another a demo host.
    """
    seen: dict[str, str] = {}
    for label, url in urls.items():
        host = urlsplit(url).hostname if "://" in url else url
        env = host_environment(host or "")
        if env in ("production", "demo"):
            seen.setdefault(env, f"{label}={url}")
    if len(seen) > 1:
        raise KalshiConfigError(
            f"production and demo endpoints are mixed ({seen['production']} is production, {seen['demo']} is demo); "
            "use one environment for every URL (a loopback server pairs with either)"
        )


def check_server_url(field: str, url: str, secure: str, prefixes: tuple[str, ...], *, bare: bool = False) -> None:
    """Check a configured URL: `secure` scheme (plaintext only to loopback), no query or user info, and
    a path ending in one of `prefixes` (or, when `bare`, no path at all: a server's origin).

    Raises:
        KalshiConfigError: naming `field`.
    """
    parts = urlsplit(url)
    plain = {"https": "http", "wss": "ws"}[secure]
    if parts.scheme not in (secure, plain) or not parts.hostname:
        raise KalshiConfigError(f"{field}: {url!r} is not a {secure}:// URL")
    if parts.scheme == plain and not is_loopback(parts.hostname):
        raise KalshiConfigError(f"{field}: plaintext {plain}:// is only allowed to a loopback host, got {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise KalshiConfigError(f"{field}: {url!r} must not carry a query, fragment or user info")
    path = parts.path.rstrip("/")
    if not (bare and not path) and not any(path.endswith(p) for p in prefixes):
        wanted = " or ".join(repr(p) for p in prefixes)
        raise KalshiConfigError(
            f"{field}: {url!r} must end with the path prefix {wanted}" + (" (or have no path)" if bare else "")
        )


@dataclass(frozen=True, slots=True)
class Environment:
    """One deployment of Kalshi (production, demo, or a local simulator).

    ```python
    env = DEMO.with_overrides(rest_url="http://127.0.0.1:8080/trade-api/v2")
    env.fix_endpoint(FixSessionType.ORDER_ENTRY)
    ```

    URLs are checked on construction: `https`/`wss` (plaintext only to loopback) and the
    expected path prefix for each surface.
    """

    name: str
    rest_url: str
    """Prediction REST base URL, ending in `/trade-api/v2`."""
    ws_url: str
    """Prediction WebSocket URL, ending in `/trade-api/ws/v2`."""
    perps_rest_url: str
    """Perps REST base URL (the prediction host; paths under `/margin/...`)."""
    perps_ws_url: str
    """Perps WebSocket URL, ending in `/trade-api/ws/v2/margin`, on its own host."""
    klear_url: str
    """Klear clearing-member base URL, ending in `/klear-api/v1`."""
    fix_host: str
    """Prediction FIX host for every session but market data."""
    fix_market_data_host: str
    margin_fix_host: str
    """Margin (perps) FIX host for every session but market data."""
    margin_fix_market_data_host: str
    fix_tls: bool = True
    """FIX runs over TLS; plain TCP is allowed only to loopback hosts."""
    fix_ports: tuple[tuple[FixSessionType, int], ...] = ()
    """Port overrides per session type (a simulator listens on ephemeral ports)."""

    def __post_init__(self) -> None:
        check_server_url("rest_url", self.rest_url, "https", ("/trade-api/v2",))
        check_server_url("perps_rest_url", self.perps_rest_url, "https", ("/trade-api/v2",))
        check_server_url("ws_url", self.ws_url, "wss", ("/trade-api/ws/v2",))
        check_server_url("perps_ws_url", self.perps_ws_url, "wss", ("/trade-api/ws/v2/margin",))
        check_server_url("klear_url", self.klear_url, "https", ("/klear-api/v1",))
        check_environments(
            {
                "rest_url": self.rest_url,
                "ws_url": self.ws_url,
                "perps_rest_url": self.perps_rest_url,
                "perps_ws_url": self.perps_ws_url,
                "klear_url": self.klear_url,
                "fix_host": self.fix_host,
                "fix_market_data_host": self.fix_market_data_host,
                "margin_fix_host": self.margin_fix_host,
                "margin_fix_market_data_host": self.margin_fix_market_data_host,
            }
        )
        if not self.fix_tls:
            hosts = (self.fix_host, self.fix_market_data_host, self.margin_fix_host, self.margin_fix_market_data_host)
            for host in hosts:
                if not is_loopback(host):
                    raise KalshiConfigError(f"FIX without TLS is only allowed to loopback hosts, got {host!r}")

    def with_overrides(self, **changes: Any) -> Environment:
        """Return a copy with some endpoints replaced (validated like the original)."""
        return dataclasses.replace(self, **changes)

    def fix_endpoint(self, session: FixSessionType, *, margin: bool = False) -> FixEndpoint:
        """Return host, port and TargetCompID for a FIX session on the prediction or margin gateway.

        Raises:
            KalshiConfigError: the margin gateway has no such session (post trade, RFQ).
        """
        if margin and session not in _MARGIN_FIX_SESSIONS:
            raise KalshiConfigError(f"the margin FIX gateway has no {session.name} session")
        if session is FixSessionType.MARKET_DATA:
            host = self.margin_fix_market_data_host if margin else self.fix_market_data_host
        else:
            host = self.margin_fix_host if margin else self.fix_host
        port = dict(self.fix_ports).get(session, session.port)
        return FixEndpoint(host=host, port=port, target_comp_id=session.target_comp_id, tls=self.fix_tls)

    def table(self) -> list[tuple[str, str]]:
        """Every endpoint as (surface, address) rows, for display."""
        rows = [
            ("prediction REST", self.rest_url),
            ("prediction WebSocket", self.ws_url),
            ("perps REST", self.perps_rest_url),
            ("perps WebSocket", self.perps_ws_url),
            ("Klear REST", self.klear_url),
        ]
        for margin in (False, True):
            for session in FixSessionType:
                if margin and session not in _MARGIN_FIX_SESSIONS:
                    continue
                ep = self.fix_endpoint(session, margin=margin)
                label = f"{'margin' if margin else 'prediction'} FIX {ep.target_comp_id}"
                rows.append((label, f"{'tls' if ep.tls else 'tcp'}://{ep.host}:{ep.port}"))
        return rows


PRODUCTION = Environment(
    name="production",
    rest_url="https://external-api.kalshi.com/trade-api/v2",
    ws_url="wss://external-api-ws.kalshi.com/trade-api/ws/v2",
    perps_rest_url="https://external-api.kalshi.com/trade-api/v2",
    perps_ws_url="wss://external-api-margin-ws.kalshi.com/trade-api/ws/v2/margin",
    klear_url="https://api.klear.kalshi.com/klear-api/v1",
    fix_host="mm.fix.elections.kalshi.com",
    fix_market_data_host="marketdata.fix.elections.kalshi.com",
    margin_fix_host="margin-mm.fix.elections.kalshi.com",
    margin_fix_market_data_host="margin-marketdata.fix.elections.kalshi.com",
)
"""Kalshi production: the recommended hosts (docs.kalshi.com/getting_started/api_environments; FIX from
docs.kalshi.com/fix/connectivity and /fix-margin/connectivity, where KalshiMD has a host of its own)."""

DEMO = Environment(
    name="demo",
    rest_url="https://external-api.demo.kalshi.co/trade-api/v2",
    ws_url="wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2",
    perps_rest_url="https://external-api.demo.kalshi.co/trade-api/v2",
    perps_ws_url="wss://external-api-margin-ws.demo.kalshi.co/trade-api/ws/v2/margin",
    klear_url="https://demo-api.kalshi.co/klear-api/v1",
    fix_host="fix.demo.kalshi.co",
    fix_market_data_host="marketdata.fix.demo.kalshi.co",
    margin_fix_host="margin-fix.demo.kalshi.co",
    margin_fix_market_data_host="margin-marketdata.fix.demo.kalshi.co",
)
"""Kalshi's demo (paper-trading) environment."""


def get_environment(demo: bool = False) -> Environment:
    """Return `DEMO` or `PRODUCTION`."""
    return DEMO if demo else PRODUCTION
