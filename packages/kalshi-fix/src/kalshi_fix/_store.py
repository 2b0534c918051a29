"""Sequence numbers and sent application messages, kept in memory or in an append-only file.

A session reserves each outbound MsgSeqNum in the store *before* writing the frame, so a failed
write leaves a recoverable gap rather than a reused number. On the sessions that retransmit
(KalshiRT, KalshiPT) the store also keeps every sent application message, so a ResendRequest is
answered with the real messages (PossDupFlag=Y), even after a process restart with `FileStore`.

The next inbound MsgSeqNum has two values: the one the live session expects (`next_target_seq`, moved at
once by `advance_target_seq` or `set_next_target_seq`) and the one a restarted process resumes from
(recorded by `commit_target_seq` once the application has handled everything below it, or by
`set_next_target_seq`). A process that dies with received messages unhandled asks for them again.

```python
store = FileStore("~/.kalshi/fix/KalshiRT.log", fsync=FsyncPolicy.ALWAYS)
```
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from ._errors import FixStoreError

__all__ = [
    "FileStore",
    "FsyncPolicy",
    "FixStoreError",
    "MemoryStore",
    "SequenceStore",
    "StoredMessage",
]


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One sent application message: enough to send it again with PossDupFlag=Y."""

    seq: int
    msg_type: str
    sending_time: str
    """The original SendingTime (52), resent as OrigSendingTime (122)."""
    body: bytes
    """The encoded body fields (after the standard header, before the trailer)."""


class SequenceStore(Protocol):
    """What a session needs from its store."""

    @property
    def next_sender_seq(self) -> int: ...

    @property
    def next_target_seq(self) -> int: ...

    def is_fresh(self) -> bool:
        """True when nothing has been sent or received since the last reset."""
        ...

    def reserve(self) -> int:
        """Take the next outbound MsgSeqNum for an admin message (not kept)."""
        ...

    def store(self, msg_type: str, sending_time: str, body: bytes) -> int:
        """Take the next outbound MsgSeqNum for an application message and keep the message."""
        ...

    def set_next_sender_seq(self, seq: int) -> None: ...

    def set_next_target_seq(self, seq: int) -> None:
        """Set the next expected inbound MsgSeqNum, in memory and for a restart alike."""
        ...

    def advance_target_seq(self, seq: int) -> None:
        """Set the next expected inbound MsgSeqNum in memory only; a restart resumes from the last commit."""
        ...

    def commit_target_seq(self, seq: int) -> None:
        """Record `seq` as the next inbound MsgSeqNum a restart resumes from (every message below it handled)."""
        ...

    def messages(self, begin: int, end: int) -> Iterator[StoredMessage]:
        """Kept messages with `begin <= seq <= end`, in order."""
        ...

    def reset(self) -> None:
        """Start over at 1/1 and forget every kept message."""
        ...

    def close(self) -> None: ...


class MemoryStore:
    """A store in memory: counters always, messages only when `keep_messages` (for RT and PT).

    Args:
        keep_messages: keep sent application messages for resends; off for the sessions that do
            not retransmit, so memory stays flat.
        retain: how many recent messages stay available for resends (older ones are gap-filled).
    """

    def __init__(self, *, keep_messages: bool = True, retain: int = 100_000) -> None:
        self._keep = keep_messages
        self._retain = retain
        self._sender = 1
        self._target = 1
        self._messages: dict[int, StoredMessage] = {}

    @property
    def next_sender_seq(self) -> int:
        return self._sender

    @property
    def next_target_seq(self) -> int:
        return self._target

    def is_fresh(self) -> bool:
        return self._sender == 1 and self._target == 1

    def reserve(self) -> int:
        seq = self._sender
        self._sender = seq + 1
        return seq

    def store(self, msg_type: str, sending_time: str, body: bytes) -> int:
        seq = self._sender
        self._sender = seq + 1
        if self._keep:
            messages = self._messages
            messages[seq] = StoredMessage(seq, msg_type, sending_time, body)
            if len(messages) > self._retain:
                del messages[next(iter(messages))]
        return seq

    def set_next_sender_seq(self, seq: int) -> None:
        self._sender = seq

    def set_next_target_seq(self, seq: int) -> None:
        self._target = seq

    def advance_target_seq(self, seq: int) -> None:
        self._target = seq

    def commit_target_seq(self, seq: int) -> None:
        """Nothing to record: a memory store does not outlive its process."""

    def messages(self, begin: int, end: int) -> Iterator[StoredMessage]:
        for seq in range(begin, end + 1):
            msg = self._messages.get(seq)
            if msg is not None:
                yield msg

    def reset(self) -> None:
        self._sender = 1
        self._target = 1
        self._messages.clear()

    def close(self) -> None:
        """Nothing to release."""


def _lock(fd: int) -> bool:
    """Take an exclusive advisory lock (POSIX); False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks here
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class FsyncPolicy(enum.Enum):
    """When `FileStore` forces its writes to disk (every write is flushed to the OS regardless)."""

    ALWAYS = "always"
    """fsync after every record: survives power loss, costs a disk sync per message."""
    INTERVAL = "interval"
    """fsync at most once per `fsync_interval` seconds: bounded loss on power failure."""
    NEVER = "never"
    """Leave it to the OS: survives a process crash, not a power loss."""


class FileStore:
    """An append-only journal of counters and sent application messages.

    Records are `S <next sender>`, `T <next target>` and
    `M <seq> <msg type> <sending time> <length>` followed by the body bytes. A `T` record is what a
    restart resumes from: it is written by `set_next_target_seq` and `commit_target_seq`, never by
    `advance_target_seq`, so it lags the live counter while received messages wait to be handled.
    The file is locked while open, so two processes cannot run one session's numbers. Opening replays the
    journal, so a restarted process resumes its MsgSeqNums and can resend what it sent before; a
    record torn by a crash is dropped. `reset()` truncates the file. Message bodies stay on disk
    (only their offsets are kept in memory). The newest `retain` messages can be resent; older ones
    are answered with a gap fill, and opening rewrites a journal that has grown well past them.

    Args:
        path: the journal file (created with its parent directories, mode 0600).
        fsync: when writes are forced to disk.
        fsync_interval: seconds between syncs with `FsyncPolicy.INTERVAL`.
        retain: how many recent application messages stay available for resends.

    Raises:
        FixStoreError: the file cannot be opened or read, or another process has it open.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fsync: FsyncPolicy = FsyncPolicy.ALWAYS,
        fsync_interval: float = 1.0,
        retain: int = 100_000,
    ) -> None:
        if retain < 1:
            raise ValueError("retain must be at least 1")
        self.path = Path(path).expanduser()
        self._retain = retain
        self._policy = fsync
        self._interval = fsync_interval
        self._last_sync = 0.0
        self._sender = 1
        self._target = 1
        self._committed = 1
        """The next inbound MsgSeqNum as last journalled (what a restart resumes from)."""
        self._offsets: dict[int, tuple[str, str, int, int]] = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if not _lock(fd):
                os.close(fd)
                raise FixStoreError(f"FIX store {str(self.path)!r} is in use by another process")
            self._file: BinaryIO = os.fdopen(fd, "r+b")
            good, data = self._replay()
            self._committed = self._target
            self._file.seek(good)
            self._file.truncate()
            self._trim()
            kept = sum(length for _, _, _, length in self._offsets.values())
            if good > 2 * kept + (1 << 20):
                self._compact(data)
        except OSError as exc:
            raise FixStoreError(f"cannot open FIX store {str(self.path)!r}: {exc.strerror}") from exc

    def _replay(self) -> tuple[int, bytes]:
        f = self._file
        f.seek(0)
        data = f.read()
        pos = 0
        good = 0
        while pos < len(data):
            nl = data.find(b"\n", pos)
            if nl < 0:
                break
            parts = data[pos:nl].split(b" ")
            kind = parts[0]
            try:
                if kind == b"S" and len(parts) == 2:
                    self._sender = int(parts[1])
                    pos = nl + 1
                elif kind == b"T" and len(parts) == 2:
                    self._target = int(parts[1])
                    pos = nl + 1
                elif kind == b"M" and len(parts) == 5:
                    seq, length = int(parts[1]), int(parts[4])
                    start = nl + 1
                    if start + length + 1 > len(data) or data[start + length : start + length + 1] != b"\n":
                        break
                    self._offsets[seq] = (parts[2].decode(), parts[3].decode(), start, length)
                    self._sender = max(self._sender, seq + 1)
                    pos = start + length + 1
                else:
                    break
            except ValueError:
                break
            good = pos
        return good, data

    def _trim(self) -> None:
        offsets = self._offsets
        while len(offsets) > self._retain:
            del offsets[next(iter(offsets))]

    def _compact(self, data: bytes) -> None:
        """Rewrite the journal as the counters plus the retained messages, then swap it in."""
        tmp = self.path.with_name(self.path.name + ".compact")
        offsets: dict[int, tuple[str, str, int, int]] = {}
        with open(tmp, "wb") as out:
            out.write(b"S %d\nT %d\n" % (self._sender, self._committed))
            for seq, (msg_type, sending_time, offset, length) in self._offsets.items():
                head = b"M %d %s %s %d\n" % (seq, msg_type.encode(), sending_time.encode(), length)
                offsets[seq] = (msg_type, sending_time, out.tell() + len(head), length)
                out.write(head + data[offset : offset + length] + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        fd = os.open(tmp, os.O_RDWR)
        if not _lock(fd):
            os.close(fd)
            raise FixStoreError(f"FIX store {str(self.path)!r} is in use by another process")
        os.replace(tmp, self.path)
        self._file.close()
        self._file = os.fdopen(fd, "r+b")
        self._file.seek(0, os.SEEK_END)
        self._offsets = offsets

    @property
    def next_sender_seq(self) -> int:
        return self._sender

    @property
    def next_target_seq(self) -> int:
        return self._target

    def is_fresh(self) -> bool:
        return self._sender == 1 and self._target == 1

    def _append(self, record: bytes) -> None:
        try:
            self._file.write(record)
            self._file.flush()
            if self._policy is FsyncPolicy.ALWAYS:
                os.fsync(self._file.fileno())
            elif self._policy is FsyncPolicy.INTERVAL:
                now = time.monotonic()
                if now - self._last_sync >= self._interval:
                    os.fsync(self._file.fileno())
                    self._last_sync = now
        except OSError as exc:
            raise FixStoreError(f"cannot write FIX store {str(self.path)!r}: {exc.strerror}") from exc

    def reserve(self) -> int:
        seq = self._sender
        self._append(b"S %d\n" % (seq + 1))
        self._sender = seq + 1
        return seq

    def store(self, msg_type: str, sending_time: str, body: bytes) -> int:
        seq = self._sender
        head = b"M %d %s %s %d\n" % (seq, msg_type.encode(), sending_time.encode(), len(body))
        offset = self._file.tell() + len(head)
        self._append(head + body + b"\n")
        offsets = self._offsets
        offsets[seq] = (msg_type, sending_time, offset, len(body))
        if len(offsets) > self._retain:
            del offsets[next(iter(offsets))]
        self._sender = seq + 1
        return seq

    def set_next_sender_seq(self, seq: int) -> None:
        if seq != self._sender:
            self._append(b"S %d\n" % seq)
            self._sender = seq

    def set_next_target_seq(self, seq: int) -> None:
        self.commit_target_seq(seq)
        self._target = seq

    def advance_target_seq(self, seq: int) -> None:
        self._target = seq

    def commit_target_seq(self, seq: int) -> None:
        if seq != self._committed:
            self._append(b"T %d\n" % seq)
            self._committed = seq

    def messages(self, begin: int, end: int) -> Iterator[StoredMessage]:
        wanted = sorted(seq for seq in self._offsets if begin <= seq <= end)
        if not wanted:
            return
        try:
            with open(self.path, "rb") as reader:
                for seq in wanted:
                    msg_type, sending_time, offset, length = self._offsets[seq]
                    reader.seek(offset)
                    yield StoredMessage(seq, msg_type, sending_time, reader.read(length))
        except OSError as exc:
            raise FixStoreError(f"cannot read FIX store {str(self.path)!r}: {exc.strerror}") from exc

    def reset(self) -> None:
        try:
            self._file.seek(0)
            self._file.truncate()
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise FixStoreError(f"cannot reset FIX store {str(self.path)!r}: {exc.strerror}") from exc
        self._sender = 1
        self._target = 1
        self._committed = 1
        self._offsets.clear()

    def close(self) -> None:
        """Flush, sync and close the journal."""
        if self._file.closed:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r}, next_sender_seq={self._sender}, next_target_seq={self._target})"
