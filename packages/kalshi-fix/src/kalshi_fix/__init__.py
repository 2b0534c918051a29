"""kalshi-fix: a lean asyncio FIX engine (FIXT.1.1 / FIX50SP2) for Kalshi prediction and margin.

```python
from decimal import Decimal
from kalshi_fix import FixClient, FixEnvironment, NewOrderSingle, OrdType, Side, decode_app_message

client = FixClient.from_env(environment=FixEnvironment.DEMO)
async with client.order_entry(on_message=lambda frame: print(decode_app_message(frame))) as session:
    await session.send(NewOrderSingle(cl_ord_id="o1", symbol="KXBTC-25DEC-T100000", side=Side.BUY_YES,
                                      order_qty=Decimal("10"), ord_type=OrdType.LIMIT, price=Decimal("0.55")))
```

Names load on first use (PEP 562), so `import kalshi_fix` stays cheap; every typed message, group
entry and enum of `kalshi_fix.messages` is reachable from here too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # clients and sessions
    "DEFAULT_MAX_QUEUED": "._client",
    "DropCopySession": "._client",
    "FixClient": "._client",
    "FixEnvironment": "._client",
    "FixSession": "._client",
    "MarginFixClient": "._client",
    "MarketDataSession": "._client",
    "OrderEntrySession": "._client",
    "PostTradeSession": "._client",
    "QueueOverflow": "._client",
    "RfqSession": "._client",
    # connection
    "ConnectionState": "._connection",
    "ConnectionStateChanged": "._connection",
    "FixConnection": "._connection",
    "ReconnectPolicy": "._connection",
    # session layer
    "ApplicationMessage": "._session",
    "BusinessReject": "._session",
    "CloseConnection": "._session",
    "KALSHI_COMP_IDS": "._session",
    "FrameDropped": "._session",
    "GapDetected": "._session",
    "LoggedOn": "._session",
    "LoggedOut": "._session",
    "LogonRejected": "._session",
    "SessionConfig": "._session",
    "SessionEvent": "._session",
    "SessionProtocol": "._session",
    "SessionReject": "._session",
    "SessionState": "._session",
    "build_frame": "._session",
    # stores
    "FileStore": "._store",
    "FsyncPolicy": "._store",
    "MemoryStore": "._store",
    "SequenceStore": "._store",
    "StoredMessage": "._store",
    # books and settlement reports
    "OrderBook": "._book",
    "SettlementAssembler": "._settlement",
    "SettlementBatchDropped": "._settlement",
    "SettlementReport": "._settlement",
    # codec
    "FixFrame": "._codec",
    "FrameSplitter": "._codec",
    "SessionHeader": "._codec",
    "check_body": "._codec",
    "decode_admin_message": ".messages._decode",
    "decode_app_message": ".messages._decode",
    "decode_message": ".messages._decode",
    "redact": "._codec",
    "encode_frame": "._codec",
    "format_sending_time": "._codec",
    "parse_frame": "._codec",
    "peek_header": "._codec",
    "rewrite_for_resend": "._codec",
    # errors
    "FixBodyLengthError": "._errors",
    "FixChecksumError": "._errors",
    "FixCompIdError": "._errors",
    "FixConnectionError": "._errors",
    "FixDecodeError": "._errors",
    "FixEncodeError": "._errors",
    "FixError": "._errors",
    "FixFieldValueError": "._errors",
    "FixGarbageError": "._errors",
    "FixLogonError": "._errors",
    "FixMissingTagError": "._errors",
    "FixNotLoggedOnError": "._errors",
    "FixSessionError": "._errors",
    "FixStoreError": "._errors",
    "FixTruncatedFrameError": "._errors",
    "FixUnknownMsgTypeError": "._errors",
}

__all__ = [
    "DEFAULT_MAX_QUEUED",
    "KALSHI_COMP_IDS",
    "ApplicationMessage",
    "BusinessReject",
    "CloseConnection",
    "ConnectionState",
    "ConnectionStateChanged",
    "DropCopySession",
    "FileStore",
    "FixBodyLengthError",
    "FixChecksumError",
    "FixClient",
    "FixCompIdError",
    "FixConnection",
    "FixConnectionError",
    "FixDecodeError",
    "FixEncodeError",
    "FixEnvironment",
    "FixError",
    "FixFieldValueError",
    "FixFrame",
    "FixGarbageError",
    "FixLogonError",
    "FixMissingTagError",
    "FixNotLoggedOnError",
    "FixSession",
    "FixSessionError",
    "FixStoreError",
    "FixTruncatedFrameError",
    "FixUnknownMsgTypeError",
    "FrameDropped",
    "FrameSplitter",
    "FsyncPolicy",
    "GapDetected",
    "LoggedOn",
    "LoggedOut",
    "LogonRejected",
    "MarginFixClient",
    "MarketDataSession",
    "MemoryStore",
    "OrderBook",
    "OrderEntrySession",
    "PostTradeSession",
    "QueueOverflow",
    "ReconnectPolicy",
    "RfqSession",
    "SequenceStore",
    "SessionConfig",
    "SessionEvent",
    "SessionHeader",
    "SessionProtocol",
    "SessionReject",
    "SessionState",
    "SettlementAssembler",
    "SettlementBatchDropped",
    "SettlementReport",
    "StoredMessage",
    "build_frame",
    "check_body",
    "decode_admin_message",
    "decode_app_message",
    "decode_message",
    "encode_frame",
    "format_sending_time",
    "parse_frame",
    "peek_header",
    "redact",
    "rewrite_for_resend",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module, __name__), name)
    else:
        if name.startswith("__"):
            raise AttributeError(name)
        messages = importlib.import_module(".messages", __name__)
        if name not in messages.__all__:
            raise AttributeError(f"module 'kalshi_fix' has no attribute {name!r}")
        value = getattr(messages, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from ._book import OrderBook
    from ._client import (
        DEFAULT_MAX_QUEUED,
        DropCopySession,
        FixClient,
        FixEnvironment,
        FixSession,
        MarginFixClient,
        MarketDataSession,
        OrderEntrySession,
        PostTradeSession,
        QueueOverflow,
        RfqSession,
    )
    from ._codec import (
        FixFrame,
        FrameSplitter,
        SessionHeader,
        check_body,
        encode_frame,
        format_sending_time,
        parse_frame,
        peek_header,
        redact,
        rewrite_for_resend,
    )
    from ._connection import ConnectionState, ConnectionStateChanged, FixConnection, ReconnectPolicy
    from ._errors import (
        FixBodyLengthError,
        FixChecksumError,
        FixCompIdError,
        FixConnectionError,
        FixDecodeError,
        FixEncodeError,
        FixError,
        FixFieldValueError,
        FixGarbageError,
        FixLogonError,
        FixMissingTagError,
        FixNotLoggedOnError,
        FixSessionError,
        FixStoreError,
        FixTruncatedFrameError,
        FixUnknownMsgTypeError,
    )
    from ._session import (
        KALSHI_COMP_IDS,
        ApplicationMessage,
        BusinessReject,
        CloseConnection,
        FrameDropped,
        GapDetected,
        LoggedOn,
        LoggedOut,
        LogonRejected,
        SessionConfig,
        SessionEvent,
        SessionProtocol,
        SessionReject,
        SessionState,
        build_frame,
    )
    from ._settlement import SettlementAssembler, SettlementBatchDropped, SettlementReport
    from ._store import FileStore, FsyncPolicy, MemoryStore, SequenceStore, StoredMessage
    from .messages import *  # noqa: F403
    from .messages._decode import decode_admin_message, decode_app_message, decode_message
