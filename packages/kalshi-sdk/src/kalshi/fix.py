"""The FIX engine and typed messages: everything `kalshi_fix` and `kalshi_fix.messages` export.

```python
from kalshi.fix import NewOrderSingle, ExecutionReport, Side, decode_app_message
```
"""

from __future__ import annotations

from kalshi_fix import *  # noqa: F403
from kalshi_fix import __all__ as _engine_all
from kalshi_fix.messages import *  # noqa: F403
from kalshi_fix.messages import __all__ as _messages_all

__all__ = sorted({*_engine_all, *_messages_all})  # noqa: PLE0605
