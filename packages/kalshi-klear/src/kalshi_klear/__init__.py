"""kalshi-klear: typed sync and async clients for Klear, Kalshi's clearing-member API.

```python
from kalshi_klear import KlearClient

with KlearClient(admin_user_id="...", access_token="...", demo=True) as klear:
    balance = klear.settlement.balance()
    print(balance.balance_available_centicents)  # integer centicents: 1 USD = 10,000
```

Requests carry `Authorization: Bearer <admin_user_id>:<access_token>` and run on kalshi_rest's
transport: the same retry policy (GET only), error classes and cursor pages.
"""

from __future__ import annotations

from kalshi_auth import KlearCredentials

from . import models, resources
from ._auth import BearerAuth
from ._client import KLEAR_REST, AsyncKlearClient, KlearClient
from ._money import CENTICENTS_PER_DOLLAR, PositiveDollars, centicents_to_dollars

__version__ = "0.1.0"

__all__ = [
    "CENTICENTS_PER_DOLLAR",
    "KLEAR_REST",
    "AsyncKlearClient",
    "BearerAuth",
    "KlearClient",
    "KlearCredentials",
    "PositiveDollars",
    "centicents_to_dollars",
    "models",
    "resources",
]
