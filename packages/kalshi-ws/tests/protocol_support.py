"""Helpers for the sans-I/O protocol tests: frames in as JSON, commands out as dicts."""

from __future__ import annotations

import json
from typing import Any

from kalshi_ws import KalshiProtocol
from kalshi_ws.messages import CHANNELS, SERVER_MESSAGES

WALL = 1_700_000_000_500


def frame(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj).encode()


def sent(proto: KalshiProtocol) -> list[dict[str, Any]]:
    return [json.loads(b) for b in proto.data_to_send()]


def new_protocol(**kw: Any) -> KalshiProtocol:
    proto = KalshiProtocol(CHANNELS, SERVER_MESSAGES, **kw)
    proto.connection_made(0.0)
    return proto
