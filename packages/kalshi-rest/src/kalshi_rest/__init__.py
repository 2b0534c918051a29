"""kalshi-rest: the prediction-markets REST client.

Skeleton release: the package installs and imports, and holds nothing that pretends to work yet.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__: list[str] = []
