"""Typed FIX messages: one class per MsgType, enums for fields with values, `decode_app_message`.

```python
from decimal import Decimal
from kalshi_fix.messages import NewOrderSingle, Side

order = NewOrderSingle(cl_ord_id="o1", symbol="KXBTC-25DEC-T100000", side=Side.BUY_YES,
                       order_qty=Decimal("10"), price=Decimal("0.55"))
```
"""

from __future__ import annotations

from kalshi_fix.messages._base import FixGroupEntry as FixGroupEntry
from kalshi_fix.messages._base import FixMessage as FixMessage
from kalshi_fix.messages._decode import decode_admin_message as decode_admin_message
from kalshi_fix.messages._decode import decode_app_message as decode_app_message
from kalshi_fix.messages._decode import decode_message as decode_message
from kalshi_fix.messages._generated import *  # noqa: F403
from kalshi_fix.messages._generated import __all__ as _generated_all
from kalshi_fix.messages._lenient import LENIENT_TAGS as LENIENT_TAGS
from kalshi_fix.messages._lenient import lenient_decode_counts as lenient_decode_counts

__all__ = sorted(  # noqa: PLE0605
    [
        "LENIENT_TAGS",
        "FixGroupEntry",
        "FixMessage",
        "decode_admin_message",
        "decode_app_message",
        "decode_message",
        "lenient_decode_counts",
        *_generated_all,
    ]
)
