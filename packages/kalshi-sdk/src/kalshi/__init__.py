"""kalshi-sdk: every public Kalshi trading surface under one import.

This package only re-exports the micro-packages (`kalshi_auth`, `kalshi_rest`, `kalshi_ws`,
`kalshi_perps`, `kalshi_klear`, `kalshi_fix`, `kalshi_testing`); it holds no logic.
"""

from __future__ import annotations

from kalshi_auth import (
    DEMO,
    PRODUCTION,
    AuthRequiredError,
    Environment,
    FixSessionType,
    KalshiAuth,
    KalshiConfig,
    KalshiConfigError,
    KalshiConnectionError,
    KalshiError,
    KalshiKeyError,
    KlearCredentials,
)

__version__ = "0.1.0"

__all__ = [
    "DEMO",
    "PRODUCTION",
    "AuthRequiredError",
    "Environment",
    "FixSessionType",
    "KalshiAuth",
    "KalshiConfig",
    "KalshiConfigError",
    "KalshiConnectionError",
    "KalshiError",
    "KalshiKeyError",
    "KlearCredentials",
]
