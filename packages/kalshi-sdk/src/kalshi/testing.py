"""Offline testing: record/replay transports and the local exchange simulator (`kalshi_testing`).

```python
from kalshi import KalshiClient
from kalshi.testing import RecordingTransport, ReplayTransport

client = KalshiClient(transport=ReplayTransport("fixtures"))
```
"""

from __future__ import annotations

from kalshi_testing import *  # noqa: F403
from kalshi_testing import __all__ as __all__  # noqa: PLC0414
