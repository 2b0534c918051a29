"""Scriptable faults for the simulator's FIX acceptor, per session name (`KalshiRT`, `KalshiMD`, ...).

```python
sim.fix.faults.drop("KalshiRT")                    # abort the next RT connection after its next order is
                                                   # processed, before the answer is written
sim.fix.faults.drop("KalshiNR", before_processing=True)   # ...or as if the order was lost on the wire
sim.fix.faults.garble("KalshiRT")                  # break the CheckSum of the next outbound application message
sim.fix.faults.gap("KalshiRT", skip=2)             # skip two outbound MsgSeqNums before the next application message
sim.fix.faults.resend_request("KalshiRT")          # ask the client to resend everything right after its next Logon
sim.fix.faults.reject_logon("KalshiNR", "maintenance")   # answer the next Logon with a Logout
sim.fix.faults.silence("KalshiMD")                 # live connections stop answering (not even TestRequests)
```

Each fault fires once (`times`), for either product; `fired` lists what fired. Thread-safe.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["FixFaults"]


@dataclass(slots=True)
class _Fault:
    kind: str
    session: str
    times: int
    value: int | str = 1


class FixFaults:
    """The FIX fault script of one simulator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self.fired: list[str] = []
        """`"<fault>:<session>"` for every fault that fired, in order."""

    def _add(self, kind: str, session: str, times: int, value: int | str = 1) -> FixFaults:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(_Fault(kind, session, times, value))
        return self

    def drop(self, session: str, *, before_processing: bool = False, times: int = 1) -> FixFaults:
        """Abort the connection when its next application message arrives.

        By default the message is processed first and its answers are kept for resends but never written (the
        connection died on the way back); with `before_processing` the message is lost on the way in.
        """
        return self._add("drop_before" if before_processing else "drop_after", session, times)

    def garble(self, session: str, *, times: int = 1) -> FixFaults:
        """Corrupt the CheckSum of the next outbound application message (it stays in the resend store)."""
        return self._add("garble", session, times)

    def gap(self, session: str, *, skip: int = 1, times: int = 1) -> FixFaults:
        """Skip `skip` outbound MsgSeqNums before the next application message (a gap the client must recover)."""
        if skip < 1:
            raise ValueError("skip must be at least 1")
        return self._add("gap", session, times, skip)

    def resend_request(self, session: str, *, begin: int = 1, times: int = 1) -> FixFaults:
        """Send the client a ResendRequest (from `begin` to the latest) right after its next Logon."""
        return self._add("resend_request", session, times, begin)

    def reject_logon(self, session: str, text: str = "logon rejected", *, times: int = 1) -> FixFaults:
        """Answer the next Logon with a Logout carrying `text`."""
        return self._add("reject_logon", session, times, text)

    def silence(self, session: str) -> FixFaults:
        """Make the live connections of `session` go silent (read nothing, answer nothing); new ones behave."""
        return self._add("silence", session, 1)

    def clear(self) -> None:
        """Remove every scripted fault."""
        with self._lock:
            self._faults.clear()

    def take(self, kind: str, session: str) -> int | str | None:
        """Consume one firing of `kind` for `session`: its value (1 when it has none), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.session == session:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    self.fired.append(f"{kind}:{session}")
                    return fault.value
        return None
