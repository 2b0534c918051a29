"""The one table of dictionary-required tags a received message may lack and still be delivered.

A message missing one of these decodes to its typed class with that attribute None, a warning is logged and
counted (`lenient_decode_counts()`). Any other missing required tag still raises `FixMissingTagError`:
acting without it would be unsafe (the order's identity 37/11, 39 OrdStatus, 150 ExecType, 55 Symbol, the
status a RFQ or group answer carries). A value that is present but malformed is never lenient.

Each entry has a test in tests/test_lenient.py.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Final

__all__ = ["LENIENT_TAGS", "lenient_decode_counts", "note_lenient"]

logger = logging.getLogger("kalshi.fix")

LENIENT_TAGS: Final[dict[str, frozenset[int]]] = {
    # ExecutionReport: reporting fields. The order is known by 37/11, its state by 39/150.
    "8": frozenset({17, 54, 6, 14, 151, 38}),
    # OrderCancelReject: which request it answers (434) is reporting; the order and its status are not.
    "9": frozenset({434}),
    # OrderMassCancelReport: 37 is a report id, not an order; 531 (did it cancel?) stays required.
    "r": frozenset({37}),
    # BusinessMessageReject: a reject without its reason is still a reject.
    "j": frozenset({380}),
    # QuoteRequestAck: manual or automatic is informational.
    "b": frozenset({303}),
    # QuoteRequestReject: the reason code and text are informational.
    "AG": frozenset({58, 658}),
    # MarketSettlementReport: a fragment without its business date or report id (fragments match by 55).
    "UMS": frozenset({715, 20105}),
    # EventResendComplete / EventResendReject: the batch end is what matters.
    "U2": frozenset({45, 21003}),
    "U3": frozenset({45, 21004}),
}

_COUNTS: Counter[tuple[str, int]] = Counter()


def note_lenient(msg_type: str, seq: int | None, tags: list[int]) -> None:
    """Count and log one message delivered without required `tags`."""
    for tag in tags:
        _COUNTS[msg_type, tag] += 1
    logger.warning("kalshi_fix: %s (seq %s) lacks required tag(s) %s; delivered with None", msg_type, seq, tags)


def lenient_decode_counts() -> dict[tuple[str, int], int]:
    """How many received messages were delivered without a required tag, by (MsgType, tag), since start."""
    return dict(_COUNTS)
