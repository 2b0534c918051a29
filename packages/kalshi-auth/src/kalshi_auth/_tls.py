"""TLS for every transport (REST, WebSocket, FIX): verification on unless the caller says otherwise.

A caller turns verification off only by passing an `ssl.SSLContext` that does not verify (for a
test proxy, say); every client then logs a warning on the `kalshi.tls` logger when it starts.
"""

from __future__ import annotations

import logging
import ssl

__all__ = ["default_ssl_context", "is_unverified", "warn_if_unverified"]

logger = logging.getLogger("kalshi.tls")


def default_ssl_context() -> ssl.SSLContext:
    """The system trust store, certificate and host name checks on, TLS 1.2 or later."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def is_unverified(context: ssl.SSLContext | None) -> bool:
    """True for a context that skips the certificate or the host name check."""
    return context is not None and (context.verify_mode == ssl.CERT_NONE or not context.check_hostname)


def warn_if_unverified(context: ssl.SSLContext | None, where: str) -> None:
    """Log a warning when `context` turns certificate verification off for `where` (e.g. "REST")."""
    if is_unverified(context):
        logger.warning(
            "TLS certificate verification is OFF for %s: anyone on the path can read and change traffic", where
        )
