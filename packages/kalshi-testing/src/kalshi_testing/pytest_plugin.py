"""pytest plugin for kalshi-testing (registered under the `pytest11` entry point).

Placeholder: the `kalshi_exchange` fixture arrives with the exchange simulator.
"""

from __future__ import annotations

__all__: list[str] = []
