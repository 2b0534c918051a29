"""The simulator's FIX acceptor: every session type of both products on the shared matching engine.

`FixGateway` (`sim.fix`) listens on one loopback port per session; `FixFaults` (`sim.fix.faults`) scripts
drops, garbled frames, sequence gaps, resend requests, logon rejects and silence. Point a client at it with
`FixClient(user.auth, environment=sim.fix_environment())`.
"""

from __future__ import annotations

from ._acceptor import SERVER_COMP_ID, SERVER_MD_COMP_ID, FixConnection
from ._faults import FixFaults
from ._gateway import MARGIN_SESSIONS, PREDICTION_SESSIONS, FixGateway

__all__ = [
    "MARGIN_SESSIONS",
    "PREDICTION_SESSIONS",
    "SERVER_COMP_ID",
    "SERVER_MD_COMP_ID",
    "FixConnection",
    "FixFaults",
    "FixGateway",
]
