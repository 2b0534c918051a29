"""The SDK never configures logging (docs/logging.md): importing and using it adds no handler and sets no level."""

from __future__ import annotations

import importlib
import logging

PACKAGES = [
    "kalshi_auth",
    "kalshi_rest",
    "kalshi_ws",
    "kalshi_perps",
    "kalshi_klear",
    "kalshi_fix",
    "kalshi_testing",
    "kalshi",
]


def test_importing_every_package_leaves_logging_alone() -> None:
    root_handlers = list(logging.getLogger().handlers)
    root_level = logging.getLogger().level
    for name in PACKAGES:
        importlib.import_module(name)
    from kalshi_rest import KalshiClient

    KalshiClient(demo=True).close()  # building a client does not configure anything either

    assert logging.getLogger().handlers == root_handlers
    assert logging.getLogger().level == root_level
    ours = [n for n in logging.root.manager.loggerDict if n.split(".")[0].startswith("kalshi")]
    for name in ours:
        logger = logging.getLogger(name)
        assert all(isinstance(h, logging.NullHandler) for h in logger.handlers), name
        assert logger.level == logging.NOTSET, name
        assert logger.propagate, name
