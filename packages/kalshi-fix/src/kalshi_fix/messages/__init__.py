"""Typed FIX messages: one class per MsgType, enums for fields with values, `decode_app_message`.

```python
from decimal import Decimal
from kalshi_fix.messages import NewOrderSingle, Side

order = NewOrderSingle(cl_ord_id="o1", symbol="KXBTC-25DEC-T100000", side=Side.BUY_YES,
                       order_qty=Decimal("10"), price=Decimal("0.55"))
```
"""

from __future__ import annotations

from kalshi_fix._codec import decode_app_message as decode_app_message
from kalshi_fix._codec import decode_message as decode_message
from kalshi_fix.messages._base import FixGroupEntry as FixGroupEntry
from kalshi_fix.messages._base import FixMessage as FixMessage
from kalshi_fix.messages._generated import *  # noqa: F403
from kalshi_fix.messages._generated import __all__ as _generated_all

__all__ = sorted(["FixGroupEntry", "FixMessage", "decode_app_message", "decode_message", *_generated_all])  # noqa: PLE0605
